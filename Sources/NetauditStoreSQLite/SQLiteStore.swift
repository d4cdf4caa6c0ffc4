import Foundation
import GRDB
import NetauditCore
import NetauditStore
import Synchronization

/// The results store in one SQLite file (WAL mode, versioned schema), through GRDB.
///
/// Every run keeps its inventory (each distinct inventory stored once, by its hash), its
/// start, end and state. A full audit keeps every observation and finding with its
/// evidence; a link sweep keeps a compact typed row per link (state, sent/received, round
/// trips, cause) and the full observation only where the state changed. As each run
/// completes, the state intervals of history are extended in the same transaction; once a
/// day is over it is rolled up per agency. Results are written as the run goes, each in
/// its own transaction, so a run cut off by SIGKILL or a power loss keeps what it wrote;
/// at the next open such a run (its process gone, or the machine rebooted) is marked
/// `aborted`, and history not yet applied for a complete run is applied.
///
/// Several processes may write at once (the daemon and an audit started by a timer):
/// writers wait for each other (busy timeout) instead of failing with "database is locked".
/// Writes run to their end even when the calling task is cancelled: a result measured is
/// stored, and an interrupted run is still marked aborted.
public final class SQLiteStore: ResultStore {
    public let path: String
    public var location: String { path }
    public let history: HistorySettings
    /// The writer, nil when opened read-only.
    let pool: DatabasePool?
    let reader: any DatabaseReader
    public let recoveredRuns: [RunID]
    /// A spool: the local store of an auditor whose central store is PostgreSQL. Its runs
    /// are shipped when they end, and retention never removes one not yet shipped.
    public let isSpool: Bool
    /// What this process knows of the runs it writes, and the agency ids it has seen.
    let caches = Mutex(Caches())

    struct Caches {
        var runs: [Int64: RunWriting] = [:]
        var agencyIDs: [String: Int64] = [:]
        var inventories: [Int64: Inventory] = [:]
    }

    /// A run this process writes: its kind, the next sequence number of its link results,
    /// and (a link sweep) the condition each link was last in, to keep only changes in full.
    struct RunWriting {
        var kind: RunKind
        var nextSeq: Int64
        var openConditions: [String: String]
    }

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

    /// Opens (creating if needed) the store at `path`, migrates it, recovers runs cut off
    /// and applies the history of complete runs not yet applied.
    /// `readOnly`: opens an existing store for reading only (reports): nothing is created,
    /// migrated or recovered, so a read-only file, a store on a full disk, or one the process
    /// may not write can still be reported on.
    public init(path: String, readOnly: Bool = false, busyTimeout: TimeInterval = 30,
                history: HistorySettings = .standard, spool: Bool = false) throws(StoreError) {
        self.path = path
        self.isSpool = spool
        self.history = history
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "netaudit-results"
        configuration.readonly = readOnly
        do {
            if readOnly {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw StoreError(.notFound, path: path, message: "no results store here")
                }
                pool = nil
                let file = try Self.openReadOnly(path: path, configuration: configuration)
                guard try file.read({ try $0.tableExists("runs") }) else {
                    throw StoreError(.corrupt, path: path, message: "not a netaudit results store (no runs table)")
                }
                try Self.refuseNewerSchema(file, path: path)
                if try file.read(Schema.migrator.hasCompletedMigrations) {
                    reader = file
                } else {
                    // Written by an earlier netaudit and not opened for writing since: read
                    // through an upgraded copy in memory, the file itself untouched.
                    let memory = try DatabaseQueue(configuration: Configuration())
                    try file.backup(to: memory)
                    try Schema.migrator.migrate(memory)
                    reader = memory
                }
                recoveredRuns = []
                return
            }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let pool = try DatabasePool(path: path, configuration: configuration)
            self.pool = pool
            reader = pool
            try Self.refuseNewerSchema(pool, path: path)
            try Self.migrate(pool)
            recoveredRuns = try Self.recover(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
        try applyPendingHistory()
    }

    /// A store written by a newer netaudit has migrations this one does not know: refused,
    /// never written or reported on as if it were ours.
    private static func refuseNewerSchema(_ reader: any DatabaseReader, path: String) throws {
        let applied = try reader.read { db -> Set<String> in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        let known = Set(Schema.migrator.migrations)
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw StoreError(.schemaTooNew, path: path, message: "written by a newer netaudit (schema \(unknown.sorted().joined(separator: ", "))): "
                             + "use that version, or a copy of the store")
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
                throw StoreError(.notWritable, path: path,
                                 message: "the latest results are still in \(path)-wal and this process cannot set up "
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
    /// processes allow) and closes every connection. A daemon calls this last on its way
    /// out; any later use fails.
    public func close() async throws(StoreError) {
        let (pool, reader, path) = (self.pool, self.reader, self.path)
        try await Self.detached(path: path) {
            // Best effort, and without waiting: another process (an audit beside the daemon)
            // may be writing; a passive checkpoint copies what it can and returns.
            guard let pool else { return try reader.close() }
            _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
            try pool.close()
        }
    }

    /// A backend error as a `StoreError` with a code a caller can act on.
    static func storeError(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let database = error as? DatabaseError {
            let detail = database.message ?? "\(database.resultCode)"
            switch database.resultCode.primaryResultCode {
            case .SQLITE_FULL: return StoreError(.diskFull, path: path, message: "the disk is full (nothing already stored is lost)")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
                return StoreError(.notWritable, path: path, message: "cannot open or write the file: \(detail)")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return StoreError(.corrupt, path: path, message: "not a netaudit results store, or damaged: \(detail)")
            case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError(.locked, path: path, message: "another process held the store too long: \(detail)")
            case .SQLITE_IOERR: return StoreError(.unavailable, path: path, message: "the disk failed: \(detail)")
            default: return StoreError(.other, path: path, message: detail)
            }
        }
        return StoreError(.other, path: path, message: "\(error)")
    }

    /// Runs `body` off the caller's task, to its end even if the caller is cancelled, on
    /// GRDB's own threads; errors come back as `StoreError`.
    static func detached<T: Sendable>(path: String, _ body: @escaping @Sendable () async throws -> T) async throws(StoreError) -> T {
        let result = await Task.detached { () -> Result<T, StoreError> in
            do { return .success(try await body()) } catch { return .failure(storeError(error, path: path)) }
        }.value
        return try result.get()
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        guard let pool else { throw StoreError(.notWritable, path: path, message: "opened read-only") }
        return try await Self.detached(path: path) { try await pool.write(body) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let reader = self.reader
        return try await Self.detached(path: path) { try await reader.read(body) }
    }

    /// A synchronous write, for what runs at open.
    func writeNow<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        guard let pool else { throw StoreError(.notWritable, path: path, message: "opened read-only") }
        do { return try pool.write(body) } catch { throw Self.storeError(error, path: path) }
    }

    static func json<T: Encodable>(_ value: T) throws(StoreError) -> String {
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw StoreError(.invalidRequest, path: "-", message: "cannot encode a result: \(error)")
        }
    }
}
