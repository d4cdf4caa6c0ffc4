import Foundation
import NetauditCore
import Testing
@testable import NetauditPolicy

extension Fixtures {
    /// The leaf's revocation as the probe records it: revoked (keyCompromise, by the AIA's
    /// responder, ten days ago), good, or unknown (the responder refused the connection).
    static func revocation(_ status: CertificateRevocation.Status, source: CertificateRevocation.Source = .ocsp,
                           position: Int = 0) -> RevocationObservation {
        var entry = CertificateRevocation(position: position, subject: position == 0 ? leafSubject : intermediateSubject,
                                          issuer: position == 0 ? intermediateSubject : rootSubject, serialNumber: "1001",
                                          status: status)
        switch status {
        case .revoked, .good:
            entry.source = source
            entry.responder = source == .stapled ? intermediateSubject : "http://ocsp.ca.gov.vn/"
            if status == .revoked {
                entry.reason = "keyCompromise"
                entry.revokedAt = now - 10 * day
            }
        case .unknown:
            entry.problem = "ocsp http://ocsp.ca.gov.vn/: Failed to connect to ocsp.ca.gov.vn port 80: Connection refused"
            entry.attempts = [RevocationAttempt(source: .ocsp, url: "http://ocsp.ca.gov.vn/", detail: "Connection refused")]
        }
        return RevocationObservation(certificates: [entry])
    }
}

/// `cert.revoked`, `cert.revocation_unknown`, `http.downgrade_redirect` and the extended
/// `cert.chain_incomplete`, on observations built by hand.
@Suite("Policy: revocation, downgrades, incomplete chains")
struct RevocationRuleTests {
    let policy = Policy()
    let now = Fixtures.now

    @Test(arguments: [CertificateRevocation.Source.stapled, .ocsp, .crl])
    func aRevokedLeafIsCriticalWithItsEvidence(source: CertificateRevocation.Source) throws {
        let evaluation = policy.evaluateEndpoint(Fixtures.good { $0.revocation = Fixtures.revocation(.revoked, source: source) }, now: now)
        #expect(evaluation.verdict == .noncompliant)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revoked" })
        #expect(finding.severity == .critical)
        #expect(finding.evidence["revocation.source"] == source.rawValue)
        #expect(finding.evidence["revocation.reason"] == "keyCompromise")
        #expect(finding.evidence["revocation.time"] == PolicyFormat.timestamp(now - 10 * Fixtures.day))
        #expect(finding.evidence["revocation.responder"]?.isEmpty == false)
        #expect(finding.evidence["certificate.position"] == "leaf")
        #expect(evaluation.findings.map(\.id) == ["cert.revoked"])
    }

    @Test func aRevokedIntermediateIsRevokedToo() throws {
        var revocation = Fixtures.revocation(.good)
        revocation.certificates += Fixtures.revocation(.revoked, source: .crl, position: 1).certificates
        let evaluation = policy.evaluateEndpoint(Fixtures.good { $0.revocation = revocation }, now: now)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revoked" })
        #expect(finding.evidence["certificate.position"] == "intermediate 1")
        #expect(finding.message.hasPrefix("The intermediate certificate"))
        #expect(!evaluation.findings.contains { $0.id == "cert.revocation_unknown" })
    }

    @Test func anUnknownStatusIsInformationOnly() throws {
        let evaluation = policy.evaluateEndpoint(Fixtures.good { $0.revocation = Fixtures.revocation(.unknown) }, now: now)
        #expect(evaluation.verdict == .compliant)
        let finding = try #require(evaluation.findings.first { $0.id == "cert.revocation_unknown" })
        #expect(finding.severity == .info)
        #expect(finding.evidence["revocation.problem"]?.contains("Connection refused") == true)
    }

    @Test func aGoodStatusOrNoCheckSaysNothing() {
        for revocation in [Fixtures.revocation(.good), nil] {
            let evaluation = policy.evaluateEndpoint(Fixtures.good { $0.revocation = revocation }, now: now)
            #expect(evaluation.findings.isEmpty)
        }
    }

    @Test(arguments: [("http://portal.gialai.gov.vn/", true), ("HTTP://portal.gialai.gov.vn/login", true),
                      ("https://portal.gialai.gov.vn/", false), ("/login", false), ("//portal.gialai.gov.vn/", false)])
    func onlyARedirectToPlainHTTPIsADowngrade(location: String, downgrade: Bool) {
        for status in [301, 302, 307, 308] {
            let observation = Fixtures.good {
                $0.http = HTTPObservation(status: status, location: location, strictTransportSecurity: "max-age=63072000")
            }
            let finding = policy.evaluateEndpoint(observation, now: now).findings.first { $0.id == "http.downgrade_redirect" }
            #expect((finding != nil) == downgrade)
            if let finding {
                #expect(finding.severity == .high)
                #expect(finding.evidence == ["http.status": String(status), "http.location": location])
            }
        }
        let ok = Fixtures.good { $0.http = HTTPObservation(status: 200, location: location, strictTransportSecurity: "max-age=63072000") }
        #expect(!policy.evaluateEndpoint(ok, now: now).findings.contains { $0.id == "http.downgrade_redirect" })
    }

    @Test func aLeafAloneWithAnUnknownIssuerIsIncompleteAndUntrusted() throws {
        let observation = Fixtures.good {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot), hostnameMatches: true)
            $0.trust?.chainCompletion = ChainCompletion(missingIssuer: Fixtures.intermediateSubject, caIssuersURLs: [])
        }
        let evaluation = policy.evaluateEndpoint(observation, now: now)
        #expect(Set(evaluation.findings.map(\.id)) == ["cert.untrusted", "cert.chain_incomplete"])
        let finding = try #require(evaluation.findings.first { $0.id == "cert.chain_incomplete" })
        #expect(finding.evidence["chain.missing_issuer"] == Fixtures.intermediateSubject)
        #expect(finding.evidence["chain.completed_by_aia"] == "false")
        #expect(finding.evidence["chain.aia_ca_issuers"] == nil)
        #expect(finding.message.contains("chain file"))
    }

    @Test func aChainCompletedByAIAIsIncompleteOnly() throws {
        let url = "http://ca.gialai.gov.vn/issuing.cer"
        let observation = Fixtures.good {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.incompleteChain), hostnameMatches: true)
            $0.trust?.chainCompletion = ChainCompletion(
                missingIssuer: Fixtures.intermediateSubject, caIssuersURLs: [url],
                fetches: [CAIssuersFetch(url: url, certificates: [Fixtures.intermediateSubject])], completedByAIA: true)
        }
        let evaluation = policy.evaluateEndpoint(observation, now: now)
        #expect(evaluation.findings.map(\.id) == ["cert.chain_incomplete"])
        #expect(evaluation.verdict == .compliant)
        let finding = try #require(evaluation.findings.first)
        #expect(finding.severity == .medium)
        #expect(finding.evidence["chain.completed_by_aia"] == "true")
        #expect(finding.evidence["chain.aia_ca_issuers"] == url)
        #expect(finding.message.contains(url) && finding.message.contains("chain file"))
    }

    @Test func aRevokedObservationSurvivesJSON() throws {
        let observation = Fixtures.good { $0.revocation = Fixtures.revocation(.revoked) }
        let data = try JSONEncoder().encode(observation)
        #expect(try JSONDecoder().decode(TLSObservation.self, from: data) == observation)
        // One stored before revocation was checked still decodes, without it.
        var old = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        old["revocation"] = nil
        let decoded = try JSONDecoder().decode(TLSObservation.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.revocation == nil)
    }
}
