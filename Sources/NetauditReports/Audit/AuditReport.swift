import Foundation
import NetauditCore
import NetauditPolicy

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
        /// The aborted run this one completes (`audit --resume`).
        public let resumedFrom: Int64?

        init(_ record: RunRecord) {
            id = record.id.value
            kind = record.kind.rawValue
            state = record.state.rawValue
            startedAt = record.startedAt
            endedAt = record.endedAt
            inventoryPath = record.inventoryPath
            inventoryHash = record.inventoryHash
            title = record.inventory.title
            note = record.note
            resumedFrom = record.resumedFrom?.value
        }
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
    /// The run whose endpoint results this report shows, when not `run` itself: a link
    /// sweep's report takes them from the latest complete full audit before it.
    public let endpointsFrom: RunInfo?
    public let summary: AuditSummary
    /// The connection and TLS verdicts, apart (AuditVerdicts.swift).
    public let verdicts: Verdicts
    public let changes: Changes?
    /// Agencies of the run, for the CSV rows: code → (link state, endpoints).
    let rows: [AgencyRow]
    /// What the spreadsheets add (AuditReport+Details.swift).
    let details: SpreadsheetDetails

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
        /// Per endpoint: the store its chain reached (`public`, `government`) or `none`.
        let anchors: [String]
    }

    private enum CodingKeys: String, CodingKey { case run, endpointsFrom = "endpoints_from", summary, verdicts, changes }

    /// What one run's report is made of, as loaded from the store: the run and its
    /// results, the run whose endpoints a link sweep shows, and the previous run of the
    /// same kind it is compared with.
    public struct Source: Sendable {
        public var record: RunRecord
        public var links: [LinkResult]
        /// The run's own endpoint results (none for a link sweep).
        public var endpoints: [EndpointResult]
        /// For a link sweep: the latest complete full audit (or TLS-only run) of the same
        /// inventory before it, with its endpoint results.
        public var endpointsFrom: Compared?
        /// The previous complete run of the same kind over the same inventory.
        public var previous: Compared?

        /// An earlier run and its results.
        public struct Compared: Sendable {
            public var record: RunRecord
            public var links: [LinkResult]
            public var endpoints: [EndpointResult]
            public init(record: RunRecord, links: [LinkResult] = [], endpoints: [EndpointResult] = []) {
                self.record = record
                self.links = links
                self.endpoints = endpoints
            }
        }

        public init(record: RunRecord, links: [LinkResult], endpoints: [EndpointResult],
                    endpointsFrom: Compared? = nil, previous: Compared? = nil) {
            self.record = record
            self.links = links
            self.endpoints = endpoints
            self.endpointsFrom = endpointsFrom
            self.previous = previous
        }
    }

    /// The report of one run, from what was loaded for it. Certificate days count from
    /// `now`, by default the run's start: a stored run always renders the same.
    public init(_ source: Source, now: Date? = nil) {
        let record = source.record
        run = RunInfo(record)
        let links = source.links
        // A link sweep checks no endpoint, so it never speaks for TLS: its report shows the
        // endpoints of the latest complete full audit (or TLS-only run) of the same inventory
        // before it, naming that run and its age; with none, TLS is "not checked".
        let endpoints: [EndpointResult]
        if record.kind == .linkSweep, let audit = source.endpointsFrom {
            endpointsFrom = RunInfo(audit.record)
            endpoints = Self.current(audit.endpoints, in: record.inventory)
        } else {
            endpointsFrom = nil
            endpoints = record.kind == .linkSweep ? [] : source.endpoints
        }
        summary = AuditSummary(inventory: record.inventory, links: links, endpoints: endpoints, now: now ?? record.startedAt,
                               endpointsPlanned: record.kind != .linkSweep || endpointsFrom != nil,
                               complete: record.state == .complete)
        verdicts = Verdicts(summary: summary, complete: record.state == .complete, endpointsFrom: endpointsFrom?.id)
        changes = source.previous.map { Self.changes(since: $0, links: links, endpoints: endpoints) }
        rows = Self.rows(record.inventory, links: links, endpoints: endpoints, summary: summary)
        details = SpreadsheetDetails(record.inventory, links: links, endpoints: endpoints, now: now ?? record.startedAt)
    }

    /// What changed since the previous complete run of the same kind.
    static func changes(since previous: Source.Compared, links: [LinkResult], endpoints: [EndpointResult]) -> Changes {
        var changes = Changes(previousRun: previous.record.id.value)
        let before = Dictionary(previous.links.map { ($0.agencyCode, $0.state) }, uniquingKeysWith: { _, last in last })
        for link in links {
            guard let old = before[link.agencyCode] else { continue }
            let was = Policy.isConnected(old), now = Policy.isConnected(link.state)
            if was && !now { changes.newlyDown.append(link.agencyCode) }
            if !was && now { changes.recovered.append(link.agencyCode) }
        }
        let verdicts = Dictionary(previous.endpoints.map { ("\($0.agencyCode) \($0.observation.url)", $0.verdict) },
                                  uniquingKeysWith: { _, last in last })
        for endpoint in endpoints {
            let key = "\(endpoint.agencyCode) \(endpoint.observation.url)"
            guard let old = verdicts[key] else { continue }
            if old == .compliant && endpoint.verdict != .compliant { changes.newlyNoncompliant.append(key) }
            if old != .compliant && endpoint.verdict == .compliant { changes.fixed.append(key) }
        }
        return changes
    }

    /// One row per agency of the run's inventory, for the CSV.
    static func rows(_ inventory: Inventory, links: [LinkResult], endpoints: [EndpointResult], summary: AuditSummary) -> [AgencyRow] {
        let linkByCode = Dictionary(links.map { ($0.agencyCode, $0) }, uniquingKeysWith: { _, last in last })
        let endpointsByCode = Dictionary(grouping: summary.endpoints, by: \.agencyCode)
        let findingsByCode = Dictionary(grouping: endpoints, by: \.agencyCode).mapValues { $0.flatMap(\.findings) }
        var rows: [AgencyRow] = []
        func visit(_ agency: Agency, path: [String]) {
            let link = linkByCode[agency.code]
            let own = endpointsByCode[agency.code] ?? []  // in inventory order
            let findings = (link?.findings ?? []) + (findingsByCode[agency.code] ?? [])
            // The link as judged: its state, or why there is none.
            let linkState: String
            if agency.link == nil { linkState = "unconfigured" } else if let state = link?.state { linkState = state.rawValue } else { linkState = "not probed" }
            let sent = (link?.observation?.sent ?? 0) > 0
            rows.append(AgencyRow(code: agency.code, name: agency.name, level: agency.level, path: path + [agency.name],
                                  linkState: linkState,
                                  lossPercent: sent ? link?.observation?.lossPercent : nil, medianMilliseconds: link?.observation?.roundTrip?.median,
                                  endpoints: own.count, compliantEndpoints: own.filter { $0.verdict == .compliant }.count,
                                  findings: findings.filter { $0.severity != .info }.map(\.id),
                                  anchors: own.map { $0.anchor?.store.rawValue ?? "none" }))
            agency.children.forEach { visit($0, path: path + [agency.name]) }
        }
        inventory.agencies.forEach { visit($0, path: inventory.scope) }
        return rows
    }

    /// The endpoint results of an earlier run that still describe `inventory`: those of its
    /// agencies and URLs (an endpoint added since has no result: it counts as not checked).
    static func current(_ results: [EndpointResult], in inventory: Inventory) -> [EndpointResult] {
        let planned = inventory.endpointKeys
        return results.filter { planned.contains($0.key) }
    }

    public func json() throws -> String {
        try JSONOutput.render(self)
    }

    /// The terminal report. `colour`: verdicts and severities in ANSI colours (a terminal only).
    public func table(_ l: ReportLabels = .english, colour: Bool = false) -> String {
        let paint = Paint(enabled: colour)
        var out = headerLines(l, paint)
        out += levelLines(l, paint)
        out += endpointLevelLines(l, paint)
        out += unitLines(l, paint)
        out += gapLines(l, paint)
        out += certificateLines(l, paint)
        out += changeLines(l, paint)
        out.append(paintVerdict(connectionVerdictLine(l), verdicts.connection.met, paint))
        out.append(paintVerdict(tlsVerdictLine(l), verdicts.tls.met, paint))
        let result = resultSentence(l)
        out.append(summary.targetsMet ? paint.green(result) : paint.red(result))
        return out.joined(separator: "\n") + "\n"
    }

    /// A verdict line in green when met, red when not, plain when not judged.
    private func paintVerdict(_ line: String, _ met: Bool?, _ paint: Paint) -> String {
        guard let met, verdicts.complete else { return line }
        return met ? paint.green(line) : paint.red(line)
    }

    /// The table's first lines: the run, its inventory and times, its note, what it resumed,
    /// where its TLS figures come from; then a blank line.
    private func headerLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        var out: [String] = []
        out.append(paint.bold(l.text("netaudit run {id} ({kind}, {state})", ["id": "\(run.id)", "kind": l[run.kind], "state": l[run.state]])
                              + (run.title.map { ": \($0.displaySafe)" } ?? "")))
        var line = "  " + l.text("inventory {path} (sha256 {hash}…), started {time}",
                                 ["path": run.inventoryPath.displaySafe, "hash": String(run.inventoryHash.prefix(12)), "time": l.times.time(run.startedAt)])
        if let ended = run.endedAt { line += String(format: ", %.1f s", ended.timeIntervalSince(run.startedAt)) }
        out.append(line)
        if let note = run.note { out.append("  " + paint.red(l.text("note: {note}", ["note": note.displaySafe]))) }
        if let resumed = run.resumedFrom { out.append("  " + l.text("completes the aborted run {id}: what it measured is taken over", ["id": "\(resumed)"])) }
        if let source = endpointsSourceLine(l) { out.append("  " + source) }
        out.append("")
        return out
    }

    /// How a table's cells are painted: the header in bold, green for met and red for
    /// missed in `verdictColumn`, counts of failures in red when not zero.
    private static func cellStyle(_ failureColumns: Set<Int>, verdictColumn: Int? = nil,
                                  _ l: ReportLabels, _ paint: Paint) -> (Int, Int, String) -> String {
        { row, column, text in
            guard row > 0 else { return paint.bold(text) }
            if column == verdictColumn { return text == l["met"] ? paint.green(text) : (text == l["MISSED"] ? paint.red(text) : text) }
            if failureColumns.contains(column), text != "0", text != "-" { return paint.red(text) }
            return text
        }
    }

    /// The connection per level: counts, rate against the target, gap, met or missed (the
    /// "not probed" column only when some level has agencies whose links were not probed).
    private func levelLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        var out = [paint.bold(l["Connection to the dedicated network, per level"])]
        let showNotProbed = summary.levels.contains { $0.linksProbed && $0.figures.notProbed > 0 }
        var columns: [(String, TextTable.Alignment)] = [(l["level"], .left), (l["agencies"], .right), (l["connected"], .right),
                                                         (l["degraded"], .right), (l["down"], .right), (l["unreachable"], .right),
                                                         (l["no link"], .right)]
        if showNotProbed { columns.append((l["not probed"], .right)) }
        columns += [(l["rate"], .right), (l["target"], .right), (l["gap"], .right), ("", .left)]
        var levels = TextTable(columns: columns)
        for level in summary.levels {
            let f = level.figures
            var row = [level.level, "\(f.agencies)"]
            if level.linksProbed {
                row += ["\(f.connected)", "\(f.degraded)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)"]
                if showNotProbed { row.append("\(f.notProbed)") }
                row += [Self.percent(f.connectionRate), Self.percent(level.targetPercent), "\(level.gap)",
                        l[level.meetsTarget ? "met" : "MISSED"]]
            } else {
                row += ["-", "-", "-", "-", "\(f.unconfigured)"] + (showNotProbed ? ["-"] : [])
                row += ["-", Self.percent(level.targetPercent), "-", l["not probed"]]
            }
            levels.append(row)
        }
        let failureColumns: Set<Int> = showNotProbed ? [4, 5, 6, 7, 10] : [4, 5, 6, 9]
        out.append(levels.render(style: Self.cellStyle(failureColumns, verdictColumn: columns.count - 1, l, paint)))
        return out
    }

    /// The TLS endpoints per level, for the levels that have any; nothing when none has.
    private func endpointLevelLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        guard summary.levels.contains(where: { $0.figures.endpoints > 0 }) else { return [] }
        var out = [paint.bold(l["TLS endpoints, per level"])]
        var endpoints = TextTable(columns: [(l["level"], .left), (l["endpoints"], .right), (l["compliant"], .right),
                                            (l["compliance"], .right), (l["noncompliant"], .right), (l["unreachable"], .right),
                                            (l["public CA"], .right), (l["Government CA"], .right)])
        for level in summary.levels where level.figures.endpoints > 0 {
            let f = level.figures
            endpoints.append([level.level, "\(f.endpoints)", "\(f.compliant)", f.complianceRate.map(Self.percent) ?? "-", "\(f.noncompliant)", "\(f.endpointsUnreachable)",
                              "\(f.trustedPublic)", "\(f.trustedGovernment)"])
        }
        out.append(endpoints.render(style: Self.cellStyle([4, 5], l, paint)))
        return out
    }

    /// The figures per parent unit (the agencies below it), when there is more than one unit.
    private func unitLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        let units = summary.parents.filter { !$0.childLevels.isEmpty }
        guard units.count > 1 else { return [] }
        var out = [paint.bold(l["Per unit (the agencies below it)"])]
        let probed = summary.levels.contains(where: \.linksProbed)
        var table = TextTable(columns: [(l["code"], .left), (l["unit"], .left), (l["agencies"], .right), (l["connected"], .right),
                                        (l["down"], .right), (l["unreachable"], .right), (l["no link"], .right),
                                        (l["rate"], .right), (l["gap"], .right), (l["endpoints"], .right), (l["compliant"], .right),
                                        (l["noncompliant"], .right), (l["endpoints unreachable"], .right)])
        for unit in units {
            let f = unit.figures
            table.append([unit.code, unit.name, "\(f.agencies)"]
                         + (probed ? ["\(f.connected)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)",
                                      Self.percent(f.connectionRate), "\(unit.gap)"]
                                   : ["-", "-", "-", "\(f.unconfigured)", "-", "-"])
                         + ["\(f.endpoints)", "\(f.compliant)", "\(f.noncompliant)", "\(f.endpointsUnreachable)"])
        }
        // The note right under the table (whose text ends with a line end), then a blank line.
        out.append(table.render(style: Self.cellStyle([4, 5, 6, 8, 11, 12], l, paint)) + "  (" + l[Self.unitNote] + ")\n")
        return out
    }

    /// Under the per-unit table: why a unit's row and the levels do not add up to the same.
    static let unitNote = "a unit's row counts the agencies below it; the unit's own agency is counted in its level, not in its own row"

    /// The agencies not connected (in a run that probed links) and those not compliant: two
    /// lists, as "gap" in the level table names the connection shortfall. An agency that is
    /// both is in both lists, each with its own findings.
    var notConnected: [AuditSummary.Gap] {
        guard summary.levels.contains(where: \.linksProbed) else { return [] }
        return summary.gaps.filter { !$0.connected }
    }

    var notCompliant: [AuditSummary.Gap] { summary.gaps.filter { !$0.compliant } }

    /// A gap's findings for one list: link findings for "not connected", the others for "not compliant".
    static func findings(of gap: AuditSummary.Gap, link: Bool) -> [Finding] {
        gap.findings.filter { Policy.isLinkFinding($0) == link }
    }

    /// The not-connected list, each agency with its cause and its first link findings, then
    /// the causes (a down `via` node and the agencies behind it); then the not-compliant
    /// list with its first endpoint findings; each followed by a blank line.
    private func gapLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        var out = [paint.bold("\(l["Not connected"]) (\(notConnected.count))")]
        for gap in notConnected {
            var line = "  \(gap.code.displaySafe) \(gap.path.joined(separator: " › ").displaySafe)"
            if gap.linkProblem != nil { line += ": " + l["link not probed"] }
            if let cause = gap.cause {
                line += " (" + l.text("its link depends on {node}, which is down", ["node": Self.named(cause, gap.causeName).displaySafe]) + ")"
            }
            out.append(line)
            if let problem = gap.linkProblem { out.append("      " + l.text("link not probed: {problem}", ["problem": problem.displaySafe])) }
            out += findingLines(Self.findings(of: gap, link: true), l, paint)
        }
        for (label, behind) in namedCauses {
            out.append("  " + l.text("cause: {node} is down: {count} agencies behind it ({list})",
                                     ["node": label.displaySafe, "count": "\(behind.count)", "list": behind.joined(separator: ", ").displaySafe]))
        }
        out.append("")
        out.append(paint.bold("\(l["Not compliant"]) (\(notCompliant.count))"))
        for gap in notCompliant {
            var line = "  \(gap.code.displaySafe) \(gap.path.joined(separator: " › ").displaySafe)"
            if let count = gap.endpointsNotProbed { line += ": " + l.text("{count} endpoints not checked", ["count": "\(count)"]) }
            out.append(line)
            out += findingLines(Self.findings(of: gap, link: false), l, paint)
        }
        out.append("")
        return out
    }

    /// The first six findings of an agency, one a line, and how many more.
    private func findingLines(_ findings: [Finding], _ l: ReportLabels, _ paint: Paint) -> [String] {
        var out: [String] = []
        for finding in findings.prefix(6) {
            out.append("      \(paint.severity(finding.severity)) \(finding.id.displaySafe): \(l.message(finding).displaySafe)")
        }
        if findings.count > 6 { out.append("      " + l.text("… {count} more", ["count": "\(findings.count - 6)"])) }
        return out
    }

    /// The certificates expired or expiring within the window, soonest first; nothing when none.
    private func certificateLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        guard !summary.expiringCertificates.isEmpty else { return [] }
        var out = [paint.bold(l["Certificates expired or expiring within 30 days"])]
        for certificate in summary.expiringCertificates {
            let when = certificate.expired
                ? paint.red(certificate.daysLeft == 0 ? l["expired today"] : l.text("expired {days} days ago", ["days": "\(-certificate.daysLeft)"]))
                : l.text("{days} days left", ["days": "\(certificate.daysLeft)"])
            out.append("  \(l.times.time(certificate.notAfter))  \(when)  " + [certificate.agencyCode, certificate.url, certificate.subject].map(\.displaySafe).joined(separator: "  "))
        }
        out.append("")
        return out
    }

    /// What changed since the previous complete run of the same kind; nothing without one.
    private func changeLines(_ l: ReportLabels, _ paint: Paint) -> [String] {
        guard let changes else { return [] }
        var out = [paint.bold("\(l["Changes since run"]) \(changes.previousRun)")]
        for (label, items) in [("newly down", changes.newlyDown), ("recovered", changes.recovered),
                               ("newly non-compliant", changes.newlyNoncompliant), ("fixed", changes.fixed)] {
            out.append("  \(l[label]): " + (items.isEmpty ? "-" : items.joined(separator: ", ").displaySafe))
        }
        out.append("")
        return out
    }

    /// Each `via` node that is down, named, with the agencies behind it (by the node's code).
    var namedCauses: [(label: String, behind: [String])] {
        let names = Dictionary(summary.gaps.compactMap { gap in gap.cause.map { ($0, gap.causeName) } }, uniquingKeysWith: { first, _ in first })
        return summary.causes.sorted { $0.key < $1.key }.map { (Self.named($0.key, names[$0.key] ?? nil), $0.value) }
    }

    /// An agency as the reports name it in a sentence: "Thị xã An Khê (623)", or its code alone.
    static func named(_ code: String, _ name: String?) -> String {
        name.map { "\($0) (\(code))" } ?? code
    }

    /// The last line: both verdicts met, or each said apart (which of the two failed), or that
    /// the run did not complete (its figures are partial). A run speaks only for what it checked: a link sweep's TLS verdict is that of the run
    /// its endpoints come from, named; without one, "TLS not checked".
    func resultSentence(_ l: ReportLabels) -> String {
        if run.state != RunState.complete.rawValue { return l["Result: the run did not complete; its figures are partial."] }
        let (connection, tls) = (verdicts.connection, verdicts.tls)
        if connection.checked && tls.checked && tls.fromRun == nil && connection.met == true && tls.met == true {
            return l["Result: every level meets its target and every endpoint is compliant."]
        }
        // Which of the two failed, each said apart.
        let connectionText = !connection.checked ? l["links not checked in this run"]
            : l[connection.met == true ? "every level meets its connection target" : "a level misses its connection target"]
        var tlsText = !tls.checked ? l["TLS not checked in this run"]
            : l[tls.met == true ? "every endpoint is compliant" : "endpoints not compliant"]
        if let from = endpointsFrom, tls.checked {
            tlsText += " " + l.text("(TLS as of run {id}, {age} before this one)", ["id": "\(from.id)", "age": Self.age(run.startedAt.timeIntervalSince(from.startedAt))])
        }
        return l.text("Result: {connection}; {tls}.", ["connection": connectionText, "tls": tlsText])
    }

    /// How long ago, in words an operator reads at a glance: "40 min", "9.5 h", "3 days".
    static func age(_ seconds: TimeInterval) -> String {
        let seconds = max(0, seconds)
        if seconds < 3_600 { return "\(Int(seconds / 60)) min" }
        if seconds < 2 * 86_400 { return String(format: "%.1f h", seconds / 3_600) }
        return "\(Int(seconds / 86_400)) days"
    }

    /// The line under the header that says where the TLS figures come from, or that there are none.
    func endpointsSourceLine(_ l: ReportLabels) -> String? {
        if let from = endpointsFrom {
            return l.text("TLS endpoints: from {kind} run {id} (started {time}, {age} before this run); this run checked links only",
                          ["kind": l[from.kind], "id": "\(from.id)", "time": l.times.time(from.startedAt),
                           "age": Self.age(run.startedAt.timeIntervalSince(from.startedAt))])
        }
        if !summary.tlsChecked { return l["TLS not checked in this run, and no complete full audit of this inventory is stored"] }
        return nil
    }

    static func percent(_ value: Double) -> String {
        String(format: value == value.rounded() ? "%.0f%%" : "%.1f%%", value)
    }
}

/// ANSI colours for the terminal table; plain text when disabled.
struct Paint {
    let enabled: Bool

    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { wrap("1", text) }
    func red(_ text: String) -> String { wrap("31", text) }
    func green(_ text: String) -> String { wrap("32", text) }

    /// `CRITICAL` in bold red, `HIGH` red, `MEDIUM` yellow, `LOW` cyan.
    func severity(_ severity: Severity) -> String {
        let text = severity.rawValue.uppercased()
        switch severity {
        case .critical: return wrap("1;31", text)
        case .high: return wrap("31", text)
        case .medium: return wrap("33", text)
        case .low: return wrap("36", text)
        case .info: return text
        }
    }
}
