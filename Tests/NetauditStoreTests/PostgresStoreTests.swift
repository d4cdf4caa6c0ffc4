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

    @Test func verifyFullChecksTheServersCertificateAgainstSSLRootCert() async throws {
        let folder = NSTemporaryDirectory() + "netaudit-pg-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: folder + "/san.cnf", atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=netaudit test CA"],
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key", "-out", "other.pem",
             "-days", "2", "-subj", "/CN=another CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
             "-days", "2", "-extfile", "san.cnf"],
        ] {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.currentDirectoryURL = URL(fileURLWithPath: folder)
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            try #require(openssl.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        }
        let server = try PostgresServer(tls: (folder + "/server.crt", folder + "/server.key"))
        defer { server.stop() }
        try server.sql("CREATE DATABASE netaudit OWNER netaudit")
        let base = "postgresql://netaudit@localhost:\(server.port)/netaudit"

        let store = try await Stores.open(base + "?sslmode=verify-full&sslrootcert=\(folder)/ca.pem")
        #expect(try await StoreBackend.postgres.count(store, "SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl") == 1)
        try await store.close()

        let untrusted = await #expect(throws: StoreError.self) {
            try await Stores.open(base + "?sslmode=verify-full&sslrootcert=\(folder)/other.pem")
        }
        #expect(untrusted?.code == .unavailable)
        // require: TLS without checking whose certificate it is.
        let unchecked = try await Stores.open(base + "?sslmode=require&sslrootcert=\(folder)/other.pem")
        #expect(try await StoreBackend.postgres.count(unchecked, "SELECT count(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl") == 1)
        try await unchecked.close()
    }

}

/// How PostgreSQL's SQLSTATEs map to the store's codes (pure: no server needed).
struct PostgresErrorCodeTests {
    @Test(arguments: [("53100", StoreError.Code.diskFull), ("08006", .unavailable), ("57P01", .unavailable), ("3D000", .notFound),
                      ("42501", .notWritable), ("28P01", .notWritable), ("40P01", .locked), ("XX001", .corrupt), ("22001", .other)])
    func sqlStatesMapToStoreErrorCodes(state: String, code: StoreError.Code) {
        #expect(PostgresStore.code(sqlState: state) == code)
    }
}
