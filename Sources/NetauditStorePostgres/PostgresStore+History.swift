import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

// History: the state intervals, kept as each run completes (IntervalBook), and the daily
// roll-ups (DailyRollupBuilder), made once a day is over; and what period reports read.
extension PostgresStore {
    // MARK: Keeping

    /// Takes `site`'s history lock until the end of the caller's transaction (its own key:
    /// 34 auditors completing runs at once never wait for each other's history).
    static func lockHistory(site: String, _ connection: PostgresConnection, logger: Logger) async throws {
        let key = siteLockKeys(site).1
        try await connection.query("SELECT pg_advisory_xact_lock(\(historyLockClass), \(key))", logger: logger)
    }

    /// Extends the intervals with what complete run `run` observed, once: the run is marked
    /// applied in the caller's transaction, so a crash neither loses nor doubles it. Under
    /// the site's history lock: runs of one site completing at once extend its intervals in
    /// turn, while other sites, whose history is apart, go on beside them.
    static func applyHistory(run: Int64, _ connection: PostgresConnection, logger: Logger, settings: HistorySettings) async throws {
        guard let owner = try await rows("SELECT site FROM runs WHERE id = \(run)", connection, logger: logger).first else { return }
        try await lockHistory(site: try owner["site"].decode(String.self), connection, logger: logger)
        guard let row = try await rows("SELECT site, kind, started_at, history_applied FROM runs WHERE id = \(run) AND state = 'complete'",
                                       connection, logger: logger).first,
              try row["history_applied"].decode(Bool.self) == false else { return }
        let kind = RunKind(rawValue: try row["kind"].decode(String.self)) ?? .audit
        let site = try row["site"].decode(String.self)
        let at = try row["started_at"].decode(Date.self)
        var observed: [HistorySubject: ObservedCondition] = [:]
        if kind != .tlsOnly {
            for row in try await rows("""
                SELECT agency_code, condition, cause FROM link_results WHERE run_id = \(run) AND state IS NOT NULL AND condition IS NOT NULL
                ORDER BY seq, id
                """, connection, logger: logger) {
                observed[.link(try row["agency_code"].decode(String.self))] =
                    ObservedCondition(state: try row["condition"].decode(String.self), cause: try row["cause"].decode(String?.self))
            }
        }
        if kind != .linkSweep {
            for row in try await rows("SELECT agency_code, url, verdict, rule_ids FROM endpoint_results WHERE run_id = \(run) ORDER BY id",
                                      connection, logger: logger) {
                guard let verdict = EndpointVerdict(rawValue: try row["verdict"].decode(String.self)) else { continue }
                observed[HistorySubject(agencyCode: try row["agency_code"].decode(String.self), url: try row["url"].decode(String.self))] =
                    ObservedCondition.endpoint(EndpointCondition(verdict), cause: verdict == .compliant ? nil : try row["rule_ids"].decode(String?.self))
            }
        }
        var newest: [HistorySubject: StateInterval] = [:]
        var ids: [HistorySubject: Int64] = [:]
        for row in try await rows("SELECT * FROM intervals WHERE open AND site = \(site) ORDER BY id", connection, logger: logger) {
            let interval = try stateInterval(row)
            newest[interval.subject] = interval
            ids[interval.subject] = try row["id"].decode(Int64.self)
        }
        let changes = IntervalBook.apply(run: RunID(run), at: at, observed: observed, newest: newest, settings: settings)
        for interval in changes.updates {
            guard let id = ids[interval.subject] else { continue }
            try await connection.query("""
                UPDATE intervals SET "end" = \(interval.end.timeIntervalSince1970), open = \(interval.open), last_run = \(interval.lastRun.value)
                WHERE id = \(id)
                """, logger: logger)
        }
        for interval in changes.inserts {
            try await connection.query("""
                INSERT INTO intervals (site, agency_code, url, state, start, "end", open, cause, first_run, last_run)
                VALUES (\(site), \(interval.subject.agencyCode), \(interval.subject.url), \(interval.state), \(interval.start.timeIntervalSince1970),
                        \(interval.end.timeIntervalSince1970), \(interval.open), \(interval.cause), \(interval.firstRun.value),
                        \(interval.lastRun.value))
                """, logger: logger)
        }
        try await connection.query("UPDATE runs SET history_applied = true WHERE id = \(run)", logger: logger)
    }

    static func stateInterval(_ row: PostgresRandomAccessRow) throws -> StateInterval {
        StateInterval(subject: HistorySubject(agencyCode: try row["agency_code"].decode(String.self), url: try row["url"].decode(String?.self)),
                      state: try row["state"].decode(String.self),
                      start: Date(timeIntervalSince1970: try row["start"].decode(Double.self)),
                      end: Date(timeIntervalSince1970: try row["end"].decode(Double.self)),
                      open: try row["open"].decode(Bool.self), cause: try row["cause"].decode(String?.self),
                      firstRun: RunID(try row["first_run"].decode(Int64.self)), lastRun: RunID(try row["last_run"].decode(Int64.self)))
    }

