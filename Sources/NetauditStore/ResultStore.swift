import Foundation
import GRDB
import NetauditCore

/// The results store: one SQLite file in WAL mode with a versioned schema. Every run keeps
/// its inventory (hash and tree), every observation and finding with its evidence, its
/// start and end and its state. Results are written as the run goes, each in its own
/// transaction, so a run cut off by SIGKILL or a power loss keeps what it wrote; at the
/// next open such a run (its process gone, or the machine rebooted) is marked `aborted`.
/// Nothing stored is ever rewritten by a later run, except that state.
///
/// Several processes may write at once (the daemon and an audit started by a timer):
/// writers wait for each other (busy timeout) instead of failing with "database is locked".
public final class ResultStore: Sendable {
    public let path: String
    /// The writer, nil when opened read-only.
    let pool: DatabasePool?
    let reader: any DatabaseReader
    /// Runs found `running` at open whose process is gone: now `aborted`.
    public let recoveredRuns: [RunID]

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Opens (creating if needed) the store at `path`, migrates it, and recovers runs cut off.
    /// `readOnly`: opens an existing store for reading only (reports): nothing is created,
    /// migrated or recovered, so a read-only file, a store on a full disk, or one the process
    /// may not write can still be reported on.
    public init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "netaudit-results"
        configuration.readonly = readOnly
        do {
            if readOnly {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw StoreError(path: path, message: "no results store here")
                }
                pool = nil
                reader = try Self.openReadOnly(path: path, configuration: configuration)
                guard try reader.read({ try $0.tableExists("runs") }) else {
                    throw StoreError(path: path, message: "not a netaudit results store (no runs table)")
                }
                recoveredRuns = []
                return
            }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let pool = try DatabasePool(path: path, configuration: configuration)
            self.pool = pool
            reader = pool
            try Self.migrate(pool)
            recoveredRuns = try Self.recover(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// A reader of a store this process may not write: through WAL as usual when SQLite can
    /// create the shared-memory file beside it; otherwise (a read-only folder or file
    /// system, a full disk) as an immutable file, which needs no shared memory.
    private static func openReadOnly(path: String, configuration: Configuration) throws -> any DatabaseReader {
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            _ = try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return pool
        } catch is DatabaseError {
            // An immutable read sees only the database file: results still in the write-ahead
            // log would be missing, and the report would pass for the latest. Refused instead.
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            if wal > 0 {
                throw StoreError(path: path, message: "the latest results are still in \(path)-wal and this process cannot set up "
                                 + "the shared memory to read them (a folder it may not write, or a full disk): report as the store's "
                                 + "owner, or once the writer has closed the store")
            }
            let uri = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
            return try DatabaseQueue(path: uri, configuration: configuration)
        }
    }

