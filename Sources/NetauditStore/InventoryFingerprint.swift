internal import CNetauditShims
import Foundation

/// SHA-256 digests: of an inventory's files (what a run audited) and of the inventory tree
/// a store keeps once per distinct value.
public enum InventoryFingerprint {
    /// SHA-256 over each file's name and bytes, in reading order, so a run records
    /// exactly which inventory it audited.
    public static func sha256(files: [String]) -> String {
        digest { update in
            for file in files {
                update(Array((file as NSString).lastPathComponent.utf8) + [0])
                update([UInt8](FileManager.default.contents(atPath: file) ?? Data()))
            }
        }
    }

    /// SHA-256 of `data`, in hex.
    public static func sha256(data: Data) -> String {
        digest { update in update([UInt8](data)) }
    }

    private static func digest(_ feed: ((([UInt8]) -> Void)) -> Void) -> String {
        guard let context = EVP_MD_CTX_new() else { return "" }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        feed { bytes in EVP_DigestUpdate(context, bytes, bytes.count) }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
