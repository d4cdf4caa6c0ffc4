import Foundation
import NetauditCore
import NetauditStore
import NetauditStorePostgres
import NetauditStoreSQLite

/// Opens the results store a location names: a file path is a SQLite store, a
/// `postgresql://` URL a PostgreSQL one (`StoreLocation` says how a URL is read). Callers see
/// only `ResultStore`; a backend added later is one more case here and a target of its own.
public enum Stores {
    /// How a store is opened.
    public enum Access: Sendable {
        /// Created if missing, migrated, runs cut off recovered: for audits and the daemon.
        case write
        /// An existing store, read only, nothing created or changed: for reports.
        case readOnly
    }

    /// Opens the store at `location` with `history` settings. A URL's password is never
    /// in the URL: see `PostgresLocation`. `site`: the site a PostgreSQL store writes and
    /// reads (nil: each run's inventory's top agency; reads see every site the role may);
    /// a SQLite file is one site and ignores it.
    /// `spool`: for writing to a URL, the local SQLite file runs are written into first and
    /// shipped from (`SpoolingStore`); nil writes to the server directly (tests, tools).
    public static func open(_ location: String, access: Access = .write, history: HistorySettings = .standard,
                            busyTimeout: TimeInterval = 30, site: String? = nil, spool: String? = nil) async throws(StoreError) -> any ResultStore {
        switch try StoreLocation.parse(location) {
        case .file(let path):
            return try SQLiteStore(path: path, readOnly: access == .readOnly, busyTimeout: busyTimeout, history: history)
        case .postgres(let server):
            if access == .write, let spool {
                return try await SpoolingStore.open(spool: spool, server: server, history: history, site: site, busyTimeout: busyTimeout)
            }
            return try await PostgresStore.open(server, readOnly: access == .readOnly, history: history, site: site)
        }
    }

    /// Where an auditor writing to a server keeps its spool unless told: in systemd's state
    /// directory (`$STATE_DIRECTORY`), else /var/lib/netaudit for root, else
    /// ~/.local/state/netaudit; one file per site (`spool-SITE.sqlite`; `spool.sqlite`
    /// when the site is the inventory's).
    public static func defaultSpool(site: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let name = site.map { "spool-\($0.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }).sqlite" } ?? "spool.sqlite"
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
            return String(state) + "/" + name
        }
        if getuid() == 0 { return "/var/lib/netaudit/" + name }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/netaudit/" + name
    }

    /// Whether `location` names a server rather than a file (no file to look for).
    public static func isURL(_ location: String) -> Bool { location.contains("://") }
}

extension Stores {
    /// Rows per table of a store that can tell (a SQLite store); empty otherwise.
    public static func tableRowCounts(_ store: any ResultStore) async throws(StoreError) -> [(table: String, rows: Int)] {
        guard let sqlite = store as? SQLiteStore else { return [] }
        return try await sqlite.tableRowCounts()
    }

    /// Checkpoints a SQLite store's write-ahead log into its file (nothing for others).
    public static func checkpoint(_ store: any ResultStore) async throws(StoreError) {
        guard let sqlite = store as? SQLiteStore else { return }
        try await sqlite.checkpoint()
    }
}

extension Stores {
    /// What `store check` and `store migrate` say of a store.
    public struct Description: Sendable, Encodable {
        public var backend: String
        public var location: String
        public var schemaVersion: Int
        public var latestSchemaVersion: Int
        public init(backend: String, location: String, schemaVersion: Int, latestSchemaVersion: Int) {
            self.backend = backend
            self.location = location
            self.schemaVersion = schemaVersion
            self.latestSchemaVersion = latestSchemaVersion
        }
    }

