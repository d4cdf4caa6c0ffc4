import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

// Upkeep: retention by tier, the consistency check, and runs cut off.
extension PostgresStore {
    /// Applies the retention tiers as of `now`, as the SQLite store does, 20 runs per
    /// transaction: raw sweep and TLS-only runs after `rawDays` (once their history is
    /// applied), every run after `historyDays`, closed intervals and roll-ups after
    /// `historyDays`, and inventories no run refers to any more.
    public func prune(now: Date) async throws(StoreError) -> PruneOutcome {
        let settings = history
        let logger = self.logger
        let rawCutoff = now.addingTimeInterval(-Double(settings.rawDays) * 86_400)
        let historyCutoff = now.addingTimeInterval(-Double(settings.historyDays) * 86_400)
        var outcome = PruneOutcome()
        outcome.runs += try await deleteRuns(rawOnly: true, cutoff: rawCutoff)
        outcome.runs += try await deleteRuns(rawOnly: false, cutoff: historyCutoff)
        let day = HistoryDay.day(of: historyCutoff, timeZone: settings.timeZone)
        let cut = historyCutoff.timeIntervalSince1970
        let (intervals, rollups) = try await write { connection -> (Int, Int) in
            let intervals = try await Self.execute(#"DELETE FROM intervals WHERE NOT open AND "end" < \#(cut) RETURNING id"#, connection, logger: logger)
            let rollups = try await Self.execute("DELETE FROM rollups WHERE day < \(day) RETURNING day", connection, logger: logger)
            // Only a role that may delete inventories (the owner) does: a site role sees its
            // own runs only, and inventories are shared by content.
            let may = try await Self.rows("SELECT has_table_privilege('inventories', 'DELETE') AS may", connection, logger: logger)
            if try may.first?["may"].decode(Bool.self) == true {
                try await connection.query("DELETE FROM inventories i WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.inventory_id = i.id)",
                                           logger: logger)
            }
            return (intervals, rollups)
        }
        outcome.intervals = intervals
        outcome.rollups = rollups
        return outcome
    }

    /// Deletes ended runs older than `cutoff` (only link sweeps and TLS-only runs when
    /// `rawOnly`), 20 per transaction, until none is left; returns how many.
    private func deleteRuns(rawOnly: Bool, cutoff: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        let kinds = rawOnly ? [RunKind.linkSweep.rawValue, RunKind.tlsOnly.rawValue] : nil
        var removed = 0
        while true {
            let count = try await write { connection in
                try await Self.execute("""
                    DELETE FROM runs WHERE id IN (
                        SELECT id FROM runs WHERE (\(kinds)::text[] IS NULL OR kind = ANY(\(kinds))) AND state != 'running'
                        AND (state != 'complete' OR history_applied) AND COALESCE(ended_at, started_at) < \(cutoff) ORDER BY id LIMIT 20)
                    RETURNING id
                    """, connection, logger: logger)
            }
            removed += count
            if count < 20 { return removed }
        }
    }

    /// PostgreSQL checks its own pages; this checks what is netaudit's: the schema is the
    /// one this netaudit writes, every complete run has its history applied, and no subject
    /// has more than one open interval. "ok", or the problems found, one per line.
    public func integrityCheck() async throws(StoreError) -> String {
        let logger = self.logger
        return try await read { connection in
            var problems: [String] = []
            let versions = try await Schema.appliedVersions(connection, logger: logger)
            if versions.max() != Schema.latest { problems.append("schema version \(versions.max() ?? 0), expected \(Schema.latest)") }
            let pending = try await Self.rows("SELECT count(*) AS n FROM runs WHERE state = 'complete' AND NOT history_applied",
                                              connection, logger: logger)[0]["n"].decode(Int.self)
            if pending > 0 { problems.append("\(pending) complete run(s) without their history") }
            let doubled = try await Self.rows("""
                SELECT count(*) AS n FROM (SELECT 1 FROM intervals WHERE open GROUP BY site, agency_code, url HAVING count(*) > 1) d
                """, connection, logger: logger)[0]["n"].decode(Int.self)
            if doubled > 0 { problems.append("\(doubled) subject(s) with more than one open interval") }
            return problems.isEmpty ? "ok" : problems.joined(separator: "\n")
        }
    }

    /// Marks `running` runs of this machine whose process is gone (or whose machine
    /// rebooted) `aborted`, ended when they last wrote a result. Another machine's runs are
    /// not this one's to judge.
    static func recover(_ connection: PostgresConnection, logger: Logger) async throws -> [RunID] {
        try await inTransaction(connection, logger: logger) { connection in
            var recovered: [RunID] = []
            for row in try await rows("""
                SELECT id, host, pid, process_start, boot_id FROM runs WHERE state = 'running' AND host = \(ProcessInfo.processInfo.hostName)
                ORDER BY id FOR UPDATE
                """, connection, logger: logger) {
                let owner = ProcessIdentity(host: try row["host"].decode(String.self), pid: Int32(try row["pid"].decode(Int.self)),
                                            startTicks: try row["process_start"].decode(Int64.self), bootID: try row["boot_id"].decode(String.self))
                guard !owner.isAlive else { continue }
                let id = try row["id"].decode(Int64.self)
                try await connection.query("""
                    UPDATE runs SET state = 'aborted', note = \(owner.goneReason),
                    ended_at = COALESCE((SELECT MAX(t) FROM (SELECT recorded_at AS t FROM link_results WHERE run_id = \(id)
                                                             UNION ALL SELECT recorded_at FROM endpoint_results WHERE run_id = \(id)) w),
                                        started_at)
                    WHERE id = \(id)
                    """, logger: logger)
                recovered.append(RunID(id))
            }
            return recovered
        }
    }
}

extension PostgresStore {
    /// The schema version the database is at, and the newest this netaudit knows.
    public func schemaVersion() async throws(StoreError) -> (current: Int, latest: Int) {
        let logger = self.logger
        let current = try await read { connection in try await Schema.appliedVersions(connection, logger: logger).max() ?? 0 }
        return (current, Schema.latest)
    }
}

extension PostgresStore {
    /// How many runs this store sees (its site, or every site the role may read).
    public func runCount() async throws(StoreError) -> Int {
        let (logger, site) = (self.logger, self.site)
        return try await read { connection in
            try await Self.rows("SELECT count(*) AS n FROM runs WHERE (\(site)::text IS NULL OR site = \(site))", connection, logger: logger)[0]["n"]
                .decode(Int.self)
        }
    }
}
