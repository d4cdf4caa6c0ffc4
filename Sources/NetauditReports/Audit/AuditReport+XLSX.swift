import Foundation
import NetauditCore
import NetauditXLSX

extension AuditReport {
    /// The report as an Excel workbook (.xlsx), with typed cells: codes and names as text
    /// (leading zeros kept), counts and measures as numbers, rates as numbers with a percent
    /// format (0.25 shown as 25.0%), times and days as dates in `timeZone` (by default the
    /// machine's; the run sheet names it). Sheets: summary (per level), units, agencies (the
    /// CSV's columns, with an autofilter), gaps, certificates, run. Every header row is
    /// frozen. Text is written as strings, never formulas, and guarded like the CSV's
    /// (`SpreadsheetText`).
    public func xlsx(_ labels: ReportLabels = .english, timeZone: TimeZone = .current) throws -> Data {
        try Workbook.data(timeZone: timeZone) { book in
            let sheets = XLSXSheets(report: self, book: book, l: labels)
            try sheets.summary()
            try sheets.units()
            try sheets.agencies()
            try sheets.gaps()
            try sheets.certificates()
            try sheets.run()
        }
    }
}

/// Writes the sheets of one workbook.
private struct XLSXSheets {
    let report: AuditReport
    let book: Workbook
    let l: ReportLabels
    let header: CellFormat, percent: CellFormat, decimal: CellFormat, wrapped: CellFormat

    init(report: AuditReport, book: Workbook, l: ReportLabels) {
        self.report = report
        self.book = book
        self.l = l
        header = book.format(.header)
        percent = book.format(.percent)
        decimal = book.format(CellStyle(numberFormat: "0.000"))
        wrapped = book.format(CellStyle(wrap: true))
    }

    /// Inventory or report text, as shown (`displaySafe`) and guarded against formulas.
    func text(_ raw: String?) -> Cell {
        guard let raw, !raw.isEmpty else { return .empty }
        return .text(SpreadsheetText.guarded(raw.displaySafe))
    }

    /// A rate in percent (0–100) as the fraction a percent format shows.
    func rate(_ percent: Double) -> Cell { .number(percent / 100) }

    /// A sheet with its header row (frozen) and its column widths.
    func sheet(_ name: String, _ columns: [(title: String, width: Double)]) throws -> Worksheet {
        let sheet = try book.addWorksheet(l.sheetWord(name))
        sheet.write(row: 0, columns.map { .text(l.sheetWord($0.title)) }, header)
        for (index, column) in columns.enumerated() { sheet.setColumns(index, index, width: column.width) }
        sheet.freeze(rows: 1)
        return sheet
    }

    /// Writes `cells` on `row`, each in its column's format (`formats`, by column).
    func write(_ sheet: Worksheet, _ row: Int, _ cells: [Cell], _ formats: [Int: CellFormat] = [:]) {
        for (column, cell) in cells.enumerated() { sheet.write(row, column, cell, formats[column]) }
    }

    /// Connection and TLS per level.
    func summary() throws {
        let sheet = try sheet("summary", [("level", 14), ("agencies", 10), ("connected", 11), ("degraded", 10), ("down", 10),
                                          ("unreachable", 12), ("no link", 10), ("not probed", 11), ("rate", 9), ("target", 9),
                                          ("gap", 8), ("met", 11), ("endpoints", 10), ("compliant", 10), ("noncompliant", 13),
                                          ("endpoints unreachable", 14), ("TLS %", 9)])
        for (index, level) in report.summary.levels.enumerated() {
            let f = level.figures
            var cells: [Cell] = [text(level.level), .integer(f.agencies)]
            if level.linksProbed {
                cells += [.integer(f.connected), .integer(f.degraded), .integer(f.down), .integer(f.unreachable), .integer(f.unconfigured),
                          .integer(f.notProbed), rate(f.connectionRate), rate(level.targetPercent), .integer(level.gap),
                          .text(l[level.meetsTarget ? "met" : "MISSED"])]
            } else {
                cells += [.empty, .empty, .empty, .empty, .integer(f.unconfigured), .integer(f.notProbed), .empty,
                          rate(level.targetPercent), .empty, .text(l["not probed"])]
            }
            cells += report.summary.tlsChecked
                ? [.integer(f.endpoints), .integer(f.compliant), .integer(f.noncompliant), .integer(f.endpointsUnreachable),
                   f.endpoints > 0 ? .number(Double(f.compliant) / Double(f.endpoints)) : .empty]
                : [.empty, .empty, .empty, .empty, .empty]
            write(sheet, index + 1, cells, [8: percent, 9: percent, 16: percent])
        }
        let below = report.summary.levels.count + 2
        sheet.write(below, 0, text(report.resultSentence(l)))
    }

    /// Per unit: the agencies below it.
    func units() throws {
        let sheet = try sheet("units", [("code", 10), ("unit", 28), ("level", 12), ("agencies", 10), ("connected", 11), ("down", 10),
                                        ("unreachable", 12), ("no link", 10), ("rate", 9), ("gap", 8), ("endpoints", 10),
                                        ("compliant", 10), ("noncompliant", 13), ("endpoints unreachable", 14)])
        let probed = report.summary.levels.contains(where: \.linksProbed)
        for (index, unit) in report.summary.parents.filter({ !$0.childLevels.isEmpty }).enumerated() {
            let f = unit.figures
            var cells: [Cell] = [text(unit.code), text(unit.name), text(unit.level), .integer(f.agencies)]
            cells += probed ? [.integer(f.connected), .integer(f.down), .integer(f.unreachable), .integer(f.unconfigured),
                               rate(f.connectionRate), .integer(unit.gap)]
                            : [.empty, .empty, .empty, .integer(f.unconfigured), .empty, .empty]
            cells += [.integer(f.endpoints), .integer(f.compliant), .integer(f.noncompliant), .integer(f.endpointsUnreachable)]
            write(sheet, index + 1, cells, [8: percent])
        }
    }

