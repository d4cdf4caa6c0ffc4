import Foundation
import NetauditCore

extension PeriodReport {
    /// One row per agency, for a spreadsheet, like the run report's: UTF-8 with a byte-order
    /// mark, CRLF line ends, RFC 4180 quoting; inventory text guarded against formula
    /// injection. Availability has two decimals, empty when nothing was observed.
    public func csv(_ labels: ReportLabels = .english) -> String {
        let header = ["code", "name", "level", "parent", "path", "link", "availability %", "observed seconds",
                      "outages", "outage seconds", "endpoints", "days non-compliant"]
        var lines = [header.map { PeriodText.csvField(labels[$0]) }.joined(separator: ",")]
        for agency in agencies {
            let text = [agency.code, agency.name, agency.level, agency.parent ?? "", agency.path.joined(separator: " › "),
                        agency.hasLink ? labels["yes"] : labels["no"]].map { PeriodText.csvField($0) }
            let numbers = [agency.availabilityPercent.map { String(format: "%.2f", $0) } ?? "", String(format: "%.0f", agency.observedSeconds),
                           "\(agency.outages)", String(format: "%.0f", agency.outageSeconds), "\(agency.endpoints)",
                           "\(agency.daysNoncompliant)"].map { PeriodText.csvField($0, number: true) }
            lines.append((text + numbers).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}
