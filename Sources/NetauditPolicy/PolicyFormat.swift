import Foundation

/// How findings write values: numbers without needless decimals, dates in UTC, whole days.
enum PolicyFormat {
    static let secondsPerDay: Double = 86_400

    /// `20`, `33.3`, `150.5`: at most one decimal, none when whole.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(rounded)
    }

    /// `2026-10-28` (UTC): the date in messages.
    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    /// `2026-10-28T12:00:00Z`: the date in evidence.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// Whole days in `interval` (rounded down, sign dropped).
    static func wholeDays(_ interval: TimeInterval) -> Int {
        Int((abs(interval) / secondsPerDay).rounded(.down))
    }

    /// `1 day`, `30 days`.
    static func days(_ count: Int) -> String {
        count == 1 ? "1 day" : "\(count) days"
    }

    /// `365 days`, `1 day`, `less than a day` for a span of seconds.
    static func span(seconds: Int) -> String {
        seconds < 86_400 ? "less than a day" : days(seconds / 86_400)
    }

    /// `in 6 days`, `in less than a day` for a time `interval` seconds ahead.
    static func ahead(_ interval: TimeInterval) -> String {
        let count = wholeDays(interval)
        return count == 0 ? "in less than a day" : "in \(days(count))"
    }

    /// `30 days ago`, `less than a day ago` for a time `interval` seconds past.
    static func ago(_ interval: TimeInterval) -> String {
        let count = wholeDays(interval)
        return count == 0 ? "less than a day ago" : "\(days(count)) ago"
    }

    /// `a, b, c`.
    static func list(_ items: [String]) -> String {
        items.joined(separator: ", ")
    }
}
