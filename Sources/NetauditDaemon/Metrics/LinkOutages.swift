import NetauditCore
import NetauditPolicy

/// How each link of a run stands, for `netaudit_link_state`, and where an unreachable one's
/// outage comes from, for `netaudit_link_unreachable_cause_info`: the `via` node its
/// `link.unreachable` finding blames (the report's `cause`), and the first node up that chain
/// of `via` nodes that is down itself rather than unreachable (the root cause). The root
/// cause is what an Alertmanager inhibition matches on, so that a province node that is down
/// silences its districts and their communes alike (docs/prometheus/alertmanager-inhibit.yml).
struct LinkOutages {
    /// The values of the `state` label, one series each.
    static let states = [LinkCondition.up, .degraded, .down, .unreachable].map(\.rawValue) + [notProbed]
    /// A link the run did not judge: not probed, or not conclusively (no ICMP socket…).
    static let notProbed = "not_probed"

    private let viaCodes: [String: String]
    private let results: [String: LinkResult]

    init(inventory: Inventory, results: [String: LinkResult]) {
        self.viaCodes = Dictionary(inventory.allAgencies.compactMap { agency in agency.link?.via.map { (agency.code, $0) } },
                                   uniquingKeysWith: { first, _ in first })
        self.results = results
    }

    /// The state of `code`'s link, as a `state` label value.
    func condition(of code: String) -> String {
        guard let result = results[code], let condition = Policy.linkCondition(state: result.state, findings: result.findings) else {
            return Self.notProbed
        }
        return condition.rawValue
    }

    /// The node an unreachable link is blamed on (as its finding names it, else the
    /// inventory's `via`) and the root cause; nil for a link that is not unreachable.
    func cause(of code: String) -> (cause: String?, root: String?) {
        guard condition(of: code) == LinkCondition.unreachable.rawValue else { return (nil, nil) }
        let cause = blamed(code)
        var root = cause
        var seen: Set<String> = [code]
        while let node = root, condition(of: node) == LinkCondition.unreachable.rawValue, !seen.contains(node),
              let next = blamed(node) {
            seen.insert(node)
            root = next
        }
        return (cause, root)
    }

    private func blamed(_ code: String) -> String? {
        results[code].flatMap { Policy.blamedNode($0.findings) } ?? viaCodes[code]
    }
}
