import Foundation
import NetauditCore
import NetauditPolicy
import Testing

/// What reports and alerts ask the policy instead of matching rule-id strings: what a rule
/// judges, which rules speak of a certificate's expiry, and how a judged link stands.
struct RuleQuestionTests {
    @Test func theLinkRulesJudgeTheLinkAndEveryOtherAnEndpoint() {
        for rule in Rule.allCases {
            #expect((rule.subject == .link) == rule.id.hasPrefix("link."), "\(rule.id)")
        }
        #expect(Rule.allCases.filter { $0.subject == .link }
                    == [.linkUnconfigured, .linkDown, .linkUnreachable, .linkLoss, .linkLatency])
    }

    @Test func onlyExpiredAndExpiringAreCertificateExpiry() {
        #expect(Rule.allCases.filter(\.isCertificateExpiry) == [.certExpired, .certExpiring])
        #expect(!Rule.certNotYetValid.isCertificateExpiry && !Rule.certLongValidity.isCertificateExpiry)
    }

    @Test func aFindingNamesItsRuleOrNoneForAnUnknownID() {
        #expect(Self.finding("link.down").rule == .linkDown)
        #expect(Self.finding("cert.expiring").rule == .certExpiring)
        #expect(Self.finding("link.retired_rule").rule == nil)
        #expect(Self.finding(SeverityKey.certExpiringSoon).rule == nil)  // a severity key, not a finding id
    }

    @Test func findingsAreAskedAboutTheirRule() {
        #expect(Policy.isLinkFinding(Self.finding("link.unconfigured")))
        #expect(Policy.isLinkFinding(Self.finding("link.latency")))
        #expect(!Policy.isLinkFinding(Self.finding("tls.unreachable")))
        #expect(!Policy.isLinkFinding(Self.finding("link.retired_rule")))
        #expect(Policy.isCertificateExpiry(Self.finding("cert.expired")))
        #expect(Policy.isCertificateExpiry(Self.finding("cert.expiring")))
        #expect(!Policy.isCertificateExpiry(Self.finding("cert.untrusted")))
        #expect(!Policy.isCertificateExpiry(Self.finding("link.down")))
    }

    @Test(arguments: [
        (LinkState.up, [String](), LinkCondition.up),
        (.up, ["link.latency"], .up),
        (.degraded, ["link.loss"], .degraded),
        (.down, ["link.down"], .down),
        (.down, ["link.unreachable"], .unreachable),
        (.down, [], .down),
    ])
    func aLinkStandsAsItsStateAndItsFindingsSay(_ state: LinkState, _ ids: [String], _ condition: LinkCondition) {
        #expect(Policy.linkCondition(state: state, findings: ids.map(Self.finding)) == condition)
    }

    @Test func aLinkWithoutStateHasNoCondition() {
        #expect(Policy.linkCondition(state: nil, findings: []) == nil)
        #expect(Policy.linkCondition(state: nil, findings: [Self.finding("link.unconfigured")]) == nil)
    }

    /// The conditions of the policy's own findings: a silent link behind a down node is
    /// unreachable, else down.
    @Test func theConditionsOfJudgedLinks() {
        let policy = Policy()
        let agency = Agency(code: "23575", name: "Xã Ia Hrú", level: "commune", link: Link(address: IPAddress(127, 64, 0, 1), via: "64"))
        let silent = LinkObservation(address: IPAddress(127, 64, 0, 1), method: .icmp, sent: 10, received: 0)
        let state = policy.linkState(silent)
        #expect(state == .down)
        let down = policy.evaluateLink(of: agency, observation: silent, viaState: .up)
        let unreachable = policy.evaluateLink(of: agency, observation: silent, viaState: .down)
        #expect(Policy.linkCondition(state: state, findings: down) == .down)
        #expect(Policy.linkCondition(state: state, findings: unreachable) == .unreachable)
    }

    static func finding(_ id: String) -> Finding {
        Finding(id: id, severity: .high, message: id)
    }
}
