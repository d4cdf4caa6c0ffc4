import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// `OCSPCheck` on responses the lab signs with OpenSSL: what counts, and why the rest does not.
@Suite("Revocation: reading OCSP responses")
struct OCSPCheckTests {
    struct PKI {
        let root: LabCredential
        let intermediate: LabCredential
        let leaf: LabCredential
        let other: LabCredential
        let stranger: LabCredential

        init() throws {
            root = try LabPKI.selfSigned(.certificateAuthority(commonName: "OCSP test root"))
            intermediate = try LabPKI.issue(.certificateAuthority(commonName: "OCSP test issuing CA", pathLength: 0), by: root)
            leaf = try LabPKI.issue(LabCertificateSpec(commonName: "ocsp.lab.test", subjectAltNames: [.dns("ocsp.lab.test")]), by: intermediate)
            other = try LabPKI.issue(LabCertificateSpec(commonName: "other.lab.test", subjectAltNames: [.dns("other.lab.test")]), by: intermediate)
            stranger = try LabPKI.selfSigned(.certificateAuthority(commonName: "Some other CA"))
        }
    }

    static func handle(_ credential: LabCredential) throws -> X509Handle {
        try #require(X509Handle(der: Array(credential.certificateDER)))
    }

    @Test func aGoodResponseSignedByTheIssuerIsGood() throws {
        let pki = try PKI()
        let response = try LabOCSP.response(for: pki.leaf, issuer: pki.intermediate)
        let answer = OCSPCheck.read(Array(response), certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == .good)
        #expect(answer.problem == nil)
        #expect(answer.responder?.contains("OCSP test issuing CA") == true)
        #expect(answer.nextUpdate != nil && answer.thisUpdate != nil)
    }

    @Test func aRevokedResponseSaysWhenAndWhy() throws {
        let pki = try PKI()
        let when = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 86400).rounded(.down))
        let response = try LabOCSP.response(for: pki.leaf, issuer: pki.intermediate, status: .revoked(at: when))
        let answer = OCSPCheck.read(Array(response), certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == .revoked)
        #expect(answer.reason == "keyCompromise")
        #expect(answer.revokedAt == when)
    }

    @Test func aResponseSignedBySomeoneElseSaysNothing() throws {
        let pki = try PKI()
        // The stranger signs a "revoked" status for a CertID naming the real issuer: forged.
        let forged = try LabOCSP.response(for: pki.leaf, issuer: pki.intermediate, status: .revoked(at: Date()),
                                          signer: pki.stranger)
        let answer = OCSPCheck.read(Array(forged), certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == nil)
        #expect(answer.problem?.contains("not signed by the issuer") == true)
    }

    @Test func aStaleResponseSaysNothing() throws {
        let pki = try PKI()
        let stale = try LabOCSP.response(for: pki.leaf, issuer: pki.intermediate, status: .revoked(at: Date()), validity: -7200)
        let answer = OCSPCheck.read(Array(stale), certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == nil)
        #expect(answer.problem?.contains("stale") == true)
    }

    @Test func aResponseAboutAnotherCertificateSaysNothing() throws {
        let pki = try PKI()
        let response = try LabOCSP.response(for: pki.other, issuer: pki.intermediate, status: .revoked(at: Date()))
        let answer = OCSPCheck.read(Array(response), certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == nil)
        #expect(answer.problem == "the OCSP response does not speak of this certificate")
    }

    @Test(arguments: [[UInt8](), [0x30, 0x03, 0x0A, 0x01, 0x01], Array("<html>not found</html>".utf8)])
    func bytesThatAreNoGoodResponseSayNothing(bytes: [UInt8]) throws {
        let pki = try PKI()
        let answer = OCSPCheck.read(bytes, certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate))
        #expect(answer.status == nil)
        #expect(answer.problem != nil)
    }

    @Test func theRequestNamesTheCertificate() throws {
        let pki = try PKI()
        let request = try #require(OCSPCheck.request(certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate)))
        // The same request twice: no nonce, so a run asks a responder once per certificate.
        #expect(request == OCSPCheck.request(certificate: try Self.handle(pki.leaf), issuer: try Self.handle(pki.intermediate)))
        #expect(request != OCSPCheck.request(certificate: try Self.handle(pki.other), issuer: try Self.handle(pki.intermediate)))
        #expect(request.first == 0x30)
    }
}
