import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// `CertificateInspector` against what NetauditLab says it made and what the `openssl` tool
/// computes.
@Suite("Certificates: inspection")
struct CertificatesInspectorTests {
    @Test("a leaf: names, serial, SANs, dates, EC key, signature, flags")
    func leaf() throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(pki.leaf.der))
        #expect(observation.subject == "CN=good.lab.test,O=Netaudit Test")
        #expect(observation.subject == pki.leaf.subject)
        #expect(observation.issuer == "CN=Netaudit Test Issuing CA,O=Netaudit Test")
        #expect(observation.issuer == pki.intermediate.subject)
        #expect(observation.serialNumber == pki.leaf.serialNumber)
        #expect(observation.subjectAltNames == ["good.lab.test", "127.77.0.1", "fd00:77::1"])
        #expect(observation.notBefore == pki.leaf.notBefore)
        #expect(observation.notAfter == pki.leaf.notAfter)
        #expect(observation.notBefore.timeIntervalSince1970.rounded(.down) == observation.notBefore.timeIntervalSince1970)
        #expect(observation.keyType == "EC")
        #expect(observation.keyBits == 384)
        #expect(observation.curve == "secp384r1")
        #expect(observation.signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(!observation.isCA)
        #expect(!observation.selfSigned)
    }

    @Test("a root: RSA-2048, self-signed CA, no SANs")
    func root() throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(pki.root.der))
        #expect(observation.subject == "CN=Netaudit Test Root CA,O=Netaudit Test")
        #expect(observation.issuer == observation.subject)
        #expect(observation.subjectAltNames.isEmpty)
        #expect(observation.keyType == "RSA")
        #expect(observation.keyBits == 2048)
        #expect(observation.curve == nil)
        #expect(observation.signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(observation.isCA)
        #expect(observation.selfSigned)
    }

    @Test("an intermediate: a CA, not self-signed, P-256")
    func intermediate() throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(pki.intermediate.der))
        #expect(observation.isCA)
        #expect(!observation.selfSigned)
        #expect((observation.keyType, observation.keyBits, observation.curve) == ("EC", 256, "prime256v1"))
        #expect(observation.notAfter == pki.intermediate.notAfter)
    }

    @Test("a self-signed leaf is self-signed and no CA")
    func selfSignedLeaf() throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(pki.selfSignedLeaf.der))
        #expect(observation.selfSigned)
        #expect(!observation.isCA)
        #expect(observation.subject == observation.issuer)
    }

    @Test("UTF-8 in names stays readable (no \\XX escapes)")
    func utf8Names() throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(pki.governmentLeaf.der))
        #expect(observation.issuer == "CN=Vietnam Government Test Issuing CA,O=\(CertificatePKI.governmentOrganization)")
        #expect(observation.issuer == pki.governmentIntermediate.subject)
        #expect(!observation.issuer.contains("\\"))
    }

    enum SignatureCase: String, CaseIterable, Sendable {
        case rsaSHA256, ecdsaSHA256, rsaSHA1

        func credential(_ pki: CertificatePKI) -> LabCredential {
            switch self {
            case .rsaSHA256: return pki.rsaLeaf
            case .ecdsaSHA256: return pki.leaf
            case .rsaSHA1: return pki.sha1Leaf
            }
        }

        var expected: (algorithm: String, keyType: String, keyBits: Int) {
            switch self {
            case .rsaSHA256: return ("sha256WithRSAEncryption", "RSA", 2048)
            case .ecdsaSHA256: return ("ecdsa-with-SHA256", "EC", 384)
            case .rsaSHA1: return ("sha1WithRSAEncryption", "RSA", 1024)
            }
        }
    }

    @Test("signature algorithm and key, by OpenSSL's long names", arguments: SignatureCase.allCases)
    func signatureAlgorithm(_ testCase: SignatureCase) throws {
        let pki = try CertificatePKI.get()
        let observation = try #require(CertificateInspector.inspect(testCase.credential(pki).der))
        #expect(observation.signatureAlgorithm == testCase.expected.algorithm)
        #expect(observation.keyType == testCase.expected.keyType)
        #expect(observation.keyBits == testCase.expected.keyBits)
    }

    @Test("the SHA-256 fingerprint equals openssl x509 -fingerprint -sha256", arguments: SignatureCase.allCases)
    func fingerprint(_ testCase: SignatureCase) throws {
        let pki = try CertificatePKI.get()
        let credential = testCase.credential(pki)
        let scratch = try CertificateScratch()
        let expected = try CertificateOpenSSLTool.sha256Fingerprint(credential, scratch: scratch)
        let observation = try #require(CertificateInspector.inspect(credential.der))
        #expect(expected.count == 64)
        #expect(observation.sha256Fingerprint == expected)
    }

    @Test("bytes that are not exactly one certificate give nil")
    func notCertificates() throws {
        let der = try CertificatePKI.get().leaf.der
        #expect(CertificateInspector.inspect([]) == nil)
        #expect(CertificateInspector.inspect(Array("hello".utf8)) == nil)
        #expect(CertificateInspector.inspect(Array(der.dropLast(10))) == nil)
        #expect(CertificateInspector.inspect(der + [0]) == nil)
        #expect(CertificateInspector.inspect(der) != nil)
    }

    @Test("a chain is inspected leaf first, undecodable entries left out")
    func chain() throws {
        let pki = try CertificatePKI.get()
        let observations = CertificateInspector.inspect(chain: [pki.leaf.der, [1, 2, 3], pki.intermediate.der])
        #expect(observations.map(\.subject) == [pki.leaf.subject, pki.intermediate.subject])
    }

    @Test("IP addresses of SANs as canonical text", arguments: [
        ([127, 77, 0, 1], "127.77.0.1"),
        ([0xFD, 0, 0, 0x77] + [UInt8](repeating: 0, count: 11) + [1], "fd00:77::1"),
        ([UInt8](repeating: 0, count: 15) + [1], "::1"),
        ([1, 2, 3], nil),
    ] as [([UInt8], String?)])
    func ipText(_ bytes: [UInt8], _ text: String?) {
        #expect(CertificateInspector.ipAddress(bytes)?.description == text)
    }
}
