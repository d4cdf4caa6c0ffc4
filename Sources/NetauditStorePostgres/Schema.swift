import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

/// The versioned schema of the PostgreSQL store. `netaudit_schema` holds one row per
/// migration applied; a migration is never edited once released, a change is a new one. A
/// database with a migration this netaudit does not know is refused (`schema_too_new`).
enum Schema {
    static let netauditVersion = NetauditVersion.current

    struct Migration {
        let version: Int
        let description: String
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, description: "runs with their site, inventories, results, findings, history", statements: [
            """
            CREATE TABLE inventories (
                id bigserial PRIMARY KEY,
                hash text NOT NULL UNIQUE,
                json bytea NOT NULL
            )
            """,
            """
            CREATE TABLE runs (
                id bigserial PRIMARY KEY,
                site text NOT NULL,
                kind text NOT NULL,
                state text NOT NULL CHECK (state IN ('running', 'complete', 'aborted')),
                started_at timestamptz NOT NULL,
                ended_at timestamptz,
                inventory_hash text NOT NULL,
                inventory_path text NOT NULL,
                inventory_id bigint NOT NULL REFERENCES inventories (id),
                host text NOT NULL,
                pid integer NOT NULL,
                process_start bigint NOT NULL,
                boot_id text NOT NULL,
                netaudit_version text NOT NULL,
                note text,
                resumed_from bigint,
                history_applied boolean NOT NULL DEFAULT false
            )
            """,
            "CREATE INDEX runs_kind_state ON runs (kind, state, id)",
            "CREATE INDEX runs_site ON runs (site, id)",
            "CREATE INDEX runs_started ON runs (started_at)",
            "CREATE INDEX runs_resumed ON runs (resumed_from) WHERE resumed_from IS NOT NULL",
            """
            CREATE TABLE link_results (
                id bigserial PRIMARY KEY,
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                agency_code text NOT NULL,
                observation bytea,
                state text,
                condition text,
                cause text,
                sent integer,
                received integer,
                rtt_median double precision,
                recorded_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX link_results_run ON link_results (run_id, seq)",
            """
            CREATE TABLE endpoint_results (
                id bigserial PRIMARY KEY,
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                agency_code text NOT NULL,
                url text NOT NULL,
                observation bytea NOT NULL,
                verdict text NOT NULL,
                rule_ids text,
                recorded_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX endpoint_results_run ON endpoint_results (run_id)",
            """
            CREATE TABLE findings (
                id bigserial PRIMARY KEY,
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                agency_code text NOT NULL,
                target text NOT NULL,
                rule_id text NOT NULL,
                severity text NOT NULL,
                message text NOT NULL,
                evidence jsonb NOT NULL
            )
            """,
            "CREATE INDEX findings_run ON findings (run_id)",
            "CREATE INDEX findings_rule ON findings (rule_id)",
            """
            CREATE TABLE intervals (
                id bigserial PRIMARY KEY,
                agency_code text NOT NULL,
                url text,
                state text NOT NULL,
                start double precision NOT NULL,
                "end" double precision NOT NULL,
                open boolean NOT NULL,
                cause text,
                first_run bigint NOT NULL,
                last_run bigint NOT NULL
            )
            """,
            "CREATE INDEX intervals_open ON intervals (agency_code, url) WHERE open",
            #"CREATE INDEX intervals_end ON intervals ("end")"#,
            """
            CREATE TABLE rollups (
                day text NOT NULL,
                agency_code text NOT NULL,
                sweeps integer NOT NULL,
                up_s integer NOT NULL, degraded_s integer NOT NULL, down_s integer NOT NULL,
                unreachable_s integer NOT NULL, not_observed_s integer NOT NULL,
                loss_median double precision, loss_max double precision,
                rtt_median double precision, rtt_p95 double precision,
                ep_compliant_s integer NOT NULL, ep_noncompliant_s integer NOT NULL,
                ep_unreachable_s integer NOT NULL, ep_not_observed_s integer NOT NULL,
                PRIMARY KEY (day, agency_code)
            )
            """,
            "CREATE TABLE history_state (key text PRIMARY KEY, value text NOT NULL)",
        ]),
        Migration(version: 2, description: "every row belongs to a site; the writers of each site", statements: [
            // Results and findings: the site of their run, always (a trigger sets it, so a
            // row cannot claim another site than its run's).
            """
            CREATE FUNCTION netaudit_row_site() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.site := (SELECT site FROM runs WHERE id = NEW.run_id);
                RETURN NEW;
            END
            $$
            """,
        ] + ["link_results", "endpoint_results", "findings"].flatMap { table in [
            "ALTER TABLE \(table) ADD COLUMN site text",
            "UPDATE \(table) t SET site = r.site FROM runs r WHERE r.id = t.run_id",
            "ALTER TABLE \(table) ALTER COLUMN site SET NOT NULL",
            "CREATE TRIGGER \(table)_site BEFORE INSERT OR UPDATE ON \(table) FOR EACH ROW EXECUTE FUNCTION netaudit_row_site()",
        ] } + [
            // History: an interval belongs to the site of the run that last extended it; what
            // has no run left goes to the site of the newest run (a store before sites had one).
            "ALTER TABLE intervals ADD COLUMN site text",
            "UPDATE intervals i SET site = r.site FROM runs r WHERE r.id = i.last_run",
            "UPDATE intervals SET site = COALESCE((SELECT site FROM runs ORDER BY id DESC LIMIT 1), '-') WHERE site IS NULL",
            "ALTER TABLE intervals ALTER COLUMN site SET NOT NULL",
            "DROP INDEX intervals_open",
            "CREATE INDEX intervals_open ON intervals (site, agency_code, url) WHERE open",
            "ALTER TABLE rollups ADD COLUMN site text",
            "UPDATE rollups SET site = COALESCE((SELECT site FROM runs ORDER BY id DESC LIMIT 1), '-')",
            "ALTER TABLE rollups ALTER COLUMN site SET NOT NULL",
            "ALTER TABLE rollups DROP CONSTRAINT rollups_pkey",
            "ALTER TABLE rollups ADD PRIMARY KEY (site, day, agency_code)",
            "ALTER TABLE history_state ADD COLUMN site text",
            "ALTER TABLE history_state DROP CONSTRAINT history_state_pkey",
            "INSERT INTO history_state (site, key, value) SELECT s.site, h.key, h.value FROM history_state h, (SELECT DISTINCT site FROM runs) s WHERE h.site IS NULL",
            "DELETE FROM history_state WHERE site IS NULL",
            "ALTER TABLE history_state ALTER COLUMN site SET NOT NULL",
            "ALTER TABLE history_state ADD PRIMARY KEY (site, key)",
            // The writer of each site (one host at a time): see PostgresStore.claim(site:).
            """
            CREATE TABLE site_writers (
                site text PRIMARY KEY,
                host text NOT NULL,
                pid integer NOT NULL,
                boot_id text NOT NULL,
                netaudit_version text NOT NULL,
                since timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]),
        Migration(version: 3, description: "a globally unique id per run (runs shipped from a spool are stored once)", statements: [
            "ALTER TABLE runs ADD COLUMN uid uuid",
            "UPDATE runs SET uid = gen_random_uuid() WHERE uid IS NULL",
            "ALTER TABLE runs ALTER COLUMN uid SET DEFAULT gen_random_uuid()",
            "ALTER TABLE runs ALTER COLUMN uid SET NOT NULL",
            "CREATE UNIQUE INDEX runs_uid ON runs (uid)",
        ]),
    ]

    static var latest: Int { migrations.map(\.version).max() ?? 0 }

    /// Applies the migrations not applied yet, each in a transaction, under an advisory
    /// lock so that two auditors starting at once do not both apply one.
    /// A store already at the latest version is only checked: a site role, which may not
    /// create anything, opens it for writing; migrations are its owner's (docs/postgresql.md).
    static func migrate(_ connection: PostgresConnection, logger: Logger, location: String, upTo last: Int = .max) async throws {
        let exists = try await PostgresStore.rows("SELECT to_regclass('netaudit_schema') IS NOT NULL AS present", connection, logger: logger)
        if try exists.first?["present"].decode(Bool.self) == true {
            let applied = try await appliedVersions(connection, logger: logger)
            try refuseNewer(applied, location: location)
            if migrations.allSatisfy({ applied.contains($0.version) || $0.version > last }) { return }
        }
        do {
            try await apply(connection, logger: logger, location: location, upTo: last)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
            throw StoreError(.notWritable, path: location, message: """
                this role may not migrate the store's schema to version \(min(last, latest)): open it for writing once as the owner of \
                the netaudit tables, then as this role (docs/postgresql.md, "Least privilege")
                """)
        }
    }

    private static func apply(_ connection: PostgresConnection, logger: Logger, location: String, upTo last: Int) async throws {
        try await PostgresStore.inTransaction(connection, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresStore.migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS netaudit_schema (
                    version integer PRIMARY KEY,
                    description text NOT NULL,
                    netaudit_version text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = try await appliedVersions(connection, logger: logger)
            try refuseNewer(applied, location: location)
            for migration in migrations where !applied.contains(migration.version) && migration.version <= last {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO netaudit_schema (version, description, netaudit_version)
                    VALUES (\(migration.version), \(migration.description), \(netauditVersion))
                    """, logger: logger)
            }
        }
    }

    /// For a read-only open: the database must hold a netaudit store this netaudit knows,
    /// fully migrated (nothing is changed to read it).
    static func check(_ connection: PostgresConnection, logger: Logger, location: String) async throws {
        let exists = try await PostgresStore.rows("SELECT to_regclass('netaudit_schema') IS NOT NULL AS present", connection, logger: logger)
        guard try exists.first?["present"].decode(Bool.self) == true else {
            throw StoreError(.notFound, path: location, message: "no netaudit results store in this database (no netaudit_schema table)")
        }
        let applied = try await appliedVersions(connection, logger: logger)
        try refuseNewer(applied, location: location)
        let missing = migrations.map(\.version).filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw StoreError(.notWritable, path: location, message: "the store's schema is older than this netaudit's: open it for writing once to migrate it")
        }
    }

    static func appliedVersions(_ connection: PostgresConnection, logger: Logger) async throws -> Set<Int> {
        var versions: Set<Int> = []
        for row in try await PostgresStore.rows("SELECT version FROM netaudit_schema", connection, logger: logger) {
            versions.insert(try row["version"].decode(Int.self))
        }
        return versions
    }

    static func refuseNewer(_ applied: Set<Int>, location: String) throws {
        let unknown = applied.subtracting(migrations.map(\.version))
        if !unknown.isEmpty {
            throw StoreError(.schemaTooNew, path: location, message: "written by a newer netaudit (schema version \(unknown.sorted().map(String.init).joined(separator: ", "))): "
                             + "use that version")
        }
    }
}
