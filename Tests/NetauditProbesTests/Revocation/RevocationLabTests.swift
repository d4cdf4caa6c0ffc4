import Foundation
import NetauditCore
import NetauditLab
import NetauditPolicy
@testable import NetauditProbes
import Testing

/// Revocation and chain completion against the lab's servers, as an audit probes them.
struct RevocationLabTests {
    @Test func aStapledGoodResponseDecidesForTheLeaf() async throws {
        let observation = try await ProbeLab.probe("good-rsa")
        let revocation = try #require(observation.revocation)
        let leaf = try #require(revocation.leaf)
        #expect(leaf.status == .good)
        #expect(leaf.source == .stapled)
        #expect(leaf.responder?.contains("netaudit lab issuing CA") == true)
        #expect(leaf.attempts.count == 1 && leaf.attempts[0].ocspResponse != nil)
        // The lab intermediate names no responder and no CRL: unknown, and no finding for it.
        #expect(revocation.certificates.map(\.position) == [0, 1])
        #expect(revocation.certificates[1].status == .unknown)
        #expect(Policy().evaluateEndpoint(observation, now: Date()).findings.isEmpty)
    }

    @Test func aLeafWithNoSourceIsUnknownAndSaysWhy() async throws {
        let observation = try await ProbeLab.probe("hsts-present")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .unknown)
        #expect(leaf.problem == "no stapled OCSP response, and the certificate names no OCSP responder and no CRL distribution point")
        let findings = Policy().evaluateEndpoint(observation, now: Date()).findings
        let finding = try #require(findings.first { $0.id == "cert.revocation_unknown" })
        #expect(finding.severity == .info)
        #expect(finding.evidence["revocation.problem"] == leaf.problem)
    }

    @Test func aSelfSignedLeafIsNotChecked() async throws {
        #expect(try await ProbeLab.probe("self-signed").revocation == nil)
    }

    @Test func aLeafWithoutItsIntermediateAndNoKnownOneIsIncomplete() async throws {
        let observation = try await ProbeLab.probe("incomplete-chain", knownIntermediates: false)
        let completion = try #require(observation.trust?.chainCompletion)
        #expect(completion.missingIssuer.contains("netaudit lab issuing CA"))
        #expect(completion.caIssuersURLs.isEmpty && !completion.completedByAIA)
        #expect(observation.trust?.publicTrust.problem == .untrustedRoot)
        // The issuer is unknown, so no revocation source can be asked.
        #expect(observation.revocation?.leaf?.status == .unknown)
        #expect(observation.revocation?.leaf?.problem?.contains("is not known") == true)
        let findings = Policy().evaluateEndpoint(observation, now: Date()).findings
        #expect(Set(findings.filter { $0.severity > .info }.map(\.id)) == ["cert.untrusted", "cert.chain_incomplete"])
        let finding = try #require(findings.first { $0.id == "cert.chain_incomplete" })
        #expect(finding.evidence["chain.completed_by_aia"] == "false")
        #expect(finding.evidence["chain.missing_issuer"] == completion.missingIssuer)
    }

    @Test func aKnownIntermediateStillMakesItIncompleteWithoutAGap() async throws {
        let observation = try await ProbeLab.probe("incomplete-chain")
        #expect(observation.trust?.chainCompletion == nil)
        #expect(observation.trust?.publicTrust.problem == .incompleteChain)
        let ids = Policy().evaluateEndpoint(observation, now: Date()).findings.filter { $0.severity > .info }.map(\.id)
        #expect(ids == ["cert.chain_incomplete"])
    }

    @Test func aChainEndingAtAnIntermediateOfAnUnknownRootIsNoGap() async throws {
        // government-ca sends leaf + Government Issuing CA; without government trust its root is
        // unknown: untrusted, but the server sends all it should.
        let lab = try ProbeLab.lab()
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let trust = try TrustStores(publicBundles: [lab.trust.publicRoot.path], governmentAnchors: [])
        let observation = await engine.probeEndpoint(try ProbeLab.endpoint(lab, "government-ca"),
                                                     settings: TLSProbeSettings(httpPort: nil), trust: trust)
        #expect(observation.trust?.publicTrust.problem == .untrustedRoot)
        #expect(observation.trust?.chainCompletion == nil)
    }
}

/// The lab's TLS-depth cases: each revocation source, a responder that is down, a chain
/// completed from caIssuers, an HTTPS downgrade.
struct RevocationLabCaseTests {
    func judged(_ observation: TLSObservation) -> (ids: Set<String>, evaluation: EndpointEvaluation) {
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        return (Set(evaluation.findings.filter { $0.severity > .info }.map(\.id)), evaluation)
    }

