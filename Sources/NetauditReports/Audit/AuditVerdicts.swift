import Foundation
import NetauditCore

extension AuditReport {
    /// The run's two verdicts, judged apart: the connection (every level against its
    /// target) and TLS (every endpoint compliant). A director reads which of the two failed.
    /// JSON: `verdicts` (docs/results-schema.md).
    public struct Verdicts: Sendable, Encodable, Equatable {
        /// A level that misses its connection target.
        public struct MissedLevel: Sendable, Encodable, Equatable {
            public var level: String
            public var connectionRate: Double
            public var targetPercent: Double
            public var gap: Int
        }

        public struct Connection: Sendable, Encodable, Equatable {
            /// False when the run probed no link (`--tls-only`, or cut off before its links).
            public var checked: Bool
            /// Every level meets its target and the run is complete; absent when not checked.
            public var met: Bool?
            public var agencies: Int
            public var connected: Int
            /// Connected agencies in percent of all (one decimal); absent when not checked.
            public var connectionRate: Double?
            /// The levels that miss their target, in the inventory's order.
            public var levelsMissed: [MissedLevel]
        }

        public struct TLS: Sendable, Encodable, Equatable {
            /// False for a link sweep with no full audit stored before it.
            public var checked: Bool
            /// Every endpoint compliant and the run complete; absent when not checked.
            public var met: Bool?
            /// Every endpoint the verdict covers: checked or not.
            public var endpoints: Int
            public var compliant: Int
            public var noncompliant: Int
            public var unreachable: Int
            /// Endpoints the run was to check and did not (cut short, or added since the
            /// run a link sweep takes its TLS from).
            public var notChecked: Int
            /// Compliant in percent of `endpoints` (one decimal); absent with none.
            public var complianceRate: Double?
            /// For a link sweep: the run the TLS figures come from.
            public var fromRun: Int64?
        }

        /// The run completed; when not, its figures are partial and nothing is met.
        public var complete: Bool
        public var connection: Connection
        public var tls: TLS

        init(summary: AuditSummary, complete: Bool, endpointsFrom: Int64?) {
            self.complete = complete
            let total = summary.levels.map(\.figures).reduce(AuditSummary.Figures(), +)
            let linksChecked = summary.levels.contains(where: \.linksProbed)
            connection = Connection(
                checked: linksChecked, met: linksChecked ? complete && summary.levels.allSatisfy(\.meetsTarget) : nil,
                agencies: total.agencies, connected: total.connected,
                connectionRate: linksChecked ? Self.oneDecimal(total.connectionRate) : nil,
                levelsMissed: linksChecked ? summary.levels.filter { !$0.meetsTarget }.map {
                    MissedLevel(level: $0.level, connectionRate: Self.oneDecimal($0.figures.connectionRate),
                                targetPercent: $0.targetPercent, gap: $0.gap)
                } : [])
            let endpoints = total.endpoints + total.endpointsNotProbed
            let allCompliant = total.compliant == endpoints
            tls = TLS(checked: summary.tlsChecked, met: summary.tlsChecked ? complete && allCompliant : nil,
                      endpoints: endpoints, compliant: total.compliant, noncompliant: total.noncompliant,
                      unreachable: total.endpointsUnreachable, notChecked: total.endpointsNotProbed,
                      complianceRate: total.complianceRate.map(Self.oneDecimal),
                      fromRun: summary.tlsChecked ? endpointsFrom : nil)
        }

        static func oneDecimal(_ value: Double) -> Double { (value * 10).rounded() / 10 }
    }

    /// The connection verdict as one line: "Connection: 100% of 255 agencies connected — met",
    /// or the levels that miss, each with its rate against its target.
    func connectionVerdictLine(_ l: ReportLabels) -> String {
        let c = verdicts.connection
        guard c.checked else { return l["Connection: not checked in this run"] }
        var line = l.text("Connection: {rate} of {agencies} agencies connected", ["rate": Self.percent(c.connectionRate ?? 0), "agencies": "\(c.agencies)"])
        if !verdicts.complete { return line + " — " + l["not judged: the run did not complete"] }
        if c.met == true { return line + " — " + l["met"] }
        let missed = c.levelsMissed.map {
            l.text("{level} {rate} (target {target}, {gap} to connect)",
                   ["level": $0.level.displaySafe, "rate": Self.percent($0.connectionRate), "target": Self.percent($0.targetPercent), "gap": "\($0.gap)"])
        }
        line += " — " + l["MISSED"] + ": " + missed.joined(separator: ", ")
        return line
    }

    /// The TLS verdict as one line: "TLS: 163 of 254 endpoints compliant (64.2%; 80 not
    /// compliant, 11 unreachable) — MISSED", and the run it comes from for a link sweep.
    func tlsVerdictLine(_ l: ReportLabels) -> String {
        let t = verdicts.tls
        guard t.checked else { return l["TLS: not checked in this run"] }
        var line = l.text("TLS: {compliant} of {endpoints} endpoints compliant", ["compliant": "\(t.compliant)", "endpoints": "\(t.endpoints)"])
        var parts: [String] = []
        if t.noncompliant > 0 { parts.append(l.text("{count} not compliant", ["count": "\(t.noncompliant)"])) }
        if t.unreachable > 0 { parts.append(l.text("{count} unreachable", ["count": "\(t.unreachable)"])) }
        if t.notChecked > 0 { parts.append(l.text("{count} not checked", ["count": "\(t.notChecked)"])) }
        let rate = t.complianceRate.map { Self.percent($0) }
        if rate != nil || !parts.isEmpty { line += " (" + ([rate].compactMap { $0 } + [parts.joined(separator: ", ")]).filter { !$0.isEmpty }.joined(separator: "; ") + ")" }
        line += " — " + (verdicts.complete ? l[t.met == true ? "met" : "MISSED"] : l["not judged: the run did not complete"])
        if let from = endpointsFrom, t.fromRun != nil {
            line += " " + l.text("(TLS as of run {id}, {age} before this one)", ["id": "\(from.id)", "age": Self.age(run.startedAt.timeIntervalSince(from.startedAt))])
        }
        return line
    }
}

extension AuditSummary.Figures {
    /// Compliant endpoints in percent of those the run was to check (checked or not); nil with none.
    public var complianceRate: Double? {
        let planned = endpoints + endpointsNotProbed
        return planned == 0 ? nil : Double(compliant) / Double(planned) * 100
    }
}
