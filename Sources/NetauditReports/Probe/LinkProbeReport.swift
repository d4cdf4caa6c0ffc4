import Foundation
import NetauditCore

/// `netaudit probe --link`: every observation of one link, for an operator debugging it.
public enum LinkProbeReport {
    /// The JSON document: the observation's fields plus `loss_percent` and `state` (`up`,
    /// `degraded`, `down`, or `not_probed` when the series could not be sent).
    struct Document: Encodable {
        let link: LinkObservation
        let lossPercent: Double
        let state: String
        let findings: [Finding]
    }

    /// The state the policy reads; nil when the probe could not run (no ICMP socket, an
    /// address outside the allow-list): then nothing is known of the link.
    static func state(_ observation: LinkObservation, _ thresholds: LinkThresholds) -> LinkState? {
        guard observation.problem == nil, observation.sent > 0 else { return nil }
        return observation.state(thresholds)
    }

    public static func json(_ observation: LinkObservation, findings: [Finding] = [],
                            thresholds: LinkThresholds = LinkThresholds()) throws -> String {
        try JSONOutput.render(Document(link: observation, lossPercent: observation.lossPercent,
                                       state: state(observation, thresholds)?.rawValue ?? "not_probed", findings: findings))
    }

    public static func text(_ observation: LinkObservation, findings: [Finding], thresholds: LinkThresholds = LinkThresholds(),
                            labels: ReportLabels = .english) -> String {
        text(observation, thresholds: thresholds) + FindingsText.render(findings, labels: labels)
    }

    public static func text(_ observation: LinkObservation, thresholds: LinkThresholds = LinkThresholds()) -> String {
        var lines: [String] = []
        let transport: String
        switch observation.transport {
        case .icmpDatagram: transport = "ICMP datagram socket"
        case .icmpRaw: transport = "raw ICMP socket"
        case .tcp: transport = "TCP connects"
        case nil: transport = "not sent"
        }
        lines.append("link \(observation.address) (\(observation.method), \(transport))")
        if let problem = observation.problem { lines.append("  problem: \(problem)") }
        var counts = "  sent \(observation.sent), answered \(observation.received)"
        if case .tcp = observation.method { counts += " (\(observation.refused) refused)" }
        if observation.unreachable > 0 { counts += ", \(observation.unreachable) unreachable" }
        counts += ", loss \(format(observation.lossPercent, digits: 1))%"
        lines.append(counts)
        if let rtt = observation.roundTrip {
            let values = [rtt.minimum, rtt.median, rtt.average, rtt.maximum, rtt.jitter].map { format($0, digits: 3) }
            lines.append("  rtt min/median/avg/max/jitter = \(values.joined(separator: "/")) ms")
        }
        let dates = ISO8601DateFormatter()
        if let first = observation.firstReply, let last = observation.lastReply {
            lines.append("  first reply \(dates.string(from: first)), last reply \(dates.string(from: last))")
        }
        lines.append("  took \(format(observation.duration, digits: 3)) s")
        if let state = state(observation, thresholds) {
            lines.append("  state: \(state.rawValue)" + (state == .degraded
                ? " (loss above \(format(thresholds.lossPercent, digits: 0))% or median above \(format(thresholds.medianMilliseconds, digits: 0)) ms)" : ""))
        } else {
            lines.append("  state: not probed (the series could not be sent; see the problem above)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
