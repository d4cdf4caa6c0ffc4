import Foundation
import GRDB
import NetauditCore
import NetauditStore
@testable import NetauditStorePostgres
@testable import NetauditStoreSQLite
import NetauditStores
import NetauditTestSupport
import PostgresNIO
import Testing

/// The backends the store's contract tests run against: every seam test takes one as its
/// argument. SQLite always; PostgreSQL when a server can be started here (Debian's
/// `postgresql` package, and the `postgres` user when running as root). Without it the
/// PostgreSQL cases are left out, and `PostgresContractAvailability` is skipped with the
/// reason.
enum StoreBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var testable: [StoreBackend] { PostgresServer.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }

    /// A location for one test's store: a file in a new temporary folder, or a new database.
    func freshLocation() throws -> String {
        switch self {
        case .sqlite:
            let folder = NSTemporaryDirectory() + "netaudit-contract-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return folder + "/results.sqlite"
        case .postgres:
            return try PostgresServer.freshDatabaseURL()
        }
    }

    /// Removes what `freshLocation` made (a database goes with the server at exit).
    func remove(_ location: String) {
        if self == .sqlite { try? FileManager.default.removeItem(atPath: (location as NSString).deletingLastPathComponent) }
    }

    /// Opens the store at `location` as the callers do, through `Stores.open`.
    func open(_ location: String, history: HistorySettings = .standard, readOnly: Bool = false) async throws -> any ResultStore {
        try await Stores.open(location, access: readOnly ? .readOnly : .write, history: history)
    }

    /// SQL written for both (booleans as 0/1 in SQLite, false/true in PostgreSQL).
    func sql(_ text: String) -> String {
        guard self == .postgres else { return text }
        return text.replacingOccurrences(of: "SET history_applied = 0", with: "SET history_applied = false")
            .replacingOccurrences(of: "history_applied = 0", with: "NOT history_applied")
            .replacingOccurrences(of: "history_applied = 1", with: "history_applied")
    }

    /// The single integer `sql` selects, behind the seam.
    func count(_ store: any ResultStore, _ sql: String) async throws -> Int {
        let sql = self.sql(sql)
        if let sqlite = store as? SQLiteStore {
            return try await sqlite.reader.read { try Int.fetchOne($0, sql: sql) ?? -1 }
        }
        let postgres = try #require(store as? PostgresStore)
        let logger = postgres.logger
        return try await postgres.read { connection in
            let rows = try await PostgresStore.rows(PostgresQuery(unsafeSQL: sql), connection, logger: logger)
            return try rows.first.map { try $0[0].decode(Int.self) } ?? -1
        }
    }

    /// Runs `sql` behind the seam (to stage what a crash or another process would leave).
    func execute(_ store: any ResultStore, _ sql: String) async throws {
        let sql = self.sql(sql)
        if let sqlite = store as? SQLiteStore {
            try await sqlite.pool!.write { try $0.execute(sql: sql) }
            return
        }
        let postgres = try #require(store as? PostgresStore)
        let logger = postgres.logger
        try await postgres.write { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}

/// Says, in the test output, when the PostgreSQL contract cases cannot run here, and why.
@Suite(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct PostgresContractAvailability {
    @Test func theContractTestsAlsoRunAgainstPostgreSQL() throws {
        #expect(StoreBackend.testable.contains(.postgres))
        _ = try PostgresServer.shared()
    }
}
