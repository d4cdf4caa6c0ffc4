import Foundation
import NetauditCore
import NetauditReports
import NetauditStore

/// A period a report covers: `[from, to)`, cut into days in the history's time zone.
public struct ReportPeriod: Sendable, Equatable {
    public var from: Date
    public var to: Date

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// The calendar month `yyyy-MM` in `timeZone`; nil when malformed.
    public static func month(_ text: String, timeZone: TimeZone) -> ReportPeriod? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              (1...12).contains(month) else { return nil }
        return span(year: year, month: month, months: 1, timeZone: timeZone)
    }

    /// The calendar year `yyyy` in `timeZone`; nil when malformed.
    public static func year(_ text: String, timeZone: TimeZone) -> ReportPeriod? {
        guard text.count == 4, let year = Int(text), year >= 1970 else { return nil }
        return span(year: year, month: 1, months: 12, timeZone: timeZone)
    }

    /// `from` and `to` as days (`yyyy-MM-dd`, `to` included) or ISO 8601 times.
    public static func dates(from: String, to: String, timeZone: TimeZone) -> ReportPeriod? {
        guard let start = date(from, timeZone: timeZone, endOfDay: false), let end = date(to, timeZone: timeZone, endOfDay: true),
              start < end else { return nil }
        return ReportPeriod(from: start, to: end)
    }

    /// The month `now` falls in.
    public static func currentMonth(now: Date, timeZone: TimeZone) -> ReportPeriod {
        let parts = HistoryDay.calendar(timeZone).dateComponents([.year, .month], from: now)
        return span(year: parts.year ?? 2026, month: parts.month ?? 1, months: 1, timeZone: timeZone)!
    }

    private static func span(year: Int, month: Int, months: Int, timeZone: TimeZone) -> ReportPeriod? {
        let calendar = HistoryDay.calendar(timeZone)
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let end = calendar.date(byAdding: .month, value: months, to: start) else { return nil }
        return ReportPeriod(from: start, to: end)
    }

    /// A day (its start, or with `endOfDay` the start of the next day) or an ISO 8601 time.
    private static func date(_ text: String, timeZone: TimeZone, endOfDay: Bool) -> Date? {
        if let day = HistoryDay.dayInterval(text, timeZone: timeZone) { return endOfDay ? day.end : day.start }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)
    }
}

extension PeriodReport {
    /// The period report of `period` from the store's history: the intervals and roll-ups
    /// that overlap it, counted against the inventory of the newest complete run before its
    /// end (over `inventoryPath`, when given).
    public static func load(from store: any HistoryReader & ResultReader, period: ReportPeriod, now: Date = Date(),
                            inventoryPath: String? = nil) async throws(StoreError) -> PeriodReport {
        let settings = store.history
        guard let run = try await store.latestInventory(before: min(period.to, now), inventoryPath: inventoryPath) else {
            throw StoreError(.invalidRequest, path: store.location, message: "no complete run before the end of the period: nothing to report on")
        }
        // A period that is not over yet (the current month) ends now: the rest is not history yet.
        let end = max(period.from.addingTimeInterval(1), min(period.to, now))
        let intervals = try await store.intervals(overlapping: DateInterval(start: period.from, end: end))
        let days = HistoryDay.days(from: period.from, to: end, timeZone: settings.timeZone)
        let rollups = days.isEmpty ? [] : try await store.rollups(from: days.first!, to: days.last!)
        return PeriodReport(inventory: run.inventory, intervals: intervals, rollups: rollups, from: period.from, to: end,
                            now: now, settings: settings)
    }
}
