import Foundation
import GRDB
import NetauditCore
import NetauditStore

// Runs and their results: what the audit runner writes and reports read.
extension SQLiteStore {
    // MARK: Writing

    public func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                         startedAt: Date, resuming: RunID?) async throws(StoreError) -> RunID {
        let plain = (try? Self.encoder.encode(inventory)) ?? Data()
        let treeHash = InventoryFingerprint.sha256(data: plain)
        let tree = Deflate.pack(plain) ?? plain
        let process = ProcessIdentity.current
        return try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO inventories (hash, json) VALUES (?, ?)", arguments: [treeHash, tree])
            let inventoryID = try Int64.fetchOne(db, sql: "SELECT id FROM inventories WHERE hash = ?", arguments: [treeHash])
            try db.execute(sql: """
                INSERT INTO runs (kind, state, started_at, inventory_hash, inventory_path, inventory_json, inventory_id, host, pid,
                                  process_start, boot_id, netaudit_version, resumed_from, uid)
                VALUES (?, 'running', ?, ?, ?, X'', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind.rawValue, startedAt, inventoryHash, inventoryPath, inventoryID,
                                 process.host, process.pid, process.startTicks, process.bootID, Schema.netauditVersion,
                                 resuming?.value, UUID().uuidString.lowercased()])
            let id = db.lastInsertedRowID
            let writing = RunWriting(kind: kind, nextSeq: 1, openConditions: kind == .linkSweep ? try Self.openLinkConditions(db) : [:])
            self.caches.withLock { $0.runs[id] = writing }
            return RunID(id)
        }
    }

    /// The condition of each link's open interval, by agency code.
    static func openLinkConditions(_ db: Database) throws -> [String: String] {
        var conditions: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT a.code, i.state FROM intervals i JOIN agencies a ON a.id = i.agency WHERE i.open = 1 AND i.url IS NULL
            """) {
            conditions[row[0]] = row[1]
        }
        return conditions
    }

    /// What this process knows of run `id` it writes, loaded from the file when it does not
    /// (a run taken over, or begun before this store object was opened).
    func writing(_ id: Int64, _ db: Database) throws -> RunWriting {
        if let known = caches.withLock({ $0.runs[id] }) { return known }
        guard let kindName = try String.fetchOne(db, sql: "SELECT kind FROM runs WHERE id = ?", arguments: [id]) else {
            throw StoreError(.invalidRequest, path: path, message: "no run \(id)")
        }
        let kind = RunKind(rawValue: kindName) ?? .audit
        let last = try Int64.fetchOne(db, sql: """
            SELECT MAX(m) FROM (SELECT MAX(COALESCE(seq, 0)) AS m FROM link_results WHERE run_id = ?
                                UNION ALL SELECT MAX(seq) FROM sweep_links WHERE run_id = ?)
            """, arguments: [id, id]) ?? 0
        let writing = RunWriting(kind: kind, nextSeq: last + 1, openConditions: kind == .linkSweep ? try Self.openLinkConditions(db) : [:])
        caches.withLock { $0.runs[id] = writing }
        return writing
    }

    /// The ids of agency codes in the store, adding those it does not have yet (each in a
    /// transaction of its own, so that an id this process remembers is always committed).
    func agencyIDs(_ codes: [String]) async throws(StoreError) -> [String: Int64] {
        let missing = caches.withLock { caches in codes.filter { caches.agencyIDs[$0] == nil } }
        if !missing.isEmpty {
            let found = try await write { db -> [String: Int64] in
                var found: [String: Int64] = [:]
                for code in missing {
                    try db.execute(sql: "INSERT OR IGNORE INTO agencies (code) VALUES (?)", arguments: [code])
                    found[code] = try Int64.fetchOne(db, sql: "SELECT id FROM agencies WHERE code = ?", arguments: [code])
                }
                return found
            }
            caches.withLock { $0.agencyIDs.merge(found) { old, _ in old } }
        }
        return caches.withLock { caches in Dictionary(codes.compactMap { code in caches.agencyIDs[code].map { (code, $0) } }, uniquingKeysWith: { first, _ in first }) }
    }

    public func takeOver(from: RunID, to: RunID, links: Set<String>) async throws(StoreError) -> TakenOver {
        try await write { db in
            // A row written before v3 has no sequence number: its id, which orders it as
            // `linkResults` does, becomes one, so the new run's own rows come after it.
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS taken_links (agency_code TEXT PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM taken_links")
            for code in links { try db.execute(sql: "INSERT OR IGNORE INTO taken_links VALUES (?)", arguments: [code]) }
            try db.execute(sql: """
                INSERT INTO link_results (run_id, agency_code, observation_json, state, recorded_at, seq, condition, cause, sent, received, rtt_median,
                                          dictionary_id)
                SELECT ?, agency_code, observation_json, state, recorded_at, COALESCE(seq, id), condition, cause, sent, received, rtt_median,
                       dictionary_id FROM link_results
                WHERE run_id = ? AND state IS NOT NULL AND agency_code IN (SELECT agency_code FROM taken_links) ORDER BY id
                """, arguments: [to.value, from.value])
            try db.execute(sql: """
                INSERT INTO sweep_links (run_id, seq, agency, condition, transport, sent, received, rtt_min, rtt_median, rtt_max, cause)
                SELECT ?, s.seq, s.agency, s.condition, s.transport, s.sent, s.received, s.rtt_min, s.rtt_median, s.rtt_max, s.cause
                FROM sweep_links s JOIN agencies a ON a.id = s.agency
                WHERE s.run_id = ? AND a.code IN (SELECT agency_code FROM taken_links)
                """, arguments: [to.value, from.value])
            try db.execute(sql: """
                INSERT INTO endpoint_results (run_id, agency_code, url, observation_json, verdict, recorded_at, rule_ids, dictionary_id)
                SELECT ?, agency_code, url, observation_json, verdict, recorded_at, rule_ids, dictionary_id FROM endpoint_results
                WHERE run_id = ? ORDER BY id
                """, arguments: [to.value, from.value])
            try db.execute(sql: """
                INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence_json)
                SELECT ?, agency_code, target, rule_id, severity, message, evidence_json FROM findings f
                WHERE run_id = ? AND (target != 'link' OR agency_code IN
                      (SELECT agency_code FROM link_results WHERE run_id = ? AND state IS NOT NULL
                       UNION ALL SELECT a.code FROM sweep_links s JOIN agencies a ON a.id = s.agency WHERE s.run_id = ?))
                ORDER BY id
                """, arguments: [to.value, from.value, to.value, to.value])
            try db.execute(sql: "DELETE FROM taken_links")
            self.caches.withLock { $0.runs[to.value] = nil }  // its sequence continues after what was taken over
            var taken = TakenOver()
            for row in try Row.fetchAll(db, sql: """
                SELECT agency_code, state FROM link_results WHERE run_id = ?
                UNION ALL SELECT a.code, CASE s.condition WHEN 0 THEN 'up' WHEN 1 THEN 'degraded' ELSE 'down' END
                FROM sweep_links s JOIN agencies a ON a.id = s.agency WHERE s.run_id = ?
                """, arguments: [to.value, to.value]) {
                if let state = (row[1] as String?).flatMap(LinkState.init(rawValue:)) { taken.linkStates[row[0]] = state }
            }
            for row in try Row.fetchAll(db, sql: "SELECT agency_code, url FROM endpoint_results WHERE run_id = ?", arguments: [to.value]) {
                taken.endpoints.insert(EndpointKey(agencyCode: row["agency_code"], url: row["url"]))
            }
            return taken
        }
    }

    /// Stores one agency's link result and its findings, in one transaction. In a link
    /// sweep, a link still in the condition its open interval records gets a compact typed
    /// row; a change (or a full audit, or a probe that could not run) keeps the observation.
    public func record(_ result: LinkResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await record(links: [result], endpoints: [], in: run, at: date)
    }

    /// Stores one endpoint result and its findings, in one transaction.
    public func record(_ result: EndpointResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await record(links: [], endpoints: [result], in: run, at: date)
    }

    public func record(links: [LinkResult], endpoints: [EndpointResult], in run: RunID, at date: Date) async throws(StoreError) {
        let prepared = try links.map { result throws(StoreError) in try PreparedLink(result) }
        let preparedEndpoints = try endpoints.map { result throws(StoreError) in try PreparedEndpoint(result) }
        let ids = try await agencyIDs(prepared.flatMap { [$0.result.agencyCode] + [$0.judged?.cause].compactMap { $0 } })
        try await write { db in
            for link in prepared { try self.insert(link, run: run, at: date, ids: ids, db: db) }
            for endpoint in preparedEndpoints { try Self.insert(endpoint, run: run, at: date, db: db) }
        }
    }

    /// A link result with what is encoded before the transaction.
    struct PreparedLink: Sendable {
        let result: LinkResult
        let judged: (condition: LinkCondition, cause: String?)?
        let observation: String?
        let findings: [(Finding, String)]
        init(_ result: LinkResult) throws(StoreError) {
            self.result = result
            judged = StoredCondition.link(result)
            observation = try result.observation.map { observation throws(StoreError) in try SQLiteStore.json(observation) }
            findings = try result.findings.map { finding throws(StoreError) in (finding, try SQLiteStore.json(finding.evidence)) }
        }
    }

    /// An endpoint result with what is encoded before the transaction.
    struct PreparedEndpoint: Sendable {
        let result: EndpointResult
        let observation: String
        let findings: [(Finding, String)]
        init(_ result: EndpointResult) throws(StoreError) {
            self.result = result
            observation = try SQLiteStore.json(result.observation)
            findings = try result.findings.map { finding throws(StoreError) in (finding, try SQLiteStore.json(finding.evidence)) }
        }
    }

    private func insert(_ link: PreparedLink, run: RunID, at date: Date, ids: [String: Int64], db: Database) throws {
        let result = link.result
        let writing = try self.writing(run.value, db)
        let seq = writing.nextSeq
        caches.withLock { $0.runs[run.value]?.nextSeq = seq + 1 }
        if let judged = link.judged, let observation = result.observation, writing.kind == .linkSweep, observation.problem == nil,
           observation.localFailure == nil, writing.openConditions[result.agencyCode] == judged.condition.rawValue,
           let agency = ids[result.agencyCode] {
            let trip = observation.roundTrip
            try db.execute(sql: """
                INSERT INTO sweep_links (run_id, seq, agency, condition, transport, sent, received, rtt_min, rtt_median, rtt_max, cause)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.value, seq, agency, StoredCondition.code(judged.condition), StoredCondition.code(observation.transport),
                                 observation.sent, observation.received, trip.map { Self.micros($0.minimum) },
                                 trip.map { Self.micros($0.median) }, trip.map { Self.micros($0.maximum) },
                                 judged.cause.flatMap { ids[$0] }])
        } else {
            let stored = try link.observation.map { try Self.pack($0, subject: result.agencyCode, db: db) }
            try db.execute(sql: """
                INSERT INTO link_results (run_id, agency_code, observation_json, state, recorded_at, seq, condition, cause,
                                          sent, received, rtt_median, dictionary_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.value, result.agencyCode, stored?.value, result.state?.rawValue, date, seq,
                                 link.judged?.condition.rawValue, link.judged?.cause, result.observation?.sent, result.observation?.received,
                                 result.observation?.roundTrip?.median, stored?.dictionary])
        }
        for (finding, evidence) in link.findings {
            try Self.insert(finding, evidence: evidence, run: run, agency: result.agencyCode, target: "link", db: db)
        }
    }

    /// An observation as the store keeps it: deflated against the newest dictionary of its
    /// subject (the endpoint, or the agency's link), which is an earlier observation of it;
    /// when that no longer halves what deflating alone gives (a new certificate, a changed
    /// server), this observation becomes the subject's new dictionary. In the caller's
    /// transaction.
    static func pack(_ json: String, subject: String, db: Database) throws -> (value: DatabaseValue, dictionary: Int64?) {
        let plain = Data(json.utf8)
        if let row = try Row.fetchOne(db, sql: "SELECT id, data FROM dictionaries WHERE subject = ? ORDER BY id DESC LIMIT 1", arguments: [subject]) {
            let dictionary = unpacked(row["data"])
            if let packed = Deflate.pack(plain, dictionary: dictionary), packed.count * 2 <= (Deflate.pack(plain)?.count ?? plain.count) {
                return (packed.databaseValue, row["id"])
            }
        }
        try db.execute(sql: "INSERT INTO dictionaries (subject, data) VALUES (?, ?)", arguments: [subject, Deflate.pack(plain) ?? plain])
        let id = db.lastInsertedRowID
        guard let packed = Deflate.pack(plain, dictionary: plain) else { return (json.databaseValue, nil) }
        return (packed.databaseValue, id)
    }

    /// Stored JSON: deflated against a dictionary, deflated, or text (rows written before
    /// the store deflated). `dictionary` is the stored dictionary, if the row names one.
    static func storedJSON(_ value: DatabaseValue, dictionary: Data? = nil) -> Data? {
        switch value.storage {
        case .null: return nil
        case .string(let text): return Data(text.utf8)
        case .blob(let data):
            if let dictionary { return Deflate.unpack(data, dictionary: unpacked(dictionary)) }
            return Deflate.unpack(data) ?? data
        case .int64(let number): return Data(String(number).utf8)
        case .double(let number): return Data(String(number).utf8)
        }
    }

    /// An inventory tree as stored: deflated, or plain JSON (stores written before).
    static func unpacked(_ data: Data) -> Data {
        Deflate.unpack(data) ?? data
    }

    static func micros(_ milliseconds: Double) -> Int64 { Int64((milliseconds * 1000).rounded()) }

    private static func insert(_ endpoint: PreparedEndpoint, run: RunID, at date: Date, db: Database) throws {
        let result = endpoint.result
        let stored = try pack(endpoint.observation, subject: "\(result.agencyCode) \(result.observation.url)", db: db)
        try db.execute(sql: """
            INSERT INTO endpoint_results (run_id, agency_code, url, observation_json, verdict, recorded_at, rule_ids, dictionary_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.value, result.agencyCode, result.observation.url, stored.value, result.verdict.rawValue, date,
                             StoredCondition.endpoint(result).cause, stored.dictionary])
        for (finding, evidence) in endpoint.findings {
            try insert(finding, evidence: evidence, run: run, agency: result.agencyCode, target: result.observation.url, db: db)
        }
    }

    private static func insert(_ finding: Finding, evidence: String, run: RunID, agency: String, target: String, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence_json)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.value, agency, target, finding.id, finding.severity.rawValue, finding.message, evidence])
    }

    /// Ends a run (`complete` or `aborted`); a run already ended stays as it was. A run that
    /// completes extends the history in the same transaction (so a crash can neither lose
    /// nor double it); the days that ended since the last roll-up are then rolled up.
    public func finishRun(_ id: RunID, state: RunState, note: String?, endedAt: Date) async throws(StoreError) {
        precondition(state != .running, "a run ends complete or aborted")
        let settings = history
        try await write { db in
            try db.execute(sql: "UPDATE runs SET state = ?, ended_at = ?, note = ? WHERE id = ? AND state = 'running'",
                           arguments: [state.rawValue, endedAt, note, id.value])
            if db.changesCount > 0 && state == .complete { try Self.applyHistory(run: id.value, db: db, settings: settings) }
        }
        caches.withLock { $0.runs[id.value] = nil }
        if state == .complete { try await rollUpEndedDays(now: endedAt) }
    }

    // MARK: Reading

    public func run(_ id: RunID) async throws(StoreError) -> RunRecord? {
        try await read { db in try Row.fetchOne(db, sql: "\(Self.runSelect) WHERE r.id = ?", arguments: [id.value]).map { try self.runRecord($0) } }
    }

    public func runs(limit: Int) async throws(StoreError) -> [RunRecord] {
        try await read { db in try Row.fetchAll(db, sql: "\(Self.runSelect) ORDER BY r.id DESC LIMIT ?", arguments: [limit]).map { try self.runRecord($0) } }
    }

    public func latestRun(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        let (filter, arguments) = Self.runFilter(kinds: kinds, state: state, before: before, inventoryPath: inventoryPath)
        return try await read { db in
            try Row.fetchOne(db, sql: "\(Self.runSelect) WHERE \(filter) ORDER BY r.id DESC LIMIT 1", arguments: arguments).map { try self.runRecord($0) }
        }
    }

    public func latestRunID(kinds: [RunKind], state: RunState, inventoryPath: String?) async throws(StoreError) -> RunID? {
        let (filter, arguments) = Self.runFilter(kinds: kinds, state: state, before: nil, inventoryPath: inventoryPath)
        return try await read { db in
            try Int64.fetchOne(db, sql: "SELECT max(r.id) FROM runs r WHERE \(filter)", arguments: arguments).map(RunID.init)
        }
    }

    static let runSelect = "SELECT r.*, i.json AS stored_inventory FROM runs r LEFT JOIN inventories i ON i.id = r.inventory_id"

    /// The WHERE clause of `latestRun` and `latestRunID`, with its arguments.
    private static func runFilter(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) -> (String, StatementArguments) {
        var arguments: [any DatabaseValueConvertible] = kinds.map(\.rawValue)
        arguments.append(state.rawValue)
        arguments.append(before?.value ?? Int64.max)
        var filter = "r.kind IN (\(kinds.map { _ in "?" }.joined(separator: ","))) AND r.state = ? AND r.id < ?"
        if let inventoryPath {
            filter += " AND r.inventory_path = ?"
            arguments.append(inventoryPath)
        }
        return (filter, StatementArguments(arguments))
    }

    public func resumption(of id: RunID) async throws(StoreError) -> RunID? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE resumed_from = ? AND state != 'aborted' ORDER BY id LIMIT 1",
                               arguments: [id.value]).map(RunID.init)
        }
    }

    public func ping() async throws(StoreError) {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// A run as stored; a `running` run whose process is gone reads as `aborted` with why,
    /// as the next writer will mark it (a read-only store is never marked, and a run of
    /// another process may die while this one reads).
    func runRecord(_ row: Row) throws -> RunRecord {
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
            inventory: try inventory(row), host: row["host"], pid: row["pid"],
            netauditVersion: row["netaudit_version"], note: note,
            resumedFrom: (row["resumed_from"] as Int64?).map(RunID.init),
            uid: row.hasColumn("uid") ? row["uid"] : nil)
    }

    /// A run's inventory tree, decoded once per distinct inventory.
    func inventory(_ row: Row) throws -> Inventory {
        guard let id: Int64 = row["inventory_id"] else {
            let tree: Data = row["inventory_json"]
            return try Self.decoder.decode(Inventory.self, from: Self.unpacked(tree))
        }
        if let known = caches.withLock({ $0.inventories[id] }) { return known }
        let tree: Data = row["stored_inventory"] ?? Data()
        let inventory = try Self.decoder.decode(Inventory.self, from: Self.unpacked(tree))
        caches.withLock { caches in
            if caches.inventories.count > 8 { caches.inventories.removeAll() }
            caches.inventories[id] = inventory
        }
        return inventory
    }

    public func linkResults(run: RunID) async throws(StoreError) -> [LinkResult] {
        try await read { db in
            let findings = try Self.findings(run: run, target: "link", db: db)
            var results: [(Int64, LinkResult)] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT l.*, d.data AS dictionary FROM link_results l LEFT JOIN dictionaries d ON d.id = l.dictionary_id
                WHERE l.run_id = ? ORDER BY COALESCE(l.seq, l.id)
                """, arguments: [run.value]) {
                let code: String = row["agency_code"]
                let json = Self.storedJSON(row["observation_json"], dictionary: row["dictionary"])
                results.append((row["seq"] ?? row["id"], LinkResult(
                    agencyCode: code, observation: try json.map { try Self.decoder.decode(LinkObservation.self, from: $0) },
                    state: (row["state"] as String?).flatMap(LinkState.init(rawValue:)), findings: findings[code] ?? [])))
            }
            let compact = try Row.fetchAll(db, sql: """
                SELECT s.*, a.code FROM sweep_links s JOIN agencies a ON a.id = s.agency WHERE s.run_id = ? ORDER BY s.seq
                """, arguments: [run.value])
            guard !compact.isEmpty else { return results.map(\.1) }
            // A compact row names no address: the run's inventory does.
            guard let runRow = try Row.fetchOne(db, sql: "\(Self.runSelect) WHERE r.id = ?", arguments: [run.value]) else { return results.map(\.1) }
            let record = try self.runRecord(runRow)
            let links = Dictionary(record.inventory.allAgencies.compactMap { agency in agency.link.map { (agency.code, $0) } },
                                   uniquingKeysWith: { first, _ in first })
            for row in compact {
                let code: String = row["code"]
                guard let link = links[code] else { continue }
                results.append((row["seq"], Self.compactResult(row, code: code, link: link, started: record.startedAt, findings: findings[code] ?? [])))
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// A link result from its compact sweep row: the figures kept, the address and method
    /// from the inventory.
    static func compactResult(_ row: Row, code: String, link: Link, started: Date, findings: [Finding]) -> LinkResult {
        let condition = StoredCondition.condition(row["condition"])
        let received: Int = row["received"]
        var trip: RoundTripStatistics?
        if let minimum: Int64 = row["rtt_min"], let median: Int64 = row["rtt_median"], let maximum: Int64 = row["rtt_max"] {
            let m = Double(median) / 1000
            trip = RoundTripStatistics(minimum: Double(minimum) / 1000, median: m, average: m, maximum: Double(maximum) / 1000,
                                       jitter: 0, samples: received)
        }
        let observation = LinkObservation(address: link.address, method: link.method, transport: StoredCondition.transport(row["transport"]),
                                          sent: row["sent"], received: received, roundTrip: trip, started: started)
        let state: LinkState = condition == .up ? .up : condition == .degraded ? .degraded : .down
        return LinkResult(agencyCode: code, observation: observation, state: state, findings: findings)
    }

    public func endpointResults(run: RunID) async throws(StoreError) -> [EndpointResult] {
        try await read { db in
            let findings = try Self.findings(run: run, target: nil, db: db)
            return try Row.fetchAll(db, sql: """
                SELECT e.*, d.data AS dictionary FROM endpoint_results e LEFT JOIN dictionaries d ON d.id = e.dictionary_id
                WHERE e.run_id = ? ORDER BY e.id
                """, arguments: [run.value]).map { row in
                let code: String = row["agency_code"]
                let url: String = row["url"]
                let json = Self.storedJSON(row["observation_json"], dictionary: row["dictionary"]) ?? Data()
                return EndpointResult(agencyCode: code, observation: try Self.decoder.decode(TLSObservation.self, from: json),
                                      verdict: EndpointVerdict(rawValue: row["verdict"]) ?? .unreachable,
                                      findings: findings["\(code) \(url)"] ?? [])
            }
        }
    }

    /// Findings of a run, by agency code (links) or by "code url" (endpoints).
    private static func findings(run: RunID, target: String?, db: Database) throws -> [String: [Finding]] {
        var result: [String: [Finding]] = [:]
        let filter = target == nil ? "target != 'link'" : "target = 'link'"
        for row in try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE run_id = ? AND \(filter) ORDER BY id", arguments: [run.value]) {
            let rowTarget: String = row["target"]
            let code: String = row["agency_code"]
            let evidence: String = row["evidence_json"]
            let finding = Finding(id: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info, message: row["message"],
                                  evidence: (try? decoder.decode([String: String].self, from: Data(evidence.utf8))) ?? [:])
            result[target == nil ? "\(code) \(rowTarget)" : code, default: []].append(finding)
        }
        return result
    }
}
