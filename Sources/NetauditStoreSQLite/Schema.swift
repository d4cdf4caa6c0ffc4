import Foundation
import GRDB
import NetauditCore
import NetauditStore

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
        migrator.registerMigration("v3: compact history (inventories once, typed sweep rows, intervals, roll-ups)") { db in
            try db.execute(sql: """
                CREATE TABLE inventories (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, json BLOB NOT NULL);
                ALTER TABLE runs ADD COLUMN inventory_id INTEGER REFERENCES inventories (id);
                ALTER TABLE runs ADD COLUMN history_applied INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX runs_kind_state ON runs (kind, state, id);
                CREATE TABLE agencies (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
                ALTER TABLE link_results ADD COLUMN seq INTEGER;
                ALTER TABLE link_results ADD COLUMN condition TEXT;
                ALTER TABLE link_results ADD COLUMN cause TEXT;
                ALTER TABLE link_results ADD COLUMN sent INTEGER;
                ALTER TABLE link_results ADD COLUMN received INTEGER;
                ALTER TABLE link_results ADD COLUMN rtt_median REAL;
                ALTER TABLE endpoint_results ADD COLUMN rule_ids TEXT;
                CREATE TABLE sweep_links (
                    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    agency INTEGER NOT NULL,
                    condition INTEGER NOT NULL,
                    transport INTEGER,
                    sent INTEGER NOT NULL,
                    received INTEGER NOT NULL,
                    rtt_min INTEGER,
                    rtt_median INTEGER,
                    rtt_max INTEGER,
                    cause INTEGER,
                    PRIMARY KEY (run_id, seq)
                ) WITHOUT ROWID;
                CREATE TABLE intervals (
                    id INTEGER PRIMARY KEY,
                    agency INTEGER NOT NULL,
                    url TEXT,
                    state TEXT NOT NULL,
                    start REAL NOT NULL,
                    "end" REAL NOT NULL,
                    open INTEGER NOT NULL,
                    cause TEXT,
                    first_run INTEGER NOT NULL,
                    last_run INTEGER NOT NULL
                );
                CREATE INDEX intervals_open ON intervals (agency, url) WHERE open = 1;
                CREATE INDEX intervals_end ON intervals ("end");
                CREATE TABLE rollups (
                    day TEXT NOT NULL,
                    agency INTEGER NOT NULL,
                    sweeps INTEGER NOT NULL,
                    up_s INTEGER NOT NULL, degraded_s INTEGER NOT NULL, down_s INTEGER NOT NULL,
                    unreachable_s INTEGER NOT NULL, not_observed_s INTEGER NOT NULL,
                    loss_median REAL, loss_max REAL, rtt_median REAL, rtt_p95 REAL,
                    ep_compliant_s INTEGER NOT NULL, ep_noncompliant_s INTEGER NOT NULL,
                    ep_unreachable_s INTEGER NOT NULL, ep_not_observed_s INTEGER NOT NULL,
                    PRIMARY KEY (day, agency)
                ) WITHOUT ROWID;
                CREATE TABLE history_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE dictionaries (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, data BLOB NOT NULL);
                CREATE INDEX dictionaries_subject ON dictionaries (subject, id);
                ALTER TABLE link_results ADD COLUMN dictionary_id INTEGER;
                ALTER TABLE endpoint_results ADD COLUMN dictionary_id INTEGER;
                """)
            // Each distinct inventory once: the runs written before refer to it now.
            var ids: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, inventory_json FROM runs ORDER BY id") {
                let json: Data = row["inventory_json"]
                let hash = InventoryFingerprint.sha256(data: json)
                if ids[hash] == nil {
                    try db.execute(sql: "INSERT INTO inventories (hash, json) VALUES (?, ?)", arguments: [hash, json])
                    ids[hash] = db.lastInsertedRowID
                }
                try db.execute(sql: "UPDATE runs SET inventory_id = ?, inventory_json = X'' WHERE id = ?",
                               arguments: [ids[hash], row["id"] as Int64])
            }
            // The typed figures of the link results written before, from their observations.
            try db.execute(sql: """
                UPDATE link_results SET sent = json_extract(observation_json, '$.sent'),
                                        received = json_extract(observation_json, '$.received'),
                                        rtt_median = json_extract(observation_json, '$.roundTrip.median')
                WHERE observation_json IS NOT NULL
                """)
            try db.execute(sql: "UPDATE endpoint_results SET rule_ids = (SELECT group_concat(rule_id, ',') FROM findings f WHERE f.run_id = endpoint_results.run_id AND f.agency_code = endpoint_results.agency_code AND f.target = endpoint_results.url AND f.severity IN ('critical', 'high'))")
        }
        migrator.registerMigration("v4: a globally unique id per run; shipping from a spool") { db in
            // The id a run keeps in every store it is copied into (a UUID, lowercase), and
            // when it was shipped to the central store (a spool's runs; NULL: not yet), as
            // which run of it.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN uid TEXT")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN shipped_at DATETIME")
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN shipped_id INTEGER")
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM runs") {
                try db.execute(sql: "UPDATE runs SET uid = ? WHERE id = ?", arguments: [UUID().uuidString.lowercased(), id])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX runs_uid ON runs (uid)")
            try db.execute(sql: "CREATE INDEX runs_unshipped ON runs (ended_at, id) WHERE shipped_at IS NULL")
        }
        return migrator
    }
}
