import Foundation

/// How the reports write a moment for a reader: in local time, the zone shown, in the
/// reader's convention. English: "2026-12-07 08:25 +07:00"; Vietnamese: "07/12/2026 08:25
/// (GMT+7)". The JSON keeps ISO 8601 in UTC; this is for the table and the HTML only.
public struct ReportTime: Sendable {
    public let timeZone: TimeZone
    /// `vi`: dd/mm/yyyy and "GMT+7"; anything else: yyyy-mm-dd and "+07:00".
    public let language: String

    public init(language: String, timeZone: TimeZone = .current) {
        self.language = language
        self.timeZone = timeZone
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day: "2026-12-07", or "07/12/2026" in Vietnamese.
    public func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let (y, m, d) = (c.year ?? 0, c.month ?? 0, c.day ?? 0)
        return language == "vi" ? String(format: "%02d/%02d/%04d", d, m, y) : String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The day and the minute, with the zone: "2026-12-07 08:25 +07:00", "07/12/2026 08:25 (GMT+7)".
    public func time(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return "\(day(date)) " + String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0) + " " + zone(date)
    }

    /// The zone's offset at `date`: "+07:00" ("GMT+7" in Vietnamese, in parentheses).
    public func zone(_ date: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) % 3600 / 60
        if language == "vi" {
            return "(GMT\(sign)\(hours)" + (minutes == 0 ? "" : String(format: ":%02d", minutes)) + ")"
        }
        return sign + String(format: "%02d:%02d", hours, minutes)
    }
}

extension ReportLabels {
    /// The reports' times in this language and the labels' time zone (the process's by default).
    public var times: ReportTime { ReportTime(language: language, timeZone: timeZone ?? .current) }

    /// These labels, with times shown in `zone`.
    public func inTimeZone(_ zone: TimeZone) -> ReportLabels {
        var labels = self
        labels.timeZone = zone
        return labels
    }
}
