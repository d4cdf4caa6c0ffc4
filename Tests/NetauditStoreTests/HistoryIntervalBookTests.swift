import Foundation
import NetauditCore
import NetauditStore
import Testing

/// The intervals table as the store will keep it, in memory: rows found by their key;
/// `apply` writes an `IntervalBook` answer back the way the backend will.
struct MemoryHistory {
    var rows: [HistorySubject: [StateInterval]] = [:]
    var settings: HistorySettings

    init(settings: HistorySettings = HistorySettings(maxGap: 900, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)) {
        self.settings = settings
    }

    /// The newest interval of each subject.
    /// The newest interval of each subject: the one that ends last, and of two that end
    /// together, the later start (a zero-length interval and the gap after it end apart).
    var newest: [HistorySubject: StateInterval] {
        rows.compactMapValues { intervals in intervals.max { ($0.end, $0.start) < ($1.end, $1.start) } }
    }

    var all: [StateInterval] {
        rows.keys.sorted().flatMap { intervals($0) }
    }

    /// In time order: by start, then end (a zero-length interval before the gap after it).
    func intervals(_ subject: HistorySubject) -> [StateInterval] {
        (rows[subject] ?? []).sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }

    /// Applies one run and returns the changes it made.
    @discardableResult
    mutating func apply(run: Int64, at: Date, _ observed: [HistorySubject: ObservedCondition]) -> IntervalChanges {
        let changes = IntervalBook.apply(run: RunID(run), at: at, observed: observed, newest: newest, settings: settings)
        for update in changes.updates {
            let index = rows[update.subject]!.firstIndex { $0.key == update.key }!
            #expect(rows[update.subject]![index].open, "only the open interval is rewritten")
            rows[update.subject]![index] = update
        }
        for insert in changes.inserts {
            #expect(!(rows[insert.subject] ?? []).contains { $0.key == insert.key }, "two rows for \(insert.key)")
            rows[insert.subject, default: []].append(insert)
        }
        return changes
    }
}

