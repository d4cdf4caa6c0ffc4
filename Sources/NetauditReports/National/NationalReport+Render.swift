import Foundation
import NetauditCore

// The national report's renderers: the terminal table, the CSV (one row per site) and the
// HTML page. The table and the page draw the same sections from `sections(_:)`, so they
// cannot disagree; inventory text is shown, never obeyed (`displaySafe`, escaped in HTML).
extension NationalReport {
    /// A section: its heading and its table (header and rows), or a list of lines.
    struct Section {
        var heading: String
        var columns: [(title: String, alignment: TextTable.Alignment)] = []
        var rows: [[String]] = []
        /// Rows of a table that miss a target (marked in the page).
        var missed: Set<Int> = []
        var lines: [String] = []
    }

    /// "2026-12-06 18:00 UTC": run times are written in UTC (sites may be in other zones).
    static func time(_ date: Date?) -> String {
        date.map { PeriodText.dateTime($0, timeZone: "UTC") + " UTC" } ?? "-"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }

    /// A table's columns, titled in the report's language.
    static func columns(_ l: ReportLabels, _ spec: [(String, TextTable.Alignment)]) -> [(title: String, alignment: TextTable.Alignment)] {
        spec.map { (title: l[$0.0], alignment: $0.1) }
    }

    /// The header lines: when, and the staleness threshold.
    func headerLines(_ l: ReportLabels) -> [String] {
        [l.text("generated {time}; a site whose latest link check ended more than {age} ago is stale",
                ["time": Self.time(generatedAt), "age": PeriodText.duration(staleAfterSeconds)])]
    }

    func sections(_ l: ReportLabels) -> [Section] {
        var sections = [siteSection(l), levelSection(l)]
        sections += gapSections(l)
        if let period { sections += period.sections(l) }
        return sections
    }

    private func siteSection(_ l: ReportLabels) -> Section {
        var section = Section(heading: l["Sites"])
        section.columns = NationalReport.columns(l, [("site", .left), ("name", .left), ("run", .right), ("kind", .left), ("ended", .left), ("age", .right),
                           ("state", .left), ("agencies", .right), ("connected", .right), ("rate", .right), ("endpoints", .right),
                           ("compliant", .right), ("TLS run", .right)])
        for (index, site) in sites.enumerated() {
            let f = site.figures
            section.rows.append([site.site, site.name ?? "-", site.run.map { "\($0.id)" } ?? "-", site.run.map { l[$0.kind] } ?? "-",
                                 Self.time(site.run.map { $0.endedAt ?? $0.startedAt }),
                                 site.ageSeconds.map { PeriodText.duration($0) } ?? "-",
                                 site.stale ? l["STALE"] : (site.targetsMet ? l["met"] : l["MISSED"]),
                                 "\(site.agencies)", f.map { "\($0.connected)" } ?? l["not observed"],
                                 f.map { Self.percent($0.connectionRate) } ?? "-",
                                 f.map { site.tlsChecked ? "\($0.endpoints)" : "-" } ?? "-",
                                 f.map { site.tlsChecked ? "\($0.compliant)" : "-" } ?? "-",
                                 site.tlsRun.map { "\($0.id)" } ?? "-"])
            if !site.targetsMet { section.missed.insert(index) }
        }
        return section
    }

    private func levelSection(_ l: ReportLabels) -> Section {
        var section = Section(heading: l["Connection to the dedicated network, per level, all sites"])
        section.columns = NationalReport.columns(l, [("level", .left), ("agencies", .right), ("connected", .right), ("down", .right), ("unreachable", .right),
                           ("no link", .right), ("stale", .right), ("rate", .right), ("target", .right), ("gap", .right),
                           ("", .left)])
        for (index, level) in levels.enumerated() {
            let f = level.figures
            let all = f.agencies + level.staleAgencies
            let rate = all == 0 ? 0 : Double(f.connected) / Double(all) * 100
            section.rows.append([level.level, "\(all)", "\(f.connected)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)",
                                 "\(level.staleAgencies)", Self.percent(rate), Self.percent(level.targetPercent), "\(level.gap)",
                                 level.meetsTarget ? l["met"] : l["MISSED"]])
            if !level.meetsTarget { section.missed.insert(index) }
        }
        return section
    }

