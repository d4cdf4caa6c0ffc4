import Foundation
import NetauditCore

/// How history reads a run's results: the condition (and cause) of each link and endpoint
/// the run covered, as `IntervalBook` takes them.
///
/// The link's condition is the policy's to say (up, degraded, down, or unreachable when the
/// node it depends on is down too); the store does not import the policy, so the caller
/// passes its answer in, as a `LinkConditionRule` or as the condition already derived.
/// `HistoryObservations.standardLinkCondition` is the same reading, for tests and for
/// callers without the policy at hand.
public enum HistoryObservations {
    /// Reads a link's condition from the state the policy gave it and its findings; nil
    /// when the run says nothing of the link (no link, not probed).
    public typealias LinkConditionRule = @Sendable (LinkState?, [Finding]) -> LinkCondition?

    /// The evidence key of `link.unreachable` (and `link.down`) naming the node the link
    /// depends on (NetauditPolicy's LinkRules).
    public static let viaEvidenceKey = "link.via"
    /// The finding id of a link down behind a node that is down too.
    public static let unreachableFindingID = "link.unreachable"

    /// nil state: not covered; down with a `link.unreachable` finding: unreachable; down
    /// otherwise: down; up and degraded as they are.
    public static func standardLinkCondition(state: LinkState?, findings: [Finding]) -> LinkCondition? {
        switch state {
        case nil: return nil
        case .up: return .up
        case .degraded: return .degraded
        case .down: return findings.contains { $0.id == unreachableFindingID } ? .unreachable : .down
        }
    }

    /// The observed condition of one link, the condition read by `rule`; nil when not covered.
    /// `via` is the agency's `via` node, the cause of an unreachable link when its finding
    /// does not name one.
    public static func link(_ result: LinkResult, via: String?,
                            rule: LinkConditionRule = { HistoryObservations.standardLinkCondition(state: $0, findings: $1) }) -> ObservedCondition? {
        link(result, via: via, condition: rule(result.state, result.findings))
    }

    /// The observed condition of one link whose condition is already derived (nil: not
    /// covered). The cause: for down, the agency itself; for unreachable, the via node the
    /// `link.unreachable` finding names, or else `via`; none otherwise.
    public static func link(_ result: LinkResult, via: String?, condition: LinkCondition?) -> ObservedCondition? {
        guard let condition, condition.isObserved else { return nil }
        switch condition {
        case .down:
            return ObservedCondition.link(condition, cause: result.agencyCode)
        case .unreachable:
            let named = result.findings.lazy
                .filter { $0.id == unreachableFindingID }
                .compactMap { $0.evidence[viaEvidenceKey] }
                .first { !$0.isEmpty && $0 != "?" }
            return ObservedCondition.link(condition, cause: named ?? via)
        case .up, .degraded, .notObserved:
            return ObservedCondition.link(condition)
        }
    }

    /// The observed condition of one endpoint: its verdict, and as cause the ids of its
    /// critical and high findings, sorted and comma-joined (nil when there are none).
    public static func endpoint(_ result: EndpointResult) -> ObservedCondition {
        let ids = Set(result.findings.filter { $0.severity.breaksBaseline }.map(\.id)).sorted()
        return ObservedCondition.endpoint(EndpointCondition(result.verdict), cause: ids.isEmpty ? nil : ids.joined(separator: ","))
    }

    /// Every subject a run covered, with what it observed: the links `rule` reads a condition
    /// for, and every endpoint. `via` maps an agency code to the node its link depends on.
    public static func observed(links: [LinkResult], endpoints: [EndpointResult], via: [String: String] = [:],
                                rule: LinkConditionRule = { HistoryObservations.standardLinkCondition(state: $0, findings: $1) })
        -> [HistorySubject: ObservedCondition] {
        var observed: [HistorySubject: ObservedCondition] = [:]
        for result in links {
            if let condition = link(result, via: via[result.agencyCode], rule: rule) {
                observed[.link(result.agencyCode)] = condition
            }
        }
        for result in endpoints {
            observed[.endpoint(result.key)] = endpoint(result)
        }
        return observed
    }
}
