import Foundation
import NetauditCore
import NetauditPolicy

/// How history reads a run's results: the condition (and cause) of each link and endpoint
/// the run covered, as `IntervalBook` takes them. What a link's state and findings mean is
/// the policy's to say (`Policy.linkCondition`, `Policy.blamedNode`).
public enum HistoryObservations {
    /// The observed condition of one link; nil when the run says nothing of it (no link,
    /// not probed). The cause: for down, the agency itself; for unreachable, the node its
    /// `link.unreachable` finding names, or else `via` (the agency's `via` node).
    public static func link(_ result: LinkResult, via: String?) -> ObservedCondition? {
        guard let condition = Policy.linkCondition(state: result.state, findings: result.findings) else { return nil }
        switch condition {
        case .down:
            return ObservedCondition.link(condition, cause: result.agencyCode)
        case .unreachable:
            return ObservedCondition.link(condition, cause: Policy.blamedNode(result.findings) ?? via)
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

    /// Every subject a run covered, with what it observed: the links it says something of,
    /// and every endpoint. `via` maps an agency code to the node its link depends on.
    public static func observed(links: [LinkResult], endpoints: [EndpointResult], via: [String: String] = [:])
        -> [HistorySubject: ObservedCondition] {
        var observed: [HistorySubject: ObservedCondition] = [:]
        for result in links {
            if let condition = link(result, via: via[result.agencyCode]) {
                observed[.link(result.agencyCode)] = condition
            }
        }
        for result in endpoints {
            observed[.endpoint(result.key)] = endpoint(result)
        }
        return observed
    }
}
