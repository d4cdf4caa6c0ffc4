import Foundation
import GRDB
import NetauditCore
@testable import NetauditStoreSQLite
import NetauditStore
@testable import NetauditStorePostgres
import Testing

/// History through a real `SQLiteStore` on SQLite files in a temporary folder, and (where
/// the seam is what is tested) a real PostgreSQL database: intervals kept as runs complete,
/// compact sweep rows (SQLite's), roll-ups, retention, take-over and errors.
/// Every run has explicit start and end times; nothing sleeps.
struct HistoryStoreTests {
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let settings = HistorySettings(timeZone: zone)

    /// Four agencies with links: A the province node, B and C communes, D a commune behind A.
    static let inventory = Inventory(title: "Lịch sử", levels: ["province", "commune"], agencies: [
        Agency(code: "A", name: "Tỉnh A", level: "province", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9)), children: [
            Agency(code: "B", name: "Xã B", level: "commune", link: Link(address: IPAddress(127, 0, 0, 2))),
            Agency(code: "C", name: "Xã C", level: "commune", link: Link(address: IPAddress(127, 0, 0, 3), method: .tcp(port: 9))),
            Agency(code: "D", name: "Xã D", level: "commune", link: Link(address: IPAddress(127, 0, 0, 4), via: "A")),
        ]),
    ], files: ["inventory.yaml"])

    /// Another inventory (for the inventories no run refers to any more).
    static let otherInventory = Inventory(title: "Khác", levels: ["province"], agencies: [
        Agency(code: "A", name: "Tỉnh A", level: "province", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9))),
    ], files: ["other.yaml"])

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-history-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A local time in the history's zone.
    static func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        HistoryDay.calendar(zone).date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    }

    static func address(_ code: String) -> IPAddress {
        inventory.allAgencies.first { $0.code == code }!.link!.address
    }
    static func method(_ code: String) -> Link.Method {
        inventory.allAgencies.first { $0.code == code }!.link!.method
    }

    /// A link result as a sweep records it: `sent` requests, `received` answers, a median
    /// round trip in whole microseconds (the compact row's precision).
    static func link(_ code: String, _ state: LinkState, sent: Int = 4, received: Int? = nil, rttMicros: Int? = nil,
                     at: Date, findings: [Finding]? = nil) -> LinkResult {
        let received = received ?? (state == .down ? 0 : sent)
        var trip: RoundTripStatistics?
        if received > 0 {
            let median = Double(rttMicros ?? 12_345) / 1000
            let micros = rttMicros ?? 12_345
            trip = RoundTripStatistics(minimum: Double(micros - 500) / 1000, median: median, average: median,
                                       maximum: Double(micros + 2_000) / 1000, jitter: 0, samples: received)
        }
        let transport: LinkObservation.Transport = method(code) == .icmp ? .icmpRaw : .tcp
        let observation = LinkObservation(address: address(code), method: method(code), transport: transport, sent: sent, received: received,
                                          roundTrip: trip, started: at)
        let defaultFindings: [Finding] = state == .down
            ? [Finding(id: "link.down", severity: .high, message: "No answer.")] : []
        return LinkResult(agencyCode: code, observation: observation, state: state, findings: findings ?? defaultFindings)
    }

    static func unreachable(_ code: String, via: String, at: Date) -> LinkResult {
        link(code, .down, at: at, findings: [Finding(id: "link.unreachable", severity: .high, message: "Down behind \(via).",
                                                    evidence: ["link.via": via])])
    }

    /// One complete (or aborted) run of `kind` that started at `at` and ended 20 s later.
    @discardableResult
    static func sweep(_ store: any ResultStore, at: Date, _ links: [LinkResult], kind: RunKind = .linkSweep,
                      state: RunState = .complete, inventory: Inventory = inventory) async throws -> RunID {
        let id = try await store.beginRun(kind: kind, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "h",
                                          startedAt: at, resuming: nil)
        try await store.record(links: links, endpoints: [], in: id, at: at.addingTimeInterval(10))
        try await store.finishRun(id, state: state, endedAt: at.addingTimeInterval(20))
        return id
    }

    static func count(_ store: SQLiteStore, _ sql: String) async throws -> Int {
        try await store.reader.read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    /// Applies run `run`'s history once more, as a crash between two attempts would (after
    /// marking it not applied when `markedUnapplied`), in one transaction.
    static func applyHistoryAgain(_ store: any ResultStore, run: RunID, markedUnapplied: Bool) async throws {
        if let sqlite = store as? SQLiteStore {
            try await sqlite.pool!.write { db in
                if markedUnapplied { try db.execute(sql: "UPDATE runs SET history_applied = 0 WHERE id = ?", arguments: [run.value]) }
                try SQLiteStore.applyHistory(run: run.value, db: db, settings: Self.settings)
            }
            return
        }
        let postgres = try #require(store as? PostgresStore)
        let logger = postgres.logger
        try await postgres.write { connection in
            if markedUnapplied { try await connection.query("UPDATE runs SET history_applied = false WHERE id = \(run.value)", logger: logger) }
            try await PostgresStore.applyHistory(run: run.value, connection, logger: logger, settings: Self.settings)
        }
    }

    /// The code of the `StoreError` `body` throws (nil when it throws none).
    static func code<T>(_ body: () async throws -> T) async -> StoreError.Code? {
        do { _ = try await body(); return nil } catch { return (error as? StoreError)?.code ?? .other }
    }
    static func message<T>(_ body: () async throws -> T) async -> String? {
        do { _ = try await body(); return nil } catch { return (error as? StoreError)?.message ?? "\(error)" }
    }

    static let everything = DateInterval(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4_000_000_000))

    // MARK: 1. Intervals

    @Test(arguments: StoreBackend.testable)
    func anOutageIsOneIntervalBetweenTwoUpOnesAndAnUnreachableLinkBlamesItsViaNode(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 9)
        let states: [LinkState] = [.up, .up, .down, .down, .up]
        var runs: [RunID] = []
        for (index, state) in states.enumerated() {
            let at = t0.addingTimeInterval(Double(index) * 300)
            runs.append(try await Self.sweep(store, at: at, [
                Self.link("A", .up, at: at), Self.link("B", state, at: at), Self.link("C", .up, at: at),
                Self.unreachable("D", via: "A", at: at),
            ]))
        }
        let intervals = try await store.intervals(overlapping: Self.everything)
        let byAgency = Dictionary(grouping: intervals, by: \.subject.agencyCode)
        let t = { (minutes: Double) in t0.addingTimeInterval(minutes * 60) }

        let b = try #require(byAgency["B"])
        #expect(b.map(\.state) == ["up", "down", "up"])
        #expect(b.map(\.start) == [t(0), t(10), t(20)])
        #expect(b.map(\.end) == [t(10), t(20), t(20)])
        #expect(zip(b, b.dropFirst()).allSatisfy { $0.end == $1.start })  // contiguous
        #expect(b.map(\.open) == [false, false, true])
        #expect(b[1].cause == "B")
        #expect(b[1].firstRun == runs[2] && b[1].lastRun == runs[3])
        #expect(b.filter { $0.state == "down" }.count == 1)

        for code in ["A", "C"] {
            let only = try #require(byAgency[code])
            #expect(only.count == 1)
            #expect(only.first?.state == "up" && only.first?.start == t(0) && only.first?.end == t(20) && only.first?.open == true)
            #expect(only.first?.firstRun == runs[0] && only.first?.lastRun == runs[4])
        }
        let d = try #require(byAgency["D"])
        #expect(d.count == 1 && d.first?.state == "unreachable" && d.first?.cause == "A")
        #expect(d.first?.start == t(0) && d.first?.end == t(20))
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test(arguments: StoreBackend.testable)
    func aGapLongerThanMaxGapIsNotObservedAndCountsNeitherUpNorDown(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        let times = [Self.local(2026, 3, 10, 10, 0), Self.local(2026, 3, 10, 10, 5), Self.local(2026, 3, 10, 11, 0)]
        for at in times { try await Self.sweep(store, at: at, [Self.link("A", .up, at: at)]) }
        let intervals = try await store.intervals(overlapping: Self.everything)
        #expect(intervals.map(\.state) == ["up", "not_observed", "up"])
        #expect(intervals.map(\.start) == [times[0], times[1], times[2]])
        #expect(intervals.map(\.end) == [times[1], times[2], times[2]])
        #expect(intervals.map(\.open) == [false, false, true])
        #expect(intervals[1].cause == nil)

        // A sweep the next morning rolls the day up: 5 minutes up, the rest not observed.
        let morning = Self.local(2026, 3, 11, 0, 5)
        try await Self.sweep(store, at: morning, [Self.link("A", .up, at: morning)])
        let rollup = try #require(try await store.rollups(from: "2026-03-10", to: "2026-03-10").first)
        #expect(rollup.linkSeconds["up"] == 300)
        #expect(rollup.linkSeconds["down"] == 0 && rollup.linkSeconds["degraded"] == 0 && rollup.linkSeconds["unreachable"] == 0)
        #expect(rollup.linkSeconds["not_observed"] == 86_100.0)
        #expect(rollup.sweeps == 3)
    }

    // MARK: 3. Runs that do not move history, or move it once

    @Test(arguments: StoreBackend.testable)
    func abortedRunsLeaveHistoryAloneAndAFinishedRunAppliesOnce(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 9)
        try await Self.sweep(store, at: t0, [Self.link("A", .up, at: t0), Self.link("B", .up, at: t0)])
        let before = try await store.intervals(overlapping: Self.everything)

        // An aborted sweep that saw B down: no interval changes.
        let t1 = t0.addingTimeInterval(300)
        try await Self.sweep(store, at: t1, [Self.link("A", .up, at: t1), Self.link("B", .down, at: t1)], state: .aborted)
        #expect(try await store.intervals(overlapping: Self.everything) == before)

        // A complete one, finished twice (and aborted after): applied once.
        let t2 = t0.addingTimeInterval(600)
        let id = try await Self.sweep(store, at: t2, [Self.link("A", .up, at: t2), Self.link("B", .down, at: t2)])
        let after = try await store.intervals(overlapping: Self.everything)
        #expect(after.map(\.state) == ["up", "up", "down"])
        try await store.finishRun(id, state: .complete, endedAt: t2.addingTimeInterval(999))
        try await store.finishRun(id, state: .aborted, endedAt: t2.addingTimeInterval(999))
        #expect(try await store.intervals(overlapping: Self.everything) == after)
        #expect(try await store.run(id)?.endedAt == t2.addingTimeInterval(20))
        // Applying its history again (a crash between the two) changes nothing either.
        try await Self.applyHistoryAgain(store, run: id, markedUnapplied: false)
        try await Self.applyHistoryAgain(store, run: id, markedUnapplied: true)
        #expect(try await store.intervals(overlapping: Self.everything) == after)
    }

    @Test(arguments: StoreBackend.testable)
    func completeRunsWhoseHistoryWasNotAppliedAreAppliedAtOpen(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 22)
        // Three hours across midnight: B goes down, then a gap, then back up; an aborted run
        // in between that must stay out of history.
        var minute = 0.0
        while minute <= 180 {
            let at = t0.addingTimeInterval(minute * 60)
            let b: LinkState = minute >= 60 && minute < 90 ? .down : .up
            let skipped = minute > 120 && minute < 150
            if !skipped {
                try await Self.sweep(store, at: at, [Self.link("A", .up, at: at), Self.link("B", b, at: at), Self.unreachable("D", via: "A", at: at)],
                                     state: minute == 100 ? .aborted : .complete)
            }
            minute += 5
        }
        let intervals = try await store.intervals(overlapping: Self.everything)
        let rollups = try await store.rollups(from: "2026-03-10", to: "2026-03-10")
        #expect(intervals.count == 3 + 5 + 3)  // A, D: up, not_observed, up; B: up, down, up, not_observed, up
        #expect(rollups.count == 3)

        // As if none of it had been applied (a store upgraded from v2, or a crash): reopen.
        for sql in ["DELETE FROM intervals", "DELETE FROM rollups", "DELETE FROM history_state", "UPDATE runs SET history_applied = 0"] {
            try await backend.execute(store, sql)
        }
        try await store.close()
        let reopened = try await backend.open(location, history: Self.settings)
        #expect(try await reopened.intervals(overlapping: Self.everything) == intervals)
        // (It rolls up to today as well, the days after all not observed: only the day compared.)
        #expect(try await reopened.rollups(from: "2026-03-10", to: "2026-03-10") == rollups)
        #expect(try await backend.count(reopened, "SELECT COUNT(*) FROM runs WHERE history_applied = 0 AND state = 'complete'") == 0)
        #expect(try await backend.count(reopened, "SELECT COUNT(*) FROM runs WHERE history_applied = 1 AND state = 'aborted'") == 0)
        #expect(try await reopened.integrityCheck() == "ok")
    }

    // MARK: 4. Compact rows

    @Test func unchangedLinksOfALaterSweepAreCompactRowsThatReadBackAsRecorded() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.sqlite"
        let store = try SQLiteStore(path: path, history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 9)
        let first = [Self.link("C", .up, rttMicros: 3_141, at: t0), Self.link("A", .degraded, sent: 10, received: 7, rttMicros: 170_001, at: t0),
                     Self.link("B", .up, rttMicros: 999, at: t0), Self.unreachable("D", via: "A", at: t0)]
        let run1 = try await Self.sweep(store, at: t0, first)
        #expect(try await Self.count(store, "SELECT COUNT(*) FROM sweep_links") == 0)  // no interval yet: all in full

        let t1 = t0.addingTimeInterval(300)
        let second = [Self.link("C", .up, rttMicros: 2_718, at: t1), Self.link("A", .degraded, sent: 10, received: 6, rttMicros: 180_500, at: t1),
                      Self.link("B", .up, rttMicros: 1_001, at: t1), Self.unreachable("D", via: "A", at: t1)]
        let run2 = try await Self.sweep(store, at: t1, second)
        #expect(try await Self.count(store, "SELECT COUNT(*) FROM sweep_links WHERE run_id = \(run2.value)") == 4)
        #expect(try await Self.count(store, "SELECT COUNT(*) FROM link_results WHERE run_id = \(run2.value)") == 0)

        let t2 = t0.addingTimeInterval(600)
        let third = [Self.link("C", .up, rttMicros: 4_000, at: t2), Self.link("B", .down, at: t2),
                     Self.link("A", .up, rttMicros: 20_000, at: t2), Self.unreachable("D", via: "A", at: t2)]
        let run3 = try await Self.sweep(store, at: t2, third)
        #expect(try await Self.count(store, "SELECT COUNT(*) FROM sweep_links WHERE run_id = \(run3.value)") == 2)  // C, D
        let changed = try store.reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT agency_code, observation_json, d.data AS dictionary FROM link_results LEFT JOIN dictionaries d ON d.id = dictionary_id
                WHERE run_id = ? ORDER BY seq
                """, arguments: [run3.value])
        }
        #expect(changed.map { $0["agency_code"] as String } == ["B", "A"])
        // Kept in full, deflated.
        #expect(changed.allSatisfy { row in
            (SQLiteStore.storedJSON(row["observation_json"], dictionary: row["dictionary"]).map { String(decoding: $0, as: UTF8.self) })?.contains("\"sent\"") == true
        })

        // Read back: the same agencies in recording order, states, figures; address and method
        // from the inventory; started is the run's start (a compact row keeps no time).
        let reader = try SQLiteStore(path: path, readOnly: true, history: Self.settings)
        #expect(try await reader.linkResults(run: run1) == first)
        for (run, recorded) in [(run2, second), (run3, third)] {
            let read = try await reader.linkResults(run: run)
            #expect(read.map(\.agencyCode) == recorded.map(\.agencyCode))
            #expect(read.map(\.state) == recorded.map(\.state))
            #expect(read.map(\.findings) == recorded.map(\.findings))
            #expect(read.map { $0.observation?.sent } == recorded.map { $0.observation?.sent })
            #expect(read.map { $0.observation?.received } == recorded.map { $0.observation?.received })
            #expect(read.map { $0.observation?.roundTrip?.median } == recorded.map { $0.observation?.roundTrip?.median })
            #expect(read.map { $0.observation?.roundTrip?.minimum } == recorded.map { $0.observation?.roundTrip?.minimum })
            #expect(read.map { $0.observation?.roundTrip?.maximum } == recorded.map { $0.observation?.roundTrip?.maximum })
            #expect(read.map { $0.observation?.address } == recorded.map { $0.observation?.address })
            #expect(read.map { $0.observation?.method } == recorded.map { $0.observation?.method })
            #expect(read.map { $0.observation?.transport } == recorded.map { $0.observation?.transport })
            #expect(read.map { $0.observation?.lossPercent } == recorded.map { $0.observation?.lossPercent })
            #expect(read.map { $0.observation?.state() } == recorded.map { $0.observation?.state() })
            #expect(read.allSatisfy { $0.observation?.started == (run == run2 ? t1 : t2) })
        }
    }

    // MARK: 5. Roll-ups against the raw rows

    @Test(arguments: StoreBackend.testable)
    func dailyRollUpsEqualABruteForceReadingOfTheSweeps(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        var random = SeededGenerator(seed: 20_260_310)
        let codes = ["A", "B", "C"]
        let start = Self.local(2026, 3, 9, 12)
        let end = Self.local(2026, 3, 11, 0, 10)
        // What was written: (time, agency) → (condition, loss %, RTT median ms?).
        struct Written { let at: Date; let code: String; let state: LinkState; let loss: Double; let rtt: Double? }
        var written: [Written] = []
        var times: [Date] = []
        var at = start
        while at <= end {
            defer { at = at.addingTimeInterval(300) }
            // Some sweeps skipped: mostly single ones (within maxGap), now and then three in a row.
            if Int.random(in: 0..<100, using: &random) < 8 { continue }
            if Int.random(in: 0..<200, using: &random) == 0 { at = at.addingTimeInterval(900); continue }
            var links: [LinkResult] = []
            for code in codes {
                let roll = Int.random(in: 0..<10, using: &random)
                let state: LinkState = roll < 6 ? .up : roll < 8 ? .degraded : .down
                let sent = 10
                let received = state == .up ? Int.random(in: 9...10, using: &random) : state == .degraded ? Int.random(in: 4...8, using: &random) : 0
                let micros = received > 0 ? Int.random(in: 1_000...400_000, using: &random) : nil
                let result = Self.link(code, state, sent: sent, received: received, rttMicros: micros, at: at)
                links.append(result)
                written.append(Written(at: at, code: code, state: state, loss: Double(sent - received) / Double(sent) * 100,
                                       rtt: micros.map { Double($0) / 1000 }))
            }
            try await Self.sweep(store, at: at, links)
            times.append(at)
        }
        #expect(times.last! >= Self.local(2026, 3, 11, 0))
        if backend == .sqlite { #expect(try await backend.count(store, "SELECT COUNT(*) FROM sweep_links") > 0) }
        #expect(try await backend.count(store, "SELECT COUNT(*) FROM link_results WHERE condition IS NOT NULL") > 0)

        func nearestRank(_ percent: Double, _ values: [Double]) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let rank = max(1, Int((percent / 100 * Double(sorted.count)).rounded(.up)))
            return sorted[rank - 1]
        }

        for day in ["2026-03-09", "2026-03-10"] {
            let window = HistoryDay.dayInterval(day, timeZone: Self.zone)!
            let stored = try await store.rollups(from: day, to: day)
            #expect(stored.map(\.agencyCode) == codes)
            for code in codes {
                let mine = written.filter { $0.code == code }
                // Seconds: each sweep's condition holds until the next sweep when that comes
                // within maxGap; otherwise that stretch is not observed, as is the time
                // before the first sweep and after the last.
                var seconds: [String: Int] = ["up": 0, "degraded": 0, "down": 0, "unreachable": 0, "not_observed": 0]
                func add(_ state: String, _ from: Date, _ to: Date) {
                    let a = max(from, window.start), b = min(to, window.end)
                    if a < b { seconds[state, default: 0] += Int(b.timeIntervalSince(a)) }
                }
                add("not_observed", window.start, mine.first!.at)
                for (this, next) in zip(mine, mine.dropFirst()) {
                    let gap = next.at.timeIntervalSince(this.at)
                    add(gap > Self.settings.maxGap ? "not_observed" : this.state.rawValue, this.at, next.at)
                }
                add("not_observed", mine.last!.at, window.end)
                let inDay = mine.filter { window.contains($0.at) && $0.at < window.end }
                let rollup = try #require(stored.first { $0.agencyCode == code })
                #expect(rollup.linkSeconds == seconds.mapValues(Double.init), "\(day) \(code)")
                #expect(rollup.linkSeconds.values.reduce(0, +) == 86_400)
                #expect(rollup.sweeps == inDay.count, "\(day) \(code)")
                #expect(rollup.lossPercentMedian == nearestRank(50, inDay.map(\.loss)), "\(day) \(code)")
                #expect(rollup.lossPercentMax == inDay.map(\.loss).max(), "\(day) \(code)")
                #expect(rollup.rttMillisecondsMedian == nearestRank(50, inDay.compactMap(\.rtt)), "\(day) \(code)")
                #expect(rollup.rttMillisecondsP95 == nearestRank(95, inDay.compactMap(\.rtt)), "\(day) \(code)")
                #expect(rollup.endpointSeconds["not_observed"] == 0)
            }
        }
        // The day in progress is not rolled up.
        #expect(try await store.rollups(from: "2026-03-11", to: "2026-03-11").isEmpty)
    }

    // MARK: 6. Retention

    @Test(arguments: StoreBackend.testable)
    func retentionByTier(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let settings = HistorySettings(timeZone: Self.zone, rawDays: 14, historyDays: 365)
        let store = try await backend.open(location, history: settings)
        let now = Self.local(2026, 6, 1, 12)
        let old = now.addingTimeInterval(-20 * 86_400)
        let recent = now.addingTimeInterval(-2 * 86_400)
        var oldSweeps: [RunID] = []
        for index in 0..<3 {
            let at = old.addingTimeInterval(Double(index) * 300)
            oldSweeps.append(try await Self.sweep(store, at: at, [Self.link("A", .up, at: at)], inventory: Self.otherInventory))
        }
        let audit = try await Self.sweep(store, at: old.addingTimeInterval(900), [Self.link("A", .up, at: old.addingTimeInterval(900))], kind: .audit)
        var recentSweeps: [RunID] = []
        for index in 0..<3 {
            let at = recent.addingTimeInterval(Double(index) * 300)
            recentSweeps.append(try await Self.sweep(store, at: at, [Self.link("A", .up, at: at)]))
        }
        let intervals = try await store.intervals(overlapping: Self.everything)
        #expect(intervals.map(\.state) == ["up", "not_observed", "up"])
        let rollups = try await store.rollups(from: "2000-01-01", to: "2099-12-31")
        // The old day (05-12) only: the days after it, up to the recent one, observed nothing
        // and need no row (a missing roll-up reads as not observed).
        #expect(rollups.count == 1 && rollups.first?.day == "2026-05-12", "\(rollups.map { $0.day })")
        #expect(try await backend.count(store, "SELECT COUNT(*) FROM inventories") == 2)

        // Raw tier: the old sweeps go (and the inventory only they used); the rest stays.
        let first = try await store.prune(now: now)
        #expect(first == PruneOutcome(runs: 3, intervals: 0, rollups: 0))
        #expect(try await store.runs(limit: 100).map(\.id).sorted() == [audit] + recentSweeps)
        #expect(try await store.intervals(overlapping: Self.everything) == intervals)
        #expect(try await store.rollups(from: "2000-01-01", to: "2099-12-31") == rollups)
        #expect(try await backend.count(store, "SELECT COUNT(*) FROM inventories") == 1)
        // The recent sweeps' rows: compact, the first too (its link is in its open interval's
        // condition, though the gap makes the time before it not observed).
        if backend == .sqlite { #expect(try await backend.count(store, "SELECT COUNT(*) FROM sweep_links") == 3) }
        #expect(try await backend.count(store, "SELECT COUNT(*) FROM findings") == 0)

        // History tier, 355 days later: history older than ten days before `now` goes (the
        // audit, the first closed interval, the roll-ups of days before the cutoff's); the
        // not-observed stretch that ends after the cutoff and the open interval stay.
        let later = now.addingTimeInterval(355 * 86_400)
        let second = try await store.prune(now: later)
        let cutoff = now.addingTimeInterval(-10 * 86_400)
        let cutoffDay = HistoryDay.day(of: cutoff, timeZone: Self.zone)
        let keptRollups = rollups.filter { $0.day >= cutoffDay }
        #expect(second.runs == 1 + 3)  // the audit, and the recent sweeps (raw tier)
        #expect(second.intervals == 1)
        #expect(second.rollups == rollups.count - keptRollups.count)
        #expect(try await store.runs(limit: 100).isEmpty)
        #expect(try await store.intervals(overlapping: Self.everything) == Array(intervals.dropFirst()))
        #expect(try await store.rollups(from: "2000-01-01", to: "2099-12-31") == keptRollups)
        #expect(keptRollups.isEmpty)
        #expect(try await backend.count(store, "SELECT COUNT(*) FROM inventories") == 0)
        #expect(try await store.integrityCheck() == "ok")
        _ = oldSweeps
    }

    // MARK: 7. Take-over

    @Test(arguments: StoreBackend.testable)
    func takingOverAnAbortedSweepCopiesItsCompactRows(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 9)
        try await Self.sweep(store, at: t0, [Self.link("A", .up, at: t0), Self.link("B", .up, at: t0), Self.link("C", .up, at: t0),
                                             Self.unreachable("D", via: "A", at: t0)])
        let t1 = t0.addingTimeInterval(300)
        let recorded = [Self.link("A", .up, rttMicros: 7_777, at: t1), Self.link("B", .down, at: t1), Self.unreachable("D", via: "A", at: t1)]
        let aborted = try await Self.sweep(store, at: t1, recorded, state: .aborted)
        if backend == .sqlite { #expect(try await backend.count(store, "SELECT COUNT(*) FROM sweep_links WHERE run_id = \(aborted.value)") == 2) }  // A, D

        let resumed = try await store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "inventory.yaml", inventoryHash: "h",
                                              startedAt: t1, resuming: aborted)
        let taken = try await store.takeOver(from: aborted, to: resumed, links: ["A", "B", "D"])
        #expect(taken.linkStates == ["A": .up, "B": .down, "D": .down])
        #expect(taken.endpoints.isEmpty)
        let original = try await store.linkResults(run: aborted)
        #expect(try await store.linkResults(run: resumed) == original)
        #expect(original == recorded)

        // The resumed run goes on after what it took over, and its history counts.
        let c = Self.link("C", .up, at: t1)
        try await store.record(c, in: resumed, at: t1.addingTimeInterval(30))
        try await store.finishRun(resumed, state: .complete, endedAt: t1.addingTimeInterval(40))
        #expect(try await store.linkResults(run: resumed).map(\.agencyCode) == ["A", "B", "D", "C"])
        let b = try await store.intervals(overlapping: Self.everything).filter { $0.subject.agencyCode == "B" }
        #expect(b.map(\.state) == ["up", "down"])
        #expect(b.last?.firstRun == resumed)

        // Only the links asked for.
        let partial = try await store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "inventory.yaml", inventoryHash: "h",
                                              startedAt: t1, resuming: aborted)
        let some = try await store.takeOver(from: aborted, to: partial, links: ["D"])
        #expect(some.linkStates == ["D": .down])
        #expect(try await store.linkResults(run: partial) == [recorded[2]])
    }

    /// An aborted run written before v3 (its link rows without a sequence number), resumed
    /// after the upgrade: what the new run takes over comes first, then what it probes.
    @Test func takingOverALegacyRunKeepsRecordingOrder() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite", history: Self.settings)
        let t0 = Self.local(2026, 3, 10, 9)
        // Rows before the aborted run's, so that its ids are not its positions.
        try await Self.sweep(store, at: t0, [Self.link("A", .up, at: t0), Self.link("B", .up, at: t0), Self.link("C", .up, at: t0)], kind: .audit)
        let t1 = t0.addingTimeInterval(300)
        let recorded = [Self.link("B", .down, at: t1), Self.link("A", .up, at: t1)]
        let aborted = try await Self.sweep(store, at: t1, recorded, kind: .audit, state: .aborted)
        try await store.pool!.write { try $0.execute(sql: "UPDATE link_results SET seq = NULL, condition = NULL, cause = NULL WHERE run_id = ?", arguments: [aborted.value]) }
        #expect(try await store.linkResults(run: aborted) == recorded)

        let resumed = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "inventory.yaml", inventoryHash: "h",
                                              startedAt: t1, resuming: aborted)
        let taken = try await store.takeOver(from: aborted, to: resumed, links: ["A", "B"])
        #expect(taken.linkStates == ["A": .up, "B": .down])
        try await store.record(Self.link("C", .up, at: t1), in: resumed, at: t1.addingTimeInterval(30))
        #expect(try await store.linkResults(run: resumed).map(\.agencyCode) == ["B", "A", "C"])
    }

    // MARK: 8. Error codes

    @Test func storeErrorsCarryCodesACallerCanActOn() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = folder + "/text.sqlite"
        try Data(String(repeating: "not SQLite at all. ", count: 20).utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: StoreError.self) { try SQLiteStore(path: text) }
        #expect(await Self.code { try SQLiteStore(path: text) } == .corrupt)
        #expect(await Self.code { try SQLiteStore(path: text, readOnly: true) } == .corrupt)

        #expect(await Self.code { try SQLiteStore(path: folder + "/missing.sqlite", readOnly: true) } == .notFound)
        #expect(!FileManager.default.fileExists(atPath: folder + "/missing.sqlite"))

        let path = folder + "/results.sqlite"
        let writer = try SQLiteStore(path: path)
        let id = try await writer.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        let readOnly = try SQLiteStore(path: path, readOnly: true)
        #expect(await Self.code { try await readOnly.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h") } == .notWritable)
        #expect(await Self.code { try await readOnly.record(Self.link("A", .up, at: Date()), in: id) } == .notWritable)
        #expect(await Self.code { try await readOnly.finishRun(id, state: .complete) } == .notWritable)
        #expect(await Self.code { try await readOnly.prune(now: Date()) } == .notWritable)
        #expect(try await readOnly.run(id)?.state == .running)
        try await writer.finishRun(id, state: .complete)
        try await writer.close()

        // A migration this netaudit does not know: refused for writing and for reading.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try queue.close()
        #expect(await Self.code { try SQLiteStore(path: path) } == .schemaTooNew)
        #expect(await Self.message { try SQLiteStore(path: path) }?.contains("v99: from the future") == true)
        #expect(await Self.code { try SQLiteStore(path: path, readOnly: true) } == .schemaTooNew)
    }
}
