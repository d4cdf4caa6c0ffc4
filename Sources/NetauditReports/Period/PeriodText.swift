import Foundation
import NetauditCore

/// How the period report writes its figures and protects its cells, in every format.
enum PeriodText {
    /// A percentage with two decimals (99.29%), or "-" when nothing was observed.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.2f%%", $0) } ?? "-"
    }

    /// A length of time: "2 h 05 min", "10 min", "45 s".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        let hours = total / 3600, minutes = (total % 3600) / 60
        return hours > 0 ? String(format: "%d h %02d min", hours, minutes) : "\(minutes) min"
    }

    /// A date and time in the report's time zone, to the minute: "2026-11-02 14:00".
    static func dateTime(_ date: Date, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// Text from the inventory in an HTML page: shown (`displaySafe`) and escaped, so that
    /// a name can neither add markup nor leave an attribute.
    static func html(_ text: String) -> String {
        text.displaySafe.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// One CSV field: `displaySafe`, guarded against formula injection (a cell starting with
    /// `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe, so a spreadsheet shows it as
    /// text), and quoted per RFC 4180 when needed. Numbers are written by the report and
    /// passed with `number: true`, never guarded.
    static func csvField(_ raw: String, number: Bool = false) -> String {
        let text = number ? raw.displaySafe : SpreadsheetText.guarded(raw.displaySafe)
        return text.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
