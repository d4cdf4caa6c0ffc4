import Foundation
import NetauditCore
import NetauditStore
@testable import NetauditStorePostgres
import NetauditStores
import Logging
import NetauditTestSupport
import PostgresNIO
import Testing

/// Sites on PostgreSQL: each site's rows are its own, one auditor (host) writes a site at a
/// time, and the roles of docs/postgresql-roles.sql let a site write only its own rows.
@Suite(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct PostgresSiteTests {
    static let inventory = ResultStoreTests.inventory
    static let link = ResultStoreTests.link
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs").path

    static func location(_ url: String) throws -> PostgresLocation {
        guard case .postgres(let location) = try StoreLocation.parse(url) else { throw StoreError(.invalidRequest, path: url, message: "not a URL") }
        return location
    }

    static func identity(host: String) -> ProcessIdentity {
        let me = ProcessIdentity.current
        return ProcessIdentity(host: host, pid: me.pid, startTicks: me.startTicks, bootID: me.bootID)
    }

    static func openResult(_ location: PostgresLocation, site: String, host: String) async -> Result<PostgresStore, StoreError> {
        do {
            return .success(try await PostgresStore.open(location, readOnly: false, history: .standard, site: site,
                                                         writer: identity(host: host), logger: .init(label: "t")))
        } catch {
            return .failure(error)
        }
    }

    /// One complete sweep of site `store` at `at`.
    static func sweep(_ store: PostgresStore, at: Date) async throws -> RunID {
        let id = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "i", inventoryHash: "h", startedAt: at, resuming: nil)
        try await store.record(links: [link], endpoints: [], in: id, at: at)
        try await store.finishRun(id, state: .complete, endedAt: at.addingTimeInterval(10))
        return id
    }

    @Test func eachSitesHistoryIsItsOwnAndReadsForOneSiteSeeOnlyIt() async throws {
        let url = try PostgresServer.freshDatabaseURL()
        let a = try await PostgresStore.open(Self.location(url), site: "A")
        let b = try await PostgresStore.open(Self.location(url), site: "B")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for sweep in 0..<3 {
            _ = try await Self.sweep(a, at: start.addingTimeInterval(Double(sweep) * 600))
            _ = try await Self.sweep(b, at: start.addingTimeInterval(Double(sweep) * 600 + 60))
        }
        // The same agency (52) in both sites: one open interval each, not one between them.
        #expect(try await StoreBackend.postgres.count(a, "SELECT count(*) FROM intervals WHERE open") == 2)
        #expect(try await StoreBackend.postgres.count(a, "SELECT count(DISTINCT site) FROM intervals WHERE open") == 2)
        for table in ["link_results", "endpoint_results", "findings"] {
            #expect(try await StoreBackend.postgres.count(a, "SELECT count(*) FROM \(table) t JOIN runs r ON r.id = t.run_id WHERE t.site <> r.site") == 0)
        }
        #expect(try await StoreBackend.postgres.count(a, "SELECT count(*) FROM link_results WHERE site = 'A'") == 3)
        let period = DateInterval(start: start, duration: 86_400)
        #expect(try await a.intervals(overlapping: period).count == 1)
        #expect(try await a.runs(limit: 10).count == 3)
        #expect(try await b.runs(limit: 10).allSatisfy { $0.id.value % 2 == 0 })
        try await a.rollUpEndedDays(now: start.addingTimeInterval(3 * 86_400))
        try await b.rollUpEndedDays(now: start.addingTimeInterval(3 * 86_400))
        #expect(try await StoreBackend.postgres.count(a, "SELECT count(DISTINCT site) FROM rollups") == 2)
        #expect(try await StoreBackend.postgres.count(a, "SELECT count(*) FROM history_state WHERE key = 'rolled_through'") == 2)
        #expect(Set(try await a.rollups(from: "2000-01-01", to: "2100-01-01").map(\.agencyCode)) == ["52"])
        #expect(try await a.integrityCheck() == "ok")
        try await a.close()
        try await b.close()
    }

    /// A store of schema version 1 (before sites) with a run and its history: migrated, every
    /// row has its run's site, and the history goes on per site.
    @Test func aStoreFromBeforeSitesIsMigratedWithItsRunsSites() async throws {
        let url = try PostgresServer.freshDatabaseURL()
        let location = try Self.location(url)
        let logger = Logger(label: "t")
        let connection = try await PostgresConnection.connect(configuration: PostgresStore.connectionConfiguration(location, readOnly: false),
                                                              id: 1, logger: logger)
        try await Schema.migrate(connection, logger: logger, location: url, upTo: 1)
        try await connection.query("INSERT INTO inventories (hash, json) VALUES ('x', '')", logger: logger)
        try await connection.query("""
            INSERT INTO runs (site, kind, state, started_at, inventory_hash, inventory_path, inventory_id, host, pid, process_start, boot_id,
                              netaudit_version, history_applied)
            VALUES ('52', 'link_sweep', 'complete', now(), 'h', 'i', 1, 'old-host', 1, 0, 'b', '0', true)
            """, logger: logger)
        try await connection.query("INSERT INTO link_results (run_id, seq, agency_code, state, condition, recorded_at) VALUES (1, 1, '52', 'up', 'up', now())",
                                   logger: logger)
        try await connection.query("""
            INSERT INTO findings (run_id, agency_code, target, rule_id, severity, message, evidence) VALUES (1, '52', 'link', 'r', 'info', 'm', '{}')
            """, logger: logger)
        try await connection.query("""
            INSERT INTO intervals (agency_code, url, state, start, "end", open, first_run, last_run) VALUES ('52', NULL, 'up', 0, 10, true, 1, 1)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO rollups (day, agency_code, sweeps, up_s, degraded_s, down_s, unreachable_s, not_observed_s, ep_compliant_s,
                                 ep_noncompliant_s, ep_unreachable_s, ep_not_observed_s) VALUES ('2027-01-01', '52', 1, 10, 0, 0, 0, 0, 0, 0, 0, 0)
            """, logger: logger)
        try await connection.query("INSERT INTO history_state (key, value) VALUES ('rolled_through', '2027-01-01')", logger: logger)
        try await connection.close()

        let store = try await PostgresStore.open(location)
        for table in ["link_results", "findings", "intervals", "rollups", "history_state"] {
            #expect(try await StoreBackend.postgres.count(store, "SELECT count(*) FROM \(table) WHERE site = '52'") == 1, "\(table)")
        }
        #expect(try await StoreBackend.postgres.count(store, "SELECT max(version) FROM netaudit_schema") == Schema.latest)
        #expect(try await store.integrityCheck() == "ok")
        try await store.close()
    }

    @Test func aSecondAuditorOfOneSiteOnAnotherHostIsAConfigurationErrorNamingTheFirst() async throws {
        let url = try PostgresServer.freshDatabaseURL()
        let location = try Self.location(url)
        let first = try await PostgresStore.open(location, readOnly: false, history: .standard, site: "52",
                                                 writer: Self.identity(host: "auditor-a.example"), logger: .init(label: "t"))
        // The same host (the daemon and an audit run on one machine) shares the site.
        let sameHost = try await PostgresStore.open(location, readOnly: false, history: .standard, site: "52",
                                                    writer: Self.identity(host: "auditor-a.example"), logger: .init(label: "t"))
        let second = await #expect(throws: StoreError.self) {
            try await PostgresStore.open(location, readOnly: false, history: .standard, site: "52",
                                         writer: Self.identity(host: "auditor-b.example"), logger: .init(label: "t"))
        }
        #expect(second?.code == .locked)
        #expect(second?.message.contains("site 52") == true)
        #expect(second?.message.contains("host auditor-a.example, pid \(getpid())") == true)
        #expect(second?.message.contains("configuration error") == true)
        // Without a configured site, the claim is made at the first run (the inventory's top agency, 52).
        let unnamed = try await PostgresStore.open(location, readOnly: false, history: .standard, site: nil,
                                                   writer: Self.identity(host: "auditor-c.example"), logger: .init(label: "t"))
        let atRun = await #expect(throws: StoreError.self) {
            try await unnamed.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        }
        #expect(atRun?.code == .locked)
        #expect(try await StoreBackend.postgres.count(first, "SELECT count(*) FROM runs") == 0)
        // Another site is no conflict; and once the first host's writers are gone, another host may take the site.
        let other = try await PostgresStore.open(location, readOnly: false, history: .standard, site: "53",
                                                 writer: Self.identity(host: "auditor-b.example"), logger: .init(label: "t"))
        try await first.close()
        try await sameHost.close()
        // (The server ends a closed connection's backend, and its locks, a moment later.)
        var result: Result<PostgresStore, StoreError> = .failure(StoreError(.locked, path: url, message: "not tried"))
        for _ in 0..<50 {
            result = await Self.openResult(location, site: "52", host: "auditor-b.example")
            if case .failure(let error) = result, error.code == .locked {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            break
        }
        let takeover = try result.get()
        #expect(try await StoreBackend.postgres.count(takeover, "SELECT count(*) FROM site_writers WHERE site = '52' AND host = 'auditor-b.example'") == 1)
        try await takeover.close()
        try await other.close()
        try await unnamed.close()
    }

    @Test func aSiteRoleWritesOnlyItsOwnRowsAndTheReaderOnlyReads() async throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let database = try Self.location(url).database
        let owner = try await Stores.open(url)  // the owner runs the migrations
        try await owner.close()
        let suffix = database.suffix(8)
        let (roleA, roleB, reader) = ("site_a_\(suffix)", "site_b_\(suffix)", "national_\(suffix)")
        try server.sqlFile(Self.docs + "/postgresql-roles.sql", database: database)
        try server.sqlFile(Self.docs + "/postgresql-site-role.sql", database: database, variables: ["role": roleA, "site": "A"])
        try server.sqlFile(Self.docs + "/postgresql-site-role.sql", database: database, variables: ["role": roleB, "site": "B"])
        try server.sql("CREATE ROLE \(reader) LOGIN IN ROLE netaudit_reader", database: database)

        // Each site's auditor, connected as its role, works as usual: runs, results, history, roll-ups.
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let a = try await PostgresStore.open(Self.location(server.url(database: database, user: roleA)), site: "A")
        let b = try await PostgresStore.open(Self.location(server.url(database: database, user: roleB)), site: "B")
        let runA = try await Self.sweep(a, at: start)
        let runB = try await Self.sweep(b, at: start.addingTimeInterval(60))
        try await a.rollUpEndedDays(now: start.addingTimeInterval(2 * 86_400))
        _ = try await a.prune(now: start.addingTimeInterval(2 * 86_400))
        #expect(try await a.linkResults(run: runA).count == 1)
        #expect(try await a.run(runB) == nil)  // a site sees its own rows only

        func asA(_ sql: String) throws -> String { try server.sql(sql, database: database, user: roleA) }
        // A cannot insert B's rows...
        #expect(throws: PostgresServer.Failure.self) {
            try asA("""
                INSERT INTO runs (site, kind, state, started_at, inventory_hash, inventory_path, inventory_id, host, pid, process_start, boot_id,
                                  netaudit_version) SELECT 'B', kind, state, started_at, inventory_hash, inventory_path, inventory_id, host, pid,
                                  process_start, boot_id, netaudit_version FROM runs WHERE id = \(runA.value)
                """)
        }
        #expect(throws: PostgresServer.Failure.self) {
            try asA("INSERT INTO intervals (site, agency_code, state, start, \"end\", open, first_run, last_run) VALUES ('B', '52', 'up', 0, 1, false, 1, 1)")
        }
        #expect(throws: PostgresServer.Failure.self) {  // a result in B's run: its site is the run's, which A cannot see
            try asA("INSERT INTO link_results (run_id, seq, agency_code, recorded_at) VALUES (\(runB.value), 99, '52', now())")
        }
        #expect(throws: PostgresServer.Failure.self) {  // nor move its own rows to B
            try asA("UPDATE runs SET site = 'B' WHERE id = \(runA.value)")
        }
        // ...nor update or delete them: nothing of B's is even visible to A.
        for statement in ["UPDATE runs SET note = 'A was here' WHERE site = 'B' RETURNING 1", "DELETE FROM runs WHERE site = 'B' RETURNING 1",
                          "DELETE FROM intervals WHERE site = 'B' RETURNING 1", "DELETE FROM rollups WHERE site = 'B' RETURNING 1",
                          "UPDATE history_state SET value = 'x' WHERE site = 'B' RETURNING 1", "DELETE FROM findings WHERE site = 'B' RETURNING 1",
                          "DELETE FROM site_writers WHERE site = 'B' RETURNING 1"] {
            #expect(try asA("WITH changed AS (\(statement)) SELECT count(*) FROM changed").trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                    "\(statement)")
        }
        #expect(try await b.run(runB)?.note == nil)
        #expect(try await b.linkResults(run: runB).count == 1)
        // A can still change its own rows.
        #expect(try asA("WITH changed AS (UPDATE runs SET note = 'checked' WHERE site = 'A' RETURNING 1) SELECT count(*) FROM changed")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        // The reader reads every site and writes nothing.
        func asReader(_ sql: String) throws -> String { try server.sql(sql, database: database, user: reader) }
        #expect(try asReader("SELECT count(DISTINCT site) FROM runs").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(try asReader("SELECT count(DISTINCT site) FROM intervals").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        for statement in ["DELETE FROM runs", "UPDATE runs SET note = 'x'", "DELETE FROM rollups", "INSERT INTO netaudit_site_roles VALUES ('x', 'A')",
                          "INSERT INTO inventories (hash, json) VALUES ('x', '')"] {
            #expect(throws: PostgresServer.Failure.self, "\(statement)") { try asReader(statement) }
        }
        // A site role never migrates: a schema older than its netaudit waits for the owner.
        try server.sql("DELETE FROM netaudit_schema WHERE version = \(Schema.latest)", database: database)
        let unmigrated = await #expect(throws: StoreError.self) { try await Stores.open(server.url(database: database, user: roleA), site: "A") }
        #expect(unmigrated?.code == .notWritable)
        #expect(unmigrated?.message.contains("as the owner") == true)
        try server.sql("INSERT INTO netaudit_schema (version, description, netaudit_version) VALUES (\(Schema.latest), 'back', 'test')",
                       database: database)

        let national = try await Stores.open(server.url(database: database, user: reader), access: .readOnly)
        #expect(try await national.runs(limit: 10).count == 2)
        let writing = await #expect(throws: StoreError.self) { try await Stores.open(server.url(database: database, user: reader)) }
        #expect(writing?.code == .notWritable)
        try await national.close()
        try await a.close()
        try await b.close()
    }
}
