import Foundation
import GRDB
import NetauditCore
import NetauditStore
@testable import NetauditStorePostgres
@testable import NetauditStoreSQLite
@testable import NetauditStores
import NetauditTestSupport
import Testing

/// An auditor writing to PostgreSQL through its local spool, against a real server that is
/// stopped in the middle of a run and started again: runs are kept, shipped once, in the
/// order they ended, and the central history equals the spool's.
@Suite(.serialized, .enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct SpoolTests {
    static let inventory = ResultStoreTests.inventory
    static let retry: ClosedRange<Duration> = .milliseconds(100)...(.milliseconds(400))

    static func open(_ spool: String, _ url: String) async throws -> SpoolingStore {
        guard case .postgres(let location) = try StoreLocation.parse(url) else { throw StoreError(.invalidRequest, path: url, message: "not a URL") }
        return try await SpoolingStore.open(spool: spool, server: location, history: .standard, site: nil, retry: retry)
    }

    /// Writes one run: the link, then (after `between`) the endpoint, then its end.
    static func run(_ store: any ResultStore, at start: Date, between: () throws -> Void = {}) async throws -> RunID {
        let id = try await store.beginRun(kind: .audit, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "h", startedAt: start)
        try await store.record(ResultStoreTests.link, in: id, at: start)
        try between()
        try await store.record(ResultStoreTests.endpoint, in: id, at: start.addingTimeInterval(1))
        try await store.finishRun(id, state: .complete, endedAt: start.addingTimeInterval(2))
        return id
    }

    static func waitUntilShipped(_ store: SpoolingStore, timeout: TimeInterval = 30) async throws -> SpoolState {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let state = await store.spoolState()
            if state.pending == 0 || Date() > deadline { return state }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func aRunCutByTheServerStoppingIsSpooledKeptAcrossARestartAndShippedOnceInOrder() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase()
        let folder = try ResultStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spoolPath = folder + "/spool.sqlite"
        let day = Date(timeIntervalSince1970: 1_800_000_000)

        var store = try await Self.open(spoolPath, url)
        let first = try await Self.run(store, at: day)
        #expect(await store.flush(timeout: .seconds(20)).pending == 0)

        // The server stops between the run's link and its endpoint.
        let second = try await Self.run(store, at: day.addingTimeInterval(300)) { server.halt() }
        var state = await store.flush(timeout: .seconds(20))
        #expect(state.pending == 1)
        #expect(state.isSpooling, "the failure is said: \(state)")
        #expect(state.lastError?.contains(url) == true, "the error names the server: \(state.lastError ?? "none")")
        // The auditor goes on, reads its own runs, and is restarted while the server is down.
        let third = try await Self.run(store, at: day.addingTimeInterval(600))
        #expect(try await store.run(third)?.state == .complete)
        try await store.close()
        store = try await Self.open(spoolPath, url)
        state = await store.spoolState()
        #expect(state.pending == 2, "kept across the restart: \(state)")

        try server.restart()
        state = try await Self.waitUntilShipped(store)
        #expect(state.pending == 0, "shipped once the server is back: \(state)")
        #expect(state.lastError == nil)

        // In PostgreSQL: each run once, with its uid, in the order they ended, with every row.
        let central = try await Stores.open(url, access: .readOnly) as! PostgresStore
        let runs = try await central.runs(limit: 10).reversed()
        var uids: [String?] = []
        for id in [first, second, third] { uids.append(try await store.run(id)?.uid) }
        #expect(runs.map(\.uid) == uids)
        #expect(runs.allSatisfy { $0.state == .complete })
        for run in runs {
            #expect(try await central.linkResults(run: run.id) == [ResultStoreTests.link])
            #expect(try await central.endpointResults(run: run.id).map(\.findings) == [ResultStoreTests.endpoint.findings])
        }
        // The history is the spool's.
        let period = DateInterval(start: day.addingTimeInterval(-86_400), end: day.addingTimeInterval(86_400))
        #expect(try await central.intervals(overlapping: period) == (try await store.intervals(overlapping: period)))

        // Shipped again (a kill after the server's commit, before the spool's mark): once.
        try await store.spool.pool!.write { try $0.execute(sql: "UPDATE runs SET shipped_at = NULL") }
        state = await store.flush(timeout: .seconds(20))
        #expect(state.pending == 0)
        #expect(try await Stores.runCount(central) == 3)
        #expect(try await central.integrityCheck() == "ok")
        try await central.close()
        try await store.close()
    }

    @Test func retentionNeverRemovesARunNotYetShipped() async throws {
        let folder = try ResultStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = HistorySettings.standard
        settings.rawDays = 1
        settings.historyDays = 1
        let spool = try SQLiteStore(path: folder + "/spool.sqlite", history: settings, spool: true)
        let old = Date().addingTimeInterval(-30 * 86_400)
        let shipped = try await Self.run(spool, at: old)
        let waiting = try await Self.run(spool, at: old.addingTimeInterval(60))
        try await spool.markShipped(shipped)
        _ = try await spool.prune(now: Date())
        #expect(try await spool.run(shipped) == nil)
        #expect(try await spool.run(waiting) != nil, "a run not shipped is kept, however old")
        #expect(try await spool.unshippedRuns() == [waiting])
        try await spool.close()
    }

    @Test func aStoreOfAnEarlierSchemaGivesEveryRunAUidOnce() async throws {
        let folder = try ResultStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/a.sqlite")
        let one = try await Self.run(store, at: Date(timeIntervalSince1970: 1_800_000_000))
        let two = try await Self.run(store, at: Date(timeIntervalSince1970: 1_800_000_300))
        let uids = [try await store.run(one)?.uid, try await store.run(two)?.uid]
        #expect(uids.allSatisfy { $0.flatMap(UUID.init(uuidString:)) != nil })
        #expect(Set(uids).count == 2)
        try await store.close()
        let again = try SQLiteStore(path: folder + "/a.sqlite")
        #expect([try await again.run(one)?.uid, try await again.run(two)?.uid] == uids)
        try await again.close()
    }
}
