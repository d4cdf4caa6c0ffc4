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

    /// What changed since the previous complete run of the same kind.
    public struct Changes: Sendable, Encodable, Equatable {
        public let previousRun: Int64
        /// Agencies connected before and not now.
        public var newlyDown: [String] = []
        /// Agencies not connected before and connected now.
        public var recovered: [String] = []
        /// Endpoints compliant before and not now (agency code and URL).
        public var newlyNoncompliant: [String] = []
        /// Endpoints not compliant before and compliant now.
        public var fixed: [String] = []
    }

    public let run: RunInfo
    public let summary: AuditSummary
    public let changes: Changes?
    /// Agencies of the run, for the CSV rows: code → (link state, endpoints).
    let rows: [AgencyRow]

    struct AgencyRow: Sendable, Encodable {
        let code: String
        let name: String
        let level: String
        let path: [String]
        let linkState: String
        let lossPercent: Double?
        let medianMilliseconds: Double?
        let endpoints: Int
        let compliantEndpoints: Int
        let findings: [String]
    }

    private enum CodingKeys: String, CodingKey { case run, summary, changes }

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
        let links = try store.linkResults(run: record.id)
        let endpoints = try store.endpointResults(run: record.id)
        summary = AuditSummary(inventory: record.inventory, links: links, endpoints: endpoints, now: now)

        // The previous complete run of the same kind over the same inventory.
        let previousRun = try store.latestRun(kinds: [record.kind], before: record.id, inventoryPath: record.inventoryPath)
        if let previous = previousRun {
            var changes = Changes(previousRun: previous.id.value)
            let before = Dictionary(try store.linkResults(run: previous.id).map { ($0.agencyCode, $0.state) },
                                    uniquingKeysWith: { _, last in last })
            for link in links {
                guard let old = before[link.agencyCode] else { continue }
                let was = old == .up || old == .degraded, now = link.state == .up || link.state == .degraded
                if was && !now { changes.newlyDown.append(link.agencyCode) }
                if !was && now { changes.recovered.append(link.agencyCode) }
            }
            let verdicts = Dictionary(try store.endpointResults(run: previous.id).map { ("\($0.agencyCode) \($0.observation.url)", $0.verdict) },
                                      uniquingKeysWith: { _, last in last })
            for endpoint in endpoints {
                let key = "\(endpoint.agencyCode) \(endpoint.observation.url)"
                guard let old = verdicts[key] else { continue }
                if old == .compliant && endpoint.verdict != .compliant { changes.newlyNoncompliant.append(key) }
                if old != .compliant && endpoint.verdict == .compliant { changes.fixed.append(key) }
            }
            self.changes = changes
        } else {
            changes = nil
        }

        let linkByCode = Dictionary(links.map { ($0.agencyCode, $0) }, uniquingKeysWith: { _, last in last })
        let endpointsByCode = Dictionary(grouping: endpoints, by: \.agencyCode)
        var rows: [AgencyRow] = []
        func visit(_ agency: Agency, path: [String]) {
            let link = linkByCode[agency.code]
            let own = endpointsByCode[agency.code] ?? []
            let findings = (link?.findings ?? []) + own.flatMap(\.findings)
            rows.append(AgencyRow(code: agency.code, name: agency.name, level: agency.level, path: path + [agency.name],
                                  linkState: agency.link == nil ? "unconfigured" : (link?.state?.rawValue ?? (link == nil ? "not probed" : "down")),
                                  lossPercent: link?.observation?.lossPercent, medianMilliseconds: link?.observation?.roundTrip?.median,
                                  endpoints: own.count, compliantEndpoints: own.filter { $0.verdict == .compliant }.count,
                                  findings: findings.filter { $0.severity != .info }.map(\.id)))
            agency.children.forEach { visit($0, path: path + [agency.name]) }
        }
        record.inventory.agencies.forEach { visit($0, path: []) }
        self.rows = rows
    }

    /// One row per agency, for a spreadsheet: UTF-8 with a byte-order mark (so that
    /// spreadsheets read the Vietnamese names right), CRLF line ends, RFC 4180 quoting.
    public func csv(_ labels: ReportLabels = .english) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [labels.csvHeader.map(field).joined(separator: ",")]
        for row in rows {
            lines.append([row.code, row.name, row.level, row.path.joined(separator: " › "), labels.linkState(row.linkState),
                          row.lossPercent.map { String(format: "%.1f", $0) } ?? "",
                          row.medianMilliseconds.map { String(format: "%.3f", $0) } ?? "",
                          "\(row.endpoints)", "\(row.compliantEndpoints)", row.findings.joined(separator: " ")]
                .map(field).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    public func json() throws -> String {
        try JSONOutput.render(self)
    }

    public func table(_ l: ReportLabels = .english) -> String {
        var out: [String] = []
        let dates = ISO8601DateFormatter()
        out.append("netaudit run \(run.id) (\(run.kind), \(run.state))" + (run.title.map { ": \($0)" } ?? ""))
        var line = "  inventory \(run.inventoryPath) (sha256 \(run.inventoryHash.prefix(12))…), started \(dates.string(from: run.startedAt))"
        if let ended = run.endedAt { line += String(format: ", %.1f s", ended.timeIntervalSince(run.startedAt)) }
        out.append(line)
        if let note = run.note { out.append("  note: \(note)") }
        out.append("")

        out.append(l["Connection to the dedicated network, per level"])
        var levels = TextTable(columns: [(l["level"], .left), (l["agencies"], .right), (l["connected"], .right), (l["down"], .right),
                                         (l["unreachable"], .right), (l["no link"], .right), (l["rate"], .right), (l["target"], .right),
                                         (l["gap"], .right), ("", .left)])
        for level in summary.levels {
            let f = level.figures
            levels.append([level.level, "\(f.agencies)", "\(f.connected)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)",
                           Self.percent(f.connectionRate), Self.percent(level.targetPercent), "\(level.gap)",
                           l[f.notProbed == f.agencies ? "not probed" : (level.meetsTarget ? "met" : "MISSED")]])
        }
        out.append(levels.render())

        if summary.levels.contains(where: { $0.figures.endpoints > 0 }) {
            out.append(l["TLS endpoints, per level"])
            var endpoints = TextTable(columns: [(l["level"], .left), (l["endpoints"], .right), (l["compliant"], .right),
                                                (l["noncompliant"], .right), (l["unreachable"], .right)])
            for level in summary.levels where level.figures.endpoints > 0 {
                let f = level.figures
                endpoints.append([level.level, "\(f.endpoints)", "\(f.compliant)", "\(f.noncompliant)", "\(f.endpointsUnreachable)"])
            }
            out.append(endpoints.render())
        }

        let units = summary.parents.filter { !$0.childLevels.isEmpty }
        if units.count > 1 {
            out.append(l["Per unit (the agencies below it)"])
            var table = TextTable(columns: [(l["code"], .left), (l["unit"], .left), (l["agencies"], .right), (l["connected"], .right),
                                            (l["rate"], .right), (l["endpoints"], .right), (l["compliant"], .right)])
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

        out.append("\(l["Gaps"]) (\(summary.gaps.count))")
        for gap in summary.gaps {
            var what: [String] = []
            if !gap.connected { what.append(l["not connected"]) }
            if !gap.compliant { what.append(l["not compliant"]) }
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
            out.append(l["Certificates expiring within 30 days"])
            for certificate in summary.expiringCertificates {
                out.append("  \(certificate.daysLeft) days  \(certificate.url)  \(certificate.subject)")
            }
            out.append("")
        }
        if let changes {
            out.append("\(l["Changes since run"]) \(changes.previousRun)")
            for (label, items) in [("newly down", changes.newlyDown), ("recovered", changes.recovered),
                                   ("newly non-compliant", changes.newlyNoncompliant), ("fixed", changes.fixed)] {
                out.append("  \(l[label]): " + (items.isEmpty ? "-" : items.joined(separator: ", ")))
            }
            out.append("")
        }
        out.append(l[summary.targetsMet ? "Result: every level meets its target and every endpoint is compliant."
                                        : "Result: targets missed or endpoints not compliant."])
        return out.joined(separator: "\n") + "\n"
    }

    static func percent(_ value: Double) -> String {
        String(format: value == value.rounded() ? "%.0f%%" : "%.1f%%", value)
    }
}