    /// Applies the history of complete runs not applied yet (a run completed by a process
    /// killed before it could), 50 per transaction, then rolls up the days that ended.
    func applyPendingHistory() async throws(StoreError) {
        let (settings, logger, site) = (history, self.logger, self.site)
        let pending = try await write { connection in
            try await Self.rows("""
                SELECT id FROM runs WHERE (\(site)::text IS NULL OR site = \(site)) AND state = 'complete' AND NOT history_applied ORDER BY id
                """, connection, logger: logger)
                .map { try $0["id"].decode(Int64.self) }
        }
        for batch in stride(from: 0, to: pending.count, by: 50) {
            let runs = Array(pending[batch..<min(batch + 50, pending.count)])
            try await write { connection in
                for run in runs { try await Self.applyHistory(run: run, connection, logger: logger, settings: settings) }
            }
        }
        if !pending.isEmpty { try await rollUpEndedDays(now: Date()) }
    }

    /// Rolls up, one day per transaction, every day from the first not rolled up (or the
    /// day of the first interval) to the day before `now`'s.
    func rollUpEndedDays(now: Date) async throws(StoreError) {
        let logger = self.logger
        let sites: [String]
        if let site { sites = [site] } else {
            sites = try await read { connection in
                try await Self.rows("SELECT DISTINCT site FROM intervals ORDER BY site", connection, logger: logger)
                    .map { try $0["site"].decode(String.self) }
            }
        }
        for site in sites { try await rollUpEndedDays(site: site, now: now) }
    }

    /// The same for one site: every site has its own days rolled up.
    func rollUpEndedDays(site: String, now: Date) async throws(StoreError) {
        let (settings, logger) = (history, self.logger)
        let zone = settings.timeZone
        let (last, first) = try await read { connection -> (String?, Double?) in
            let last = try await Self.rows("SELECT value FROM history_state WHERE site = \(site) AND key = 'rolled_through'", connection, logger: logger)
                .first.map { try $0["value"].decode(String.self) }
            if last != nil { return (last, nil) }
            let first = try await Self.rows("SELECT MIN(start) AS first FROM intervals WHERE site = \(site)", connection, logger: logger)
                .first.flatMap { try $0["first"].decode(Double?.self) }
            return (nil, first)
        }
        for day in HistoryDay.daysToRollUp(rolledThrough: last, firstObserved: first, now: now, timeZone: zone) {
            try await write { connection in try await Self.rollUp(day: day, site: site, connection, logger: logger, settings: settings) }
        }
    }