    private func gapSections(_ l: ReportLabels) -> [Section] {
        sites.filter { !$0.gaps.isEmpty }.map { site in
            var section = Section(heading: "\(l["Gaps"]): \(site.site) \(site.name ?? "") (\(site.gaps.count))")
            section.lines = site.gaps.map { gap in
                var line = "\(gap.code) \(gap.path.joined(separator: " › ")) (\(gap.level))"
                if let cause = gap.cause { line += ": " + l.text("its link depends on {node}, which is down", ["node": gap.causeName ?? cause]) }
                else if let problem = gap.linkProblem { line += ": " + l.text("link not probed: {problem}", ["problem": problem]) }
                else { line += ": " + l["not connected"] }
                return line
            }
            return section
        }
    }

    /// The verdict line, as the exit status says it.
    func resultLine(_ l: ReportLabels) -> String {
        if targetsMet { return l["Result: every site is current, every level meets its target and every endpoint is compliant."] }
        if !staleSites.isEmpty {
            return l.text("Result: targets missed; {count} sites stale ({list}), their agencies not counted as connected.",
                          ["count": "\(staleSites.count)", "list": staleSites.joined(separator: ", ")])
        }
        return l["Result: targets missed or endpoints not compliant."]
    }

    /// The terminal report.
    public func table(_ l: ReportLabels = .english, colour: Bool = false) -> String {
        let paint = Paint(enabled: colour)
        var out = [paint.bold(l["netaudit national report"]), "  " + headerLines(l).joined(separator: "\n  "), ""]
        for section in sections(l) {
            out.append(paint.bold(section.heading))
            if section.columns.isEmpty {
                out.append(section.lines.map { "  " + $0.displaySafe }.joined(separator: "\n") + "\n")
            } else {
                var table = TextTable(columns: section.columns)
                section.rows.forEach { table.append($0) }
                out.append(table.render(style: { row, _, text in row == 0 ? paint.bold(text) : text }))
            }
        }
        out.append(paint.bold(resultLine(l)))
        return out.joined(separator: "\n") + "\n"
    }

