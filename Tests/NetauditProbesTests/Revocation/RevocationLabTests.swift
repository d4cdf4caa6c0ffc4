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
