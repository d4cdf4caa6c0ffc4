import Foundation
import GRDB
import NetauditCore
@testable import NetauditStoreSQLite
import NetauditStore
import Testing

/// A store written by the previous release (schema v2, commit dfad81a; see
/// Fixtures/v2-store/README.md) opens with this one: migrated to v3 in place, every run
/// kept as it was, the history of its complete runs built at open. (The reports of its runs
/// are compared byte for byte in NetauditCLITests' V2StoreReportTests.)
struct V2UpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/v2-store").path

    /// A copy of the fixture's store in a temporary folder.
    static func copy() throws -> (folder: String, path: String) {
        let folder = NSTemporaryDirectory() + "netaudit-v2-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture + "/v2.sqlite", toPath: folder + "/v2.sqlite")
        return (folder, folder + "/v2.sqlite")
    }

    struct OldRun: Equatable {
        let id: Int64, kind: String, state: String, startedAt: Date, endedAt: Date?, inventoryHash: String, inventoryPath: String
        let inventory: Inventory, note: String?, resumedFrom: Int64?
    }

    @Test func aV2StoreIsMigratedWithEveryRunKeptAndItsHistoryBuilt() async throws {
        let (folder, path) = try Self.copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // What the v2 file holds, read with GRDB before anything touches it.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let queue = try DatabaseQueue(path: path)
        let (migrations, old, linkRows, endpointRows, findingRows) = try await queue.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"),
             try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map { row in
                 OldRun(id: row["id"], kind: row["kind"], state: row["state"], startedAt: row["started_at"], endedAt: row["ended_at"],
                        inventoryHash: row["inventory_hash"], inventoryPath: row["inventory_path"],
                        inventory: try decoder.decode(Inventory.self, from: row["inventory_json"] as Data), note: row["note"],
                        resumedFrom: row["resumed_from"])
             },
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM link_results") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM endpoint_results") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings") ?? 0)
        }
        try queue.close()
        #expect(migrations.count == 2 && migrations.allSatisfy { $0.hasPrefix("v1") || $0.hasPrefix("v2") })
        #expect(old.map(\.kind) == ["link_sweep", "link_sweep", "audit", "link_sweep"])
        #expect(old.allSatisfy { $0.state == "complete" })

        // A read-only open (a report) reads an upgraded copy in memory and leaves the file as it was.
        let untouched = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try SQLiteStore(path: path, readOnly: true)
        #expect(try await reader.runs(limit: 10).map { $0.id.value } == [4, 3, 2, 1])
        try await reader.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == untouched)

        let store = try SQLiteStore(path: path, history: HistorySettings(timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!))
        #expect(try await store.integrityCheck() == "ok")
        let runs = try await store.runs(limit: 100).reversed()
        #expect(runs.count == old.count)
        for (run, was) in zip(runs, old) {
            let now = OldRun(id: run.id.value, kind: run.kind.rawValue, state: run.state.rawValue, startedAt: run.startedAt,
                             endedAt: run.endedAt, inventoryHash: run.inventoryHash, inventoryPath: run.inventoryPath,
                             inventory: run.inventory, note: run.note, resumedFrom: run.resumedFrom?.value)
            #expect(now == was)
        }
        let counts = try await store.reader.read { db in
            [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM link_results") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM endpoint_results") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inventories") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE history_applied = 0") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE length(inventory_json) > 0") ?? 0]
        }
        #expect(counts == [linkRows, endpointRows, findingRows, 1, 0, 0])  // one inventory, stored once; history applied

        // History from the four complete runs: each link in one open interval from the first
        // run to the last, the endpoint in one from the audit.
        let intervals = try await store.intervals(overlapping: DateInterval(start: Date(timeIntervalSince1970: 0), end: Date().addingTimeInterval(86_400)))
        let first = try #require(old.first?.startedAt), last = try #require(old.last?.startedAt)
        let links = intervals.filter(\.subject.isLink)
        #expect(links.map(\.subject.agencyCode) == ["23557", "23560", "622", "64"])
        #expect(links.map(\.state) == ["up", "unreachable", "down", "up"])
        #expect(links.map(\.cause) == [nil, "622", "622", nil])
        // (Times to 10 µs: the runs' times are stored as text, the intervals' as seconds since 1970, a Date counts from 2001.)
        func same(_ a: Date, _ b: Date) -> Bool { abs(a.timeIntervalSince(b)) < 0.000_01 }
        for link in links {
            #expect(link.open && link.firstRun == RunID(1) && link.lastRun == RunID(4), "\(link)")
            #expect(same(link.start, first) && same(link.end, last), "\(link) \(first) \(last)")
        }
        let endpoints = intervals.filter { !$0.subject.isLink }
        #expect(endpoints.count == 1)
        #expect(endpoints.first?.state == "unreachable" && endpoints.first?.firstRun == RunID(3))
        #expect(endpoints.first.map { same($0.start, old[2].startedAt) } == true)

        // Old link results read back as they were written, and a new sweep over them writes
        // compact rows for the links that did not change.
        let before = try await store.linkResults(run: RunID(4))
        #expect(before.count == 5)
        let inventory = try #require(runs.last?.inventory)
        let id = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "h",
                                          startedAt: last.addingTimeInterval(300), resuming: nil)
        try await store.record(links: before, endpoints: [], in: id, at: last.addingTimeInterval(310))
        try await store.finishRun(id, state: .complete, endedAt: last.addingTimeInterval(320))
        let compact = try await store.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sweep_links WHERE run_id = ?", arguments: [id.value]) }
        #expect(compact == 4)  // every link but the commune without one
        #expect(try await store.linkResults(run: id).map(\.state) == before.map(\.state))
        #expect(try await store.integrityCheck() == "ok")
    }
}
