import Foundation
import GRDB
import NetauditCore
import NetauditStore

// The SQLite store as a spool (or the source of `store copy`): its ended runs not yet
// shipped, in the order they ended, each read whole; and the mark once one is shipped.
extension SQLiteStore {
    /// The ended runs not yet shipped, in the order they ended (then by id), at most `limit`.
    public func unshippedRuns(limit: Int = 100) async throws(StoreError) -> [RunID] {
        try await read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM runs WHERE shipped_at IS NULL AND state != 'running' ORDER BY ended_at, id LIMIT ?
                """, arguments: [limit]).map(RunID.init)
        }
    }

    /// Every ended run, in the order they ended (what `store copy` copies).
    public func endedRuns() async throws(StoreError) -> [RunID] {
        try await read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE state != 'running' ORDER BY ended_at, id").map(RunID.init)
        }
    }

    /// How many runs are still running (not shipped until they end).
    public func runningRuns() async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state = 'running'") ?? 0 }
    }

    /// How many ended runs wait to be shipped, and when the oldest of them started.
    public func pendingShipments() async throws(StoreError) -> (count: Int, oldest: Date?) {
        try await read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, min(started_at) AS oldest FROM runs WHERE shipped_at IS NULL AND state != 'running'
                """)
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    /// Run `id` whole: its record, every link and endpoint result with its findings.
    public func shippedRun(_ id: RunID) async throws(StoreError) -> ShippedRun? {
        guard var record = try await run(id) else { return nil }
        if record.uid == nil {
            record.uid = try await read { db in try String.fetchOne(db, sql: "SELECT uid FROM runs WHERE id = ?", arguments: [id.value]) }
        }
        let links = try await linkResults(run: id)
        let endpoints = try await endpointResults(run: id)
        return ShippedRun(record: record, links: links, endpoints: endpoints)
    }

    /// Marks run `id` shipped, as run `remote` of the central store (it may now be pruned
    /// like any other).
    public func markShipped(_ id: RunID, as remote: RunID? = nil, at date: Date = Date()) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE runs SET shipped_at = ?, shipped_id = ? WHERE id = ? AND shipped_at IS NULL",
                           arguments: [date, remote?.value, id.value])
        }
    }

    /// The central store's id of run `id`, once shipped.
    public func shippedID(of id: RunID) async throws(StoreError) -> RunID? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT shipped_id FROM runs WHERE id = ?", arguments: [id.value]).map(RunID.init)
        }
    }
}

extension SQLiteStore {
    /// The schema version the file is at (its migrations applied), and the newest this
    /// netaudit knows.
    public func schemaVersion() async throws(StoreError) -> (current: Int, latest: Int) {
        let applied = try await read { db -> [String] in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        let known = Schema.migrator.migrations
        return (known.filter(applied.contains).count, known.count)
    }
}

extension SQLiteStore {
    public func runCount() async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }
    }
}
