internal import CNetauditShims
import Foundation

/// The content hash of an inventory: SHA-256 over each file's name and bytes, in reading
/// order, so a run records exactly which inventory it audited.
public enum InventoryFingerprint {
    public static func sha256(files: [String]) -> String {
        guard let context = EVP_MD_CTX_new() else { return "" }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        for file in files {
            let name = Array((file as NSString).lastPathComponent.utf8) + [0]
            EVP_DigestUpdate(context, name, name.count)
            let bytes = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
            EVP_DigestUpdate(context, bytes, bytes.count)
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
