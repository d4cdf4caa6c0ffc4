import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// `TrustEvaluation.evaluate`: public and government trust kept apart, plus the host name.
@Suite("Certificates: trust evaluation")
struct CertificatesTrustEvaluationTests {
    @Test("a government chain: untrusted publicly, trusted by the government store")
    func governmentChain() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let publicStore = try scratch.bundle([pki.root, pki.otherRoot], name: "public.pem")
        let governmentStore = try scratch.anchors([pki.governmentRoot, pki.governmentIntermediate], name: "government.pem")
        let chain = [pki.governmentLeaf.der, pki.governmentIntermediate.der]
        let trust = try #require(TrustEvaluation.evaluate(
            chain: chain, serverName: "dichvucong.lab.test", at: Date(), publicStore: publicStore, governmentStore: governmentStore))
        #expect(!trust.publicTrust.trusted)
        #expect(trust.publicTrust.problem == .untrustedRoot)
        let government = try #require(trust.governmentTrust)
        #expect(government.trusted)
        #expect(government.anchor == pki.governmentRoot.subject)
        #expect(government.path == [pki.governmentLeaf.subject, pki.governmentIntermediate.subject, pki.governmentRoot.subject])
        #expect(trust.hostnameMatches)
    }

    @Test("a public chain: trusted publicly, not by the government store; the name is checked once")
    func publicChain() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let publicStore = try scratch.bundle([pki.root], name: "public.pem")
        let governmentStore = try scratch.anchors([pki.governmentRoot], name: "government.pem")
        let trust = try #require(TrustEvaluation.evaluate(
            chain: [pki.leaf.der, pki.intermediate.der], serverName: "other.lab.test", at: Date(),
            publicStore: publicStore, governmentStore: governmentStore))
        #expect(trust.publicTrust.trusted)
        #expect(trust.governmentTrust?.trusted == false)
        #expect(trust.governmentTrust?.problem == .untrustedRoot)
        #expect(!trust.hostnameMatches)
        #expect(trust.hostnameCode == 62)  // X509_V_ERR_HOSTNAME_MISMATCH, with OpenSSL's text
        #expect(trust.hostnameMessage == "hostname mismatch")
    }

    @Test("the host name check keeps OpenSSL's code and message: ok, hostname mismatch, IP address mismatch",
          arguments: [("good.lab.test", 0, "ok"), ("127.77.0.1", 0, "ok"), ("GOOD.lab.test.", 0, "ok"),
                      ("other.lab.test", 62, "hostname mismatch"), ("127.77.0.2", 64, "IP address mismatch"),
                      ("[::1]", 64, "IP address mismatch")])
    func hostnameCodes(_ name: String, _ code: Int, _ message: String) throws {
        let pki = try CertificatePKI.get()
        let trust = try #require(TrustEvaluation.evaluate(chain: [pki.leaf.der, pki.intermediate.der], serverName: name, at: Date(),
                                                          publicStore: nil, governmentStore: nil))
        #expect(trust.hostnameMatches == (code == 0))
        #expect(trust.hostnameCode == code)
        #expect(trust.hostnameMessage == message)
    }

    @Test("no government store: no government result; no public store: nothing is publicly trusted")
    func missingStores() throws {
        let pki = try CertificatePKI.get()
        let trust = try #require(TrustEvaluation.evaluate(
            chain: [pki.leaf.der, pki.intermediate.der], serverName: "127.77.0.1", at: Date(),
            publicStore: nil, governmentStore: nil))
        #expect(trust.governmentTrust == nil)
        #expect(!trust.publicTrust.trusted)
        #expect(trust.publicTrust.problem == .untrustedRoot)
        #expect(trust.hostnameMatches)
    }

    @Test("an empty chain gives no trust observation")
    func emptyChain() {
        #expect(TrustEvaluation.evaluate(chain: [], serverName: "good.lab.test", at: Date(),
                                         publicStore: nil, governmentStore: nil) == nil)
    }

    @Test("the clock moves both verifications")
    func clock() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.root])
        let trust = try #require(TrustEvaluation.evaluate(
            chain: [pki.leaf.der, pki.intermediate.der], serverName: "good.lab.test", at: pki.leaf.notAfter + oneDay,
            publicStore: store, governmentStore: store))
        #expect(trust.publicTrust.problem == .expired)
        #expect(trust.governmentTrust?.problem == .expired)
        #expect(trust.hostnameMatches)
    }
}
