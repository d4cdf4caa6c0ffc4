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
    public static func open(_ location: String, access: Access = .write, history: HistorySettings = .standard,
                            busyTimeout: TimeInterval = 30, site: String? = nil) async throws(StoreError) -> any ResultStore {
        switch try StoreLocation.parse(location) {
        case .file(let path):
            return try SQLiteStore(path: path, readOnly: access == .readOnly, busyTimeout: busyTimeout, history: history)
        case .postgres(let server):
            return try await PostgresStore.open(server, readOnly: access == .readOnly, history: history, site: site)
        }
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
