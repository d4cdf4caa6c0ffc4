import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// The certificates the Certificates suites verify and inspect, made once per test process
/// with NetauditLab's PKI. CA keys are fresh (a CA must not share its key with what it
/// signs); leaves use ECDSA or `.shared` RSA keys, so that the whole set costs one fresh
/// RSA-2048 key (the main root's), about 0.2 s.
///
///     Netaudit Test Root CA (RSA-2048)          ─┬─ Netaudit Test Issuing CA (P-256) ─┬─ good.lab.test (P-384)
///                                                 │                                     ├─ *.lab.test, cn-only, cn+SAN,
///                                                 │                                     └─ expired, not-yet-valid leaves
///                                                 ├─ rsa.lab.test (RSA-2048 shared, SHA-256)
///                                                 ├─ sha1.lab.test (RSA-1024 shared, SHA-1)
///                                                 └─ Netaudit Expired Issuing CA ─ under-expired.lab.test
///     Netaudit Other Root CA ─ Netaudit Other Issuing CA ─ other.lab.test
///     Vietnamese-style government root ─ government issuing CA ─ dichvucong.lab.test
///     good.lab.test, self-signed
struct CertificatePKI: Sendable {
    let root: LabCredential
    let intermediate: LabCredential
    let leaf: LabCredential
    let rsaLeaf: LabCredential
    let sha1Leaf: LabCredential
    let wildcardLeaf: LabCredential
    let commonNameOnlyLeaf: LabCredential
    let commonNameAndSANLeaf: LabCredential
    let expiredLeaf: LabCredential
    let notYetValidLeaf: LabCredential
    let expiredIntermediate: LabCredential
    let leafUnderExpiredIntermediate: LabCredential
    let selfSignedLeaf: LabCredential
    let otherRoot: LabCredential
    let otherIntermediate: LabCredential
    let otherLeaf: LabCredential
    let governmentRoot: LabCredential
    let governmentIntermediate: LabCredential
    let governmentLeaf: LabCredential

    static let goodNames: [LabSubjectAltName] = [.dns("good.lab.test"), .ip(IPAddress(127, 77, 0, 1)), .ip(IPAddress("fd00:77::1")!)]
    static let governmentOrganization = "Ban Cơ yếu Chính phủ"

    static let shared: Result<CertificatePKI, LabPKIError> = Result { () throws(LabPKIError) -> CertificatePKI in
        let now = Date()
        func ca(_ name: String, _ organization: String, key: LabKeyKind = .ecdsa(curve: .p256), pathLength: Int? = nil,
                notBefore: Date = now - 3600, notAfter: Date = now + 3650 * oneDay) -> LabCertificateSpec {
            .certificateAuthority(commonName: name, organization: organization, pathLength: pathLength, key: key,
                                  notBefore: notBefore, notAfter: notAfter)
        }
        func leaf(_ name: String, _ names: [LabSubjectAltName], key: LabKeyKind = .ecdsa(curve: .p256),
                  digest: LabDigest = .sha256, notBefore: Date = now - 3600, notAfter: Date = now + 90 * oneDay) -> LabCertificateSpec {
            LabCertificateSpec(commonName: name, organization: "Netaudit Test", subjectAltNames: names,
                               notBefore: notBefore, notAfter: notAfter, key: key, keySource: .shared, digest: digest)
        }

        let root = try LabPKI.selfSigned(ca("Netaudit Test Root CA", "Netaudit Test", key: .rsa(bits: 2048)))
        let intermediate = try LabPKI.issue(ca("Netaudit Test Issuing CA", "Netaudit Test", pathLength: 0), by: root)
        let expiredIntermediate = try LabPKI.issue(
            ca("Netaudit Expired Issuing CA", "Netaudit Test", pathLength: 0, notBefore: now - 400 * oneDay, notAfter: now - oneDay),
            by: root)
        let otherRoot = try LabPKI.selfSigned(ca("Netaudit Other Root CA", "Netaudit Other"))
        let otherIntermediate = try LabPKI.issue(ca("Netaudit Other Issuing CA", "Netaudit Other", pathLength: 0), by: otherRoot)
        let governmentRoot = try LabPKI.selfSigned(ca("Vietnam Government Test Root CA", governmentOrganization, key: .ecdsa(curve: .p384)))
        let governmentIntermediate = try LabPKI.issue(
            ca("Vietnam Government Test Issuing CA", governmentOrganization, pathLength: 0), by: governmentRoot)

        return CertificatePKI(
            root: root,
            intermediate: intermediate,
            leaf: try LabPKI.issue(leaf("good.lab.test", goodNames, key: .ecdsa(curve: .p384)), by: intermediate),
            rsaLeaf: try LabPKI.issue(leaf("rsa.lab.test", [.dns("rsa.lab.test")], key: .rsa(bits: 2048)), by: root),
            sha1Leaf: try LabPKI.issue(leaf("sha1.lab.test", [.dns("sha1.lab.test")], key: .rsa(bits: 1024), digest: .sha1), by: root),
            wildcardLeaf: try LabPKI.issue(leaf("*.lab.test", [.dns("*.lab.test")]), by: intermediate),
            commonNameOnlyLeaf: try LabPKI.issue(leaf("cn.lab.test", []), by: intermediate),
            commonNameAndSANLeaf: try LabPKI.issue(leaf("cn.lab.test", [.dns("san.lab.test")]), by: intermediate),
            expiredLeaf: try LabPKI.issue(
                leaf("good.lab.test", goodNames, notBefore: now - 100 * oneDay, notAfter: now - 10 * oneDay), by: intermediate),
            notYetValidLeaf: try LabPKI.issue(
                leaf("good.lab.test", goodNames, notBefore: now + 10 * oneDay, notAfter: now + 100 * oneDay), by: intermediate),
            expiredIntermediate: expiredIntermediate,
            leafUnderExpiredIntermediate: try LabPKI.issue(
                leaf("under-expired.lab.test", [.dns("under-expired.lab.test")]), by: expiredIntermediate),
            selfSignedLeaf: try LabPKI.selfSigned(leaf("good.lab.test", goodNames)),
            otherRoot: otherRoot,
            otherIntermediate: otherIntermediate,
            otherLeaf: try LabPKI.issue(leaf("other.lab.test", [.dns("other.lab.test")]), by: otherIntermediate),
            governmentRoot: governmentRoot,
            governmentIntermediate: governmentIntermediate,
            governmentLeaf: try LabPKI.issue(
                leaf("dichvucong.lab.test", [.dns("dichvucong.lab.test")]), by: governmentIntermediate))
    }

