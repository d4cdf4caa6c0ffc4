import Foundation
import NetauditCore

extension PeriodReport {
    /// The terminal report: the period, then one table per section (levels, units, TLS
    /// endpoints, outages, rankings). Inventory text is shown, never obeyed (`TextTable`
    /// makes every cell `displaySafe`).
    public func table(_ l: ReportLabels = .english, colour: Bool = false) -> String {
        let paint = Paint(enabled: colour)
        var out = [paint.bold(l["netaudit period report"] + (title.map { ": \($0.displaySafe)" } ?? "")),
                   "  " + periodLine(l), ""]
        for (heading, table) in sections(l) {
            out.append(paint.bold(heading))
            out.append(table.render(style: { row, _, text in row == 0 ? paint.bold(text) : text }))
        }
        return out.joined(separator: "\n")
    }

    /// "2026-11-01 00:00 – 2026-11-04 00:00 (Asia/Ho_Chi_Minh), 3 days".
    func periodLine(_ l: ReportLabels) -> String {
        l.text("{from} – {to} ({zone}), {days} days", ["from": PeriodText.dateTime(from, timeZone: timeZone),
                                                     "to": PeriodText.dateTime(to, timeZone: timeZone),
                                                     "zone": timeZone, "days": "\(days.count)"])
    }

    private func sections(_ l: ReportLabels) -> [(String, TextTable)] {
        var sections = [(l["Connection to the dedicated network over the period, per level"], levelTable(l))]
        if !units.isEmpty { sections.append((l["Per unit (the agencies below it)"], unitTable(l))) }
        if !endpoints.isEmpty {
            sections.append((l["TLS endpoints over the period, per level"], endpointLevelTable(l)))
            let troubled = endpoints.filter { $0.daysNoncompliant > 0 }
            if !troubled.isEmpty { sections.append((l["Endpoints not compliant at some time"], endpointTable(troubled, l))) }
        }
        sections.append(("\(l["Outages"]) (\(outages.count))", outageTable(l)))
        for (heading, entries, units) in rankingLists() where !entries.isEmpty {
            sections.append((l[heading], rankingTable(entries, unit: units, l)))
        }
        return sections
    }

    private func levelTable(_ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [(l["level"], .left), (l["with link"], .right), (l["observed"], .right),
                                        (l["availability"], .right), (l["connected throughout"], .right),
                                        (l["daily mean"], .right), (l["daily min"], .right), (l["days met"], .right),
                                        (l["target"], .right), (l["loss % median"], .right), (l["RTT p95 ms"], .right)])
        for level in levels {
            let f = level.figures
            table.append([level.level, "\(f.agenciesWithLink)", PeriodText.percent(f.observedPercent), PeriodText.percent(f.availabilityPercent),
                          "\(f.connectedThroughout)/\(f.agenciesWithLink)", PeriodText.percent(f.meanDailyRatePercent),
                          PeriodText.percent(f.minDailyRatePercent), "\(f.daysMet)/\(f.observedDays)", PeriodText.percent(f.targetPercent),
                          level.lossPercentMedian.map { String(format: "%.1f", $0) } ?? "-",
                          level.rttMillisecondsP95.map { String(format: "%.1f", $0) } ?? "-"])
        }
        return table
    }

    private func unitTable(_ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [(l["code"], .left), (l["unit"], .left), (l["with link"], .right), (l["availability"], .right),
                                        (l["connected throughout"], .right), (l["daily min"], .right), (l["days met"], .right),
                                        (l["outages"], .right), (l["outage time"], .right)])
        for unit in units {
            let f = unit.figures
            table.append([unit.code, unit.name, "\(f.agenciesWithLink)", PeriodText.percent(f.availabilityPercent),
                          "\(f.connectedThroughout)/\(f.agenciesWithLink)", PeriodText.percent(f.minDailyRatePercent),
                          "\(f.daysMet)/\(f.observedDays)", "\(f.outages)", PeriodText.duration(f.outageSeconds)])
        }
        return table
    }

    private func endpointLevelTable(_ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [(l["level"], .left), (l["endpoints observed"], .right), (l["compliant throughout"], .right)])
        for level in levels where level.figures.endpointsObserved > 0 {
            table.append([level.level, "\(level.figures.endpointsObserved)", "\(level.figures.endpointsCompliantThroughout)"])
        }
        return table
    }

    private func endpointTable(_ lines: [EndpointLine], _ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [(l["code"], .left), (l["url"], .left), (l["days non-compliant"], .right), (l["fixed on"], .left)])
        for line in lines { table.append([line.agencyCode, line.url, "\(line.daysNoncompliant)", line.fixedOn ?? "-"]) }
        return table
    }

    private func outageTable(_ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [(l["start"], .left), (l["end"], .left), (l["duration"], .right), (l["kind"], .left),
                                        (l["code"], .left), (l["path"], .left), (l["cause"], .left)])
        for outage in outages {
            table.append([PeriodText.dateTime(outage.start, timeZone: timeZone),
                          outage.end.map { PeriodText.dateTime($0, timeZone: timeZone) } ?? l["ongoing"],
                          PeriodText.duration(outage.durationSeconds), l[outage.kind], outage.code,
                          outage.path.joined(separator: " › "), outage.causeCode.map { AuditReport.named($0, outage.causeName) } ?? "-"])
        }
        return table
    }

    /// The four rankings with their headings; `true` for the lists of units.
    func rankingLists() -> [(String, [RankEntry], Bool)] {
        [("Units with the most outage time", rankings.unitsByOutageTime, true),
         ("Units with the most outages", rankings.unitsByOutageCount, true),
         ("Agencies with the most outage time", rankings.agenciesByOutageTime, false),
         ("Agencies with the most outages", rankings.agenciesByOutageCount, false)]
    }

    private func rankingTable(_ entries: [RankEntry], unit: Bool, _ l: ReportLabels) -> TextTable {
        var table = TextTable(columns: [("#", .right), (l["code"], .left), (l[unit ? "unit" : "agency"], .left), (l["level"], .left),
                                        (l["outages"], .right), (l["outage time"], .right)])
        for (rank, entry) in entries.enumerated() {
            table.append(["\(rank + 1)", entry.code, entry.name, entry.level, "\(entry.outages)", PeriodText.duration(entry.outageSeconds)])
        }
        return table
    }
}
