import Foundation
import NetauditCore

/// What the period saw of a set of agencies, in seconds and counts, before it becomes
/// percentages: one agency's, then summed over a level or a unit's agencies.
struct PeriodTally: Sendable {
    var agencies = 0
    var withLink = 0
    /// Agencies observed at some time and never down or unreachable.
    var connectedThroughout = 0
    var connected: Double = 0
    var observed: Double = 0
    var dailyConnected: [Double]
    var dailyObserved: [Double]
    var outages = 0
    var outageSeconds: Double = 0
    var endpointsObserved = 0
    var endpointsCompliantThroughout = 0

    init(days: Int) {
        dailyConnected = Array(repeating: 0, count: days)
        dailyObserved = Array(repeating: 0, count: days)
    }

    mutating func add(_ other: PeriodTally) {
        agencies += other.agencies
        withLink += other.withLink
        connectedThroughout += other.connectedThroughout
        connected += other.connected
        observed += other.observed
        for day in dailyConnected.indices {
            dailyConnected[day] += other.dailyConnected[day]
            dailyObserved[day] += other.dailyObserved[day]
        }
        outages += other.outages
        outageSeconds += other.outageSeconds
        endpointsObserved += other.endpointsObserved
        endpointsCompliantThroughout += other.endpointsCompliantThroughout
    }

    /// One agency's link over the period: one sweep of its segments, each split over the
    /// days it overlaps.
    static func link(_ segments: [PeriodSegment], outages: [PeriodReport.Outage], in window: PeriodWindow) -> PeriodTally {
        var tally = PeriodTally(days: window.days.count)
        tally.agencies = 1
        tally.withLink = 1
        for segment in segments {
            guard let condition = LinkCondition(rawValue: segment.state), condition.isObserved else { continue }
            let connected = condition.isConnected
            tally.observed += segment.end - segment.start
            if connected { tally.connected += segment.end - segment.start }
            window.forEachDay(segment.start, segment.end) { day, seconds in
                tally.dailyObserved[day] += seconds
                if connected { tally.dailyConnected[day] += seconds }
            }
        }
        tally.outages = outages.count
        tally.outageSeconds = outages.reduce(0) { $0 + $1.durationSeconds }
        if tally.observed > 0 && tally.outages == 0 { tally.connectedThroughout = 1 }
        return tally
    }
}

extension PeriodReport.Figures {
    /// The percentages of a tally, against a target in percent.
    init(_ tally: PeriodTally, targetPercent: Double, periodSeconds: Double) {
        func percent(_ part: Double, _ whole: Double) -> Double? { whole > 0 ? part / whole * 100 : nil }
        agencies = tally.agencies
        agenciesWithLink = tally.withLink
        connectedThroughout = tally.connectedThroughout
        connectedSeconds = tally.connected
        observedSeconds = tally.observed
        availabilityPercent = percent(tally.connected, tally.observed)
        observedPercent = percent(tally.observed, Double(tally.withLink) * periodSeconds) ?? 0
        dailyRatePercent = tally.dailyConnected.indices.map { percent(tally.dailyConnected[$0], tally.dailyObserved[$0]) }
        let rates = dailyRatePercent.compactMap { $0 }
        observedDays = rates.count
        meanDailyRatePercent = rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
        minDailyRatePercent = rates.min()
        // A day meets the target at its rate ≥ target, give or take rounding (1e-9 of a percent).
        daysMet = rates.filter { $0 >= targetPercent - 1e-9 }.count
        self.targetPercent = targetPercent
        outages = tally.outages
        outageSeconds = tally.outageSeconds
        endpointsObserved = tally.endpointsObserved
        endpointsCompliantThroughout = tally.endpointsCompliantThroughout
    }
}