    /// The shared PKI, or the failure to make it, as a test failure.
    static func get() throws -> CertificatePKI { try shared.get() }
}

extension LabCredential {
    /// The DER bytes as the TLS probe hands them over.
    var der: [UInt8] { [UInt8](certificateDER) }
}

/// Seconds in a day, for readable validity offsets.
let oneDay: TimeInterval = 86400

/// X509_V_* codes, written out from x509_vfy.h so that the tests do not read them from the
/// code under test.
enum VerifyCode {
    static let ok = 0
    static let unableToGetIssuerCertificate = 2
    static let notYetValid = 9
    static let expired = 10
    static let depthZeroSelfSigned = 18
    static let selfSignedInChain = 19
    static let unableToGetLocalIssuer = 20
}

/// A fresh temporary folder for one test, removed afterwards whatever happens.
final class CertificateScratch {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("netaudit-certificates-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Writes `text` to the file `name`; returns its path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        try write(Data(text.utf8), to: name)
    }

    @discardableResult
    func write(_ data: Data, to name: String) throws -> String {
        let file = folder.appendingPathComponent(name)
        try data.write(to: file)
        return file.path
    }

    /// A path in the folder where nothing is.
    func missing(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// An anchor store (``TrustStore/init(anchorFiles:)``) from one file holding `credentials`.
    func anchors(_ credentials: [LabCredential], name: String = "anchors.pem") throws -> TrustStore {
        let path = try write(credentials.map(\.certificatePEM).joined(), to: name)
        return try TrustStore(anchorFiles: [path])
    }

    /// A bundle store (``TrustStore/init(bundle:)``) from one file holding `credentials`.
    func bundle(_ credentials: [LabCredential], name: String = "bundle.pem") throws -> TrustStore {
        let path = try write(credentials.map(\.certificatePEM).joined(), to: name)
        return try TrustStore(bundle: path)
    }
}

/// The `openssl` command-line tool, run as a subprocess: the independent oracle for
/// fingerprints.
enum CertificateOpenSSLTool {
    /// `openssl x509 -noout -fingerprint -sha256` of `credential`, as lower-case hex without colons.
    static func sha256Fingerprint(_ credential: LabCredential, scratch: CertificateScratch) throws -> String {
        let path = try scratch.write(credential.certificateDER, to: "\(credential.serialNumber).der")
        let output = try run(["x509", "-inform", "DER", "-in", path, "-noout", "-fingerprint", "-sha256"])
        // "sha256 Fingerprint=AB:CD:…" (the label's case differs between versions).
        let line = try #require(output.split(separator: "\n").first { $0.lowercased().contains("fingerprint=") })
        let value = try #require(line.split(separator: "=", maxSplits: 1).last)
        return value.replacingOccurrences(of: ":", with: "").lowercased().trimmingCharacters(in: .whitespaces)
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(
            ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "the openssl command-line tool is not installed (Debian: apt-get install openssl)"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")): \(output)")
        return output
    }
}
