import Foundation
import Hummingbird
import Logging
import NetauditAudit
import NetauditCore
@testable import NetauditDaemon
import NetauditInventory
import NetauditLab
import NetauditPolicy
import NetauditProbes
import NetauditStoreSQLite
import Synchronization
import Testing

/// `http.tls` and `http.basic_auth`: the daemon's real HTTP server on 127.0.0.1 with a
/// certificate of the lab's PKI, fetched with curl(1) as another host's Prometheus would.
@Suite(.serialized) struct HTTPSecurityTests {
    struct Curl {
        let status: Int32
        let stdout: String
    }

    /// curl with `arguments`; its exit status and what it printed (-1: curl did not start).
    static func curl(_ arguments: [String]) -> Curl {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return Curl(status: -1, stdout: "\(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Curl(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self))
    }

    /// Serves the daemon's pages with the configuration `yaml` (in `folder`) until `body` returns.
    static func serve(_ yaml: String, folder: String, _ body: @Sendable (Int) async throws -> Void) async throws {
        try yaml.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let configuration = try DaemonConfigurationLoader().load(path: folder + "/netaudit.yaml")
        let setup = AuditSetup(configuration: configuration, inventory: Fixtures.inventory, policy: Policy(),
                               trust: try TrustStores(governmentAnchors: []))
        let status = DaemonStatus(setup: setup, configurationPath: folder + "/netaudit.yaml")
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let port = Mutex<Int?>(nil)
        let application = StatusServer.application(status: status, metrics: DaemonMetrics(), store: store, logger: logger,
                                                   server: try HTTPSecurity.server(configuration.http)) { address in
            port.withLock { $0 = address.split(separator: ":").last.flatMap { Int($0) } }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            var bound: Int?
            for _ in 0..<500 {
                bound = port.withLock { $0 }
                if bound != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let listening = try #require(bound)
            try await body(listening)
            group.cancelAll()
        }
        try await store.close()
    }

    /// A CA and a server certificate for 127.0.0.1, and a password file (mode 0600).
    static func credentials(in folder: String) throws -> (ca: String, certificate: String, key: String, password: String) {
        let ca = try LabPKI.selfSigned(.certificateAuthority(commonName: "netaudit test CA", key: .ecdsa(curve: .p256)))
        let leaf = try LabPKI.issue(LabCertificateSpec(commonName: "127.0.0.1", subjectAltNames: [.ip(IPAddress(127, 0, 0, 1))], key: .ecdsa(curve: .p256)),
                                    by: ca)
        let files = try leaf.write(to: URL(fileURLWithPath: folder), name: "server")
        try ca.certificatePEM.write(toFile: folder + "/ca.pem", atomically: true, encoding: .utf8)
        try "s3cret: pass\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder + "/password")
        return (folder + "/ca.pem", files.chain.path, files.privateKey.path, folder + "/password")
    }

    @Test func httpsWithBasicAuthOnEveryPath() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try Self.credentials(in: folder)
        try await Self.serve("""
            http:
              listen: "127.0.0.1:0"
              tls: {certificate: \(files.certificate), key: \(files.key)}
              basic_auth: {user: prometheus, password_file: \(files.password)}
            """, folder: folder) { port in
            let base = "https://127.0.0.1:\(port)"
            let code = ["-o", "/dev/null", "-w", "%{http_code}", "--cacert", files.ca]
            // No credentials: 401 with the challenge, on every path (an unknown one too).
            for path in ["/metrics", "/status", "/healthz", "/", "/period", "/nonexistent"] {
                #expect(Self.curl(code + ["\(base)\(path)"]).stdout == "401", "\(path)")
            }
            let challenge = Self.curl(["-D", "-", "-o", "/dev/null", "--cacert", files.ca, "\(base)/metrics"])
            #expect(challenge.stdout.lowercased().contains("www-authenticate: basic realm=\"netaudit\""), "\(challenge.stdout)")
            // The right user and password: the pages.
            let metrics = Self.curl(["--cacert", files.ca, "-u", "prometheus:s3cret: pass", "-w", "\n%{http_code}", "\(base)/metrics"])
            #expect(metrics.status == 0 && metrics.stdout.hasSuffix("\n200") && metrics.stdout.contains("netaudit_alerts_total"), "\(metrics)")
            #expect(Self.curl(["--cacert", files.ca, "-u", "prometheus:s3cret: pass", "\(base)/healthz"]).stdout == "ok\n")
            // A wrong password, a wrong user, a password one character short: 401.
            for credentials in ["prometheus:s3cret: pas", "prometheus:s3cret: pass2", "grafana:s3cret: pass", "prometheus:"] {
                #expect(Self.curl(code + ["-u", credentials, "\(base)/metrics"]).stdout == "401", "\(credentials)")
            }
            // The certificate is checked by the client: without the CA, curl refuses it.
            #expect(Self.curl(["-u", "prometheus:s3cret: pass", "\(base)/metrics"]).status == 60)
            // Plain HTTP on the HTTPS port gets no page.
            let plain = Self.curl(["-u", "prometheus:s3cret: pass", "-w", "%{http_code}", "http://127.0.0.1:\(port)/metrics"])
            #expect(!plain.stdout.contains("netaudit_") && !plain.stdout.hasSuffix("200"), "\(plain)")
            // TLS 1.1 and older are refused.
            #expect(Self.curl(code + ["--tlsv1.0", "--tls-max", "1.1", "-u", "prometheus:s3cret: pass", "\(base)/metrics"]).stdout != "200")
        }
    }

    /// Basic authentication alone (behind a TLS proxy, or on loopback), and nothing at all:
    /// the default, as before.
    @Test func basicAuthWithoutTLSAndTheDefault() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try Self.credentials(in: folder)
        try await Self.serve("""
            http: {listen: "127.0.0.1:0", basic_auth: {user: prometheus, password_file: \(files.password)}}
            """, folder: folder) { port in
            let code = ["-o", "/dev/null", "-w", "%{http_code}"]
            #expect(Self.curl(code + ["http://127.0.0.1:\(port)/metrics"]).stdout == "401")
            #expect(Self.curl(code + ["-u", "prometheus:s3cret: pass", "http://127.0.0.1:\(port)/metrics"]).stdout == "200")
        }
        try await Self.serve("http: {listen: \"127.0.0.1:0\"}\n", folder: folder) { port in
            #expect(Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/metrics"]).stdout == "200")
        }
    }