    public static func describe(_ store: any ResultStore) async throws(StoreError) -> Description {
        switch store {
        case let sqlite as SQLiteStore:
            let version = try await sqlite.schemaVersion()
            return Description(backend: "sqlite", location: sqlite.location, schemaVersion: version.current, latestSchemaVersion: version.latest)
        case let spooling as SpoolingStore:
            let version = try await spooling.spool.schemaVersion()
            return Description(backend: "sqlite spool", location: spooling.location, schemaVersion: version.current, latestSchemaVersion: version.latest)
        case let postgres as PostgresStore:
            let version = try await postgres.schemaVersion()
            return Description(backend: "postgresql", location: postgres.location, schemaVersion: version.current, latestSchemaVersion: version.latest)
        default:
            return Description(backend: "unknown", location: store.location, schemaVersion: 0, latestSchemaVersion: 0)
        }
    }

    /// What `store copy` did.
    public struct CopyOutcome: Sendable, Equatable, Encodable {
        /// Runs written into the target.
        public var copied = 0
        /// Runs the target had already (same uid): not written again.
        public var alreadyThere = 0
        /// Runs still running in the source (not copied; copy again once they ended).
        public var running = 0
    }

    /// Copies every ended run of the SQLite store at `source` into the PostgreSQL store at
    /// `target`, in the order they ended, each in one transaction with its results,
    /// findings and history; a run the target has already (by uid) is not written again, so
    /// a copy cut off is simply run again. The source is opened for writing: a store of an
    /// earlier netaudit is upgraded in place so that its runs keep their uids, and each run
    /// copied is marked shipped (a spool copied by hand is then empty).
    public static func copy(from source: String, to target: String, history: HistorySettings = .standard, site: String? = nil,
                            progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws(StoreError) -> CopyOutcome {
        guard case .postgres(let server) = try StoreLocation.parse(target) else {
            throw StoreError(.invalidRequest, path: target, message: "the target of a copy is a postgresql:// URL")
        }
        guard case .file(let path) = try StoreLocation.parse(source) else {
            throw StoreError(.invalidRequest, path: source, message: "the source of a copy is a SQLite file")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(.notFound, path: path, message: "no results store here") }
        let from = try SQLiteStore(path: path, history: history)
        let to: PostgresStore
        do { to = try await PostgresStore.open(server, history: history, site: site) } catch {
            try? await from.close()
            throw error
        }
        var outcome = CopyOutcome()
        do {
            let ids = try await from.endedRuns()
            outcome.running = try await from.runningRuns()
            for (index, id) in ids.enumerated() {
                guard let run = try await from.shippedRun(id) else { continue }
                let shipped = try await to.ship(run)
                switch shipped {
                case .stored: outcome.copied += 1
                case .alreadyThere: outcome.alreadyThere += 1
                }
                try await from.markShipped(id, as: shipped.remoteID)
                progress(index + 1, ids.count)
            }
        } catch {
            try? await from.close()
            try? await to.close()
            throw error
        }
        try await from.close()
        try await to.close()
        return outcome
    }
}

extension Stores {
    /// How many runs a store holds (every site the reader may see).
    public static func runCount(_ store: any ResultStore) async throws(StoreError) -> Int {
        switch store {
        case let sqlite as SQLiteStore: return try await sqlite.runCount()
        case let spooling as SpoolingStore: return try await spooling.spool.runCount()
        case let postgres as PostgresStore: return try await postgres.runCount()
        default: return try await store.runs(limit: Int.max).count
        }
    }

    /// A spool as `store check` sees it, read without changing it.
    public struct SpoolInspection: Sendable, Encodable {
        public var path: String
        public var schemaVersion: Int
        public var integrity: String
        public var pending: Int
        public var oldestPending: Date?
        public var running: Int
    }

    public static func inspectSpool(_ path: String, history: HistorySettings = .standard) async throws(StoreError) -> SpoolInspection {
        let spool = try SQLiteStore(path: path, readOnly: true, history: history)
        do {
            let version = try await spool.schemaVersion()
            let integrity = try await spool.integrityCheck()
            let pending = version.current >= 4 ? try await spool.pendingShipments() : (0, nil)
            let running = try await spool.runningRuns()
            try await spool.close()
            return SpoolInspection(path: path, schemaVersion: version.current, integrity: integrity, pending: pending.0, oldestPending: pending.1, running: running)
        } catch {
            try? await spool.close()
            throw error
        }
    }
}
