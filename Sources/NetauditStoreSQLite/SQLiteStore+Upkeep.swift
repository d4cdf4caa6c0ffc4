import Foundation
import GRDB
import NetauditCore
import NetauditStore

// Upkeep: retention by tier, the integrity check, and runs cut off.
extension SQLiteStore {
    /// Applies the retention tiers as of `now`, a few rows per transaction so that a running
    /// audit's writes are never held up for long:
    /// - raw tier (`history.rawDays`): link sweeps and TLS-only runs, with their compact and
    ///   full rows, once their history is applied;
    /// - history tier (`history.historyDays`): full audits, closed intervals and roll-ups;
    /// - inventories no run refers to any more.
    /// Intervals and roll-ups are never removed by the raw tier.
    public func prune(now: Date) async throws(StoreError) -> PruneOutcome {
        let settings = history
        let rawCutoff = now.addingTimeInterval(-Double(settings.rawDays) * 86_400)
        let historyCutoff = now.addingTimeInterval(-Double(settings.historyDays) * 86_400)
        var outcome = PruneOutcome()
        // A spool keeps every run until it is shipped, however old.
        let unshipped = isSpool ? "AND shipped_at IS NOT NULL" : ""
        outcome.runs += try await deleteRuns(sql: """
            SELECT id FROM runs WHERE kind IN ('link_sweep', 'tls_only') AND state != 'running'
            AND (state != 'complete' OR history_applied = 1) AND COALESCE(ended_at, started_at) < ? \(unshipped) ORDER BY id LIMIT 20
            """, cutoff: rawCutoff)
        outcome.runs += try await deleteRuns(sql: """
            SELECT id FROM runs WHERE state != 'running' AND (state != 'complete' OR history_applied = 1)
            AND COALESCE(ended_at, started_at) < ? \(unshipped) ORDER BY id LIMIT 20
            """, cutoff: historyCutoff)
        let day = HistoryDay.day(of: historyCutoff, timeZone: settings.timeZone)
        let cut = historyCutoff.timeIntervalSince1970
        let (intervals, rollups) = try await write { db -> (Int, Int) in
            try db.execute(sql: #"DELETE FROM intervals WHERE open = 0 AND "end" < ?"#, arguments: [cut])
            let intervals = db.changesCount
            try db.execute(sql: "DELETE FROM rollups WHERE day < ?", arguments: [day])
            let rollups = db.changesCount
            try db.execute(sql: "DELETE FROM inventories WHERE id NOT IN (SELECT inventory_id FROM runs WHERE inventory_id IS NOT NULL)")
            try db.execute(sql: """
                DELETE FROM dictionaries WHERE id NOT IN (SELECT dictionary_id FROM endpoint_results WHERE dictionary_id IS NOT NULL
                                                          UNION SELECT dictionary_id FROM link_results WHERE dictionary_id IS NOT NULL)
                """)
            return (intervals, rollups)
        }
        outcome.intervals = intervals
        outcome.rollups = rollups
        return outcome
    }

    /// Deletes the runs `sql` selects (20 at a time, with `cutoff` as its argument) until
    /// none is left; returns how many.
    private func deleteRuns(sql: String, cutoff: Date) async throws(StoreError) -> Int {
        var removed = 0
        while true {
            let count = try await write { db -> Int in
                let ids = try Int64.fetchAll(db, sql: sql, arguments: [cutoff])
                for id in ids { try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id]) }
                return ids.count
            }
            removed += count
            if count < 20 { return removed }
        }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() async throws(StoreError) -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?" }
    }

    /// Marks `running` runs whose process is gone (or whose machine rebooted) `aborted`.
    static func recover(_ pool: DatabasePool) throws -> [RunID] {
        try pool.write { db in
            var recovered: [RunID] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, host, pid, process_start, boot_id FROM runs WHERE state = 'running'") {
                let owner = ProcessIdentity(host: row["host"], pid: row["pid"], startTicks: row["process_start"], bootID: row["boot_id"])
                guard !owner.isAlive else { continue }
                let id: Int64 = row["id"]
                // It ended, as far as anyone can tell, when it last wrote a result.
                let lastWrite = try Date.fetchOne(db, sql: """
                    SELECT MAX(recorded_at) FROM (SELECT recorded_at FROM link_results WHERE run_id = ?
                                                  UNION ALL SELECT recorded_at FROM endpoint_results WHERE run_id = ?)
                    """, arguments: [id, id])
                try db.execute(sql: "UPDATE runs SET state = 'aborted', note = ?, ended_at = COALESCE(?, started_at) WHERE id = ?",
                               arguments: [owner.goneReason, lastWrite, id])
                recovered.append(RunID(id))
            }
            return recovered
        }
    }
}

// Figures for `netaudit bench history`: the store's tables and its files.
extension SQLiteStore {
    /// Rows of each of the store's tables (not SQLite's own), by name.
    public func tableRowCounts() async throws(StoreError) -> [(table: String, rows: Int)] {
        try await read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                """)
            return try tables.map { table in
                (table, try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0)
            }
        }
    }

    /// Copies the write-ahead log into the database file and truncates it (no other writer
    /// may be active), so that the file's size is the store's.
    public func checkpoint() async throws(StoreError) {
        guard let pool else { return }
        let path = self.path
        try await Self.detached(path: path) { _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
    }
}
