import Foundation
import Logging
import NetauditCore
import NetauditStore
import NIOSSL
import PostgresNIO
import Synchronization

/// The results store in a PostgreSQL database (15 or newer), through postgres-nio: the
/// central store several auditors share. Same semantics as the SQLite store: a run keeps its
/// inventory (each distinct one once, by hash), every result with its findings as it is
/// judged, each write in its own transaction; a run that completes extends the history
/// intervals in the same transaction, and the days that ended are rolled up. At open, runs
/// of this machine whose process is gone are marked `aborted`, and history not yet applied
/// is applied.
///
/// Unlike SQLite, every link result keeps its observation (deflated JSON in `bytea`): a
/// server's disk is not a province office's SD card, and one row layout keeps the queries of
/// the national report simple. Findings' evidence is `jsonb`. Every run has a `site` (by
/// default the code of the inventory's top agency), the key of the multi-auditor picture.
///
/// One connection per store, used by one operation at a time (as SQLite has one writer),
/// opened again after a failure: a server that is down fails each call at once with
/// `unavailable` rather than leaving it waiting. History updates take a transaction-level
/// advisory lock per site, so runs of one site completing at once extend its intervals one at a time.
public final class PostgresStore: ResultStore {
    public let location: String
    public let history: HistorySettings
    public let recoveredRuns: [RunID]
    /// The site each run written by this store belongs to; nil: the inventory's top agency.
    public let site: String?
    /// The process runs are written for, and the site's writer (tests give another host).
    let writer: ProcessIdentity
    let readOnly: Bool
    let gate: ConnectionGate
    let logger: Logger
    let caches = Mutex(Caches())

    struct Caches {
        var runs: [Int64: RunWriting] = [:]
        var inventories: [Int64: Inventory] = [:]
        /// The sites this store claimed, by the connection that holds the claim.
        var claimed: [String: ObjectIdentifier] = [:]
    }

    /// A run this process writes: its kind and the next sequence number of its link results.
    struct RunWriting {
        var kind: RunKind
        var nextSeq: Int64
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

    /// The advisory lock key of schema migrations ("netaudit").
    static let migrationLock: Int64 = 0x6E65_7461_7564_0001
    /// The class of each site's history lock (its key: `siteLockKeys`), apart from the
    /// classes of the site claims (0x6E61, 0x6E62).
    static let historyLockClass: Int32 = 0x6E63

    init(location: String, history: HistorySettings, site: String?, writer: ProcessIdentity, readOnly: Bool,
                 gate: ConnectionGate, logger: Logger, recoveredRuns: [RunID]) {
        self.location = location
        self.writer = writer
        self.history = history
        self.site = site
        self.readOnly = readOnly
        self.gate = gate
        self.logger = logger
        self.recoveredRuns = recoveredRuns
    }

    /// Connects to `location`, migrates the schema (writing) or checks it (`readOnly`: the
    /// session is read-only on the server too, nothing is created or changed), recovers runs
    /// cut off and applies pending history.
    public static func open(_ location: PostgresLocation, readOnly: Bool = false, history: HistorySettings = .standard,
                            site: String? = nil, logger: Logger = Logger(label: "netaudit.store.postgres")) async throws(StoreError) -> PostgresStore {
        try await open(location, readOnly: readOnly, history: history, site: site, writer: .current, logger: logger)
    }

    /// The same, writing as `writer` (the current process but in tests). A writing store
    /// with a `site` claims it at once (see `claim(site:)`); without one, at its first run.
    static func open(_ location: PostgresLocation, readOnly: Bool, history: HistorySettings, site: String?, writer: ProcessIdentity,
                     logger: Logger) async throws(StoreError) -> PostgresStore {
        let shown = location.display
        let configuration = try connectionConfiguration(location, readOnly: readOnly)
        let gate = ConnectionGate(configuration: configuration, logger: logger)
        let recovered: [RunID]
        do {
            if readOnly {
                try await gate.run { connection in try await Schema.check(connection, logger: logger, location: shown) }
                recovered = []
            } else {
                try await gate.run { connection in try await Schema.migrate(connection, logger: logger, location: shown) }
                recovered = try await gate.run { connection in try await recover(connection, logger: logger) }
            }
        } catch {
            await gate.close()
            throw storeError(error, location: shown)
        }
        let store = PostgresStore(location: shown, history: history, site: site, writer: writer, readOnly: readOnly, gate: gate,
                                  logger: logger, recoveredRuns: recovered)
        if !readOnly {
            if let site {
                do { try await gate.run { connection in
                    try await inTransaction(connection, logger: logger) { connection in try await store.claim(site: site, connection) }
                } } catch {
                    await gate.close()
                    throw storeError(error, location: shown)
                }
            }
            do { try await store.applyPendingHistory() } catch {
                await gate.close()
                throw error
            }
        }
        return store
    }

