import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for the tests: `initdb` in a temporary folder, listening on
/// 127.0.0.1 only, on a free port, unix sockets in that folder, `fsync=off`. One server per
/// test process (started on first use, stopped by PID at exit); each test takes a fresh
/// database of its own (`createDatabase()`), owned by the role `netaudit` (trust auth).
/// Members of the group `netaudit_password_auth` alone must give a password (SCRAM-SHA-256,
/// `createPasswordRole`), for the tests of how netaudit finds one.
///
/// PostgreSQL refuses to run as root: as root the server and `initdb` run as the `postgres`
/// user (through `setpriv`, which execs, so the PID held is the postmaster's). Without the
/// binaries (Debian's `postgresql` package) the tests that need it are skipped:
/// `PostgresServer.unavailableReason` says why.
public final class PostgresServer: @unchecked Sendable {
    /// The folder with `initdb`, `postgres`, `pg_isready` and `psql`: `$NETAUDIT_PG_BIN`, or
    /// Debian's newest `/usr/lib/postgresql/N/bin` with N ≥ 15.
    public static let binaries: String? = {
        if let given = ProcessInfo.processInfo.environment["NETAUDIT_PG_BIN"] { return given }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).filter { $0 >= 15 }.sorted()
        return versions.last.map { "\(root)/\($0)/bin" }
    }()

    /// Why the PostgreSQL tests cannot run here, or nil when they can.
    public static let unavailableReason: String? = {
        guard let bin = binaries, FileManager.default.isExecutableFile(atPath: bin + "/initdb") else {
            return "PostgreSQL ≥ 15 is not installed (Debian's postgresql package: scripts/setup-debian): PostgreSQL tests skipped"
        }
        if getuid() == 0 {
            guard getpwnam("postgres") != nil else { return "running as root without a postgres user: PostgreSQL tests skipped" }
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                return "running as root without setpriv (util-linux) to start PostgreSQL as postgres: PostgreSQL tests skipped"
            }
        }
        return nil
    }()

    /// Whether the PostgreSQL tests can run (for `.enabled(if:)`).
    public static var isAvailable: Bool { unavailableReason == nil }

    public let port: Int
    public let folder: String
    private var process: Process
    private let lock = NSLock()
    private var stopped = false
    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedServer: Result<PostgresServer, any Error>?

    /// The server of this test process, started on first use and stopped at exit.
    public static func shared() throws -> PostgresServer {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let sharedServer { return try sharedServer.get() }
        let result = Result { try PostgresServer() }
        sharedServer = result
        if case .success = result { atexit { PostgresServer.stopShared() } }
        return try result.get()
    }

    private static func stopShared() {
        sharedLock.lock()
        let server = try? sharedServer?.get()
        sharedLock.unlock()
        server?.stop()
    }

    /// A URL of a fresh database owned by `netaudit`, for one test.
    public static func freshDatabaseURL() throws -> String {
        let server = try shared()
        return try server.createDatabase()
    }

    /// Starts a new server (tests that stop it themselves; most use `shared()`). With
    /// `tls`, the server also offers TLS with that certificate and key (PEM files, copied
    /// into the server's folder for the `postgres` user).
    public init(tls: (certificate: String, key: String)? = nil) throws {
        if let reason = Self.unavailableReason { throw Failure(message: reason) }
        let bin = Self.binaries!
        folder = NSTemporaryDirectory() + "netaudit-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0, let user = getpwnam("postgres") {
            _ = chown(folder, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        try Self.run(bin + "/initdb", ["-D", folder + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                     asPostgres: true)
        try Self.requirePasswords(ofGroup: Self.passwordGroup, hba: folder + "/data/pg_hba.conf")
        port = try Self.freePort()
        var settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"]
        if let tls {
            for (source, name) in [(tls.certificate, "server.crt"), (tls.key, "server.key")] {
                let target = folder + "/" + name
                try FileManager.default.copyItem(atPath: source, toPath: target)
                _ = chmod(target, 0o600)
                if getuid() == 0, let user = getpwnam("postgres") { _ = chown(target, user.pointee.pw_uid, user.pointee.pw_gid) }
            }
            settings += ["ssl=on", "ssl_cert_file=\(folder)/server.crt", "ssl_key_file=\(folder)/server.key"]
        }
        process = Process()
        (process.executableURL, process.arguments) = Self.command(bin + "/postgres", [
            "-D", folder + "/data", "-p", String(port), "-k", folder,
        ] + settings.flatMap { ["-c", $0] }, asPostgres: true)
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Accepting connections within 30 s, or the start failed.
        let deadline = Date().addingTimeInterval(30)
        while true {
            if (try? Self.run(bin + "/pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-q"], asPostgres: false)) != nil { break }
            if !process.isRunning || Date() > deadline {
                stop()
                throw Failure(message: "PostgreSQL did not start on 127.0.0.1:\(port)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try sql("CREATE ROLE netaudit LOGIN")
        try sql("CREATE ROLE \(Self.passwordGroup) NOLOGIN")
    }

    /// The group whose members authenticate with a password (the first line of pg_hba.conf);
    /// every other role is trusted.
    public static let passwordGroup = "netaudit_password_auth"

    /// Creates the login role `name` that must give `password` (SCRAM-SHA-256) to connect.
    public func createPasswordRole(_ name: String, password: String) throws {
        try sql("CREATE ROLE \(name) LOGIN PASSWORD '\(password.replacingOccurrences(of: "'", with: "''"))' IN ROLE \(Self.passwordGroup)")
    }

    /// Puts a line before initdb's `trust` lines so that members of `group` need a password
    /// over TCP on 127.0.0.1 (pg_hba.conf: the first matching line decides). A group that
    /// does not exist yet matches nobody.
    private static func requirePasswords(ofGroup group: String, hba path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8)
        try ("host all +\(group) 127.0.0.1/32 scram-sha-256\n" + lines).write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// Runs SQL as `user` (the superuser `postgres` unless told) in database `database`;
    /// what it prints, unaligned and without headers (`psql -At`).
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres", user: String = "postgres") throws -> String {
        try Self.run(Self.binaries! + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                                                "-U", user, "-d", database, "-c", statement], asPostgres: false)
    }

    /// Runs the SQL file at `path` as the superuser in `database`, with psql variables
    /// (`psql -v name=value -f path`), as an operator would.
    public func sqlFile(_ path: String, database: String, variables: [String: String] = [:]) throws {
        let settings = variables.sorted { $0.key < $1.key }.flatMap { ["-v", "\($0.key)=\($0.value)"] }
        try Self.run(Self.binaries! + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres",
                                                "-d", database] + settings + ["-f", path], asPostgres: false)
    }

    /// Creates an empty database owned by `owner` and returns its URL (no password: trust).
    public func createDatabase(owner: String = "netaudit") throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try sql("CREATE DATABASE \(name) OWNER \(owner)")
        return url(database: name, user: owner)
    }

    /// `postgresql://USER@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    public func url(database: String = "netaudit", user: String = "netaudit") -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Stops the server by its PID (fast shutdown) and keeps its data: a server that is down,
    /// as an auditor sees it (connections refused). `restart()` starts it again.
    public func halt() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped, process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Starts a halted server again, on the same port with the same data.
    public func restart() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped, !process.isRunning else { return }
        let next = Process()
        (next.executableURL, next.arguments) = (process.executableURL, process.arguments)
        next.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        next.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try next.run()
        process = next
        let deadline = Date().addingTimeInterval(30)
        while (try? Self.run(Self.binaries! + "/pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-q"], asPostgres: false)) == nil {
            if !next.isRunning || Date() > deadline { throw Failure(message: "PostgreSQL did not start again on 127.0.0.1:\(port)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Stops the server by its PID (SIGINT: PostgreSQL's fast shutdown) and removes its folder.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// `tool arguments`, as `postgres` when this process is root.
    private static func command(_ tool: String, _ arguments: [String], asPostgres: Bool) -> (URL, [String]) {
        if asPostgres && getuid() == 0 {
            return (URL(fileURLWithPath: "/usr/bin/setpriv"),
                    ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", tool] + arguments)
        }
        return (URL(fileURLWithPath: tool), arguments)
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: [String], asPostgres: Bool) throws -> String {
        let process = Process()
        (process.executableURL, process.arguments) = command(tool, arguments, asPostgres: asPostgres)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(message: "\((tool as NSString).lastPathComponent) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }

    /// A TCP port on 127.0.0.1 nothing listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(message: "no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
