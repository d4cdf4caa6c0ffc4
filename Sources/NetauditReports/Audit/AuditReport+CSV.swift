import Foundation

extension AuditReport {
    /// The CSV's columns after the first eleven, in order (their English names).
    static let csvAddedColumns = ["parent", "district", "run id", "run date", "urls", "earliest certificate expiry",
                                  "highest severity", "message"]

    /// One row per agency, for a spreadsheet: UTF-8 with a byte-order mark (so that
    /// spreadsheets read the Vietnamese names right), CRLF line ends, RFC 4180 quoting, text
    /// guarded against formula injection (`SpreadsheetText`). The first eleven columns are
    /// those of every version; after them: the parent's code, the district's name, the run's
    /// id and start (ISO 8601 with the offset of `timeZone`, by default the machine's), the
    /// endpoints' URLs (space-separated), the earliest leaf-certificate expiry (yyyy-MM-dd
    /// in `timeZone`), the highest severity of the agency's findings and that finding's message.
    public func csv(_ labels: ReportLabels = .english, timeZone: TimeZone = .current) -> String {
        let text = { (raw: String) in PeriodText.csvField(raw) }
        let number = { (raw: String) in PeriodText.csvField(raw, number: true) }
        let header = labels.csvHeader + Self.csvAddedColumns.map(labels.sheetWord)
        let moment = ISO8601DateFormatter()
        moment.timeZone = timeZone
        let day = ISO8601DateFormatter()
        day.timeZone = timeZone
        day.formatOptions = [.withFullDate]
        let runDate = moment.string(from: run.startedAt)
        var lines = [header.map(text).joined(separator: ",")]
        for row in rows {
            let details = self.details.agencies[row.code]
            var fields = [text(row.code), text(row.name), text(row.level), text(row.path.joined(separator: " › ")),
                          text(labels.linkState(row.linkState))]
            fields += [row.lossPercent.map { String(format: "%.1f", $0) } ?? "",
                       row.medianMilliseconds.map { String(format: "%.3f", $0) } ?? "",
                       "\(row.endpoints)", "\(row.compliantEndpoints)"].map(number)
            fields += [text(row.findings.joined(separator: " ")), text(row.anchors.joined(separator: " "))]
            // TODO: the message in the report's language once ReportLabels translates findings.
            fields += [text(details?.parent ?? ""), text(details?.district ?? ""), number("\(run.id)"), text(runDate),
                       text((details?.urls ?? []).joined(separator: " ")), text(details?.earliestExpiry.map(day.string) ?? ""),
                       text(details?.topFinding?.severity.rawValue ?? ""), text(details?.topFinding?.message ?? "")]
            lines.append(fields.joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}
