import Foundation
import NetauditCore
import NetauditStore
import Testing

/// HistoryDay, NearestRank and DailyRollupBuilder: days, percentiles and one agency's day.
struct HistoryRollupTests {
    @Test func theDaysToRollUpStartAfterTheLastRolledOrAtTheFirstObservation() {
        let now = Self.dayStart + 3600  // 2026-12-06, 01:00 in Vietnam
        #expect(HistoryDay.daysToRollUp(rolledThrough: "2026-12-03", firstObserved: nil, now: now, timeZone: Self.vietnam)
                == ["2026-12-04", "2026-12-05"])
        // Before any day was rolled up: from the first observation's day, today excluded.
        #expect(HistoryDay.daysToRollUp(rolledThrough: nil, firstObserved: (Self.dayStart - 2 * 86_400 + 7200).timeIntervalSince1970,
                                        now: now, timeZone: Self.vietnam) == ["2026-12-04", "2026-12-05"])
        #expect(HistoryDay.daysToRollUp(rolledThrough: "2026-12-05", firstObserved: nil, now: now, timeZone: Self.vietnam).isEmpty)
        #expect(HistoryDay.daysToRollUp(rolledThrough: nil, firstObserved: nil, now: now, timeZone: Self.vietnam).isEmpty)
        // A damaged stored day falls back to the first observation.
        #expect(HistoryDay.daysToRollUp(rolledThrough: "garbage", firstObserved: (Self.dayStart - 86_400).timeIntervalSince1970,
                                        now: now, timeZone: Self.vietnam) == ["2026-12-05"])
    }

    static let vietnam = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let settings = HistorySettings(maxGap: 900, timeZone: vietnam, endpointMaxGap: 7200)
    /// 2026-12-06 00:00 in Vietnam (UTC+7).
    static let dayStart = Date(timeIntervalSince1970: 1_796_490_000)
    static func t(_ seconds: Double) -> Date { dayStart.addingTimeInterval(seconds) }
    static let link = HistorySubject.link("52")

    // MARK: days

    @Test func daysAndDayIntervals() throws {
        #expect(HistoryDay.day(of: Self.dayStart, timeZone: Self.vietnam) == "2026-12-06")
        #expect(HistoryDay.day(of: Self.t(-1), timeZone: Self.vietnam) == "2026-12-05")
        let interval = try #require(HistoryDay.dayInterval("2026-12-06", timeZone: Self.vietnam))
        #expect(interval.start == Self.dayStart)
        #expect(interval.duration == 86_400)

        #expect(HistoryDay.days(from: Self.t(3 * 3600), to: Self.t(86_400 + 3 * 3600), timeZone: Self.vietnam) == ["2026-12-06", "2026-12-07"])
        #expect(HistoryDay.days(from: Self.dayStart, to: Self.t(86_400), timeZone: Self.vietnam) == ["2026-12-06"])
        #expect(HistoryDay.days(from: Self.t(-1), to: Self.t(1), timeZone: Self.vietnam) == ["2026-12-05", "2026-12-06"])
        #expect(HistoryDay.days(from: Self.t(10), to: Self.t(10), timeZone: Self.vietnam) == [])
        #expect(HistoryDay.days(from: Self.t(-86_400 * 30), to: Self.dayStart, timeZone: Self.vietnam).count == 30)
        #expect(HistoryDay.days(from: Self.t(-86_400 * 6), to: Self.dayStart, timeZone: Self.vietnam).first == "2026-11-30")

        // Days are cut where the zone says: the same instant is another day in UTC.
        #expect(HistoryDay.day(of: Self.dayStart, timeZone: TimeZone(identifier: "UTC")!) == "2026-12-05")
    }

    @Test func daysAcrossClockChanges() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(try #require(HistoryDay.dayInterval("2026-03-29", timeZone: berlin)).duration == 23 * 3600)
        #expect(try #require(HistoryDay.dayInterval("2026-10-25", timeZone: berlin)).duration == 25 * 3600)
        #expect(try #require(HistoryDay.dayInterval("2026-10-26", timeZone: berlin)).duration == 24 * 3600)
        let autumn = try #require(HistoryDay.dayInterval("2026-10-25", timeZone: berlin))
        #expect(HistoryDay.days(from: autumn.start, to: autumn.end, timeZone: berlin) == ["2026-10-25"])
        #expect(HistoryDay.days(from: autumn.start, to: autumn.end.addingTimeInterval(1), timeZone: berlin) == ["2026-10-25", "2026-10-26"])
    }

    @Test func malformedDays() {
        for day in ["", "2026-12", "2026-13-01", "2026-02-30", "26-12-06", "2026-12-6", "abcd-ef-gh", "2026-12-06x"] {
            #expect(HistoryDay.dayInterval(day, timeZone: Self.vietnam) == nil, "\(day)")
        }
        #expect(DailyRollupBuilder(settings: Self.settings).rollup(day: "yesterday", agencyCode: "52", intervals: [], sweeps: []) == nil)
    }

    // MARK: percentiles

    @Test func nearestRankPercentiles() {
        let values: [Double] = [40, 15, 50, 35, 20]
        #expect(NearestRank.percentile(5, of: values) == 15)
        #expect(NearestRank.percentile(30, of: values) == 20)
        #expect(NearestRank.percentile(40, of: values) == 20)
        #expect(NearestRank.percentile(50, of: values) == 35)
        #expect(NearestRank.percentile(100, of: values) == 50)
        #expect(NearestRank.percentile(0, of: values) == 15)
        #expect(NearestRank.median([1, 2, 3, 4]) == 2)
        #expect(NearestRank.median([7]) == 7)
        #expect(NearestRank.median([]) == nil)
        #expect(NearestRank.percentile(95, of: (1...100).map(Double.init)) == 95)
        #expect(NearestRank.percentile(95, of: (1...20).map(Double.init)) == 19)
        #expect(NearestRank.percentile(95, of: (1...19).map(Double.init)) == 19)
    }

    // MARK: roll-ups by hand

    static func interval(_ state: LinkCondition, _ start: Double, _ end: Double, open: Bool = false) -> StateInterval {
        StateInterval(subject: link, state: state.rawValue, start: t(start), end: t(end), open: open, firstRun: RunID(1), lastRun: RunID(1))
    }

    static func total(_ seconds: [String: Double]) -> Double { seconds.values.reduce(0, +) }

    @Test func secondsAddUpToTheDay() throws {
        // From the day before: up until 01:00, down until 02:00, a restart gap until 03:00,
        // then up, open, last seen at 23:55 (a day over, looked at the next morning).
        let intervals = [
            Self.interval(.up, -7200, 3600),
            Self.interval(.down, 3600, 7200),
            Self.interval(.notObserved, 7200, 10800),
            Self.interval(.up, 10800, 86_100, open: true),
        ]
        let builder = DailyRollupBuilder(settings: Self.settings)
        let nextMorning = try #require(builder.rollup(day: "2026-12-06", agencyCode: "52", intervals: intervals, sweeps: [],
                                                      now: Self.t(86_400 + 8 * 3600)))
        #expect(nextMorning.linkSeconds == ["up": 3600 + 75_300, "degraded": 0, "down": 3600, "unreachable": 0, "not_observed": 3600 + 300])
        #expect(Self.total(nextMorning.linkSeconds) == 86_400)
        #expect(nextMorning.sweeps == 0 && nextMorning.lossPercentMedian == nil && nextMorning.rttMillisecondsP95 == nil)
        #expect(nextMorning.endpointSeconds == ["compliant": 0, "noncompliant": 0, "unreachable": 0, "not_observed": 0])

        // Just after midnight, the next run still to come: the tail counts as up.
        let justAfter = try #require(builder.rollup(day: "2026-12-06", agencyCode: "52", intervals: intervals, sweeps: [],
                                                    now: Self.t(86_400 + 60)))
        let up: Double = 3600 + 75_600  // typed: a bare integer sum here is not compared as a Double
        #expect(justAfter.linkSeconds["up"] == up)
        #expect(justAfter.linkSeconds["not_observed"] == 3600)
        #expect(Self.total(justAfter.linkSeconds) == 86_400)
    }

    @Test func aDaySettlesAfterTheLongerGap() {
        let builder = DailyRollupBuilder(settings: Self.settings)
        #expect(builder.settled(day: "2026-12-06") == Self.t(86_400 + 7200))
        #expect(builder.settled(day: "6 Dec") == nil)
    }

    @Test func todayCountsUpToNow() throws {
        let intervals = [Self.interval(.degraded, 0, 3000, open: true)]
        let builder = DailyRollupBuilder(settings: Self.settings)
        let rollup = try #require(builder.rollup(day: "2026-12-06", agencyCode: "52", intervals: intervals, sweeps: [
            SweepFigure(at: Self.t(0), lossPercent: 40, rttMedianMs: 90),
            SweepFigure(at: Self.t(3000), lossPercent: 20, rttMedianMs: 200),
            SweepFigure(at: Self.t(-300), lossPercent: 100),
            SweepFigure(at: Self.t(86_400), lossPercent: 100),
        ], endpointURLs: ["https://gialai.gov.vn/"], now: Self.t(3600)))
        #expect(rollup.linkSeconds["degraded"] == 3600)
        #expect(Self.total(rollup.linkSeconds) == 3600)
        #expect(rollup.endpointSeconds["not_observed"] == 3600)
        #expect(rollup.sweeps == 2)
        #expect(rollup.lossPercentMedian == 20 && rollup.lossPercentMax == 40)
        #expect(rollup.rttMillisecondsMedian == 90 && rollup.rttMillisecondsP95 == 200)

        // A day not begun yet has nothing.
        let tomorrow = try #require(builder.rollup(day: "2026-12-07", agencyCode: "52", intervals: intervals, sweeps: [], now: Self.t(3600)))
        #expect(Self.total(tomorrow.linkSeconds) == 0)
    }

    @Test func otherAgenciesAndEndpointsSumUp() throws {
        let endpoint = { (url: String, state: EndpointCondition, start: Double, end: Double, open: Bool) in
            StateInterval(subject: HistorySubject(agencyCode: "52", url: url), state: state.rawValue, start: Self.t(start),
                          end: Self.t(end), open: open, firstRun: RunID(1), lastRun: RunID(1))
        }
        let intervals = [
            Self.interval(.up, 0, 86_400),
            StateInterval(subject: .link("5201"), state: "down", start: Self.t(0), end: Self.t(86_400), open: false,
                          firstRun: RunID(1), lastRun: RunID(1)),
            endpoint("https://a.gialai.gov.vn/", .compliant, 0, 43_200, false),
            endpoint("https://a.gialai.gov.vn/", .noncompliant, 43_200, 86_000, true),
            endpoint("https://b.gialai.gov.vn/", .unreachable, -86_400, 3600, true),
        ]
        let rollup = try #require(DailyRollupBuilder(settings: Self.settings)
            .rollup(day: "2026-12-06", agencyCode: "52", intervals: intervals, sweeps: [],
                    endpointURLs: ["https://a.gialai.gov.vn/", "https://c.gialai.gov.vn/"], now: Self.t(86_400 + 1800)))
        #expect(rollup.linkSeconds["up"] == 86_400 && rollup.linkSeconds["down"] == 0)
        // a: compliant half a day, then noncompliant (open, seen within the endpoints' gap);
        // b: unreachable until 01:00 and its tail beyond the gap; c: never seen.
        #expect(rollup.endpointSeconds == ["compliant": 43_200, "noncompliant": 43_200, "unreachable": 3600,
                                           "not_observed": 86_400 - 3600 + 86_400])
    }

    // MARK: roll-ups against a brute-force reference

    /// A state a run saw at a time.
    struct Seen {
        let at: Date
        let condition: ObservedCondition
    }

    /// The condition at each minute of the window, from the runs alone: from a run to the
    /// next its state holds when they are at most `maxGap` apart, and is not observed
    /// otherwise; before the first run nothing is observed; after the last, its state holds
    /// while `now` is at most `maxGap` after it.
    static func reference(_ seen: [Seen], from: Date, to: Date, now: Date, maxGap: TimeInterval) -> [String: Double] {
        var seconds: [String: Double] = [:]
        var minute = from
        while minute < to {
            var state = "not_observed"
            if let index = seen.lastIndex(where: { $0.at <= minute }) {
                let next = index + 1 < seen.count ? seen[index + 1].at : nil
                let held = next.map { $0.timeIntervalSince(seen[index].at) <= maxGap } ?? (now.timeIntervalSince(seen[index].at) <= maxGap)
                if held { state = seen[index].condition.state }
            }
            seconds[state, default: 0] += 60
            minute = minute.addingTimeInterval(60)
        }
        return seconds
    }

    /// The smallest value at least `percent`% of the values are at or under (nearest rank,
    /// by its definition).
    static func referencePercentile(_ percent: Double, _ values: [Double]) -> Double? {
        values.sorted().first { value in Double(values.filter { $0 <= value }.count) >= percent / 100 * Double(values.count) }
    }

    static func nonZero(_ seconds: [String: Double]) -> [String: Double] { seconds.filter { $0.value != 0 } }

    /// Three days of link sweeps every 5 minutes (288 a day) with random states, some
    /// sweeps skipped and some outages of the daemon, and an hourly endpoint check; the
    /// roll-ups of the first two days (looked at on the morning of the fourth) and of the
    /// third up to midday must say what the minute-by-minute reference says.
    @Test(arguments: Array<UInt64>(0..<12))
    func rollupsMatchAMinuteByMinuteReference(seed: UInt64) throws {
        var random = SeededGenerator(seed: 0x6E65_7461_7564_6974 &+ seed)
        let endpoint = HistorySubject(agencyCode: "52", url: "https://gialai.gov.vn/")
        let firstDay = Self.t(-86_400)
        var links: [Seen] = []
        var endpoints: [Seen] = []
        var figures: [SweepFigure] = []
        var condition = LinkCondition.up
        var stoppedUntil = -1
        for slot in 0..<(3 * 288) {
            let at = firstDay.addingTimeInterval(Double(slot) * 300)
            if slot % 12 == 1, Double.random(in: 0..<1, using: &random) < 0.8 {
                let verdict = [EndpointCondition.compliant, .compliant, .noncompliant, .unreachable].randomElement(using: &random)!
                endpoints.append(Seen(at: at.addingTimeInterval(120), condition: ObservedCondition.endpoint(verdict)))
            }
            if slot < stoppedUntil { continue }
            if Double.random(in: 0..<1, using: &random) < 0.02 {
                stoppedUntil = slot + Int.random(in: 1...30, using: &random)  // the daemon stopped
                continue
            }
            if Double.random(in: 0..<1, using: &random) < 0.15 { continue }  // a sweep aborted
            if Double.random(in: 0..<1, using: &random) < 0.2 {
                condition = [LinkCondition.up, .degraded, .down, .unreachable].randomElement(using: &random)!
            }
            let cause = condition.isOutage ? ["52", "5201"].randomElement(using: &random) : nil
            links.append(Seen(at: at, condition: ObservedCondition.link(condition, cause: cause)))
            switch condition {
            case .up: figures.append(SweepFigure(at: at, lossPercent: Double(Int.random(in: 0...2, using: &random)) * 10,
                                                 rttMedianMs: Double(Int.random(in: 5...60, using: &random))))
            case .degraded: figures.append(SweepFigure(at: at, lossPercent: Double(Int.random(in: 2...6, using: &random)) * 10,
                                                       rttMedianMs: Double(Int.random(in: 100...400, using: &random))))
            default: figures.append(SweepFigure(at: at, lossPercent: 100))
            }
        }

        // Apply every run in order of its time, as the store will when each completes.
        func history(upTo now: Date) -> MemoryHistory {
            var history = MemoryHistory(settings: Self.settings)
            let runs = (links.map { (Self.link, $0) } + endpoints.map { (endpoint, $0) })
                .filter { $0.1.at <= now }.sorted { $0.1.at < $1.1.at }
            for (number, (subject, seen)) in runs.enumerated() {
                history.apply(run: Int64(number + 1), at: seen.at, [subject: seen.condition])
            }
            return history
        }

        // The intervals tile time from the first run on: each starts where the one before
        // ends, and only the newest is open.
        let whole = history(upTo: Self.t(3 * 86_400))
        for subject in [Self.link, endpoint] {
            let rows = whole.intervals(subject)
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.end == $1.start })
            #expect(rows.map(\.open) == Array(repeating: false, count: rows.count - 1) + [true])
            #expect(rows.first?.start == (subject == Self.link ? links : endpoints).first?.at)
        }

        var statesSeen: Set<String> = []
        let builder = DailyRollupBuilder(settings: Self.settings)
        let fourthMorning = Self.t(2 * 86_400 + 8 * 3600)
        let midday = Self.t(86_400 + 12 * 3600 + 420)
        for (day, now) in [("2026-12-05", fourthMorning), ("2026-12-06", fourthMorning), ("2026-12-07", midday)] {
            let window = try #require(HistoryDay.dayInterval(day, timeZone: Self.vietnam))
            let horizon = min(window.end, now)
            let book = history(upTo: now)
            let intervals = book.all.filter { $0.start < window.end && $0.end >= window.start || $0.open }
            let rollup = try #require(builder.rollup(day: day, agencyCode: "52", intervals: intervals, sweeps: figures, now: now))

            let seenLinks = links.filter { $0.at <= now }
            let seenEndpoints = endpoints.filter { $0.at <= now }
            #expect(Self.nonZero(rollup.linkSeconds)
                == Self.reference(seenLinks, from: window.start, to: horizon, now: now, maxGap: Self.settings.maxGap), "\(day)")
            #expect(Self.nonZero(rollup.endpointSeconds)
                == Self.reference(seenEndpoints, from: window.start, to: horizon, now: now, maxGap: Self.settings.endpointMaxGap), "\(day)")
            #expect(Self.total(rollup.linkSeconds) == horizon.timeIntervalSince(window.start))
            statesSeen.formUnion(Self.nonZero(rollup.linkSeconds).keys)
            #expect(Set(rollup.linkSeconds.keys) == Set(LinkCondition.allCases.map(\.rawValue)))

            let dayFigures = figures.filter { window.start <= $0.at && $0.at < horizon }
            #expect(rollup.sweeps == dayFigures.count)
            #expect(rollup.sweeps == seenLinks.filter { window.start <= $0.at && $0.at < horizon }.count)
            let losses = dayFigures.map(\.lossPercent)
            let roundTrips = dayFigures.compactMap(\.rttMedianMs)
            #expect(rollup.lossPercentMax == losses.max())
            #expect(rollup.lossPercentMedian == Self.referencePercentile(50, losses))
            #expect(rollup.rttMillisecondsMedian == Self.referencePercentile(50, roundTrips))
            #expect(rollup.rttMillisecondsP95 == Self.referencePercentile(95, roundTrips))
        }
        // The sequence is varied enough to say something: every condition and some gaps.
        #expect(statesSeen == Set(LinkCondition.allCases.map(\.rawValue)))
    }
}
