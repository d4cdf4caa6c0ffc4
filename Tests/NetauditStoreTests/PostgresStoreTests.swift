import Foundation
import NetauditCore
import NetauditStore
@testable import NetauditStorePostgres
import NetauditStores
import NetauditTestSupport
import PostgresNIO
import Testing

/// What only the PostgreSQL backend has: its schema table, the site of each run, and how
/// server errors map to store error codes (the shared behaviour is in the contract tests).
@Suite(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct PostgresStoreTests {
    static let inventory = ResultStoreTests.inventory

    @Test func aRunBelongsToTheSiteOfItsInventorysTopAgencyOrTheOneConfigured() async throws {
        let url = try PostgresServer.freshDatabaseURL()
        let store = try await Stores.open(url)
        let id = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        #expect(try await StoreBackend.postgres.count(store, "SELECT count(*) FROM runs WHERE site = '52' AND id = \(id.value)") == 1)
        guard case .postgres(let location) = try StoreLocation.parse(url) else { Issue.record("not a URL"); return }
        let named = try await PostgresStore.open(location, site: "52-north")
        let other = try await named.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        #expect(try await StoreBackend.postgres.count(named, "SELECT count(*) FROM runs WHERE site = '52-north' AND id = \(other.value)") == 1)
        #expect(try await store.integrityCheck() == "ok")
        try await named.close()
        try await store.close()
    }

    @Test func aNewerSchemaIsRefusedForWritingAndReading() async throws {
        let url = try PostgresServer.freshDatabaseURL()
        let store = try await Stores.open(url)
        try await StoreBackend.postgres.execute(store, "INSERT INTO netaudit_schema (version, description, netaudit_version) VALUES (99, 'from the future', '9.9')")
        try await store.close()
        let writing = await #expect(throws: StoreError.self) { try await Stores.open(url) }
        #expect(writing?.code == .schemaTooNew)
        #expect(writing?.message.contains("schema version 99") == true)
        let reading = await #expect(throws: StoreError.self) { try await Stores.open(url, access: .readOnly) }
        #expect(reading?.code == .schemaTooNew)
    }

    @Test func readOnlyWritesNothingAndADatabaseWithoutAStoreIsNotFound() async throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let empty = await #expect(throws: StoreError.self) { try await Stores.open(url, access: .readOnly) }
        #expect(empty?.code == .notFound)
        let writer = try await Stores.open(url)
        let id = try await writer.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        let reader = try await Stores.open(url, access: .readOnly)
        let refused = await #expect(throws: StoreError.self) {
            try await reader.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        }
        #expect(refused?.code == .notWritable)
        #expect(try await reader.run(id)?.state == .running)
        let missing = await #expect(throws: StoreError.self) {
            try await Stores.open(server.url(database: "no_such_database"))
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.path == server.url(database: "no_such_database"))
    }

    @Test func aServerThatIsDownIsUnavailableAndThePasswordIsNeverShown() async throws {
        // A port nothing listens on: the shared server's, once a second server there stops.
        let server = try PostgresServer()
        let url = server.url()
        server.stop()
        let down = await #expect(throws: StoreError.self) { try await Stores.open(url) }
        #expect(down?.code == .unavailable)
        #expect(down?.description.hasPrefix("results store \(url):") == true)

        let withPassword = await #expect(throws: StoreError.self) {
            try await Stores.open("postgresql://netaudit:hunter2@127.0.0.1:\(server.port)/netaudit")
        }
        #expect(withPassword?.code == .invalidRequest)
        #expect(withPassword?.description.contains("hunter2") == false)
    }

    @Test(arguments: [("53100", StoreError.Code.diskFull), ("08006", .unavailable), ("57P01", .unavailable), ("3D000", .notFound),
                      ("42501", .notWritable), ("28P01", .notWritable), ("40P01", .locked), ("XX001", .corrupt), ("22001", .other)])
    func sqlStatesMapToStoreErrorCodes(state: String, code: StoreError.Code) {
        #expect(PostgresStore.code(sqlState: state) == code)
    }
}