    /// One row per site, for a spreadsheet: UTF-8 with a byte-order mark, CRLF line ends,
    /// RFC 4180 quoting, inventory text guarded against formula injection. With a period,
    /// the site's availability over it and whether it met its targets every day.
    public func csv(_ l: ReportLabels = .english) -> String {
        var header = ["site", "name", "run", "kind", "ended", "age seconds", "stale", "agencies", "connected", "rate",
                      "endpoints", "compliant", "TLS run", "targets met"]
        if period != nil { header += ["availability %", "outages", "days met throughout"] }
        var lines = [header.map { PeriodText.csvField(l[$0]) }.joined(separator: ",")]
        let periods = Dictionary((period?.sites ?? []).map { ($0.site, $0) }, uniquingKeysWith: { first, _ in first })
        for site in sites {
            let f = site.figures
            let text = [site.site, site.name ?? ""].map { PeriodText.csvField($0) }
                + [site.run.map { "\($0.id)" } ?? ""].map { PeriodText.csvField($0, number: true) }
                + [site.run.map { $0.kind } ?? ""].map { PeriodText.csvField($0) }
            let ended: String = site.run.map { ISO8601DateFormatter().string(from: $0.endedAt ?? $0.startedAt) } ?? ""
            let age: String = site.ageSeconds.map { String(format: "%.0f", $0) } ?? ""
            let connected: String = f.map { "\($0.connected)" } ?? ""
            let rate: String = f.map { String(format: "%.1f", $0.connectionRate) } ?? ""
            let endpoints: String = f.map { site.tlsChecked ? "\($0.endpoints)" : "" } ?? ""
            let compliant: String = f.map { site.tlsChecked ? "\($0.compliant)" : "" } ?? ""
            let tlsRun: String = site.tlsRun.map { "\($0.id)" } ?? ""
            var numbers: [String] = [ended, age, site.stale ? l["yes"] : l["no"], "\(site.agencies)", connected, rate, endpoints,
                                     compliant, tlsRun, site.targetsMet ? l["yes"] : l["no"]]
            if period != nil {
                let p = periods[site.site]
                numbers += [p?.availabilityPercent.map { String(format: "%.2f", $0) } ?? "", p.map { "\($0.outages)" } ?? "",
                            p.map { $0.targetsMetThroughout ? l["yes"] : l["no"] } ?? ""]
            }
            lines.append((text + numbers.map { PeriodText.csvField($0, number: true) }).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One self-contained HTML page (no script, nothing loaded from elsewhere), with the
    /// sections of the table; rows that miss a target are marked.
    public func html(_ l: ReportLabels = .english) -> String {
        let e = PeriodText.html
        var body = ["<h1>\(e(l["netaudit national report"]))</h1>"] + headerLines(l).map { "<p class=\"meta\">\(e($0))</p>" }
        for section in sections(l) {
            body.append("<h2>\(e(section.heading))</h2>")
            if section.columns.isEmpty {
                body.append("<ul>" + section.lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
            } else {
                var rows = ["<table><tr>" + section.columns.map { "<th>\(e($0.title))</th>" }.joined() + "</tr>"]
                for (index, row) in section.rows.enumerated() {
                    rows.append("<tr class=\"\(section.missed.contains(index) ? "bad" : "ok")\">"
                                + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>")
                }
                body.append(rows.joined(separator: "\n") + "</table>")
            }
        }
        body.append("<p><strong>\(e(resultLine(l)))</strong></p>")
        return """
            <!DOCTYPE html>
            <html lang="\(l.language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(l["netaudit national report"]))</title>
            <style>
            body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;margin:2em auto;max-width:80em;color:#222;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
            .meta{color:#666}table{border-collapse:collapse;width:100%;margin-bottom:1em}
            td,th{padding:.25em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
            tr.bad td:first-child{border-left:3px solid #ea4335}tr.ok td:first-child{border-left:3px solid #34a853}
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }
}

extension NationalPeriod {
    /// The period's sections: each site's levels, then the totals per level.
    func sections(_ l: ReportLabels) -> [NationalReport.Section] {
        let line = l.text("{from} – {to} ({zone}), {days} days", ["from": PeriodText.dateTime(from, timeZone: timeZone),
                                                                "to": PeriodText.dateTime(to, timeZone: timeZone),
                                                                "zone": timeZone, "days": "\(days.count)"])
        var perSite = NationalReport.Section(heading: "\(l["The period, per site and level"]): \(line)")
        perSite.columns = NationalReport.columns(l, [("site", .left), ("level", .left), ("with link", .right), ("availability", .right),
                           ("connected throughout", .right), ("daily mean", .right), ("daily min", .right), ("days met", .right),
                           ("target", .right), ("outages", .right), ("outage time", .right)])
        for site in sites {
            guard let levels = site.levels else {
                perSite.rows.append([site.site, l["no history"]])
                perSite.missed.insert(perSite.rows.count - 1)
                continue
            }
            for level in levels {
                let f = level.figures
                perSite.rows.append([site.site, level.level, "\(f.agenciesWithLink)", PeriodText.percent(f.availabilityPercent),
                                     "\(f.connectedThroughout)/\(f.agenciesWithLink)", PeriodText.percent(f.meanDailyRatePercent),
                                     PeriodText.percent(f.minDailyRatePercent), "\(f.daysMet)/\(f.observedDays)",
                                     PeriodText.percent(f.targetPercent), "\(f.outages)", PeriodText.duration(f.outageSeconds)])
                if f.daysMet != f.observedDays { perSite.missed.insert(perSite.rows.count - 1) }
            }
        }
        var totals = NationalReport.Section(heading: l["The period, per level, all sites"])
        totals.columns = NationalReport.columns(l, [("level", .left), ("sites", .right), ("with link", .right), ("availability", .right),
                          ("connected throughout", .right), ("daily min", .right), ("sites met every day", .right),
                          ("target", .right), ("outages", .right), ("outage time", .right)])
        for (index, level) in levels.enumerated() {
            totals.rows.append([level.level, "\(level.sites)", "\(level.agenciesWithLink)", PeriodText.percent(level.availabilityPercent),
                                "\(level.connectedThroughout)/\(level.agenciesWithLink)", PeriodText.percent(level.minDailyRatePercent),
                                "\(level.sitesMetEveryDay)/\(level.sites)", PeriodText.percent(level.targetPercent), "\(level.outages)",
                                PeriodText.duration(level.outageSeconds)])
            if level.sitesMetEveryDay != level.sites { totals.missed.insert(index) }
        }
        return [perSite, totals]
    }
}