    @Test func theAuthorizationHeader() {
        let header = "Basic " + Data("prometheus:s3cret".utf8).base64EncodedString()
        #expect(BasicAuthMiddleware<BasicRequestContext>.accepts(header, user: "prometheus", password: "s3cret"))
        #expect(BasicAuthMiddleware<BasicRequestContext>.accepts("basic  " + Data("prometheus:s3cret".utf8).base64EncodedString(), user: "prometheus", password: "s3cret"))
        #expect(!BasicAuthMiddleware<BasicRequestContext>.accepts(header, user: "prometheus", password: "s3cre"))
        #expect(!BasicAuthMiddleware<BasicRequestContext>.accepts("Bearer abc", user: "prometheus", password: "s3cret"))
        #expect(!BasicAuthMiddleware<BasicRequestContext>.accepts("Basic !!!", user: "prometheus", password: "s3cret"))
        #expect(BasicAuthMiddleware<BasicRequestContext>.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!BasicAuthMiddleware<BasicRequestContext>.constantTimeEqual([1, 2, 3], [1, 2, 3, 0]))
        #expect(!BasicAuthMiddleware<BasicRequestContext>.constantTimeEqual([], [0]))
    }

    /// A key that does not load: a set-up error naming the file, before anything starts.
    @Test func anUnusableKeyIsNamed() throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try Self.credentials(in: folder)
        try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(toFile: folder + "/bad.key", atomically: true, encoding: .utf8)
        var http = DaemonConfiguration.HTTPSettings()
        http.tls = .init(certificate: files.certificate, key: folder + "/bad.key")
        #expect(throws: HTTPSecurityError.self) { try HTTPSecurity.server(http) }
        do { _ = try HTTPSecurity.server(http) } catch {
            #expect(error.description.hasPrefix("http.tls.key: cannot load '\(folder)/bad.key'"), "\(error)")
        }
    }
}
