import Foundation
import NetauditCore

extension PeriodReport {
    /// One self-contained HTML page (no script, nothing loaded from elsewhere): the daily
    /// connection rate per level against the target and the heat map of units by day, both
    /// inline SVG; the level, endpoint, outage and ranking tables. Every text from the
    /// inventory is escaped.
    public func html(_ l: ReportLabels = .english) -> String {
        let e = PeriodText.html
        var body = ["<h1>\(e(title ?? "netaudit")) · \(e(l["netaudit period report"]))</h1>",
                    "<p class=\"meta\">\(e(periodLine(l)))</p>",
                    "<h2>\(e(l["Daily connection rate per level"]))</h2>", PeriodCharts.dailyRates(self, l),
                    "<h2>\(e(l["Connection to the dedicated network over the period, per level"]))</h2>", htmlLevels(l)]
        if !units.isEmpty {
            body += ["<h2>\(e(l["Availability per unit and day"]))</h2>",
                     "<p class=\"meta\">\(e(l["Per unit (the agencies below it)"]))</p>",
                     "<div class=\"scroll\">\(PeriodCharts.heatMap(self, l))</div>", htmlUnits(l)]
        }
        if !endpoints.isEmpty { body += ["<h2>\(e(l["TLS endpoints over the period, per level"]))</h2>", htmlEndpoints(l)] }
        body += ["<h2>\(e(l["Outages"])) (\(outages.count))</h2>", htmlOutages(l)]
        for (heading, entries, unit) in rankingLists() where !entries.isEmpty {
            body += ["<h2>\(e(l[heading]))</h2>", htmlRanking(entries, unit: unit, l)]
        }
        return page(title: "\(title ?? "netaudit") · \(l["netaudit period report"])", body: body, l)
    }

    private func cells(_ values: [String]) -> String { values.map { "<td>\(PeriodText.html($0))</td>" }.joined() }
    private func heads(_ values: [String], _ l: ReportLabels) -> String { values.map { "<th>\(PeriodText.html(l[$0]))</th>" }.joined() }

    private func htmlLevels(_ l: ReportLabels) -> String {
        var rows = ["<table><tr>\(heads(["level", "with link", "observed", "availability", "connected throughout", "daily mean", "daily min", "days met", "target", "loss % median", "RTT p95 ms"], l))</tr>"]
        for level in levels {
            let f = level.figures
            let met = f.daysMet == f.observedDays ? "ok" : "bad"
            rows.append("<tr class=\"\(met)\">" + cells([level.level, "\(f.agenciesWithLink)", PeriodText.percent(f.observedPercent),
                                                        PeriodText.percent(f.availabilityPercent), "\(f.connectedThroughout)/\(f.agenciesWithLink)",
                                                        PeriodText.percent(f.meanDailyRatePercent), PeriodText.percent(f.minDailyRatePercent),
                                                        "\(f.daysMet)/\(f.observedDays)", PeriodText.percent(f.targetPercent),
                                                        level.lossPercentMedian.map { String(format: "%.1f", $0) } ?? "-",
                                                        level.rttMillisecondsP95.map { String(format: "%.1f", $0) } ?? "-"]) + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    /// The units' figures (the agencies below each), a row marked when a day missed its target.
    private func htmlUnits(_ l: ReportLabels) -> String {
        var rows = ["<table><tr>\(heads(["code", "unit", "with link", "availability", "connected throughout", "daily min", "days met", "target", "outages", "outage time"], l))</tr>"]
        for unit in units {
            let f = unit.figures
            rows.append("<tr class=\"\(f.daysMet == f.observedDays ? "ok" : "bad")\">" + cells([
                unit.code, unit.name, "\(f.agenciesWithLink)", PeriodText.percent(f.availabilityPercent),
                "\(f.connectedThroughout)/\(f.agenciesWithLink)", PeriodText.percent(f.minDailyRatePercent), "\(f.daysMet)/\(f.observedDays)",
                PeriodText.percent(f.targetPercent), "\(f.outages)", PeriodText.duration(f.outageSeconds)]) + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    private func htmlEndpoints(_ l: ReportLabels) -> String {
        var rows = ["<table><tr>\(heads(["level", "endpoints observed", "compliant throughout"], l))</tr>"]
        for level in levels where level.figures.endpointsObserved > 0 {
            rows.append("<tr>" + cells([level.level, "\(level.figures.endpointsObserved)", "\(level.figures.endpointsCompliantThroughout)"]) + "</tr>")
        }
        rows.append("</table><table><tr>\(heads(["code", "url", "days non-compliant", "fixed on"], l))</tr>")
        for line in endpoints {
            rows.append("<tr class=\"\(line.daysNoncompliant > 0 ? "bad" : "ok")\">" + cells([line.agencyCode, line.url, "\(line.daysNoncompliant)", line.fixedOn ?? "-"]) + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    private func htmlOutages(_ l: ReportLabels) -> String {
        guard !outages.isEmpty else { return "<p>-</p>" }
        var rows = ["<table class=\"outages\"><tr>\(heads(["start", "end", "duration", "kind", "code", "path", "cause"], l))</tr>"]
        for outage in outages {
            rows.append("<tr>" + cells([PeriodText.dateTime(outage.start, timeZone: timeZone),
                                        outage.end.map { PeriodText.dateTime($0, timeZone: timeZone) } ?? l["ongoing"],
                                        PeriodText.duration(outage.durationSeconds), l[outage.kind], outage.code,
                                        outage.path.joined(separator: " › "),
                                        outage.causeCode.map { AuditReport.named($0, outage.causeName) } ?? "-"]) + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    private func htmlRanking(_ entries: [RankEntry], unit: Bool, _ l: ReportLabels) -> String {
        var rows = ["<table><tr><th>#</th>\(heads(["code", unit ? "unit" : "agency", "level", "outages", "outage time"], l))</tr>"]
        for (rank, entry) in entries.enumerated() {
            rows.append("<tr>" + cells(["\(rank + 1)", entry.code, entry.name, entry.level, "\(entry.outages)", PeriodText.duration(entry.outageSeconds)]) + "</tr>")
        }
        return rows.joined(separator: "\n") + "</table>"
    }

    /// The page around the sections, with the run report's look.
    private func page(title: String, body: [String], _ l: ReportLabels) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(l.language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(PeriodText.html(title))</title>
        <style>
        body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
        h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
        .meta{color:#666}table{border-collapse:collapse;width:100%;margin-bottom:1em}
        td,th{padding:.25em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        tr.bad td:first-child{border-left:3px solid #ea4335}tr.ok td:first-child{border-left:3px solid #34a853}
        svg.chart{font-size:11px;max-width:100%;height:auto}svg.chart text{fill:#333}svg .axis{fill:#666}
        .scroll{overflow-x:auto}
        </style></head><body>
        \(body.joined(separator: "\n"))
        </body></html>

        """
    }
}
