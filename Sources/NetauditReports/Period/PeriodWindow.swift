import Foundation
import NetauditCore

/// The period a report covers, cut into days: [from, to), the time the report is made
/// (`now`, for open intervals still holding), the history settings (the longest gap that
/// still counts as observed, and the time zone the days are cut in). Times are seconds
/// since 1970, so the sweeps compare plain numbers.
struct PeriodWindow: Sendable {
    /// One calendar day of the period in the history's time zone, clipped to the period.
    struct Day: Sendable {
        /// `yyyy-MM-dd` in the history's time zone.
        let label: String
        let start: Double
        let end: Double
        var seconds: Double { end - start }
    }

    let from: Double
    let to: Double
    let now: Double
    let maxGap: Double
    let days: [Day]

    init(from: Date, to: Date, now: Date, settings: HistorySettings) {
        self.from = from.timeIntervalSince1970
        self.to = max(self.from, to.timeIntervalSince1970)
        self.now = now.timeIntervalSince1970
        maxGap = settings.maxGap
        days = Self.days(from: from, to: max(from, to), timeZone: settings.timeZone)
    }

    var seconds: Double { to - from }

    /// The calendar days that overlap [from, to), each clipped to it: a period starting at
    /// 14:00 has a first day of ten hours.
    static func days(from: Date, to: Date, timeZone: TimeZone) -> [Day] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        var days: [Day] = []
        var dayStart = calendar.startOfDay(for: from)
        while dayStart < to {
            // 1 day later in the calendar (not 86 400 s: a zone with daylight saving has 23 and 25 h days).
            guard let next = calendar.date(byAdding: .day, value: 1, to: dayStart), next > dayStart else { break }
            days.append(Day(label: formatter.string(from: dayStart),
                            start: max(dayStart, from).timeIntervalSince1970, end: min(next, to).timeIntervalSince1970))
            dayStart = next
        }
        return days
    }

    /// The index of the day holding time `t` (the first day for a time before the period,
    /// the last for one after): a binary search, the days being in order.
    func dayIndex(containing t: Double) -> Int {
        var low = 0, high = days.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if days[middle].start <= t { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Calls `body(day, seconds)` for each day that [start, end) overlaps, with the seconds
    /// of the overlap; [start, end) must already lie inside the period.
    func forEachDay(_ start: Double, _ end: Double, _ body: (Int, Double) -> Void) {
        guard !days.isEmpty, end > start else { return }
        var index = dayIndex(containing: start)
        while index < days.count, days[index].start < end {
            let overlap = min(end, days[index].end) - max(start, days[index].start)
            if overlap > 0 { body(index, overlap) }
            index += 1
        }
    }
}

/// One stretch of one subject's history as the period sees it: an interval clipped to the
/// period, an open interval still holding extended to `now` (at most the period's end).
struct PeriodSegment: Sendable {
    let state: String
    let start: Double
    let end: Double
    let cause: String?
    /// The stretch reaches the period's end, or is the open interval still holding at `now`:
    /// an outage ending with it is ongoing.
    let ongoing: Bool

    /// The segments of one subject's intervals, in time order. An open interval whose last
    /// run is at most `maxGap` before `now` holds up to `now` (capped at the period's end);
    /// a stale one ends at its last run, and the rest is not observed (no segment).
    static func segments(of intervals: [StateInterval], in window: PeriodWindow) -> [PeriodSegment] {
        var segments: [PeriodSegment] = []
        segments.reserveCapacity(intervals.count)
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            var end = interval.end.timeIntervalSince1970
            let holding = interval.open && window.now - end <= window.maxGap
            if holding { end = max(end, min(window.now, window.to)) }
            let start = max(interval.start.timeIntervalSince1970, window.from)
            let clippedEnd = min(end, window.to)
            guard clippedEnd > start else { continue }
            segments.append(PeriodSegment(state: interval.state, start: start, end: clippedEnd, cause: interval.cause,
                                          ongoing: holding || end >= window.to))
        }
        return segments
    }
}
