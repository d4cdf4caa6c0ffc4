import GRDB
import NetauditCore

/// The versioned schema. A migration is never edited once released: a change is a new
/// migration, so any older file opens and upgrades in place.
enum Schema {
    static let netauditVersion = NetauditVersion.current

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, link and endpoint results, findings") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'aborted')),
                    started_at DATETIME NOT NULL,
                    ended_at DATETIME,
                    inventory_hash TEXT NOT NULL,
                    inventory_path TEXT NOT NULL,
                    inventory_json BLOB NOT NULL,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    process_start INTEGER NOT NULL,
                    boot_id TEXT NOT NULL,
                    netaudit_version TEXT NOT NULL,
                    note TEXT
                );
                CREATE INDEX runs_started ON runs (started_at);
                CREATE INDEX runs_state ON runs (state);
                CREATE TABLE link_results (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    agency_code TEXT NOT NULL,
                    observation_json TEXT,
                    state TEXT,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX link_results_run ON link_results (run_id);
                CREATE TABLE endpoint_results (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    agency_code TEXT NOT NULL,
                    url TEXT NOT NULL,
                    observation_json TEXT NOT NULL,
                    verdict TEXT NOT NULL,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX endpoint_results_run ON endpoint_results (run_id);
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    agency_code TEXT NOT NULL,
                    target TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    message TEXT NOT NULL,
                    evidence_json TEXT NOT NULL
                );
                CREATE INDEX findings_run ON findings (run_id);
                CREATE INDEX findings_rule ON findings (rule_id);
                """)
        }
        migrator.registerMigration("v2: a run resumed from an aborted one") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN resumed_from INTEGER")
        }
        return migrator
    }
}
