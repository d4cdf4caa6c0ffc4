import Foundation
import NetauditCore
import NetauditInventory
import Testing

/// The daemon's configuration file: defaults, the shipped example, and each mistake an
/// operator can make, with the exact `FILE:LINE:COLUMN: message` it gets.
struct DaemonConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Writes `text` to a file of its own and loads it; returns the result and the path.
    static func load(_ text: String, files: [String] = []) throws -> (Result<DaemonConfiguration, ConfigurationError>, String) {
        let folder = NSTemporaryDirectory() + "netaudit-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in files { try "".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let path = folder + "/netaudit.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (Result { () throws(ConfigurationError) in try DaemonConfigurationLoader().load(path: path) }, path)
    }

    static func messages(_ text: String) throws -> [String] {
        let (result, path) = try load(text)
        guard case .failure(let error) = result else { return [] }
        return error.diagnostics.map { $0.description.replacingOccurrences(of: path, with: "FILE") }
    }

    @Test func anEmptyFileMeansEveryDefault() throws {
        let (result, path) = try Self.load("# nothing set\n")
        let configuration = try result.get()
        var expected = DaemonConfiguration()
        expected.file = path
        #expect(configuration == expected)
        #expect(configuration.inventory == "/etc/netaudit/inventory")
        #expect(configuration.database == "/var/lib/netaudit/netaudit.sqlite")
        #expect(configuration.linkSweep.every == .seconds(300) && configuration.linkSweep.enabled)
        #expect(configuration.fullAudit.at == TimeOfDay(hour: 2, minute: 30) && !configuration.fullAudit.atStart)
        #expect(configuration.http.listenText == "127.0.0.1:9464")
        #expect(configuration.logLevel == .info && configuration.webhook == nil)
        #expect(configuration.retention.rawDays == 14 && configuration.retention.historyDays == 3653)
        #expect(configuration.historyKeeping.maxGap == .seconds(900) && configuration.history.maxGap == 900)
    }

    /// systemd/netaudit.yaml, the installed example, is valid and states the defaults.
    @Test func theShippedExampleIsValidAndShowsTheDefaults() throws {
        let path = Self.repository + "/systemd/netaudit.yaml"
        var configuration = try DaemonConfigurationLoader().load(path: path)
        configuration.file = nil
        #expect(configuration == DaemonConfiguration())
    }

    @Test func aPostgreSQLDatabaseURLIsKeptAsWritten() throws {
        let url = "postgresql://auditor@db.example.vn:5432/netaudit?sslmode=verify-full&sslrootcert=/etc/netaudit/db-ca.pem"
        let (result, _) = try Self.load("""
            version: 1
            database: "\(url)"
            """)
        #expect(try result.get().database == url)
    }

    @Test func theSiteIsOptionalAndMustBeACode() throws {
        #expect(DaemonConfiguration().site == nil)
        let (result, _) = try Self.load("""
            version: 1
            site: "52"
            """)
        #expect(try result.get().site == "52")
        let (spaced, _) = try Self.load("""
            version: 1
            site: "Gia Lai"
            """)
        #expect(throws: (any Error).self) { try spaced.get() }
    }

    @Test func everySettingIsRead() throws {
        let (result, path) = try Self.load("""
            version: 1
            inventory: inventory
            database: ../state/results.sqlite
            trust: {ca_files: [gov-ca.pem, /etc/ssl/certs/ca-certificates.crt]}
            schedules:
              link_sweep: {enabled: yes, every: 90s, jitter: 0s}
              full_audit: {enabled: false, at: "23:05", at_start: true, jitter: 1h}
            http: {listen: "[::1]:9100"}
            log: {level: debug}
            alerts:
              webhook: {url: "http://127.0.0.1:9000/hook", timeout: 2s, attempts: 3, retry_delay: 500ms}
            retention: {keep_days: off, history_days: 400}
            history: {max_gap: 20m, endpoint_max_gap: 48h, time_zone: Asia/Ho_Chi_Minh}
            """, files: ["gov-ca.pem"])
        let configuration = try result.get()
        let folder = (path as NSString).deletingLastPathComponent
        #expect(configuration.inventory == folder + "/inventory")
        #expect(configuration.database == (folder as NSString).deletingLastPathComponent + "/state/results.sqlite")
        #expect(configuration.caFiles == [folder + "/gov-ca.pem", "/etc/ssl/certs/ca-certificates.crt"])
        #expect(configuration.linkSweep.every == .seconds(90) && configuration.linkSweep.jitter == .zero)
        #expect(!configuration.fullAudit.enabled && configuration.fullAudit.atStart)
        #expect(configuration.fullAudit.at.description == "23:05" && configuration.fullAudit.jitter == .seconds(3600))
        #expect(configuration.http.address == IPAddress("::1") && configuration.http.port == 9100)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.webhook?.url == "http://127.0.0.1:9000/hook")
        #expect(configuration.webhook?.attempts == 3 && configuration.webhook?.retryDelay == .milliseconds(500))
        #expect(configuration.retention.rawDays == nil && configuration.retention.historyDays == 400)
        #expect(configuration.historyKeeping.maxGap == .seconds(1200) && configuration.historyKeeping.endpointMaxGap == .seconds(172_800))
        #expect(configuration.history.timeZone.identifier == "Asia/Ho_Chi_Minh" && configuration.history.rawDays == 36_500)
    }

    @Test func everyProblemIsReportedAtItsPlace() throws {
        let messages = try Self.messages("""
            inventroy: /etc/netaudit/inventory
            schedules:
              link_sweep: {every: 5, jitter: 10m}
              full_audit: {at: "2:30", enabled: maybe}
            http: {listen: "0.0.0.0:9464"}
            log: {level: verbose}
            alerts:
              webhook: {url: "ftp://127.0.0.1/hook", attempts: 0}
            retention: {keep_days: -1}
            """)
        #expect(messages == [
            "FILE:1:1: unknown key 'inventroy' in the configuration (did you mean 'inventory'?)",
            "FILE:3:23: invalid schedules.link_sweep.every '5': write a positive number and a unit, e.g. 200ms, 1s, 5m",
            "FILE:4:20: invalid schedules.full_audit.at '2:30': write a 24-hour local time as HH:MM, e.g. \"02:30\"",
            "FILE:4:37: invalid schedules.full_audit.enabled 'maybe': expected true or false",
            "FILE:5:16: http.listen 0.0.0.0:9464 is not a loopback address: the status page and metrics are not authenticated; set http.allow_non_loopback: true to serve them beyond this machine",
            "FILE:6:14: unknown log level 'verbose' (expected one of: debug, info, notice, warning, error)",
            "FILE:8:18: invalid alerts.webhook.url 'ftp://127.0.0.1/…': expected an http:// or https:// URL",
            "FILE:8:52: invalid alerts.webhook.attempts '0': expected a whole number from 1 to 20",
            "FILE:9:24: invalid retention.keep_days '-1': expected a whole number from 1 to 36500",
        ])
    }

    /// Logs name the webhook without its path or query, where tokens live.
    @Test func theWebhookURLIsRedactedForLogs() {
        #expect(DaemonConfiguration.WebhookSettings(url: "https://hooks.example.test/T0/B1/secret?token=x").redactedURL == "https://hooks.example.test/…")
        #expect(DaemonConfiguration.WebhookSettings(url: "http://127.0.0.1:9000").redactedURL == "http://127.0.0.1:9000/")
    }

    @Test func aJitterAsLongAsTheIntervalIsRefused() throws {
        #expect(try Self.messages("schedules: {link_sweep: {every: 1m, jitter: 1m}}\n") == [
            "FILE:1:45: schedules.link_sweep.jitter (1m) must be shorter than the interval (1m)",
        ])
    }

    /// A short interval gets a tenth of it as default jitter (30 s would be longer than it);
    /// a long webhook timeout would hold a stop.
    @Test func shortIntervalsAndLongTimeouts() throws {
        let (result, _) = try Self.load("schedules: {link_sweep: {every: 10s}}\n")
        #expect(try result.get().linkSweep.jitter == .seconds(1))
        #expect(try Self.messages("alerts: {webhook: {url: \"http://127.0.0.1:9/\", timeout: 1m}}\n") == [
            "FILE:1:57: alerts.webhook.timeout (1m) must be 30s or less: a stop waits for the attempt in flight",
        ])
        #expect(try Self.messages("trust: {ca_files: [missing.pem]}\n").first?.hasSuffix("/missing.pem' cannot be read") == true)
    }

    @Test func anyAddressNeedsTheExplicitSetting() throws {
        let (result, _) = try Self.load("http: {listen: \"0.0.0.0:9464\", allow_non_loopback: true}\n")
        #expect(try result.get().http.listenText == "0.0.0.0:9464")
        #expect(try Self.messages("http: {listen: \"localhost:9464\"}\n") == [
            "FILE:1:16: invalid http.listen 'localhost:9464': write ADDRESS:PORT, e.g. 127.0.0.1:9464 or [::1]:9464",
        ])
    }

    /// The pages' language (`http.language`): Vietnamese unless set, English when asked,
    /// anything else refused at its place with the valid ones.
    @Test func thePagesAreInVietnameseUnlessSet() throws {
        #expect(try Self.load("http: {listen: \"127.0.0.1:9464\"}\n").0.get().http.language == .vi)
        #expect(try Self.load("version: 1\n").0.get().http.language == .vi)
        #expect(try Self.load("http:\n  language: en\n").0.get().http.language == .en)
        #expect(try Self.load("http: {language: vi}\n").0.get().http.language == .vi)
        #expect(try Self.messages("version: 1\nhttp:\n  enabled: true\n  language: fr\n") == [
            "FILE:4:13: unknown http.language 'fr' (expected one of: en, vi)",
        ])
        #expect(try Self.messages("http: {language: VI}\n") == ["FILE:1:18: unknown http.language 'VI' (did you mean 'vi'?)"])
    }

    /// `http.tls` and `http.basic_auth`: paths from the file's folder, the password read from
    /// its own file (a trailing newline is not part of it).
    @Test func tlsAndBasicAuth() throws {
        let folder = NSTemporaryDirectory() + "netaudit-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(toFile: folder + "/server.pem", atomically: true, encoding: .utf8)
        try "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n".write(toFile: folder + "/server.key", atomically: true, encoding: .utf8)
        try "s3cret pass\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: folder + "/password")
        let path = folder + "/netaudit.yaml"
        try """
            http:
              listen: "0.0.0.0:9464"
              allow_non_loopback: true
              tls: {certificate: server.pem, key: server.key}
              basic_auth: {user: prometheus, password_file: password}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let http = try DaemonConfigurationLoader().load(path: path).http
        #expect(http.tls == .init(certificate: folder + "/server.pem", key: folder + "/server.key"))
        #expect(http.basicAuth == .init(user: "prometheus", passwordFile: folder + "/password", password: "s3cret pass"))
        #expect(http.scheme == "https")
        #expect(!"\(http.basicAuth!)".contains("s3cret"))
        // Off by default.
        #expect(DaemonConfiguration().http.tls == nil && DaemonConfiguration().http.basicAuth == nil && DaemonConfiguration().http.scheme == "http")

        // Each mistake, at its place (`daemon --check`).
        try "s3cret\n".write(toFile: folder + "/open-password", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/open-password")
        try """
            http:
              tls: {certificate: password, key: missing.key}
              basic_auth: {user: "a:b", password_file: open-password}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let messages: [String]
        do {
            _ = try DaemonConfigurationLoader().load(path: path)
            messages = []
        } catch {
            messages = error.diagnostics.map { $0.description.replacingOccurrences(of: folder, with: "DIR") }
        }
        #expect(messages == [
            "DIR/netaudit.yaml:2:22: http.tls.certificate: 'DIR/password' is not a PEM certificate (BEGIN CERTIFICATE)",
            "DIR/netaudit.yaml:2:37: http.tls.key: 'DIR/missing.key' cannot be read (no such file)",
            "DIR/netaudit.yaml:3:22: http.basic_auth.user must be a name without ':' or spaces, e.g. prometheus",
            "DIR/netaudit.yaml:3:44: http.basic_auth.password_file: 'DIR/open-password' can be read by every user (mode 644); make it readable by netaudit only, e.g. chmod 0640 and chown root:netaudit",
        ])
        #expect(try Self.messages("http: {basic_auth: {user: prometheus}, tls: {certificate: a.pem}}\n") == [
            "FILE:1:20: missing required key 'password_file' in http.basic_auth",
            "FILE:1:45: missing required key 'key' in http.tls",
        ])
    }

    @Test func yamlSyntaxAndAMissingFile() throws {
        #expect(try Self.messages("schedules: {link_sweep: [\n") == [
            "FILE:2:1: invalid YAML: did not find expected node content (while parsing a flow node)",
        ])
        #expect(throws: ConfigurationError.self) { try DaemonConfigurationLoader().load(path: "/nonexistent/netaudit.yaml") }
        do {
            _ = try DaemonConfigurationLoader().load(path: "/nonexistent/netaudit.yaml")
        } catch {
            #expect(error.description == "/nonexistent/netaudit.yaml: cannot read '/nonexistent/netaudit.yaml': no such file")
        }
    }
}