    @Test func aStapledRevokedResponseIsCritical() async throws {
        let observation = try await ProbeLab.probe("ocsp-stapled-revoked")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .revoked && leaf.source == .stapled && leaf.reason == "keyCompromise")
        let (ids, evaluation) = judged(observation)
        #expect(ids == ["cert.revoked"])
        #expect(evaluation.verdict == .noncompliant)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revoked" })
        #expect(finding.severity == .critical)
        #expect(finding.evidence["revocation.source"] == "stapled")
        #expect(finding.evidence["revocation.reason"] == "keyCompromise")
        #expect(finding.evidence["revocation.time"] != nil)
        #expect(finding.evidence["revocation.responder"]?.contains("netaudit lab issuing CA") == true)
    }

    @Test func theAIAResponderSaysRevoked() async throws {
        let lab = try ProbeLab.lab()
        let observation = try await ProbeLab.probe("ocsp-revoked")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .revoked && leaf.source == .ocsp)
        let url = try #require(observation.certificates.first?.ocspURLs?.first)
        #expect(url.hasPrefix(lab.repositoryURL!.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))))
        #expect(leaf.responder == url)
        #expect(leaf.attempts.first?.ocspResponse != nil)
        let (ids, evaluation) = judged(observation)
        #expect(ids == ["cert.revoked"])
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revoked" })
        #expect(finding.evidence["revocation.source"] == "ocsp")
        #expect(finding.evidence["revocation.responder"] == url)
    }

    @Test func theAIAResponderSaysGood() async throws {
        let observation = try await ProbeLab.probe("ocsp-good")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .good && leaf.source == .ocsp)
        let (ids, evaluation) = judged(observation)
        #expect(ids.isEmpty)
        #expect(evaluation.verdict == .compliant)
    }

    @Test func aResponderThatIsDownLeavesTheStatusUnknown() async throws {
        let observation = try await ProbeLab.probe("ocsp-responder-down")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .unknown)
        #expect(leaf.attempts.count == 1 && leaf.attempts[0].source == .ocsp)
        let (ids, evaluation) = judged(observation)
        #expect(ids.isEmpty)
        #expect(evaluation.verdict == .compliant)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revocation_unknown" })
        #expect(finding.severity == .info)
        #expect(finding.evidence["revocation.problem"]?.lowercased().contains("connect") == true, "\(finding.evidence)")
    }

    @Test func aResponderOutsideTheAllowListIsNeverAsked() async throws {
        let lab = try ProbeLab.lab()
        // The engine may reach the case's address only: the repository (127.77.0.48) is outside.
        let address = try lab.endpoint(for: "ocsp-revoked").address
        let engine = ProbeEngine(.init(allow: [IPNetwork("\(address)/32")!]))
        defer { engine.shutdown() }
        let observation = try await ProbeLab.probe("ocsp-revoked", engine: engine)
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .unknown)
        #expect(leaf.problem?.contains("outside the allowed target networks") == true, "\(leaf.problem ?? "")")
    }

    @Test func theCRLListsTheLeaf() async throws {
        let observation = try await ProbeLab.probe("crl-revoked")
        let leaf = try #require(observation.revocation?.leaf)
        #expect(leaf.status == .revoked && leaf.source == .crl && leaf.reason == "keyCompromise")
        let crl = try #require(leaf.attempts.first?.crl)
        #expect(crl.entries >= 1 && crl.issuer.contains("netaudit lab issuing CA") && crl.sha256.count == 64)
        let (ids, evaluation) = judged(observation)
        #expect(ids == ["cert.revoked"])
        #expect(evaluation.findings.first { $0.id == "cert.revoked" }?.evidence["revocation.source"] == "crl")
    }

    @Test func oneFetchPerRunForTheSameSource() async throws {
        // A second check of crl-revoked on the same engine (run) finds the CRL already read:
        // it opens one connection fewer than the first check on a fresh engine.
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        _ = try await ProbeLab.probe("crl-revoked", engine: engine)
        let before = engine.connectionsOpened
        let again = try await ProbeLab.probe("crl-revoked", engine: engine)
        #expect(again.revocation?.leaf?.status == .revoked)
        let second = engine.connectionsOpened - before
        let fresh = ProbeEngine()
        defer { fresh.shutdown() }
        _ = try await ProbeLab.probe("crl-revoked", engine: fresh)
        #expect(second == fresh.connectionsOpened - 1)
    }

    @Test func aLeafAloneIsCompletedFromCAIssuers() async throws {
        let observation = try await ProbeLab.probe("aia-incomplete-chain", knownIntermediates: false)
        let completion = try #require(observation.trust?.chainCompletion)
        #expect(completion.completedByAIA)
        #expect(completion.missingIssuer.contains("netaudit lab issuing CA"))
        #expect(completion.fetches.first?.certificates.first?.contains("netaudit lab issuing CA") == true)
        #expect(observation.trust?.publicTrust.problem == .incompleteChain)
        // With the issuer fetched, revocation can be asked too (the lab intermediate names no source).
        #expect(observation.revocation?.certificates.count == 2)
        let (ids, evaluation) = judged(observation)
        #expect(ids == ["cert.chain_incomplete"])
        #expect(evaluation.verdict == .compliant)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.chain_incomplete" })
        #expect(finding.evidence["chain.completed_by_aia"] == "true")
        #expect(finding.evidence["chain.aia_ca_issuers"] == completion.caIssuersURLs.joined(separator: ", "))
        #expect(finding.message.contains("chain file"))
    }

    @Test func anHTTPSRedirectToPlainHTTPIsADowngrade() async throws {
        let observation = try await ProbeLab.probe("https-downgrade")
        #expect(observation.http?.status == 301)
        #expect(observation.http?.location == LabCatalogue.httpsDowngradeTarget)
        let (ids, evaluation) = judged(observation)
        #expect(ids == ["http.downgrade_redirect"])
        #expect(evaluation.verdict == .noncompliant)
        let finding = try #require(evaluation.findings.first { $0.id == "http.downgrade_redirect" })
        #expect(finding.evidence == ["http.status": "301", "http.location": LabCatalogue.httpsDowngradeTarget])
    }
}