/// IntervalBook: what one complete run does to the intervals.
struct HistoryIntervalBookTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func t(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
    static let link = HistorySubject.link("52")
    static let other = HistorySubject.link("21583")
    static let endpoint = HistorySubject.endpoint(EndpointKey(agencyCode: "52", url: "https://gialai.gov.vn/"))

    static func state(_ condition: LinkCondition, cause: String? = nil) -> [HistorySubject: ObservedCondition] {
        [link: ObservedCondition.link(condition, cause: cause)]
    }

    @Test func upDownUpGivesThreeIntervalsAndOneOutage() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.up))
        history.apply(run: 2, at: Self.t(300), Self.state(.up))
        history.apply(run: 3, at: Self.t(600), Self.state(.up))
        history.apply(run: 4, at: Self.t(900), Self.state(.down, cause: "52"))
        history.apply(run: 5, at: Self.t(1200), Self.state(.down, cause: "52"))
        history.apply(run: 6, at: Self.t(1500), Self.state(.up))

        let rows = history.intervals(Self.link)
        #expect(rows == [
            StateInterval(subject: Self.link, state: "up", start: Self.t(0), end: Self.t(900), open: false,
                          firstRun: RunID(1), lastRun: RunID(3)),
            StateInterval(subject: Self.link, state: "down", start: Self.t(900), end: Self.t(1500), open: false, cause: "52",
                          firstRun: RunID(4), lastRun: RunID(5)),
            StateInterval(subject: Self.link, state: "up", start: Self.t(1500), end: Self.t(1500), open: true,
                          firstRun: RunID(6), lastRun: RunID(6)),
        ])
        let outages = rows.filter { $0.linkCondition?.isOutage == true }
        #expect(outages.count == 1)
        #expect(outages.first?.duration == 600)
    }

    @Test func firstRunOpensAnInterval() {
        let changes = IntervalBook.apply(run: RunID(7), at: Self.t(0), observed: Self.state(.degraded), newest: [:],
                                         settings: HistorySettings(maxGap: 900))
        #expect(changes.updates.isEmpty)
        #expect(changes.inserts == [StateInterval(subject: Self.link, state: "degraded", start: Self.t(0), end: Self.t(0), open: true,
                                                  firstRun: RunID(7), lastRun: RunID(7))])
    }

    @Test func aRestartGapIsNotObservedAndNeverUpOrDown() throws {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.down, cause: "52"))
        history.apply(run: 2, at: Self.t(300), Self.state(.down, cause: "52"))
        // The daemon is stopped for an hour; the link is still down when it comes back.
        let changes = history.apply(run: 3, at: Self.t(3900), Self.state(.down, cause: "52"))
        #expect(changes.updates.map(\.open) == [false])
        #expect(changes.updates.first?.end == Self.t(300))

        let rows = history.intervals(Self.link)
        #expect(rows.map(\.state) == ["down", "not_observed", "down"])
        #expect(rows.map(\.start) == [Self.t(0), Self.t(300), Self.t(3900)])
        #expect(rows.map(\.end) == [Self.t(300), Self.t(3900), Self.t(3900)])
        #expect(rows.map(\.open) == [false, false, true])
        #expect(rows[1].firstRun == RunID(2) && rows[1].lastRun == RunID(3))
        #expect(rows[1].cause == nil)

        let outage = rows.filter { $0.linkCondition?.isOutage == true }.reduce(0) { $0 + $1.duration }
        #expect(outage == 300)
    }

    @Test func aGapOfExactlyMaxGapStillExtends() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.up))
        history.apply(run: 2, at: Self.t(900), Self.state(.up))
        history.apply(run: 3, at: Self.t(1801), Self.state(.up))
        #expect(history.intervals(Self.link).map(\.state) == ["up", "not_observed", "up"])
        #expect(history.intervals(Self.link)[0].end == Self.t(900))
    }

    @Test func aStateChangeAfterAGapStartsAtTheRun() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.up))
        history.apply(run: 2, at: Self.t(5000), Self.state(.down, cause: "52"))
        #expect(history.intervals(Self.link).map(\.state) == ["up", "not_observed", "down"])
        #expect(history.intervals(Self.link).map(\.start) == [Self.t(0), Self.t(0), Self.t(5000)])
    }

    @Test func aReplayedOrLateRunChangesNothing() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.up))
        history.apply(run: 2, at: Self.t(300), Self.state(.down, cause: "52"))
        let before = history.all

        // The same run again (re-applied after a crash), then an older one completing late.
        #expect(history.apply(run: 2, at: Self.t(300), Self.state(.down, cause: "52")).isEmpty)
        #expect(history.apply(run: 1, at: Self.t(0), Self.state(.up)).isEmpty)
        #expect(history.apply(run: 9, at: Self.t(200), Self.state(.degraded)).isEmpty)
        #expect(history.all == before)

        // And a whole sequence applied twice gives what it gave once.
        var twice = MemoryHistory()
        for round in 0..<2 {
            for (index, condition) in [LinkCondition.up, .down, .down, .unreachable, .up].enumerated() {
                twice.apply(run: Int64(index + 1), at: Self.t(Double(index) * 300), Self.state(condition))
            }
            if round == 0 { #expect(twice.all.count == 4) }
        }
        #expect(twice.all.count == 4)
    }

    @Test func subjectsNotCoveredAreUntouched() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), [Self.link: ObservedCondition.link(.up), Self.other: ObservedCondition.link(.up),
                                                Self.endpoint: ObservedCondition.endpoint(.compliant)])
        // A link sweep of the province only, an hour later.
        let changes = history.apply(run: 2, at: Self.t(3600), Self.state(.up))
        #expect(Set(changes.updates.map(\.subject) + changes.inserts.map(\.subject)) == [Self.link])
        #expect(history.intervals(Self.other) == [StateInterval(subject: Self.other, state: "up", start: Self.t(0), end: Self.t(0),
                                                                open: true, firstRun: RunID(1), lastRun: RunID(1))])
        #expect(history.intervals(Self.endpoint).count == 1)
        #expect(history.intervals(Self.endpoint)[0].open)
    }

    @Test func notObservedIsNeverAnObservation() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.up))
        #expect(history.apply(run: 2, at: Self.t(300), Self.state(.notObserved)).isEmpty)
    }

    @Test func aChangedCauseKeepsOneIntervalAndTheFirstCause() {
        var history = MemoryHistory()
        history.apply(run: 1, at: Self.t(0), Self.state(.unreachable, cause: "5201"))
        history.apply(run: 2, at: Self.t(300), Self.state(.unreachable, cause: "52"))
        let rows = history.intervals(Self.link)
        #expect(rows.count == 1)
        #expect(rows[0].cause == "5201")
        #expect(rows[0].end == Self.t(300))
        #expect(rows[0].lastRun == RunID(2))
    }

    @Test func endpointVerdictChanges() {
        var history = MemoryHistory()
        let day = 86_400.0
        history.apply(run: 1, at: Self.t(0), [Self.endpoint: ObservedCondition.endpoint(.compliant)])
        history.apply(run: 2, at: Self.t(day), [Self.endpoint: ObservedCondition.endpoint(.noncompliant,
                                                                                  cause: "cert.expired,tls.protocol")])
        history.apply(run: 3, at: Self.t(2 * day), [Self.endpoint: ObservedCondition.endpoint(.noncompliant,
                                                                                      cause: "cert.expired")])
        history.apply(run: 4, at: Self.t(3 * day), [Self.endpoint: ObservedCondition.endpoint(.compliant)])
        // Four days without an audit.
        history.apply(run: 5, at: Self.t(7 * day), [Self.endpoint: ObservedCondition.endpoint(.unreachable, cause: "tls.unreachable")])

        let rows = history.intervals(Self.endpoint)
        #expect(rows.map(\.state) == ["compliant", "noncompliant", "compliant", "not_observed", "unreachable"])
        #expect(rows.map(\.start) == [Self.t(0), Self.t(day), Self.t(3 * day), Self.t(3 * day), Self.t(7 * day)])
        #expect(rows.map(\.end) == [Self.t(day), Self.t(3 * day), Self.t(3 * day), Self.t(7 * day), Self.t(7 * day)])
        #expect(rows[1].cause == "cert.expired,tls.protocol")
        #expect(rows.map(\.endpointCondition) == [.compliant, .noncompliant, .compliant, .notObserved, .unreachable])
    }

    @Test func aClosedNewestIsNotExtended() {
        let closed = StateInterval(subject: Self.link, state: "up", start: Self.t(0), end: Self.t(300), open: false,
                                   firstRun: RunID(1), lastRun: RunID(2))
        let changes = IntervalBook.apply(run: RunID(3), at: Self.t(600), observed: Self.state(.up), newest: [Self.link: closed],
                                         settings: HistorySettings(maxGap: 900))
        #expect(changes.updates.isEmpty)
        #expect(changes.inserts.map(\.state) == ["not_observed", "up"])
        #expect(changes.inserts.map(\.start) == [Self.t(300), Self.t(600)])
    }

    @Test func settingsGiveEachKindOfSubjectItsGap() throws {
        let settings = HistorySettings(maxGap: 600, timeZone: TimeZone(identifier: "UTC")!, endpointMaxGap: 90_000)
        #expect(settings.maxGap(for: Self.link) == 600)
        #expect(settings.maxGap(for: Self.endpoint) == 90_000)
        let decoded = try JSONDecoder().decode(HistorySettings.self, from: JSONEncoder().encode(settings))
        #expect(decoded == settings)
        // Settings written before the endpoints had their own gap.
        var old = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(settings)) as? [String: Any])
        old["endpointMaxGap"] = nil
        let older = try JSONDecoder().decode(HistorySettings.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(older.maxGap == 600 && older.endpointMaxGap == HistorySettings.defaultEndpointMaxGap)
    }

    @Test func changesAreSortedBySubject() {
        let observed: [HistorySubject: ObservedCondition] = [
            Self.endpoint: ObservedCondition.endpoint(.compliant), Self.other: ObservedCondition.link(.down, cause: "21583"),
            Self.link: ObservedCondition.link(.up),
        ]
        let changes = IntervalBook.apply(run: RunID(1), at: Self.t(0), observed: observed, newest: [:], settings: .standard)
        #expect(changes.inserts.map(\.subject) == [Self.other, Self.link, Self.endpoint])
    }
}
