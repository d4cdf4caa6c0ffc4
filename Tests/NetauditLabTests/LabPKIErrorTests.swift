import Foundation
import NetauditLab
import Testing

/// Specs that cannot be made throw a clear ``LabPKIError`` instead of crashing or making junk.
struct LabPKIErrorTests {
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: LabCertificateSpec
        let message: String
        var testDescription: String { name }
    }

    static func spec(_ change: (inout LabCertificateSpec) -> Void) -> LabCertificateSpec {
        var spec = LabCertificateSpec(commonName: "bad.lab.test", key: .ecdsa(curve: .p256), keySource: .shared)
        change(&spec)
        return spec
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(name: "notAfter before notBefore", spec: spec { $0.notAfter = $0.notBefore.addingTimeInterval(-day) },
                    message: "is not later than notBefore"),
        InvalidCase(name: "notAfter equal to notBefore", spec: spec { $0.notAfter = $0.notBefore },
                    message: "is not later than notBefore"),
        InvalidCase(name: "RSA 0 bits", spec: spec { $0.key = .rsa(bits: 0) },
                    message: "RSA key size 0 is out of range: 512–16384 bits"),
        InvalidCase(name: "RSA 256 bits", spec: spec { $0.key = .rsa(bits: 256) }, message: "RSA key size 256 is out of range"),
        InvalidCase(name: "RSA 100000 bits", spec: spec { $0.key = .rsa(bits: 100_000) }, message: "RSA key size 100000"),
        InvalidCase(name: "empty commonName", spec: spec { $0.commonName = "" }, message: "commonName is empty"),
        InvalidCase(name: "empty organization", spec: spec { $0.organization = "" }, message: "organization is empty"),
        InvalidCase(name: "pathLength on a leaf", spec: spec { $0.pathLength = 1 }, message: "not a CA"),
        InvalidCase(name: "negative pathLength", spec: spec { $0.isCA = true; $0.pathLength = -1 }, message: "is negative"),
        InvalidCase(name: "DNS name with a space", spec: spec { $0.subjectAltNames = [.dns("bad name.test")] },
                    message: "is not a printable ASCII name"),
        InvalidCase(name: "non-ASCII DNS name", spec: spec { $0.subjectAltNames = [.dns("bücher.test")] },
                    message: "is not a printable ASCII name"),
        InvalidCase(name: "empty DNS name", spec: spec { $0.subjectAltNames = [.dns("")] }, message: "is not a printable ASCII name"),
        InvalidCase(name: "year 10000", spec: spec { $0.notAfter = Date(timeIntervalSince1970: 253_402_300_800) },
                    message: "outside what X.509 can encode"),
        InvalidCase(name: "year 1949", spec: spec { $0.notBefore = Date(timeIntervalSince1970: -631_152_001) },
                    message: "outside what X.509 can encode"),
    ]

    @Test(arguments: invalidCases)
    func invalidSpecsAreRefused(_ invalidCase: InvalidCase) throws {
        let error = #expect(throws: LabPKIError.self) { try LabPKI.selfSigned(invalidCase.spec) }
        #expect(error?.reason == .invalidSpec)
        #expect(error?.openSSLMessages == [])
        #expect(error?.message.contains(invalidCase.message) == true, "\(String(describing: error))")

        // Issuing checks the same spec the same way.
        let chain = try LabFixtures.chain.get()
        let issued = #expect(throws: LabPKIError.self) { try LabPKI.issue(invalidCase.spec, by: chain.intermediate) }
        #expect(issued?.reason == .invalidSpec)
    }

    /// MD5 depends on the signing key: refused for an EC key, whether the certificate's own
    /// (self-signed) or its issuer's; an EC leaf signed with MD5 by an RSA issuer is fine.
    @Test func md5NeedsAnRSASigningKey() throws {
        let selfSigned = #expect(throws: LabPKIError.self) {
            try LabPKI.selfSigned(LabCertificateSpec(commonName: "md5.lab.test", key: .ecdsa(curve: .p256), keySource: .shared, digest: .md5))
        }
        #expect(selfSigned?.reason == .invalidSpec)
        #expect(selfSigned?.message == "MD5 signatures exist only for RSA keys, and this self-signed certificate has an ECDSA P-256 key")

        let chain = try LabFixtures.chain.get()
        let ecLeaf = try LabPKI.issue(
            LabCertificateSpec(commonName: "md5.lab.test", key: .ecdsa(curve: .p256), keySource: .shared, digest: .md5),
            by: chain.intermediate)
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(ecLeaf, ["-text"], in: folder)
            #expect(text.contains("Signature Algorithm: md5WithRSAEncryption"))
        }

        let ecRoot = try LabPKI.selfSigned(.certificateAuthority(commonName: "EC Root", key: .ecdsa(curve: .p256)))
        let error = #expect(throws: LabPKIError.self) {
            try LabPKI.issue(LabCertificateSpec(commonName: "md5.lab.test", key: .rsa(bits: 2048), keySource: .shared, digest: .md5),
                             by: ecRoot)
        }
        #expect(error?.reason == .invalidSpec)
        #expect(error?.message == "MD5 signatures exist only for RSA keys, and the issuer CN=EC Root has an ECDSA P-256 key")
    }

    /// What only OpenSSL knows (X.520's 64-character bound on CN) comes back with OpenSSL's own
    /// messages, and leaves nothing behind in the error queue to spoil the next certificate.
    @Test func openSSLFailuresCarryOpenSSLsMessages() throws {
        let longName = String(repeating: "a", count: 65)
        let error = #expect(throws: LabPKIError.self) {
            try LabPKI.selfSigned(LabCertificateSpec(commonName: longName, key: .ecdsa(curve: .p256), keySource: .shared))
        }
        #expect(error?.reason == .openSSL)
        #expect(error?.message == "X509_NAME_add_entry_by_txt (CN=\(longName)) failed")
        #expect(error?.openSSLMessages.contains { $0.contains("string too long") } == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("X509_NAME_add_entry_by_txt (CN=\(longName)) failed: error:") == true)

        let fine = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: String(repeating: "a", count: 64), key: .ecdsa(curve: .p256), keySource: .shared))
        #expect(fine.subject == "CN=" + String(repeating: "a", count: 64))
    }

    @Test func errorsDescribeThemselves() {
        let error = LabPKIError(.openSSL, "X509_sign failed", openSSLMessages: ["error:1", "error:2"])
        #expect(error.description == "X509_sign failed: error:1; error:2")
        #expect(LabPKIError(.invalidSpec, "commonName is empty").description == "commonName is empty")
    }
}
