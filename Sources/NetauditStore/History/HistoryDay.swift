import Foundation

/// Days as history cuts them: `yyyy-MM-dd` in the history's time zone (Gregorian
/// calendar), from one local midnight to the next, so a day lasts 86 400 s except where
/// the zone changes its clocks.
public enum HistoryDay {
    /// The Gregorian calendar in `timeZone`.
    public static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day `date` falls in.
    public static func day(of date: Date, timeZone: TimeZone) -> String {
        let parts = calendar(timeZone).dateComponents([.year, .month, .day], from: date)
        return format(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
    }

    /// The days the half-open range `[from, to)` touches, in order (none when `to <= from`).
    public static func days(from: Date, to: Date, timeZone: TimeZone) -> [String] {
        guard to > from else { return [] }
        let calendar = calendar(timeZone)
        var days: [String] = []
        var start = calendar.startOfDay(for: from)
        while start < to {
            days.append(day(of: start, timeZone: timeZone))
            guard let next = nextDay(after: start, calendar) else { break }
            start = next
        }
        return days
    }

    /// The ended days still to roll up before `now`'s day: from the day after `rolledThrough`
    /// (the last day rolled up), or, before any, from the day of `firstObserved` (the start of
    /// the first interval, seconds since 1970); none when neither is known. What both store
    /// backends roll up after a run completes.
    public static func daysToRollUp(rolledThrough: String?, firstObserved: Double?, now: Date,
                                    timeZone: TimeZone) -> [String] {
        let from: Date
        if let rolledThrough, let interval = dayInterval(rolledThrough, timeZone: timeZone) {
            from = interval.end
        } else if let firstObserved {
            from = Date(timeIntervalSince1970: firstObserved)
        } else {
            return []
        }
        guard let todayStart = dayInterval(day(of: now, timeZone: timeZone), timeZone: timeZone)?.start else { return [] }
        return days(from: from, to: todayStart, timeZone: timeZone)
    }

    /// The day as `[local midnight, next local midnight)`; nil when `day` is not a
    /// `yyyy-MM-dd` date (a stored value is never trusted to crash the daemon).
    public static func dayInterval(_ day: String, timeZone: TimeZone) -> DateInterval? {
        let fields = day.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
              let year = Int(fields[0]), let month = Int(fields[1]), let dayOfMonth = Int(fields[2]) else { return nil }
        let calendar = calendar(timeZone)
        // Noon, then back to the day's start: a midnight a clock change skips still finds
        // the day.
        let parts = DateComponents(year: year, month: month, day: dayOfMonth, hour: 12)
        guard parts.isValidDate(in: calendar), let noon = calendar.date(from: parts) else { return nil }
        let start = calendar.startOfDay(for: noon)
        guard let end = nextDay(after: start, calendar), end > start else { return nil }
        return DateInterval(start: start, end: end)
    }

    /// The start of the day after the one starting at `start`.
    static func nextDay(after start: Date, _ calendar: Calendar) -> Date? {
        guard let noon = calendar.date(byAdding: .hour, value: 36, to: start) else { return nil }
        return calendar.startOfDay(for: noon)
    }

    static func format(year: Int, month: Int, day: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
