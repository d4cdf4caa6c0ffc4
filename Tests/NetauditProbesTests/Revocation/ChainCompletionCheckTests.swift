import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// What a caIssuers URL may answer, read by `ChainCompletionCheck.certificates(in:)`.
@Suite("Revocation: caIssuers answers")
struct ChainCompletionCheckTests {
    static let authority = Result { try LabPKI.selfSigned(.certificateAuthority(commonName: "caIssuers test CA")) }

    @Test func oneDERCertificate() throws {
        let ca = try Self.authority.get()
        let found = ChainCompletionCheck.certificates(in: Array(ca.certificateDER))
        #expect(found == [Array(ca.certificateDER)])
    }

    @Test func pemCertificates() throws {
        let ca = try Self.authority.get()
        let other = try LabPKI.selfSigned(.certificateAuthority(commonName: "second CA"))
        let found = ChainCompletionCheck.certificates(in: Array((ca.certificatePEM + other.certificatePEM).utf8))
        #expect(found == [Array(ca.certificateDER), Array(other.certificateDER)])
    }

    /// A PKCS#7 certs-only bundle (".p7c"), made by Debian's openssl, in DER and in PEM.
    @Test(arguments: ["DER", "PEM"])
    func aPKCS7Bundle(form: String) throws {
        let ca = try Self.authority.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("p7c-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("ca.pem")
        try ca.certificatePEM.write(to: pem, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("ca.p7c")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["crl2pkcs7", "-nocrl", "-certfile", pem.path, "-outform", form, "-out", out.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let found = ChainCompletionCheck.certificates(in: Array(try Data(contentsOf: out)))
        #expect(found == [Array(ca.certificateDER)])
    }

    @Test(arguments: [[UInt8](), Array("<html>404</html>".utf8), [0x30, 0x82, 0x01]])
    func anythingElseHoldsNoCertificate(bytes: [UInt8]) {
        #expect(ChainCompletionCheck.certificates(in: bytes).isEmpty)
    }
}
