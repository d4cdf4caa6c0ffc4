import Foundation
import NetauditCore
import NetauditStore

/// The report of one stored run: the run, then its summary. One value, several renderers.
public struct AuditReport: Sendable, Encodable {
    public struct RunInfo: Sendable, Encodable {
        public let id: Int64
        public let kind: String
        public let state: String
        public let startedAt: Date
        public let endedAt: Date?
        public let inventoryPath: String
        public let inventoryHash: String
        public let title: String?
        public let note: String?
    }

    public let run: RunInfo
    public let summary: AuditSummary

    /// Reads run `id` (or the newest run) from the store and computes its summary.
    public init(store: ResultStore, run id: RunID? = nil, now: Date = Date()) throws(StoreError) {
        let found: RunRecord?
        if let id { found = try store.run(id) } else { found = try store.runs(limit: 1).first }
        guard let record = found else {
            throw StoreError(path: store.path, message: id.map { "no run \($0)" } ?? "no run stored yet")
        }
        run = RunInfo(id: record.id.value, kind: record.kind.rawValue, state: record.state.rawValue, startedAt: record.startedAt,
                      endedAt: record.endedAt, inventoryPath: record.inventoryPath, inventoryHash: record.inventoryHash,
                      title: record.inventory.title, note: record.note)
        summary = AuditSummary(inventory: record.inventory, links: try store.linkResults(run: record.id),
                               endpoints: try store.endpointResults(run: record.id), now: now)
    }

    public func json() throws -> String {
        try JSONOutput.render(self)
    }

    public func table() -> String {
        var out: [String] = []
        let dates = ISO8601DateFormatter()
        out.append("netaudit run \(run.id) (\(run.kind), \(run.state))" + (run.title.map { ": \($0)" } ?? ""))
        var line = "  inventory \(run.inventoryPath) (sha256 \(run.inventoryHash.prefix(12))…), started \(dates.string(from: run.startedAt))"
        if let ended = run.endedAt { line += String(format: ", %.1f s", ended.timeIntervalSince(run.startedAt)) }
        out.append(line)
        if let note = run.note { out.append("  note: \(note)") }
        out.append("")

        out.append("Connection to the dedicated network, per level")
        var levels = TextTable(columns: [("level", .left), ("agencies", .right), ("connected", .right), ("down", .right),
                                         ("unreachable", .right), ("no link", .right), ("rate", .right), ("target", .right),
                                         ("gap", .right), ("", .left)])
        for level in summary.levels {
            let f = level.figures
            levels.append([level.level, "\(f.agencies)", "\(f.connected)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)",
                           Self.percent(f.connectionRate), Self.percent(level.targetPercent), "\(level.gap)",
                           f.notProbed == f.agencies ? "not probed" : (level.meetsTarget ? "met" : "MISSED")])
        }
        out.append(levels.render())

        if summary.levels.contains(where: { $0.figures.endpoints > 0 }) {
            out.append("TLS endpoints, per level")
            var endpoints = TextTable(columns: [("level", .left), ("endpoints", .right), ("compliant", .right),
                                                ("noncompliant", .right), ("unreachable", .right)])
            for level in summary.levels where level.figures.endpoints > 0 {
                let f = level.figures
                endpoints.append([level.level, "\(f.endpoints)", "\(f.compliant)", "\(f.noncompliant)", "\(f.endpointsUnreachable)"])
            }
            out.append(endpoints.render())
        }

        let units = summary.parents.filter { !$0.childLevels.isEmpty }
        if units.count > 1 {
            out.append("Per unit (the agencies below it)")
            var table = TextTable(columns: [("code", .left), ("unit", .left), ("agencies", .right), ("connected", .right),
                                            ("rate", .right), ("endpoints", .right), ("compliant", .right)])
            for unit in units {
                let agencies = unit.childLevels.reduce(0) { $0 + $1.figures.agencies }
                let connected = unit.childLevels.reduce(0) { $0 + $1.figures.connected }
                let endpoints = unit.childLevels.reduce(0) { $0 + $1.figures.endpoints }
                let compliant = unit.childLevels.reduce(0) { $0 + $1.figures.compliant }
                table.append([unit.code, unit.name, "\(agencies)", "\(connected)",
                              Self.percent(agencies == 0 ? 0 : Double(connected) / Double(agencies) * 100), "\(endpoints)", "\(compliant)"])
            }
            out.append(table.render())
        }

        out.append("Gaps (\(summary.gaps.count))")
        for gap in summary.gaps {
            var what: [String] = []
            if !gap.connected { what.append("not connected") }
            if !gap.compliant { what.append("not compliant") }
            out.append("  \(gap.code) \(gap.path.joined(separator: " › ")): \(what.joined(separator: ", "))"
                       + (gap.cause.map { " (its link depends on \($0), which is down)" } ?? ""))
            for finding in gap.findings.prefix(6) {
                out.append("      \(finding.severity.rawValue.uppercased()) \(finding.id): \(finding.message)")
            }
            if gap.findings.count > 6 { out.append("      … \(gap.findings.count - 6) more") }
        }
        for (node, behind) in summary.causes.sorted(by: { $0.key < $1.key }) {
            out.append("  cause: \(node) is down: \(behind.count) agenc\(behind.count == 1 ? "y" : "ies") behind it (\(behind.joined(separator: ", ")))")
        }
        out.append("")
        if !summary.expiringCertificates.isEmpty {
            out.append("Certificates expiring within 30 days")
            for certificate in summary.expiringCertificates {
                out.append("  \(certificate.daysLeft) days  \(certificate.url)  \(certificate.subject)")
            }
            out.append("")
        }
        out.append(summary.targetsMet ? "Result: every level meets its target and every endpoint is compliant."
                                      : "Result: targets missed or endpoints not compliant.")
        return out.joined(separator: "\n") + "\n"
    }

    static func percent(_ value: Double) -> String {
        String(format: value == value.rounded() ? "%.0f%%" : "%.1f%%", value)
    }
}