    /// postgres-nio's configuration: TLS as `sslmode` says, the password from its file.
    static func connectionConfiguration(_ location: PostgresLocation, readOnly: Bool) throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.sslMode {
            case .disable:
                tls = .disable
            case .require:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: settings))
            case .verifyFull:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .fullVerification
                if let file = location.sslRootCert { settings.trustRoots = .file(file) }
                tls = .require(try NIOSSLContext(configuration: settings))
            }
        } catch {
            throw StoreError(.invalidRequest, path: location.display, message: "cannot set up TLS (sslrootcert?): \(error)")
        }
        var configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: try location.readPassword(), database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "netaudit")]
        if readOnly { configuration.options.additionalStartupParameters.append(("default_transaction_read_only", "on")) }
        return configuration
    }

    /// Closes the connection; any later use fails.
    public func close() async throws(StoreError) {
        await gate.close()
    }

    // MARK: Running queries

    /// Runs `body` in one transaction, to its end even if the caller is cancelled.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        guard !readOnly else { throw StoreError(.notWritable, path: location, message: "opened read-only") }
        return try await transaction(body)
    }

    /// Runs `body` in one transaction (a consistent read), to its end even if the caller is cancelled.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        try await transaction(body)
    }

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        let (gate, logger, location) = (self.gate, self.logger, self.location)
        let result = await Task.detached { () -> Result<T, StoreError> in
            do {
                return .success(try await gate.run { connection in try await Self.inTransaction(connection, logger: logger, body) })
            } catch {
                return .failure(Self.storeError(error, location: location))
            }
        }.value
        return try result.get()
    }

    static func inTransaction<T>(_ connection: PostgresConnection, logger: Logger,
                                 _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The rows of `query`, each with access by column name.
    static func rows(_ query: PostgresQuery, _ connection: PostgresConnection, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }

    /// Runs `query`; with `RETURNING`, how many rows it returned (those it changed).
    @discardableResult
    static func execute(_ query: PostgresQuery, _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    static func json<T: Encodable>(_ value: T) throws(StoreError) -> String {
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw StoreError(.invalidRequest, path: "-", message: "cannot encode a result: \(error)")
        }
    }

    // MARK: Errors

    /// A PostgreSQL or connection error as a `StoreError` with a code a caller can act on,
    /// naming the location (which never holds a password).
    static func storeError(_ error: any Error, location: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is StoreClosed { return StoreError(.invalidRequest, path: location, message: "the store is closed") }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let detail = error.serverInfo?[.message] ?? state
                return StoreError(code(sqlState: state), path: location, message: message(code(sqlState: state), detail: detail, state: state))
            }
            let detail = error.underlying.map { "\($0)" } ?? "\(error.code)"
            switch error.code {
            case .sslUnsupported:
                return StoreError(.unavailable, path: location, message: "the server does not offer TLS (sslmode=disable only for loopback)")
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return StoreError(.unavailable, path: location, message: "cannot reach the PostgreSQL server: \(detail)")
            case .authMechanismRequiresPassword:
                return StoreError(.notWritable, path: location, message: "the server asks for a password: give it with passfile= or LoadCredential=netaudit-db-password")
            default:
                return StoreError(.other, path: location, message: "\(error.code): \(detail)")
            }
        }
        if error is PostgresDecodingError {
            return StoreError(.corrupt, path: location, message: "a stored value has an unexpected type: \(error)")
        }
        if error is DecodingError {
            return StoreError(.corrupt, path: location, message: "a stored value cannot be read: \(error)")
        }
        return StoreError(.unavailable, path: location, message: "cannot reach the PostgreSQL server: \(error)")
    }

    /// The store error code for a PostgreSQL SQLSTATE (appendix A of its manual).
    static func code(sqlState state: String) -> StoreError.Code {
        switch state {
        case "53100": return .diskFull                       // disk_full
        case "3D000": return .notFound                       // invalid_catalog_name: no such database
        case "42501", "25006": return .notWritable           // insufficient_privilege, read_only_sql_transaction
        case "40001", "40P01", "55P03", "57014": return .locked  // serialization, deadlock, lock not available, query cancelled (timeout)
        case "XX001", "XX002": return .corrupt               // data_corrupted, index_corrupted
        default: break
        }
        switch state.prefix(2) {
        case "08", "57", "53": return .unavailable          // connection exceptions, shutdown, resources
        case "28": return .notWritable                      // invalid authorization
        case "58": return .unavailable                      // system errors (I/O)
        default: return .other
        }
    }

    static func message(_ code: StoreError.Code, detail: String, state: String) -> String {
        switch code {
        case .diskFull: return "the server's disk is full (nothing already stored is lost): \(detail)"
        case .notFound: return "no such database: \(detail)"
        case .notWritable: return "not allowed: \(detail)"
        case .locked: return "another writer held the rows too long: \(detail)"
        case .unavailable: return "the PostgreSQL server is unavailable: \(detail)"
        case .corrupt: return "the database is damaged: \(detail)"
        default: return "\(detail) (SQLSTATE \(state))"
        }
    }
}

/// A call on a store already closed.
struct StoreClosed: Error {}

/// The store's one connection, lent to one operation at a time and opened again when it was
/// lost (the server restarted).
actor ConnectionGate {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var busy = false
    private var closed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 1

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        // A store dropped without close(): its connection is closed all the same (postgres-nio
        // requires it), and kept until it is.
        if let connection, !connection.isClosed {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// Runs `body` with the connection, alone.
    func run<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        await acquire()
        do {
            let connection = try await current()
            let value = try await body(connection)
            release()
            return value
        } catch {
            if let connection, connection.isClosed { self.connection = nil }
            release()
            throw error
        }
    }

    private func current() async throws -> PostgresConnection {
        if closed { throw StoreClosed() }
        if let connection, !connection.isClosed { return connection }
        nextID += 1
        let made = try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
        connection = made
        return made
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    func close() async {
        await acquire()
        closed = true
        if let connection { try? await connection.close() }
        connection = nil
        release()
    }
}
