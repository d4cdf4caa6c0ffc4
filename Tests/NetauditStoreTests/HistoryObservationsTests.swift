import Foundation
import NetauditCore
import NetauditStore
import Testing

/// HistoryObservations: the condition and cause history records from a run's results.
struct HistoryObservationsTests {
    static func link(_ code: String, _ state: LinkState?, _ findings: [Finding] = []) -> LinkResult {
        LinkResult(agencyCode: code, observation: nil, state: state, findings: findings)
    }

    static let unreachableVia5201 = Finding(id: "link.unreachable", severity: .medium, message: "upstream",
                                            evidence: ["link.via": "5201", "via.state": "down"])

    /// The policy's reading: nil state is not covered; down with `link.unreachable` is unreachable.
    @Test func conditionsAreThePolicys() {
        #expect(HistoryObservations.link(Self.link("52", .down), via: nil) == ObservedCondition.link(.down, cause: "52"))
        #expect(HistoryObservations.link(Self.link("52", .down, [Self.unreachableVia5201]), via: nil)
            == ObservedCondition.link(.unreachable, cause: "5201"))
        // A finding that is not the policy's unreachable (another id) leaves the link down.
        let other = Finding(id: "link.unreachable_x", severity: .medium, message: "x", evidence: ["link.via": "5201"])
        #expect(HistoryObservations.link(Self.link("52", .down, [other]), via: "5") == ObservedCondition.link(.down, cause: "52"))
    }

    @Test func linkCauses() {
        #expect(HistoryObservations.link(Self.link("52", nil), via: nil) == nil)
        #expect(HistoryObservations.link(Self.link("52", .up), via: "5") == ObservedCondition.link(.up))
        #expect(HistoryObservations.link(Self.link("52", .degraded), via: nil) == ObservedCondition.link(.degraded))
        #expect(HistoryObservations.link(Self.link("52", .down), via: "5") == ObservedCondition.link(.down, cause: "52"))
        // Unreachable: the node the finding names, else the caller's via.
        #expect(HistoryObservations.link(Self.link("21583", .down, [Self.unreachableVia5201]), via: "52")
            == ObservedCondition.link(.unreachable, cause: "5201"))
        let unnamed = Finding(id: "link.unreachable", severity: .medium, message: "upstream", evidence: ["link.via": "?"])
        #expect(HistoryObservations.link(Self.link("21583", .down, [unnamed]), via: "52") == ObservedCondition.link(.unreachable, cause: "52"))
    }

    @Test func endpointCauses() {
        let observation = TLSObservation(url: "https://gialai.gov.vn/", serverName: "gialai.gov.vn", port: 443)
        let findings = [
            Finding(id: "tls.protocol", severity: .high, message: "TLS 1.0"),
            Finding(id: "cert.expired", severity: .critical, message: "expired"),
            Finding(id: "hsts.missing", severity: .medium, message: "no HSTS"),
            Finding(id: "cert.expired", severity: .critical, message: "expired, again"),
        ]
        let bad = EndpointResult(agencyCode: "52", observation: observation, verdict: .noncompliant, findings: findings)
        #expect(HistoryObservations.endpoint(bad) == ObservedCondition.endpoint(.noncompliant, cause: "cert.expired,tls.protocol"))
        let good = EndpointResult(agencyCode: "52", observation: observation, verdict: .compliant, findings: [findings[2]])
        #expect(HistoryObservations.endpoint(good) == ObservedCondition.endpoint(.compliant))
    }

    @Test func aRunsObservations() {
        let observation = TLSObservation(url: "https://gialai.gov.vn/", serverName: "gialai.gov.vn", port: 443)
        let observed = HistoryObservations.observed(
            links: [Self.link("52", .up), Self.link("5201", nil), Self.link("21583", .down, [Self.unreachableVia5201])],
            endpoints: [EndpointResult(agencyCode: "52", observation: observation, verdict: .compliant, findings: [])],
            via: ["21583": "5201"])
        #expect(observed == [
            .link("52"): ObservedCondition.link(.up),
            .link("21583"): ObservedCondition.link(.unreachable, cause: "5201"),
            .endpoint(EndpointKey(agencyCode: "52", url: "https://gialai.gov.vn/")): ObservedCondition.endpoint(.compliant),
        ])
    }
}