    /// Migrates the schema. Two processes opening a new store at once (the daemon and an
    /// audit, or a report) may both find a migration to apply; the one that loses finds the
    /// other's tables, and then waits a moment for the other to finish instead of failing.
    private static func migrate(_ pool: DatabasePool) throws {
        for attempt in 1...20 {
            do {
                try Schema.migrator.migrate(pool)
                return
            } catch {
                if try pool.read(Schema.migrator.hasCompletedMigrations) { return }
                if attempt == 20 { throw error }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Closes the store: checkpoints the WAL into the database file (as far as other
    /// processes allow) and closes every
    /// connection. A daemon calls this last on its way out; any later use fails.
    public func close() throws(StoreError) {
        do {
            // Best effort, and without waiting: another process (an audit beside the daemon)
            // may be writing; a passive checkpoint copies what it can and returns.
            guard let pool else { return try reader.close() }
            _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
            try pool.close()
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    static func storeError(_ error: any Error, path: String) -> StoreError {
        if let database = error as? DatabaseError {
            switch database.resultCode {
            case .SQLITE_FULL: return StoreError(path: path, message: "the disk is full (nothing already stored is lost)")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
                return StoreError(path: path, message: "cannot open or write the file: \(database.message ?? "\(database.resultCode)")")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return StoreError(path: path, message: "not a netaudit results store, or damaged: \(database.message ?? "")")
            default: return StoreError(path: path, message: database.message ?? "\(database.resultCode)")
            }
        }
        return StoreError(path: path, message: "\(error)")
    }

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        guard let pool else { throw StoreError(path: path, message: "opened read-only") }
        do { return try pool.write(body) } catch { throw Self.storeError(error, path: path) }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try reader.read(body) } catch { throw Self.storeError(error, path: path) }
    }

    // MARK: Runs

    /// Starts a run: stores the inventory as it is and returns the run's id.
    public func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                         startedAt: Date = Date(), resuming: RunID? = nil) throws(StoreError) -> RunID {
        let tree = (try? Self.encoder.encode(inventory)) ?? Data()
        let process = ProcessIdentity.current
        return try write { db in
            try db.execute(sql: """
                INSERT INTO runs (kind, state, started_at, inventory_hash, inventory_path, inventory_json, host, pid,
                                  process_start, boot_id, netaudit_version, resumed_from)
                VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind.rawValue, startedAt, inventoryHash, inventoryPath, tree,
                                 process.host, process.pid, process.startTicks, process.bootID, Schema.netauditVersion,
                                 resuming?.value])
            return RunID(db.lastInsertedRowID)
        }
    }

    /// Copies into run `to` what run `from` measured to the end: the link results of the
    /// agencies in `links` (the caller's choice: whole series, judged with what they depend
    /// on) that have a state, and every endpoint result, each with its findings and its
    /// original time. One transaction.
    public func takeOver(from: RunID, to: RunID, links: Set<String>) throws(StoreError) -> TakenOver {
        try write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS taken_links (agency_code TEXT PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM taken_links")
            for code in links { try db.execute(sql: "INSERT OR IGNORE INTO taken_links VALUES (?)", arguments: [code]) }
            try db.execute(sql: """
                INSERT INTO link_results (run_id, agency_code, observation_json, state, recorded_at)
                SELECT ?, agency_code, observation_json, state, recorded_at FROM link_results
                WHERE run_id = ? AND state IS NOT NULL AND agency_code IN (SELECT agency_code FROM taken_links) ORDER BY id
                """, arguments: [to.value, from.value])
            try db.execute(sql: """
                INSERT INTO endpoint_results (run_id, agency_code, url, observation_json, verdict, recorded_at)
                SELECT ?, agency_code, url, observation_json, verdict, recorded_at FROM endpoint_results
                WHERE run_id = ? ORDER BY id
                """, arguments: [to.value, from.value])
            try db.execute(sql: """
                INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence_json)
                SELECT ?, agency_code, target, rule_id, severity, message, evidence_json FROM findings f
                WHERE run_id = ? AND (target != 'link' OR agency_code IN
                      (SELECT agency_code FROM link_results WHERE run_id = ? AND state IS NOT NULL))
                ORDER BY id
                """, arguments: [to.value, from.value, to.value])
            try db.execute(sql: "DELETE FROM taken_links")
            var taken = TakenOver()
            for row in try Row.fetchAll(db, sql: "SELECT agency_code, state FROM link_results WHERE run_id = ?", arguments: [to.value]) {
                if let state = (row["state"] as String?).flatMap(LinkState.init(rawValue:)) { taken.linkStates[row["agency_code"]] = state }
            }
            for row in try Row.fetchAll(db, sql: "SELECT agency_code, url FROM endpoint_results WHERE run_id = ?", arguments: [to.value]) {
                taken.endpoints.insert(EndpointKey(agencyCode: row["agency_code"], url: row["url"]))
            }
            return taken
        }
    }

    /// Ends a run (`complete` or `aborted`); a run already ended stays as it was.
    public func finishRun(_ id: RunID, state: RunState, note: String? = nil, endedAt: Date = Date()) throws(StoreError) {
        precondition(state != .running, "a run ends complete or aborted")
        try write { db in
            try db.execute(sql: "UPDATE runs SET state = ?, ended_at = ?, note = ? WHERE id = ? AND state = 'running'",
                           arguments: [state.rawValue, endedAt, note, id.value])
        }
    }

    public func run(_ id: RunID) throws(StoreError) -> RunRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id.value]).map(Self.runRecord) }
    }

    /// The newest runs first.
    public func runs(limit: Int = 50) throws(StoreError) -> [RunRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.runRecord) }
    }

    /// The newest run of `kinds` in `state` that started before run `before` (if given),
    /// over the inventory at `inventoryPath` (if given).
    public func latestRun(kinds: [RunKind], state: RunState = .complete, before: RunID? = nil,
                          inventoryPath: String? = nil) throws(StoreError) -> RunRecord? {
        let (filter, arguments) = Self.runFilter(kinds: kinds, state: state, before: before, inventoryPath: inventoryPath)
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE \(filter) ORDER BY id DESC LIMIT 1", arguments: arguments).map(Self.runRecord)
        }
    }

    /// The id of the run `latestRun` would return, without reading the run's inventory (a
    /// national one is megabytes of JSON): for callers that poll.
    public func latestRunID(kinds: [RunKind], state: RunState = .complete, inventoryPath: String? = nil) throws(StoreError) -> RunID? {
        let (filter, arguments) = Self.runFilter(kinds: kinds, state: state, before: nil, inventoryPath: inventoryPath)
        return try read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs WHERE \(filter)", arguments: arguments).map(RunID.init)
        }
    }

    /// The WHERE clause of `latestRun` and `latestRunID`, with its arguments.
    private static func runFilter(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) -> (String, StatementArguments) {
        var arguments: [any DatabaseValueConvertible] = kinds.map(\.rawValue)
        arguments.append(state.rawValue)
        arguments.append(before?.value ?? Int64.max)
        var filter = "kind IN (\(kinds.map { _ in "?" }.joined(separator: ","))) AND state = ? AND id < ?"
        if let inventoryPath {
            filter += " AND inventory_path = ?"
            arguments.append(inventoryPath)
        }
        return (filter, StatementArguments(arguments))
    }

    /// The run that resumes run `id` (`audit --resume`) and did not end aborted, if any.
    public func resumption(of id: RunID) throws(StoreError) -> RunID? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE resumed_from = ? AND state != 'aborted' ORDER BY id LIMIT 1",
                               arguments: [id.value]).map(RunID.init)
        }
    }

    /// A cheap query: whether the store answers (a health check).
    public func ping() throws(StoreError) {
        try read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// A run as stored; a `running` run whose process is gone reads as `aborted` with why,
    /// as the next writer will mark it (a read-only store is never marked, and a run of
    /// another process may die while this one reads).
    static func runRecord(_ row: Row) throws -> RunRecord {
        let tree: Data = row["inventory_json"]
        var state = RunState(rawValue: row["state"]) ?? .aborted
        var note: String? = row["note"]
        if state == .running {
            let owner = ProcessIdentity(host: row["host"], pid: row["pid"], startTicks: row["process_start"], bootID: row["boot_id"])
            if !owner.isAlive { (state, note) = (.aborted, owner.goneReason) }
        }
        return RunRecord(
            id: RunID(row["id"]), kind: RunKind(rawValue: row["kind"]) ?? .audit,
            state: state, startedAt: row["started_at"], endedAt: row["ended_at"],
            inventoryHash: row["inventory_hash"], inventoryPath: row["inventory_path"],
            inventory: try decoder.decode(Inventory.self, from: tree), host: row["host"], pid: row["pid"],
            netauditVersion: row["netaudit_version"], note: note,
            resumedFrom: (row["resumed_from"] as Int64?).map(RunID.init))
    }

    // MARK: Results

    /// Stores one agency's link result and its findings, in one transaction.
    public func record(_ result: LinkResult, in run: RunID, at date: Date = Date()) throws(StoreError) {
        let observation = try result.observation.map { observation throws(StoreError) in try Self.json(observation) }
        let findings = try result.findings.map { finding throws(StoreError) in (finding, try Self.json(finding.evidence)) }
        try write { db in
            try db.execute(sql: """
                INSERT INTO link_results (run_id, agency_code, observation_json, state, recorded_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [run.value, result.agencyCode, observation, result.state?.rawValue, date])
            for (finding, evidence) in findings {
                try Self.insert(finding, evidence: evidence, run: run, agency: result.agencyCode, target: "link", db: db)
            }
        }
    }

    /// Stores one endpoint result and its findings, in one transaction.
    public func record(_ result: EndpointResult, in run: RunID, at date: Date = Date()) throws(StoreError) {
        let observation = try Self.json(result.observation)
        let findings = try result.findings.map { finding throws(StoreError) in (finding, try Self.json(finding.evidence)) }
        try write { db in
            try db.execute(sql: """
                INSERT INTO endpoint_results (run_id, agency_code, url, observation_json, verdict, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [run.value, result.agencyCode, result.observation.url, observation, result.verdict.rawValue, date])
            for (finding, evidence) in findings {
                try Self.insert(finding, evidence: evidence, run: run, agency: result.agencyCode, target: result.observation.url, db: db)
            }
        }
    }

    private static func insert(_ finding: Finding, evidence: String, run: RunID, agency: String, target: String, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence_json)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.value, agency, target, finding.id, finding.severity.rawValue, finding.message, evidence])
    }

    static func json<T: Encodable>(_ value: T) throws(StoreError) -> String {
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw StoreError(path: "-", message: "cannot encode a result: \(error)")
        }
    }

    public func linkResults(run: RunID) throws(StoreError) -> [LinkResult] {
        try read { db in
            let findings = try Self.findings(run: run, target: "link", db: db)
            return try Row.fetchAll(db, sql: "SELECT * FROM link_results WHERE run_id = ? ORDER BY id", arguments: [run.value]).map { row in
                let code: String = row["agency_code"]
                let json: String? = row["observation_json"]
                return LinkResult(agencyCode: code,
                                  observation: try json.map { try Self.decoder.decode(LinkObservation.self, from: Data($0.utf8)) },
                                  state: (row["state"] as String?).flatMap(LinkState.init(rawValue:)),
                                  findings: findings[code] ?? [])
            }
        }
    }

    public func endpointResults(run: RunID) throws(StoreError) -> [EndpointResult] {
        try read { db in
            let findings = try Self.findings(run: run, target: nil, db: db)
            return try Row.fetchAll(db, sql: "SELECT * FROM endpoint_results WHERE run_id = ? ORDER BY id", arguments: [run.value]).map { row in
                let code: String = row["agency_code"]
                let url: String = row["url"]
                let json: String = row["observation_json"]
                return EndpointResult(agencyCode: code, observation: try Self.decoder.decode(TLSObservation.self, from: Data(json.utf8)),
                                      verdict: EndpointVerdict(rawValue: row["verdict"]) ?? .unreachable,
                                      findings: findings["\(code) \(url)"] ?? [])
            }
        }
    }

    /// Findings of a run, by agency code (links) or by "code url" (endpoints).
    private static func findings(run: RunID, target: String?, db: Database) throws -> [String: [Finding]] {
        var result: [String: [Finding]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE run_id = ? ORDER BY id", arguments: [run.value]) {
            let rowTarget: String = row["target"]
            if let target, rowTarget != target { continue }
            if target == nil && rowTarget == "link" { continue }
            let code: String = row["agency_code"]
            let evidence: String = row["evidence_json"]
            let finding = Finding(id: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info, message: row["message"],
                                  evidence: (try? decoder.decode([String: String].self, from: Data(evidence.utf8))) ?? [:])
            result[target == nil ? "\(code) \(rowTarget)" : code, default: []].append(finding)
        }
        return result
    }

    // MARK: Upkeep

    /// Deletes the runs that ended more than `days` days before `now`, a few at a time so
    /// that a running audit's writes are never held up for long; returns how many.
    @discardableResult
    public func prune(keepingDays days: Int, now: Date = Date(), batch: Int = 20) throws(StoreError) -> Int {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        var removed = 0
        while true {
            let count = try write { db -> Int in
                let ids = try Int64.fetchAll(db, sql: """
                    SELECT id FROM runs WHERE state != 'running' AND COALESCE(ended_at, started_at) < ? ORDER BY id LIMIT ?
                    """, arguments: [cutoff, batch])
                for id in ids { try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id]) }
                return ids.count
            }
            removed += count
            if count < batch { return removed }
        }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?" }
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
