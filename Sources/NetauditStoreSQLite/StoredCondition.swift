import NetauditCore
import NetauditStore

/// How results read as history (through the policy and `HistoryObservations`), and the
/// small integer codes the compact sweep rows store conditions and transports as.
enum StoredCondition {
    /// A link result's condition and cause; nil when the run says nothing of the link.
    static func link(_ result: LinkResult) -> (condition: LinkCondition, cause: String?)? {
        HistoryObservations.link(result, via: nil)
            .flatMap { observed in LinkCondition(rawValue: observed.state).map { ($0, observed.cause) } }
    }

    /// An endpoint result's condition and, when not compliant, its serious rule ids.
    static func endpoint(_ result: EndpointResult) -> (condition: EndpointCondition, cause: String?) {
        let observed = HistoryObservations.endpoint(result)
        return (EndpointCondition(rawValue: observed.state) ?? .unreachable, observed.cause)
    }

    static let conditions: [LinkCondition] = [.up, .degraded, .down, .unreachable]
    static func code(_ condition: LinkCondition) -> Int { conditions.firstIndex(of: condition) ?? 2 }
    static func condition(_ code: Int) -> LinkCondition { conditions.indices.contains(code) ? conditions[code] : .down }

    static let transports: [LinkObservation.Transport] = [.icmpDatagram, .icmpRaw, .tcp]
    static func code(_ transport: LinkObservation.Transport?) -> Int? { transport.flatMap { transports.firstIndex(of: $0) } }
    static func transport(_ code: Int?) -> LinkObservation.Transport? { code.flatMap { transports.indices.contains($0) ? transports[$0] : nil } }
}
