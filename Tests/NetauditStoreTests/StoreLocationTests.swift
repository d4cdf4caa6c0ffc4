import Foundation
import NetauditStore
import Testing

/// Store locations: a path, or a PostgreSQL URL whose password never comes from the URL.
struct StoreLocationTests {
    @Test(arguments: ["results.sqlite", "/var/lib/netaudit/results.sqlite", "./a b/c.sqlite"])
    func aPathIsASQLiteFile(path: String) throws {
        #expect(try StoreLocation.parse(path, environment: [:]) == .file(path))
    }

    @Test func aFullURL() throws {
        let location = try StoreLocation.parse(
            "postgresql://auditor@db.example.vn:6432/netaudit?sslmode=verify-full&sslrootcert=/etc/netaudit/ca.pem", environment: [:])
        #expect(location == .postgres(PostgresLocation(user: "auditor", host: "db.example.vn", port: 6432, database: "netaudit",
                                                       sslMode: .verifyFull, sslRootCert: "/etc/netaudit/ca.pem", password: .none)))
        #expect(location.display == "postgresql://auditor@db.example.vn:6432/netaudit?sslmode=verify-full&sslrootcert=/etc/netaudit/ca.pem")
    }

    @Test func postgresSchemeDefaultPortAndTLSByHost() throws {
        guard case .postgres(let remote) = try StoreLocation.parse("postgres://a@db.example.vn/n", environment: [:]),
              case .postgres(let local) = try StoreLocation.parse("postgres://a@127.0.0.1/n", environment: [:]),
              case .postgres(let six) = try StoreLocation.parse("postgres://a@[::1]:5433/n", environment: [:]) else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(remote.port == 5432 && remote.sslMode == .verifyFull)
        #expect(local.sslMode == .disable && local.isLoopback)
        #expect(six.host == "::1" && six.port == 5433 && six.sslMode == .disable)
        #expect(six.display == "postgresql://a@[::1]:5433/n?sslmode=disable")
    }

    @Test func aPasswordInTheURLIsRefusedAndNeverShown() throws {
        let error = #expect(throws: StoreError.self) {
            try StoreLocation.parse("postgresql://auditor:s3cret@db.example.vn/netaudit", environment: [:])
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains("password is never taken from the URL") == true)
        #expect(error?.description.contains("s3cret") == false)
        #expect(error?.path == "postgresql://auditor@db.example.vn/netaudit")
        let query = #expect(throws: StoreError.self) {
            try StoreLocation.parse("postgresql://auditor@db.example.vn/netaudit?password=s3cret", environment: [:])
        }
        #expect(query?.message.contains("password is never taken from the URL") == true)
    }

    @Test(arguments: [
        ("mysql://a@h/d", "a store is a file path or a postgresql:// URL, not mysql://"),
        ("postgresql://h/d", "the URL names no user (postgresql://USER@HOST:PORT/DB)"),
        ("postgresql://a@h", "the URL names no database (postgresql://USER@HOST:PORT/DB)"),
        ("postgresql://a@h/d?sslmode=prefer", "sslmode=prefer: use disable (loopback only), require or verify-full"),
        ("postgresql://a@db.example.vn/d?sslmode=disable",
         "sslmode=disable is allowed only for a loopback host (127.0.0.1, ::1, localhost): use verify-full"),
        ("postgresql://a@h/d?site=52", "unknown parameter site (known: sslmode, sslrootcert, passfile)"),
    ])
    func mistakesAreNamed(url: String, message: String) throws {
        let error = #expect(throws: StoreError.self) { try StoreLocation.parse(url, environment: [:]) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message == message)
    }

    @Test func thePasswordComesFromPassfileThenSystemdsCredentialThenNowhere() throws {
        let folder = NSTemporaryDirectory() + "netaudit-credentials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "from-credential\n".write(toFile: folder + "/netaudit-db-password", atomically: true, encoding: .utf8)
        try "from-file\nignored\n".write(toFile: folder + "/pass", atomically: true, encoding: .utf8)
        let environment = ["CREDENTIALS_DIRECTORY": folder]

        let named = try PostgresLocation(url: "postgresql://a@127.0.0.1/d?passfile=\(folder)/pass", environment: environment)
        #expect(named.password == .file(folder + "/pass"))
        #expect(try named.readPassword() == "from-file")
        let credential = try PostgresLocation(url: "postgresql://a@127.0.0.1/d", environment: environment)
        #expect(credential.password == .credential(folder + "/netaudit-db-password"))
        #expect(try credential.readPassword() == "from-credential")
        #expect(!credential.display.contains("from-credential"))
        let none = try PostgresLocation(url: "postgresql://a@127.0.0.1/d", environment: [:])
        #expect(none.password == .none)
        #expect(try none.readPassword() == nil)
        let missing = try PostgresLocation(url: "postgresql://a@127.0.0.1/d?passfile=\(folder)/absent", environment: [:])
        #expect(throws: StoreError.self) { try missing.readPassword() }
    }
}
