import Foundation
import NetauditCore

/// One link sweep's figures for one agency, as a day's roll-up takes them: when the run
/// observed, the share of requests lost, and the median round trip (nil without answers).
public struct SweepFigure: Sendable, Hashable {
    public var at: Date
    public var lossPercent: Double
    public var rttMedianMs: Double?

    public init(at: Date, lossPercent: Double, rttMedianMs: Double? = nil) {
        self.at = at
        self.lossPercent = lossPercent
        self.rttMedianMs = rttMedianMs
    }

    /// The figures of one observation, for the run that observed at `at`.
    public init(at: Date, observation: LinkObservation) {
        self.init(at: at, lossPercent: observation.lossPercent, rttMedianMs: observation.roundTrip?.median)
    }
}

/// Percentiles as roll-ups report them: nearest rank, so every figure is one a sweep
/// really measured (no interpolation). The p-th percentile of n sorted values is the value
/// of rank ⌈p/100 × n⌉ (rank 1 at least); the median is the 50th, the lower middle value
/// when n is even.
public enum NearestRank {
    /// nil for no values; `percent` is clamped to [0, 100].
    public static func percentile(_ percent: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let clamped = min(max(percent, 0), 100)
        let rank = Int((clamped / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    public static func median(_ values: [Double]) -> Double? { percentile(50, of: values) }
}

/// Rolls one agency's day up, from the intervals of its link and endpoints that overlap the
/// day and the day's sweep figures. Deterministic: the same intervals, figures and `now`
/// always give the same roll-up, so it can be computed again after a crash.
///
/// Time, per subject, between the day's start and its horizon (the day's end, or `now` for
/// the day in progress):
/// - a closed interval counts its state over `[start, end)`, clipped to the day;
/// - an open interval counts its state over `[start, end)`, and over the tail from `end` to
///   the horizon too while `now - end <= maxGap` (the next run will extend it; the gap of
///   the subject's kind, `HistorySettings.maxGap(for:)`); once
///   `now - end > maxGap`, `IntervalBook` will make that tail `not_observed`, and so is it
///   counted here;
/// - time no interval covers is `not_observed`; where intervals overlap (they should not),
///   the one that starts later wins, so each second counts once.
/// The link's five conditions add up to the day's length (or its part up to `now`), each
/// endpoint's four conditions too, summed over the endpoints in `endpointSeconds`.
///
/// A roll-up computed soon after midnight is provisional: an open interval's tail counts
/// while the next run may still come, and a run that started before midnight may still
/// complete and extend an interval. Computed once `settled(day:)` has passed and no run
/// started before the day's end is still running, it is final: later runs change nothing
/// in the day.
///
/// The sweep figures counted are those with `at` inside the day (and not after `now`):
/// `sweeps` is their number, the loss median and maximum are over all of them, the round
/// trip median and 95th percentile over those with a round trip (`NearestRank`).
public struct DailyRollupBuilder: Sendable {
    public var settings: HistorySettings

    public init(settings: HistorySettings) {
        self.settings = settings
    }

    /// The roll-up of `day` (`yyyy-MM-dd` in `settings.timeZone`) for `agencyCode`; nil when
    /// `day` is malformed. `intervals` may hold other agencies' intervals (ignored);
    /// `endpointURLs` names endpoints counted even without an interval that day (all
    /// `not_observed` then). `now` defaults to after the day (a day over).
    public func rollup(day: String, agencyCode: String, intervals: [StateInterval], sweeps: [SweepFigure],
                       endpointURLs: [String] = [], now: Date? = nil) -> DailyRollup? {
        guard let whole = HistoryDay.dayInterval(day, timeZone: settings.timeZone) else { return nil }
        let now = now ?? whole.end
        let horizon = max(whole.start, min(whole.end, now))
        let window = DateInterval(start: whole.start, end: horizon)

        let mine = intervals.filter { $0.subject.agencyCode == agencyCode }
        let linkIntervals = mine.filter { $0.subject.isLink }
        var linkSeconds = Dictionary(uniqueKeysWithValues: LinkCondition.allCases.map { ($0.rawValue, 0.0) })
        for (state, seconds) in secondsPerState(linkIntervals, window: window, now: now, maxGap: settings.maxGap) {
            linkSeconds[state, default: 0] += seconds
        }

        var endpointSeconds = Dictionary(uniqueKeysWithValues: EndpointCondition.allCases.map { ($0.rawValue, 0.0) })
        let byURL = Dictionary(grouping: mine.filter { !$0.subject.isLink }) { $0.subject.url ?? "" }
        for url in Set(byURL.keys).union(endpointURLs).sorted() {
            for (state, seconds) in secondsPerState(byURL[url] ?? [], window: window, now: now, maxGap: settings.endpointMaxGap) {
                endpointSeconds[state, default: 0] += seconds
            }
        }

        let counted = sweeps.filter { window.start <= $0.at && $0.at < whole.end && $0.at <= now }.sorted { $0.at < $1.at }
        let losses = counted.map(\.lossPercent)
        let roundTrips = counted.compactMap(\.rttMedianMs)
        return DailyRollup(day: day, agencyCode: agencyCode, sweeps: counted.count, linkSeconds: linkSeconds,
                           lossPercentMedian: NearestRank.median(losses), lossPercentMax: losses.max(),
                           rttMillisecondsMedian: NearestRank.median(roundTrips),
                           rttMillisecondsP95: NearestRank.percentile(95, of: roundTrips),
                           endpointSeconds: endpointSeconds)
    }

    /// When the day's roll-up no longer depends on runs still to come (the day's end plus
    /// the longer of the two gaps), runs in flight aside; nil when `day` is malformed.
    public func settled(day: String) -> Date? {
        HistoryDay.dayInterval(day, timeZone: settings.timeZone)?.end.addingTimeInterval(max(settings.maxGap, settings.endpointMaxGap))
    }

    /// Seconds per state of one subject's intervals over `window` (see the type's comment);
    /// the uncovered time under `not_observed`. The values add up to the window's length.
    func secondsPerState(_ intervals: [StateInterval], window: DateInterval, now: Date, maxGap: TimeInterval) -> [String: Double] {
        let notObserved = LinkCondition.notObserved.rawValue
        var seconds: [String: Double] = [notObserved: 0]
        guard window.duration > 0 else { return seconds }

        // Each interval as the stretch it counts for, clipped to the window; later starts
        // last, so that they win where stretches overlap.
        let stretches: [Stretch] = intervals.compactMap { interval in
            var end = interval.end
            if interval.open && now.timeIntervalSince(interval.end) <= maxGap { end = max(end, window.end) }
            let start = max(interval.start, window.start)
            end = min(end, window.end)
            return start < end ? Stretch(start: start, end: end, state: interval.state) : nil
        }.sorted { ($0.start, $0.end, $0.state) < ($1.start, $1.end, $1.state) }

        var cuts = Set([window.start, window.end])
        for stretch in stretches {
            cuts.insert(stretch.start)
            cuts.insert(stretch.end)
        }
        let ordered = cuts.sorted()
        // `begun`: how many stretches start at or before the piece; the winner is the last of
        // them that lasts over it (the one just before, when intervals tile time as they should).
        var begun = 0
        for (from, to) in zip(ordered, ordered.dropFirst()) {
            while begun < stretches.count && stretches[begun].start <= from { begun += 1 }
            let state = stretches[..<begun].last { to <= $0.end }?.state ?? notObserved
            seconds[state, default: 0] += to.timeIntervalSince(from)
        }
        return seconds
    }

    /// One interval's counted stretch within the window.
    struct Stretch {
        let start: Date
        let end: Date
        let state: String
    }
}
