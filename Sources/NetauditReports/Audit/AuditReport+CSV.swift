import Foundation

extension AuditReport {
    /// One row per agency, for a spreadsheet: UTF-8 with a byte-order mark (so that
    /// spreadsheets read the Vietnamese names right), CRLF line ends, RFC 4180 quoting.
    public func csv(_ labels: ReportLabels = .english) -> String {
        func field(_ raw: String) -> String {
            let text = raw.displaySafe
            return text.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [labels.csvHeader.map(field).joined(separator: ",")]
        for row in rows {
            lines.append([row.code, row.name, row.level, row.path.joined(separator: " › "), labels.linkState(row.linkState),
                          row.lossPercent.map { String(format: "%.1f", $0) } ?? "",
                          row.medianMilliseconds.map { String(format: "%.3f", $0) } ?? "",
                          "\(row.endpoints)", "\(row.compliantEndpoints)", row.findings.joined(separator: " "),
                          row.anchors.joined(separator: " ")]
                .map(field).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}