    /// One row per agency: the CSV's columns, typed, with an autofilter.
    func agencies() throws {
        let widths: [Double] = [10, 28, 12, 48, 12, 9, 11, 10, 11, 24, 16, 10, 20, 9, 20, 36, 14, 12, 60]
        let titles = l.csvHeader.map { ($0, 0.0) } + AuditReport.csvAddedColumns.map { ($0, 0.0) }
        let sheet = try sheet("agencies", zip(titles, widths).map { ($0.0, $1) })
        for (index, row) in report.rows.enumerated() {
            let details = report.details.agencies[row.code]
            let cells: [Cell] = [
                text(row.code), text(row.name), text(row.level), text(row.path.joined(separator: " › ")), text(l.linkState(row.linkState)),
                row.lossPercent.map(rate) ?? .empty, row.medianMilliseconds.map(Cell.number) ?? .empty,
                .integer(row.endpoints), .integer(row.compliantEndpoints), text(row.findings.joined(separator: " ")),
                text(row.anchors.joined(separator: " ")),
                text(details?.parent), text(details?.district), .number(Double(report.run.id)), .date(report.run.startedAt),
                text(details?.urls.joined(separator: " ")), details?.earliestExpiry.map(Cell.day) ?? .empty,
                text(details?.topFinding?.severity.rawValue), text(details?.topFinding?.message),
            ]
            write(sheet, index + 1, cells, [5: percent, 6: decimal])
        }
        sheet.autofilter(firstRow: 0, firstColumn: 0, lastRow: max(1, report.rows.count), lastColumn: titles.count - 1)
    }

    /// The agencies not connected or not compliant, with their findings, one per line.
    func gaps() throws {
        let sheet = try sheet("gaps", [("code", 10), ("name", 28), ("level", 12), ("path", 48), ("not connected", 12),
                                       ("not compliant", 12), ("cause", 28), ("link problem", 30), ("findings", 90)])
        let linksChecked = report.summary.levels.contains(where: \.linksProbed)
        for (index, gap) in report.summary.gaps.enumerated() {
            let findings = gap.findings.map { "\($0.severity.rawValue.uppercased()) \($0.id): \($0.message)" }.joined(separator: "\n")
            let cells: [Cell] = [
                text(gap.code), text(gap.name), text(gap.level), text(gap.path.joined(separator: " › ")),
                linksChecked ? .bool(!gap.connected) : .empty, .bool(!gap.compliant),
                text(gap.cause.map { AuditReport.named($0, gap.causeName) }), text(gap.linkProblem),
                // One finding per line: displaySafe would show the line breaks as <U+000A>.
                findings.isEmpty ? .empty : .text(SpreadsheetText.guarded(findings.split(separator: "\n").map { String($0).displaySafe }
                    .joined(separator: "\n"))),
            ]
            write(sheet, index + 1, cells, [8: wrapped])
        }
    }

    /// Every endpoint's leaf certificate, soonest expiry first.
    func certificates() throws {
        let sheet = try sheet("certificates", [("code", 10), ("agency", 28), ("url", 36), ("subject", 40), ("issuer", 40),
                                               ("not after", 12), ("days left", 10), ("expired", 10)])
        for (index, certificate) in report.details.certificates.enumerated() {
            write(sheet, index + 1, [text(certificate.agencyCode), text(certificate.agencyName), text(certificate.url),
                                     text(certificate.subject), text(certificate.issuer), .day(certificate.notAfter),
                                     .integer(certificate.daysLeft), .bool(certificate.expired)])
        }
    }

    /// The run: its id, kind, state, times, inventory, and where its TLS figures come from.
    func run() throws {
        let sheet = try sheet("run", [("", 26), ("", 60)])
        let run = report.run
        var facts: [(String, Cell)] = [("run id", .number(Double(run.id))), ("kind", .text(l[run.kind])), ("state", .text(l[run.state])),
                                       ("started", .date(run.startedAt)), ("ended", run.endedAt.map(Cell.date) ?? .empty),
                                       ("time zone", .text(Self.zoneName(book.timeZone, at: run.startedAt))),
                                       ("inventory", text(run.inventoryPath)), ("sha256", .text(run.inventoryHash)),
                                       ("title", text(run.title)), ("note", text(run.note))]
        if let resumed = run.resumedFrom { facts.append(("resumes run", .number(Double(resumed)))) }
        if let from = report.endpointsFrom { facts.append(("TLS endpoints from run", .number(Double(from.id)))) }
        facts.append(("result", text(report.resultSentence(l))))
        for (index, fact) in facts.enumerated() {
            sheet.write(index + 1, 0, .text(l.sheetWord(fact.0)))
            sheet.write(index + 1, 1, fact.1)
        }
    }

    /// "Asia/Ho_Chi_Minh (UTC+07:00)".
    static func zoneName(_ zone: TimeZone, at date: Date) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        let sign = seconds < 0 ? "-" : "+", minutes = abs(seconds) / 60
        return "\(zone.identifier) (UTC\(sign)\(String(format: "%02d:%02d", minutes / 60, minutes % 60)))"
    }
}
