import Foundation
import GRDB
import NetauditCore
import NetauditStore

// History: the state intervals, kept as each run completes, and the daily roll-ups, made
// once a day is over; and what period reports read of them.
extension SQLiteStore {
    // MARK: Keeping

    /// Extends the intervals with what complete run `run` observed, once: the run is marked
    /// applied in the same transaction, so a crash neither loses nor doubles it.
    static func applyHistory(run: Int64, db: Database, settings: HistorySettings) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, started_at, history_applied FROM runs WHERE id = ? AND state = 'complete'",
                                         arguments: [run]),
              (row["history_applied"] as Int64) == 0 else { return }
        let kind = RunKind(rawValue: row["kind"]) ?? .audit
        let at: Date = row["started_at"]
        var observed: [HistorySubject: ObservedCondition] = [:]
        if kind != .tlsOnly { try observedLinks(run: run, db: db, into: &observed) }
        if kind != .linkSweep {
            for row in try Row.fetchAll(db, sql: "SELECT agency_code, url, verdict, rule_ids FROM endpoint_results WHERE run_id = ?",
                                        arguments: [run]) {
                guard let verdict = EndpointVerdict(rawValue: row["verdict"]) else { continue }
                observed[HistorySubject(agencyCode: row["agency_code"], url: row["url"])] =
                    ObservedCondition.endpoint(EndpointCondition(verdict), cause: verdict == .compliant ? nil : row["rule_ids"])
            }
        }
        var newest: [HistorySubject: StateInterval] = [:]
        var ids: [HistorySubject: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT i.*, a.code FROM intervals i JOIN agencies a ON a.id = i.agency WHERE i.open = 1") {
            let interval = stateInterval(row)
            newest[interval.subject] = interval
            ids[interval.subject] = row["id"]
        }
        let changes = IntervalBook.apply(run: RunID(run), at: at, observed: observed, newest: newest, settings: settings)
        for interval in changes.updates {
            guard let id = ids[interval.subject] else { continue }
            try db.execute(sql: #"UPDATE intervals SET "end" = ?, open = ?, last_run = ? WHERE id = ?"#,
                           arguments: [interval.end.timeIntervalSince1970, interval.open, interval.lastRun.value, id])
        }
        if !changes.inserts.isEmpty {
            var agencies: [String: Int64] = [:]
            for interval in changes.inserts where agencies[interval.subject.agencyCode] == nil {
                try db.execute(sql: "INSERT OR IGNORE INTO agencies (code) VALUES (?)", arguments: [interval.subject.agencyCode])
                agencies[interval.subject.agencyCode] = try Int64.fetchOne(db, sql: "SELECT id FROM agencies WHERE code = ?",
                                                                            arguments: [interval.subject.agencyCode])
            }
            for interval in changes.inserts {
                try db.execute(sql: #"""
                    INSERT INTO intervals (agency, url, state, start, "end", open, cause, first_run, last_run)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """#, arguments: [agencies[interval.subject.agencyCode], interval.subject.url, interval.state,
                                      interval.start.timeIntervalSince1970, interval.end.timeIntervalSince1970, interval.open,
                                      interval.cause, interval.firstRun.value, interval.lastRun.value])
            }
        }
        try db.execute(sql: "UPDATE runs SET history_applied = 1 WHERE id = ?", arguments: [run])
    }

    /// The links a run observed: its full rows (those written before this schema read
    /// their condition from state and findings) and its compact rows.
    private static func observedLinks(run: Int64, db: Database, into observed: inout [HistorySubject: ObservedCondition]) throws {
        var legacy: [Row] = []
        for row in try Row.fetchAll(db, sql: "SELECT agency_code, state, condition, cause FROM link_results WHERE run_id = ? AND state IS NOT NULL",
                                    arguments: [run]) {
            if let condition: String = row["condition"] {
                observed[.link(row["agency_code"])] = ObservedCondition(state: condition, cause: row["cause"])
            } else {
                legacy.append(row)
            }
        }
        if !legacy.isEmpty {
            var findings: [String: [Finding]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE run_id = ? AND target = 'link' ORDER BY id", arguments: [run]) {
                let evidence: String = row["evidence_json"]
                findings[row["agency_code"], default: []].append(Finding(
                    id: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info, message: row["message"],
                    evidence: (try? decoder.decode([String: String].self, from: Data(evidence.utf8))) ?? [:]))
            }
            for row in legacy {
                let code: String = row["agency_code"]
                let result = LinkResult(agencyCode: code, observation: nil, state: (row["state"] as String?).flatMap(LinkState.init(rawValue:)),
                                        findings: findings[code] ?? [])
                if let judged = StoredCondition.link(result) {
                    observed[.link(code)] = ObservedCondition.link(judged.condition, cause: judged.cause)
                }
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT a.code, s.condition, c.code AS cause FROM sweep_links s JOIN agencies a ON a.id = s.agency
            LEFT JOIN agencies c ON c.id = s.cause WHERE s.run_id = ?
            """, arguments: [run]) {
            observed[.link(row["code"])] = ObservedCondition.link(StoredCondition.condition(row["condition"]), cause: row["cause"])
        }
    }

    static func stateInterval(_ row: Row) -> StateInterval {
        StateInterval(subject: HistorySubject(agencyCode: row["code"], url: row["url"]), state: row["state"],
                      start: Date(timeIntervalSince1970: row["start"]), end: Date(timeIntervalSince1970: row["end"]),
                      open: row["open"], cause: row["cause"], firstRun: RunID(row["first_run"]), lastRun: RunID(row["last_run"]))
    }

    /// Applies the history of complete runs not applied yet (a store upgraded from the
    /// schema before history, or a run completed by a process killed before it could).
    func applyPendingHistory() throws(StoreError) {
        guard pool != nil else { return }
        let settings = history
        let pending = try writeNow { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE state = 'complete' AND history_applied = 0 ORDER BY id")
        }
        for batch in stride(from: 0, to: pending.count, by: 50) {
            try writeNow { db in
                for run in pending[batch..<min(batch + 50, pending.count)] { try Self.applyHistory(run: run, db: db, settings: settings) }
            }
        }
        if !pending.isEmpty { try rollUpEndedDaysNow(now: Date()) }
    }

    /// Rolls up the days that ended since the last roll-up.
    func rollUpEndedDays(now: Date) async throws(StoreError) {
        let path = self.path
        try await Self.detached(path: path) { try self.rollUpEndedDaysNow(now: now) }
    }

    /// Rolls up, one day per transaction, every day from the first not rolled up (or the
    /// day of the first interval) to the day before `now`'s.
    func rollUpEndedDaysNow(now: Date) throws(StoreError) {
        let settings = history
        let zone = settings.timeZone
        // After every complete run: the day rolled up last is one indexed read; the first
        // interval (a scan) only matters until the first day has been rolled up.
        let (last, first) = try writeNow { db -> (String?, Double?) in
            let last = try String.fetchOne(db, sql: "SELECT value FROM history_state WHERE key = 'rolled_through'")
            return (last, last != nil ? nil : try Double.fetchOne(db, sql: "SELECT MIN(start) FROM intervals"))
        }
        for day in HistoryDay.daysToRollUp(rolledThrough: last, firstObserved: first, now: now, timeZone: zone) {
            try writeNow { db in try Self.rollUp(day: day, db: db, settings: settings) }
        }
    }

    /// One day's roll-ups, every agency with history that day; replaces what was there.
    static func rollUp(day: String, db: Database, settings: HistorySettings) throws {
        guard let window = HistoryDay.dayInterval(day, timeZone: settings.timeZone) else { return }
        let (start, end) = (window.start.timeIntervalSince1970, window.end.timeIntervalSince1970)
        var intervals: [String: [StateInterval]] = [:]
        for row in try Row.fetchAll(db, sql: #"""
            SELECT i.*, a.code FROM intervals i JOIN agencies a ON a.id = i.agency WHERE i.start < ? AND (i."end" >= ? OR i.open = 1)
            """#, arguments: [end, start]) {
            let interval = stateInterval(row)
            intervals[interval.subject.agencyCode, default: []].append(interval)
        }
        var sweeps: [String: [SweepFigure]] = [:]
        let runs = "SELECT id, started_at FROM runs WHERE state = 'complete' AND kind != 'tls_only' AND started_at >= ? AND started_at < ?"
        for row in try Row.fetchAll(db, sql: """
            SELECT a.code, r.started_at, s.sent, s.received, s.rtt_median FROM (\(runs)) r
            JOIN sweep_links s ON s.run_id = r.id JOIN agencies a ON a.id = s.agency
            """, arguments: [window.start, window.end]) {
            let sent: Int = row["sent"]
            guard sent > 0 else { continue }
            sweeps[row["code"], default: []].append(SweepFigure(
                at: row["started_at"], lossPercent: Double(sent - (row["received"] as Int)) / Double(sent) * 100,
                rttMedianMs: (row["rtt_median"] as Int64?).map { Double($0) / 1000 }))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT l.agency_code, r.started_at, l.sent, l.received, l.rtt_median FROM (\(runs)) r
            JOIN link_results l ON l.run_id = r.id WHERE l.sent IS NOT NULL
            """, arguments: [window.start, window.end]) {
            let sent: Int = row["sent"]
            guard sent > 0 else { continue }
            sweeps[row["agency_code"], default: []].append(SweepFigure(
                at: row["started_at"], lossPercent: Double(sent - (row["received"] as Int)) / Double(sent) * 100, rttMedianMs: row["rtt_median"]))
        }
        let builder = DailyRollupBuilder(settings: settings)
        try db.execute(sql: "DELETE FROM rollups WHERE day = ?", arguments: [day])
        for code in Set(intervals.keys).union(sweeps.keys).sorted() {
            guard let rollup = builder.rollup(day: day, agencyCode: code, intervals: intervals[code] ?? [], sweeps: sweeps[code] ?? []) else { continue }
            // A day nothing observed (the daemon stopped, an agency no longer in the
            // inventory) needs no row: a missing roll-up reads as not observed.
            let observed = rollup.linkSeconds.filter { $0.key != LinkCondition.notObserved.rawValue }.values.reduce(0, +)
                + rollup.endpointSeconds.filter { $0.key != EndpointCondition.notObserved.rawValue }.values.reduce(0, +)
            if rollup.sweeps == 0 && observed == 0 { continue }
            try db.execute(sql: "INSERT OR IGNORE INTO agencies (code) VALUES (?)", arguments: [code])
            let l = rollup.linkSeconds, e = rollup.endpointSeconds
            try db.execute(sql: """
                INSERT INTO rollups (day, agency, sweeps, up_s, degraded_s, down_s, unreachable_s, not_observed_s,
                                     loss_median, loss_max, rtt_median, rtt_p95,
                                     ep_compliant_s, ep_noncompliant_s, ep_unreachable_s, ep_not_observed_s)
                VALUES (?, (SELECT id FROM agencies WHERE code = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [day, code, rollup.sweeps,
                                 seconds(l, LinkCondition.up), seconds(l, LinkCondition.degraded), seconds(l, LinkCondition.down), seconds(l, LinkCondition.unreachable), seconds(l, LinkCondition.notObserved),
                                 rollup.lossPercentMedian, rollup.lossPercentMax, rollup.rttMillisecondsMedian, rollup.rttMillisecondsP95,
                                 seconds(e, EndpointCondition.compliant), seconds(e, EndpointCondition.noncompliant),
                                 seconds(e, EndpointCondition.unreachable), seconds(e, EndpointCondition.notObserved)])
        }
        try db.execute(sql: "INSERT OR REPLACE INTO history_state (key, value) VALUES ('rolled_through', ?)", arguments: [day])
    }

    private static func seconds(_ values: [String: Double], _ condition: LinkCondition) -> Int {
        Int((values[condition.rawValue] ?? 0).rounded())
    }
    private static func seconds(_ values: [String: Double], _ condition: EndpointCondition) -> Int {
        Int((values[condition.rawValue] ?? 0).rounded())
    }

    // MARK: Reading

    public func intervals(overlapping period: DateInterval) async throws(StoreError) -> [StateInterval] {
        try await read { db in
            try Row.fetchAll(db, sql: #"""
                SELECT i.*, a.code FROM intervals i JOIN agencies a ON a.id = i.agency
                WHERE i.start < ? AND (i."end" >= ? OR i.open = 1) ORDER BY a.code, i.url, i.start
                """#, arguments: [period.end.timeIntervalSince1970, period.start.timeIntervalSince1970]).map(Self.stateInterval)
        }
    }

    public func rollups(from: String, to: String) async throws(StoreError) -> [DailyRollup] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, a.code FROM rollups r JOIN agencies a ON a.id = r.agency WHERE r.day >= ? AND r.day <= ? ORDER BY r.day, a.code
                """, arguments: [from, to]).map { row in
                DailyRollup(day: row["day"], agencyCode: row["code"], sweeps: row["sweeps"],
                            linkSeconds: [LinkCondition.up.rawValue: row["up_s"], LinkCondition.degraded.rawValue: row["degraded_s"],
                                          LinkCondition.down.rawValue: row["down_s"], LinkCondition.unreachable.rawValue: row["unreachable_s"],
                                          LinkCondition.notObserved.rawValue: row["not_observed_s"]],
                            lossPercentMedian: row["loss_median"], lossPercentMax: row["loss_max"],
                            rttMillisecondsMedian: row["rtt_median"], rttMillisecondsP95: row["rtt_p95"],
                            endpointSeconds: [EndpointCondition.compliant.rawValue: row["ep_compliant_s"],
                                              EndpointCondition.noncompliant.rawValue: row["ep_noncompliant_s"],
                                              EndpointCondition.unreachable.rawValue: row["ep_unreachable_s"],
                                              EndpointCondition.notObserved.rawValue: row["ep_not_observed_s"]])
            }
        }
    }

    public func latestInventory(before date: Date, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        try await read { db in
            var sql = "\(Self.runSelect) WHERE r.state = 'complete' AND r.started_at < ?"
            var arguments: [any DatabaseValueConvertible] = [date]
            if let inventoryPath {
                sql += " AND r.inventory_path = ?"
                arguments.append(inventoryPath)
            }
            return try Row.fetchOne(db, sql: sql + " ORDER BY r.id DESC LIMIT 1", arguments: StatementArguments(arguments)).map { try self.runRecord($0) }
        }
    }
}
