import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

// Runs and their results: what the audit runner writes and reports read.
extension PostgresStore {
    // MARK: Writing

    public func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                         startedAt: Date, resuming: RunID?) async throws(StoreError) -> RunID {
        let (treeHash, tree) = Self.packed(inventory)
        let process = writer
        let site = self.site ?? Self.defaultSite(inventory)
        let logger = self.logger
        try await write { connection in try await self.claim(site: site, connection) }
        let id = try await write { connection -> Int64 in
            try await connection.query("INSERT INTO inventories (hash, json) VALUES (\(treeHash), \(tree)) ON CONFLICT (hash) DO NOTHING",
                                       logger: logger)
            let rows = try await Self.rows("""
                INSERT INTO runs (site, kind, state, started_at, inventory_hash, inventory_path, inventory_id, host, pid,
                                  process_start, boot_id, netaudit_version, resumed_from)
                VALUES (\(site), \(kind.rawValue), 'running', \(startedAt), \(inventoryHash), \(inventoryPath),
                        (SELECT id FROM inventories WHERE hash = \(treeHash)), \(process.host), \(Int(process.pid)),
                        \(process.startTicks), \(process.bootID), \(Schema.netauditVersion), \(resuming?.value))
                RETURNING id
                """, connection, logger: logger)
            return try rows[0]["id"].decode(Int64.self)
        }
        caches.withLock { $0.runs[id] = RunWriting(kind: kind, nextSeq: 1) }
        return RunID(id)
    }

    /// An inventory as `inventories` keeps it: the SHA-256 of its JSON, and the JSON deflated.
    static func packed(_ inventory: Inventory) -> (hash: String, json: Data) {
        let plain = (try? encoder.encode(inventory)) ?? Data()
        return (InventoryFingerprint.sha256(data: plain), Deflate.pack(plain) ?? plain)
    }

    /// The site of a run when none is configured: the code of the inventory's top agency.
    static func defaultSite(_ inventory: Inventory) -> String {
        inventory.agencies.first?.code ?? "-"
    }

    /// What this process knows of run `id` it writes, loaded from the database when it does
    /// not (a run taken over, or begun by another store object).
    func writing(_ id: Int64, _ connection: PostgresConnection) async throws -> RunWriting {
        if let known = caches.withLock({ $0.runs[id] }) { return known }
        let rows = try await Self.rows("""
            SELECT kind, (SELECT COALESCE(MAX(seq), 0) FROM link_results WHERE run_id = r.id) AS last FROM runs r WHERE id = \(id)
            """, connection, logger: logger)
        guard let row = rows.first else { throw StoreError(.invalidRequest, path: location, message: "no run \(id)") }
        let writing = RunWriting(kind: RunKind(rawValue: try row["kind"].decode(String.self)) ?? .audit,
                                 nextSeq: try row["last"].decode(Int64.self) + 1)
        caches.withLock { $0.runs[id] = writing }
        return writing
    }

    public func takeOver(from: RunID, to: RunID, links: Set<String>) async throws(StoreError) -> TakenOver {
        let (logger, codes) = (self.logger, Array(links))
        let taken = try await write { connection -> TakenOver in
            try await connection.query("""
                INSERT INTO link_results (run_id, seq, agency_code, observation, state, condition, cause, sent, received, rtt_median, recorded_at)
                SELECT \(to.value), seq, agency_code, observation, state, condition, cause, sent, received, rtt_median, recorded_at
                FROM link_results WHERE run_id = \(from.value) AND state IS NOT NULL AND agency_code = ANY(\(codes)) ORDER BY seq
                """, logger: logger)
            try await connection.query("""
                INSERT INTO endpoint_results (run_id, agency_code, url, observation, verdict, rule_ids, recorded_at)
                SELECT \(to.value), agency_code, url, observation, verdict, rule_ids, recorded_at FROM endpoint_results
                WHERE run_id = \(from.value) ORDER BY id
                """, logger: logger)
            try await connection.query("""
                INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence)
                SELECT \(to.value), agency_code, target, rule_id, severity, message, evidence FROM findings
                WHERE run_id = \(from.value) AND (target != 'link' OR agency_code IN
                      (SELECT agency_code FROM link_results WHERE run_id = \(to.value) AND state IS NOT NULL))
                ORDER BY id
                """, logger: logger)
            var taken = TakenOver()
            for row in try await Self.rows("SELECT agency_code, state FROM link_results WHERE run_id = \(to.value)", connection, logger: logger) {
                if let state = try row["state"].decode(String?.self).flatMap(LinkState.init(rawValue:)) {
                    taken.linkStates[try row["agency_code"].decode(String.self)] = state
                }
            }
            for row in try await Self.rows("SELECT agency_code, url FROM endpoint_results WHERE run_id = \(to.value)", connection, logger: logger) {
                taken.endpoints.insert(EndpointKey(agencyCode: try row["agency_code"].decode(String.self), url: try row["url"].decode(String.self)))
            }
            return taken
        }
        caches.withLock { $0.runs[to.value] = nil }  // its sequence continues after what was taken over
        return taken
    }

    public func record(_ result: LinkResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await record(links: [result], endpoints: [], in: run, at: date)
    }

    public func record(_ result: EndpointResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await record(links: [], endpoints: [result], in: run, at: date)
    }

    public func record(links: [LinkResult], endpoints: [EndpointResult], in run: RunID, at date: Date) async throws(StoreError) {
        let prepared = try links.map { result throws(StoreError) in try PreparedLink(result) }
        let preparedEndpoints = try endpoints.map { result throws(StoreError) in try PreparedEndpoint(result) }
        try await write { connection in
            try await self.insert(links: prepared, endpoints: preparedEndpoints, run: run, at: date, connection)
        }
    }

    /// A link result with what is encoded before the transaction.
    struct PreparedLink: Sendable {
        let result: LinkResult
        let judged: ObservedCondition?
        let observation: Data?
        let findings: [(Finding, String)]
        init(_ result: LinkResult) throws(StoreError) {
            self.result = result
            judged = HistoryObservations.link(result, via: nil).flatMap { LinkCondition(rawValue: $0.state) == nil ? nil : $0 }
            observation = try result.observation.map { observation throws(StoreError) in
                let plain = Data(try PostgresStore.json(observation).utf8)
                return Deflate.pack(plain) ?? plain
            }
            findings = try result.findings.map { finding throws(StoreError) in (finding, try PostgresStore.json(finding.evidence)) }
        }
    }

    /// An endpoint result with what is encoded before the transaction.
    struct PreparedEndpoint: Sendable {
        let result: EndpointResult
        let observation: Data
        let cause: String?
        let findings: [(Finding, String)]
        init(_ result: EndpointResult) throws(StoreError) {
            self.result = result
            let plain = Data(try PostgresStore.json(result.observation).utf8)
            observation = Deflate.pack(plain) ?? plain
            cause = HistoryObservations.endpoint(result).cause
            findings = try result.findings.map { finding throws(StoreError) in (finding, try PostgresStore.json(finding.evidence)) }
        }
    }

    /// Inserts results with their findings: a few multi-row statements whatever their
    /// number (a national sweep is one round trip per 1,000 rows, not one per row), in the
    /// order given, each link taking the run's next sequence number.
    func insert(links: [PreparedLink], endpoints: [PreparedEndpoint], run: RunID, at date: Date,
                _ connection: PostgresConnection) async throws {
        var findings: [(agency: String, target: String, finding: Finding, evidence: String)] = []
        if !links.isEmpty {
            let first = try await writing(run.value, connection).nextSeq
            caches.withLock { $0.runs[run.value]?.nextSeq = first + Int64(links.count) }
            var rows: [[(any PostgresEncodable)?]] = []
            for (offset, link) in links.enumerated() {
                let result = link.result
                rows.append([run.value, first + Int64(offset), result.agencyCode, link.observation, result.state?.rawValue, link.judged?.state,
                             link.judged?.cause, result.observation?.sent, result.observation?.received,
                             result.observation?.roundTrip?.median, date])
                findings += link.findings.map { (result.agencyCode, "link", $0.0, $0.1) }
            }
            try await Self.insertRows("link_results", columns: ["run_id", "seq", "agency_code", "observation", "state", "condition", "cause",
                                                                "sent", "received", "rtt_median", "recorded_at"],
                                      rows: rows, connection, logger: logger)
        }
        if !endpoints.isEmpty {
            var rows: [[(any PostgresEncodable)?]] = []
            for endpoint in endpoints {
                let result = endpoint.result
                rows.append([run.value, result.agencyCode, result.observation.url, endpoint.observation, result.verdict.rawValue,
                             endpoint.cause, date])
                findings += endpoint.findings.map { (result.agencyCode, result.observation.url, $0.0, $0.1) }
            }
            try await Self.insertRows("endpoint_results", columns: ["run_id", "agency_code", "url", "observation", "verdict", "rule_ids", "recorded_at"],
                                      rows: rows, connection, logger: logger)
        }
        if !findings.isEmpty {
            let rows: [[(any PostgresEncodable)?]] = findings.map { item in
                [run.value, item.agency, item.target, item.finding.id, item.finding.severity.rawValue, item.finding.message, item.evidence]
            }
            try await Self.insertRows("findings", columns: ["run_id", "agency_code", "target", "rule_id", "severity", "message", "evidence"],
                                      casts: ["evidence": "jsonb"], rows: rows, connection, logger: logger)
        }
    }

    /// `INSERT INTO table (columns) VALUES (…), (…) …` with every value bound, in statements
    /// of at most 30,000 parameters (PostgreSQL allows 65,535).
    static func insertRows(_ table: String, columns: [String], casts: [String: String] = [:], rows: [[(any PostgresEncodable)?]],
                           _ connection: PostgresConnection, logger: Logger) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var bindings = PostgresBindings(capacity: chunk.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            for row in chunk {
                var placeholders: [String] = []
                for (index, value) in row.enumerated() {
                    if let value { try bindings.append(value, context: .default) } else { bindings.appendNull() }
                    let cast = casts[columns[index]].map { "::" + $0 } ?? ""
                    placeholders.append("$\(bindings.count)\(cast)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + tuples.joined(separator: ", ")
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            start += perStatement
        }
    }

    /// Ends a run (`complete` or `aborted`); a run already ended stays as it was. A run that
    /// completes extends the history in the same transaction; the days that ended since the
    /// last roll-up are then rolled up.
    public func finishRun(_ id: RunID, state: RunState, note: String?, endedAt: Date) async throws(StoreError) {
        precondition(state != .running, "a run ends complete or aborted")
        let (settings, logger) = (history, self.logger)
        try await write { connection in
            let changed = try await Self.execute("""
                UPDATE runs SET state = \(state.rawValue), ended_at = \(endedAt), note = \(note)
                WHERE id = \(id.value) AND state = 'running' RETURNING id
                """, connection, logger: logger)
            if changed > 0 && state == .complete { try await Self.applyHistory(run: id.value, connection, logger: logger, settings: settings) }
        }
        caches.withLock { $0.runs[id.value] = nil }
        if state == .complete { try await rollUpEndedDays(now: endedAt) }
    }

    // MARK: Reading

    static let runSelect = "SELECT r.*, i.json AS stored_inventory FROM runs r JOIN inventories i ON i.id = r.inventory_id"

    public func run(_ id: RunID) async throws(StoreError) -> RunRecord? {
        try await runs(PostgresQuery(unsafeSQL: Self.runSelect + " WHERE r.id = $1 AND ($2::text IS NULL OR r.site = $2)",
                                    binds: Self.binds(id.value, site))).first
    }

    public func runs(limit: Int) async throws(StoreError) -> [RunRecord] {
        try await runs(PostgresQuery(unsafeSQL: Self.runSelect + " WHERE ($2::text IS NULL OR r.site = $2) ORDER BY r.id DESC LIMIT $1",
                                    binds: Self.binds(Int64(limit), site)))
    }

    public func latestRun(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        try await runs(PostgresQuery(unsafeSQL: Self.runSelect + """
             WHERE r.kind = ANY($1) AND r.state = $2 AND r.id < $3 AND ($4::text IS NULL OR r.inventory_path = $4)
             AND ($5::text IS NULL OR r.site = $5) ORDER BY r.id DESC LIMIT 1
            """, binds: Self.binds(kinds.map(\.rawValue), state.rawValue, before?.value ?? Int64.max, inventoryPath, site))).first
    }

    public func latestRunID(kinds: [RunKind], state: RunState, inventoryPath: String?) async throws(StoreError) -> RunID? {
        let (logger, site) = (self.logger, self.site)
        return try await read { connection in
            let rows = try await Self.rows("""
                SELECT max(id) AS id FROM runs WHERE kind = ANY(\(kinds.map(\.rawValue))) AND state = \(state.rawValue)
                AND (\(inventoryPath)::text IS NULL OR inventory_path = \(inventoryPath)) AND (\(site)::text IS NULL OR site = \(site))
                """, connection, logger: logger)
            return try rows.first?["id"].decode(Int64?.self).map(RunID.init)
        }
    }

    public func resumption(of id: RunID) async throws(StoreError) -> RunID? {
        let logger = self.logger
        return try await read { connection in
            try await Self.rows("SELECT id FROM runs WHERE resumed_from = \(id.value) AND state != 'aborted' ORDER BY id LIMIT 1",
                                connection, logger: logger).first.map { RunID(try $0["id"].decode(Int64.self)) }
        }
    }

    public func ping() async throws(StoreError) {
        let logger = self.logger
        try await read { connection in _ = try await connection.query("SELECT 1", logger: logger) }
    }

    static func binds(_ values: (any PostgresEncodable)?...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values {
            if let value { try? bindings.append(value, context: .default) } else { bindings.appendNull() }
        }
        return bindings
    }

    func runs(_ query: PostgresQuery) async throws(StoreError) -> [RunRecord] {
        let logger = self.logger
        return try await read { connection in
            try await Self.rows(query, connection, logger: logger).map { try self.runRecord($0) }
        }
    }

    /// A run as stored; a `running` run whose process is gone reads as `aborted` with why.
    func runRecord(_ row: PostgresRandomAccessRow) throws -> RunRecord {
        var state = RunState(rawValue: try row["state"].decode(String.self)) ?? .aborted
        var note = try row["note"].decode(String?.self)
        let host = try row["host"].decode(String.self)
        let pid = Int32(try row["pid"].decode(Int.self))
        if state == .running {
            let owner = ProcessIdentity(host: host, pid: pid, startTicks: try row["process_start"].decode(Int64.self),
                                        bootID: try row["boot_id"].decode(String.self))
            if !owner.isAlive { (state, note) = (.aborted, owner.goneReason) }
        }
        return RunRecord(
            id: RunID(try row["id"].decode(Int64.self)), kind: RunKind(rawValue: try row["kind"].decode(String.self)) ?? .audit,
            state: state, startedAt: try row["started_at"].decode(Date.self), endedAt: try row["ended_at"].decode(Date?.self),
            inventoryHash: try row["inventory_hash"].decode(String.self), inventoryPath: try row["inventory_path"].decode(String.self),
            inventory: try inventory(row), host: host, pid: pid,
            netauditVersion: try row["netaudit_version"].decode(String.self), note: note,
            resumedFrom: try row["resumed_from"].decode(Int64?.self).map(RunID.init),
            uid: try row["uid"].decode(UUID?.self)?.uuidString.lowercased())
    }

    /// A run's inventory tree, decoded once per distinct inventory.
    func inventory(_ row: PostgresRandomAccessRow) throws -> Inventory {
        let id = try row["inventory_id"].decode(Int64.self)
        if let known = caches.withLock({ $0.inventories[id] }) { return known }
        let tree = try row["stored_inventory"].decode(Data.self)
        let inventory = try Self.decoder.decode(Inventory.self, from: Deflate.unpack(tree) ?? tree)
        caches.withLock { caches in
            if caches.inventories.count > 8 { caches.inventories.removeAll() }
            caches.inventories[id] = inventory
        }
        return inventory
    }

    public func linkResults(run: RunID) async throws(StoreError) -> [LinkResult] {
        let logger = self.logger
        return try await read { connection in
            let findings = try await Self.findings(run: run, links: true, connection, logger: logger)
            return try await Self.rows("""
                SELECT agency_code, observation, state FROM link_results WHERE run_id = \(run.value) ORDER BY seq, id
                """, connection, logger: logger).map { row in
                let code = try row["agency_code"].decode(String.self)
                let stored = try row["observation"].decode(Data?.self)
                return LinkResult(agencyCode: code,
                                  observation: try stored.map { try Self.decoder.decode(LinkObservation.self, from: Deflate.unpack($0) ?? $0) },
                                  state: try row["state"].decode(String?.self).flatMap(LinkState.init(rawValue:)),
                                  findings: findings[code] ?? [])
            }
        }
    }

    public func endpointResults(run: RunID) async throws(StoreError) -> [EndpointResult] {
        let logger = self.logger
        return try await read { connection in
            let findings = try await Self.findings(run: run, links: false, connection, logger: logger)
            return try await Self.rows("""
                SELECT agency_code, url, observation, verdict FROM endpoint_results WHERE run_id = \(run.value) ORDER BY id
                """, connection, logger: logger).map { row in
                let code = try row["agency_code"].decode(String.self)
                let url = try row["url"].decode(String.self)
                let stored = try row["observation"].decode(Data.self)
                return EndpointResult(agencyCode: code,
                                      observation: try Self.decoder.decode(TLSObservation.self, from: Deflate.unpack(stored) ?? stored),
                                      verdict: EndpointVerdict(rawValue: try row["verdict"].decode(String.self)) ?? .unreachable,
                                      findings: findings["\(code) \(url)"] ?? [])
            }
        }
    }

    /// Findings of a run, by agency code (links) or by "code url" (endpoints).
    static func findings(run: RunID, links: Bool, _ connection: PostgresConnection, logger: Logger) async throws -> [String: [Finding]] {
        var result: [String: [Finding]] = [:]
        for row in try await rows("""
            SELECT agency_code, target, rule_id, severity, message, evidence::text AS evidence FROM findings
            WHERE run_id = \(run.value) AND (target = 'link') = \(links) ORDER BY id
            """, connection, logger: logger) {
            let target = try row["target"].decode(String.self)
            let code = try row["agency_code"].decode(String.self)
            let evidence = try row["evidence"].decode(String.self)
            let finding = Finding(id: try row["rule_id"].decode(String.self),
                                  severity: Severity(rawValue: try row["severity"].decode(String.self)) ?? .info,
                                  message: try row["message"].decode(String.self),
                                  evidence: (try? decoder.decode([String: String].self, from: Data(evidence.utf8))) ?? [:])
            result[links ? code : "\(code) \(target)", default: []].append(finding)
        }
        return result
    }
}

// Whole runs from another store: a spool shipping the runs it kept, or `store copy`.
extension PostgresStore: RunImporting {
    /// Stores `run` in one transaction unless a run with its uid is here already: the run,
    /// its inventory, every result and finding (each result recorded at the run's end), its
    /// end, and, when it is complete, the history it extends. Then the days that ended are
    /// rolled up. A run without a uid gets a new one (it cannot be told apart later). The
    /// other store's run ids mean nothing here: `resumed_from` is left empty.
    public func ship(_ run: ShippedRun) async throws(StoreError) -> ShipOutcome {
        let record = run.record
        guard record.state != .running else {
            throw StoreError(.invalidRequest, path: location, message: "run \(record.id) has not ended: only an ended run is shipped")
        }
        let (treeHash, tree) = Self.packed(record.inventory)
        let links = try run.links.map { result throws(StoreError) in try PreparedLink(result) }
        let endpoints = try run.endpoints.map { result throws(StoreError) in try PreparedEndpoint(result) }
        let site = self.site ?? Self.defaultSite(record.inventory)
        let uid = record.uid.flatMap(UUID.init(uuidString:)) ?? UUID()
        let endedAt = record.endedAt ?? record.startedAt
        let (logger, settings) = (self.logger, history)
        let outcome = try await write { connection -> ShipOutcome in
            try await self.claim(site: site, connection)
            if let known = try await Self.rows("SELECT id FROM runs WHERE uid = \(uid)", connection, logger: logger).first {
                return .alreadyThere(RunID(try known["id"].decode(Int64.self)))
            }
            try await connection.query("INSERT INTO inventories (hash, json) VALUES (\(treeHash), \(tree)) ON CONFLICT (hash) DO NOTHING",
                                       logger: logger)
            let rows = try await Self.rows("""
                INSERT INTO runs (site, kind, state, started_at, inventory_hash, inventory_path, inventory_id, host, pid,
                                  process_start, boot_id, netaudit_version, resumed_from, uid)
                VALUES (\(site), \(record.kind.rawValue), 'running', \(record.startedAt), \(record.inventoryHash), \(record.inventoryPath),
                        (SELECT id FROM inventories WHERE hash = \(treeHash)), \(record.host), \(Int(record.pid)),
                        0, '-', \(record.netauditVersion), NULL, \(uid))
                RETURNING id
                """, connection, logger: logger)
            let id = RunID(try rows[0]["id"].decode(Int64.self))
            self.caches.withLock { $0.runs[id.value] = RunWriting(kind: record.kind, nextSeq: 1) }
            defer { self.caches.withLock { $0.runs[id.value] = nil } }
            try await self.insert(links: links, endpoints: endpoints, run: id, at: endedAt, connection)
            try await connection.query("""
                UPDATE runs SET state = \(record.state.rawValue), ended_at = \(endedAt), note = \(record.note) WHERE id = \(id.value)
                """, logger: logger)
            if record.state == .complete { try await Self.applyHistory(run: id.value, connection, logger: logger, settings: settings) }
            return .stored(id)
        }
        if case .stored = outcome, record.state == .complete { try await rollUpEndedDays(site: site, now: endedAt) }
        return outcome
    }
}