    /// One day's roll-ups, every agency with history that day; replaces what was there.
    static func rollUp(day: String, site: String, _ connection: PostgresConnection, logger: Logger, settings: HistorySettings) async throws {
        guard let window = HistoryDay.dayInterval(day, timeZone: settings.timeZone) else { return }
        try await lockHistory(site: site, connection, logger: logger)
        let (start, end) = (window.start.timeIntervalSince1970, window.end.timeIntervalSince1970)
        var intervals: [String: [StateInterval]] = [:]
        for row in try await rows("""
            SELECT * FROM intervals WHERE site = \(site) AND start < \(end) AND ("end" >= \(start) OR open) ORDER BY id
            """, connection, logger: logger) {
            let interval = try stateInterval(row)
            intervals[interval.subject.agencyCode, default: []].append(interval)
        }
        var sweeps: [String: [SweepFigure]] = [:]
        for row in try await rows("""
            SELECT l.agency_code, r.started_at, l.sent, l.received, l.rtt_median FROM runs r JOIN link_results l ON l.run_id = r.id
            WHERE r.site = \(site) AND r.state = 'complete' AND r.kind != 'tls_only' AND r.started_at >= \(window.start) AND r.started_at < \(window.end)
            AND l.sent IS NOT NULL ORDER BY r.id, l.seq
            """, connection, logger: logger) {
            let sent = try row["sent"].decode(Int.self)
            guard sent > 0 else { continue }
            let received = try row["received"].decode(Int.self)
            sweeps[try row["agency_code"].decode(String.self), default: []].append(SweepFigure(
                at: try row["started_at"].decode(Date.self), lossPercent: Double(sent - received) / Double(sent) * 100,
                rttMedianMs: try row["rtt_median"].decode(Double?.self)))
        }
        let builder = DailyRollupBuilder(settings: settings)
        try await connection.query("DELETE FROM rollups WHERE site = \(site) AND day = \(day)", logger: logger)
        for code in Set(intervals.keys).union(sweeps.keys).sorted() {
            guard let rollup = builder.rollup(day: day, agencyCode: code, intervals: intervals[code] ?? [], sweeps: sweeps[code] ?? []) else { continue }
            // A day nothing observed needs no row: a missing roll-up reads as not observed.
            let observed = rollup.linkSeconds.filter { $0.key != LinkCondition.notObserved.rawValue }.values.reduce(0, +)
                + rollup.endpointSeconds.filter { $0.key != EndpointCondition.notObserved.rawValue }.values.reduce(0, +)
            if rollup.sweeps == 0 && observed == 0 { continue }
            let l = rollup.linkSeconds, e = rollup.endpointSeconds
            func s(_ values: [String: Double], _ key: String) -> Int { Int((values[key] ?? 0).rounded()) }
            try await connection.query("""
                INSERT INTO rollups (site, day, agency_code, sweeps, up_s, degraded_s, down_s, unreachable_s, not_observed_s,
                                     loss_median, loss_max, rtt_median, rtt_p95,
                                     ep_compliant_s, ep_noncompliant_s, ep_unreachable_s, ep_not_observed_s)
                VALUES (\(site), \(day), \(code), \(rollup.sweeps),
                        \(s(l, LinkCondition.up.rawValue)), \(s(l, LinkCondition.degraded.rawValue)), \(s(l, LinkCondition.down.rawValue)),
                        \(s(l, LinkCondition.unreachable.rawValue)), \(s(l, LinkCondition.notObserved.rawValue)),
                        \(rollup.lossPercentMedian), \(rollup.lossPercentMax), \(rollup.rttMillisecondsMedian), \(rollup.rttMillisecondsP95),
                        \(s(e, EndpointCondition.compliant.rawValue)), \(s(e, EndpointCondition.noncompliant.rawValue)),
                        \(s(e, EndpointCondition.unreachable.rawValue)), \(s(e, EndpointCondition.notObserved.rawValue)))
                """, logger: logger)
        }
        try await connection.query("""
            INSERT INTO history_state (site, key, value) VALUES (\(site), 'rolled_through', \(day)) ON CONFLICT (site, key) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    // MARK: Reading

    public func intervals(overlapping period: DateInterval) async throws(StoreError) -> [StateInterval] {
        let logger = self.logger
        let (start, end) = (period.start.timeIntervalSince1970, period.end.timeIntervalSince1970)
        let site = self.site
        return try await read { connection in
            try await Self.rows("""
                SELECT * FROM intervals WHERE (\(site)::text IS NULL OR site = \(site)) AND start < \(end) AND ("end" >= \(start) OR open)
                ORDER BY agency_code COLLATE "C", url COLLATE "C" NULLS FIRST, start
                """, connection, logger: logger).map(Self.stateInterval)
        }
    }

    public func rollups(from: String, to: String) async throws(StoreError) -> [DailyRollup] {
        let (logger, site) = (self.logger, self.site)
        return try await read { connection in
            try await Self.rows("""
                SELECT * FROM rollups WHERE (\(site)::text IS NULL OR site = \(site)) AND day >= \(from) AND day <= \(to) ORDER BY day, agency_code COLLATE "C"
                """, connection, logger: logger).map { row in
                func i(_ column: String) throws -> Double { Double(try row[column].decode(Int.self)) }
                return DailyRollup(
                    day: try row["day"].decode(String.self), agencyCode: try row["agency_code"].decode(String.self),
                    sweeps: try row["sweeps"].decode(Int.self),
                    linkSeconds: [LinkCondition.up.rawValue: try i("up_s"), LinkCondition.degraded.rawValue: try i("degraded_s"),
                                  LinkCondition.down.rawValue: try i("down_s"), LinkCondition.unreachable.rawValue: try i("unreachable_s"),
                                  LinkCondition.notObserved.rawValue: try i("not_observed_s")],
                    lossPercentMedian: try row["loss_median"].decode(Double?.self), lossPercentMax: try row["loss_max"].decode(Double?.self),
                    rttMillisecondsMedian: try row["rtt_median"].decode(Double?.self), rttMillisecondsP95: try row["rtt_p95"].decode(Double?.self),
                    endpointSeconds: [EndpointCondition.compliant.rawValue: try i("ep_compliant_s"),
                                      EndpointCondition.noncompliant.rawValue: try i("ep_noncompliant_s"),
                                      EndpointCondition.unreachable.rawValue: try i("ep_unreachable_s"),
                                      EndpointCondition.notObserved.rawValue: try i("ep_not_observed_s")])
            }
        }
    }

    public func latestInventory(before date: Date, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        try await runs(PostgresQuery(unsafeSQL: Self.runSelect + """
             WHERE r.state = 'complete' AND r.started_at < $1 AND ($2::text IS NULL OR r.inventory_path = $2)
             AND ($3::text IS NULL OR r.site = $3) ORDER BY r.id DESC LIMIT 1
            """, binds: Self.binds(date, inventoryPath, site))).first
    }
}
