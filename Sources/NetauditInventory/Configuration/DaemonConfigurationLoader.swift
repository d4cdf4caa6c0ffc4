import Foundation
import NetauditCore
import Yams

/// Reads and checks a daemon configuration file: every problem at once, each as
/// `FILE:LINE:COLUMN: message`, before anything starts. Relative paths in the file are
/// taken from the file's own folder (so a configuration can travel with its inventory).
public struct DaemonConfigurationLoader: Sendable {
    public init() {}

    enum Keys {
        static let top = ["version", "inventory", "database", "site", "spool", "trust", "schedules", "http", "log", "alerts", "retention", "history"]
        static let trust = ["ca_files"]
        static let schedules = ["link_sweep", "full_audit"]
        static let linkSweep = ["enabled", "every", "jitter"]
        static let fullAudit = ["enabled", "at", "at_start", "jitter"]
        static let http = ["enabled", "listen", "allow_non_loopback", "language"]
        static let httpSecurity = ["tls", "basic_auth"]
        static let tls = ["certificate", "key"]
        static let basicAuth = ["user", "password_file"]
        static let log = ["level"]
        static let alerts = ["webhook"]
        static let webhook = ["url", "timeout", "attempts", "retry_delay"]
        static let retention = ["raw_days", "history_days", "keep_days"]
        static let history = ["max_gap", "endpoint_max_gap", "time_zone"]
    }

    public func load(path: String) throws(ConfigurationError) -> DaemonConfiguration {
        var diagnostics: [Diagnostic] = []
        var configuration = DaemonConfiguration()
        configuration.file = path
        if let file = YAMLFile.read(path, into: &diagnostics), let root = file.root {
            let reader = NodeReader(file: path) { diagnostics.append($0) }
            Decoder(reader: reader, file: path).decode(root, into: &configuration)
        }
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics.sorted { $0.location < $1.location }) }
        return configuration
    }

    private struct Decoder {
        let reader: NodeReader
        let file: String

        func decode(_ root: Node, into configuration: inout DaemonConfiguration) {
            if NodeReader.isNull(root) { return }
            guard let fields = reader.fields(root, of: "the configuration", allowed: Keys.top) else { return }
            if let node = fields["version"], let text = reader.string(node, "version"), text != "1" {
                reader.error(node, "unsupported configuration version \(quoted(text)): this netaudit reads version 1")
            }
            if let node = fields["inventory"], let text = reader.string(node, "inventory") {
                configuration.inventory = PathText.resolve(text, from: file)
            }
            if let node = fields["database"], let text = reader.string(node, "database") {
                // A path (relative to this file) or a postgresql:// URL, kept as written.
                configuration.database = text.contains("://") ? text : PathText.resolve(text, from: file)
            }
            if let node = fields["spool"], let text = reader.string(node, "spool") {
                if text.contains("://") {
                    reader.error(node, "spool is a local SQLite file, not a URL")
                } else {
                    configuration.spool = PathText.resolve(text, from: file)
                }
            }
            if let node = fields["site"], let text = reader.string(node, "site") {
                if text.isEmpty || text.count > 64 || text.contains(where: { $0.isWhitespace || $0.isNewline }) {
                    reader.error(node, "site must be 1 to 64 characters without spaces, e.g. the province's code 52")
                } else {
                    configuration.site = text
                }
            }
            if let node = fields["trust"], let trust = reader.fields(node, of: "trust", allowed: Keys.trust),
               let list = trust["ca_files"].flatMap({ reader.list($0, "trust.ca_files") }) {
                configuration.caFiles = list.compactMap { item in
                    guard let text = reader.string(item, "a CA file") else { return nil }
                    let path = PathText.resolve(text, from: file)
                    if !FileManager.default.isReadableFile(atPath: path) {
                        reader.error(item, "trust.ca_files: '\(path)' cannot be read")
                    }
                    return path
                }
            }
            if let node = fields["schedules"], let schedules = reader.fields(node, of: "schedules", allowed: Keys.schedules) {
                if let sweep = schedules["link_sweep"] { linkSweep(sweep, into: &configuration.linkSweep) }
                if let audit = schedules["full_audit"] { fullAudit(audit, into: &configuration.fullAudit) }
            }
            if let node = fields["http"] { http(node, into: &configuration.http) }
            if let node = fields["log"], let log = reader.fields(node, of: "log", allowed: Keys.log),
               let levelNode = log["level"], let text = reader.string(levelNode, "log.level") {
                let names = DaemonConfiguration.LogLevel.allCases.map(\.rawValue)
                if let level = DaemonConfiguration.LogLevel(rawValue: text) {
                    configuration.logLevel = level
                } else {
                    reader.error(levelNode, "unknown log level \(quoted(text))" + Suggestion.hint(for: text, in: names))
                }
            }
            if let node = fields["alerts"], let alerts = reader.fields(node, of: "alerts", allowed: Keys.alerts),
               let hook = alerts["webhook"], !NodeReader.isNull(hook) {
                configuration.webhook = webhook(hook)
            }
            if let node = fields["retention"], let retention = reader.fields(node, of: "retention", allowed: Keys.retention) {
                // keep_days: the setting before history had tiers; it is the raw tier now.
                if let days = retention["keep_days"] { configuration.retention.rawDays = self.days(days, "retention.keep_days") }
                if let days = retention["raw_days"] { configuration.retention.rawDays = self.days(days, "retention.raw_days") }
                if let days = retention["history_days"] { configuration.retention.historyDays = self.days(days, "retention.history_days") }
            }
            if let node = fields["history"], let history = reader.fields(node, of: "history", allowed: Keys.history) {
                if let node = history["max_gap"], let value = reader.duration(node, "history.max_gap") {
                    if value < .seconds(1) { reader.error(node, "history.max_gap must be at least 1s") } else { configuration.historyKeeping.maxGap = value }
                }
                if let node = history["endpoint_max_gap"], let value = reader.duration(node, "history.endpoint_max_gap") {
                    if value < .seconds(1) { reader.error(node, "history.endpoint_max_gap must be at least 1s") } else { configuration.historyKeeping.endpointMaxGap = value }
                }
                if let node = history["time_zone"], let name = reader.string(node, "history.time_zone") {
                    if let zone = TimeZone(identifier: name) {
                        configuration.historyKeeping.timeZone = zone
                    } else {
                        reader.error(node, "history.time_zone: unknown time zone \(QuotedInput.quote(name)) (e.g. Asia/Ho_Chi_Minh)")
                    }
                }
            }
        }

        /// A retention tier in days, or `off` (kept forever: nil).
        private func days(_ node: Node, _ what: String) -> Int? {
            if case .scalar(let scalar) = node, ["off", "never", "forever"].contains(scalar.string) { return nil }
            return reader.integer(node, what, in: 1...36_500)
        }

        private func linkSweep(_ node: Node, into schedule: inout DaemonConfiguration.LinkSweepSchedule) {
            guard let fields = reader.fields(node, of: "schedules.link_sweep", allowed: Keys.linkSweep) else { return }
            if let node = fields["enabled"], let value = boolean(node, "schedules.link_sweep.enabled") { schedule.enabled = value }
            var everyValid = true
            if let node = fields["every"] {
                if let value = reader.duration(node, "schedules.link_sweep.every") {
                    if value < .seconds(1) {
                        reader.error(node, "schedules.link_sweep.every must be at least 1s")
                        everyValid = false
                    } else {
                        schedule.every = value
                    }
                } else {
                    everyValid = false
                }
            }
            if let node = fields["jitter"] {
                if let value = jitter(node, "schedules.link_sweep.jitter") {
                    schedule.jitter = value
                    if everyValid && value >= schedule.every {
                        reader.error(node, "schedules.link_sweep.jitter (\(value.text)) must be shorter than the interval (\(schedule.every.text))")
                    }
                }
            } else if schedule.jitter * 10 > schedule.every {
                // The default jitter, for a short interval: a tenth of it.
                schedule.jitter = schedule.every / 10
            }
        }

        private func fullAudit(_ node: Node, into schedule: inout DaemonConfiguration.DailySchedule) {
            guard let fields = reader.fields(node, of: "schedules.full_audit", allowed: Keys.fullAudit) else { return }
            if let node = fields["enabled"], let value = boolean(node, "schedules.full_audit.enabled") { schedule.enabled = value }
            if let node = fields["at"], let text = reader.string(node, "schedules.full_audit.at") {
                if let time = TimeOfDay(text: text) {
                    schedule.at = time
                } else {
                    reader.error(node, "invalid schedules.full_audit.at \(quoted(text)): write a 24-hour local time as HH:MM, e.g. \"02:30\"")
                }
            }
            if let node = fields["at_start"], let value = boolean(node, "schedules.full_audit.at_start") { schedule.atStart = value }
            if let node = fields["jitter"], let value = jitter(node, "schedules.full_audit.jitter") {
                if value > .seconds(12 * 3600) {
                    reader.error(node, "schedules.full_audit.jitter (\(value.text)) must be 12h or less")
                } else {
                    schedule.jitter = value
                }
            }
        }

        private func http(_ node: Node, into http: inout DaemonConfiguration.HTTPSettings) {
            guard let fields = reader.fields(node, of: "http", allowed: Keys.http + Keys.httpSecurity) else { return }
            if let node = fields["enabled"], let value = boolean(node, "http.enabled") { http.enabled = value }
            if let node = fields["language"] { language(node, into: &http.language) }
            if let node = fields["tls"], !NodeReader.isNull(node) { http.tls = tls(node) }
            if let node = fields["basic_auth"], !NodeReader.isNull(node) { http.basicAuth = basicAuth(node) }
            var allowOthers = false
            if let node = fields["allow_non_loopback"], let value = boolean(node, "http.allow_non_loopback") { allowOthers = value }
            guard let node = fields["listen"], let text = reader.string(node, "http.listen") else { return }
            guard let (address, port) = Self.listenAddress(text) else {
                reader.error(node, "invalid http.listen \(quoted(text)): write ADDRESS:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
                return
            }
            if !address.isLoopback && !allowOthers {
                let why = http.basicAuth == nil ? "the status page and metrics are not authenticated"
                                                : "serving beyond this machine is a choice to make explicitly"
                reader.error(node, "http.listen \(text) is not a loopback address: \(why); set http.allow_non_loopback: true to serve them beyond this machine")
                return
            }
            http.address = address
            http.port = port
        }

        /// `http.language`: `en` or `vi`.
        private func language(_ node: Node, into language: inout DaemonConfiguration.HTTPSettings.Language) {
            guard let text = reader.string(node, "http.language") else { return }
            let names = DaemonConfiguration.HTTPSettings.Language.allCases.map(\.rawValue)
            if let value = DaemonConfiguration.HTTPSettings.Language(rawValue: text) {
                language = value
            } else {
                reader.error(node, "unknown http.language \(quoted(text))" + Suggestion.hint(for: text, in: names))
            }
        }

        /// `http.tls`: both PEM files, readable, and looking like what they are named.
        private func tls(_ node: Node) -> DaemonConfiguration.HTTPSettings.TLSFiles? {
            guard let fields = reader.fields(node, of: "http.tls", allowed: Keys.tls, required: ["certificate", "key"]),
                  let certificateNode = fields["certificate"], let certificateText = reader.string(certificateNode, "http.tls.certificate"),
                  let keyNode = fields["key"], let keyText = reader.string(keyNode, "http.tls.key") else { return nil }
            let certificate = PathText.resolve(certificateText, from: file), key = PathText.resolve(keyText, from: file)
            let certificateOK = pem(certificateNode, certificate, "http.tls.certificate", expecting: "CERTIFICATE", "a PEM certificate (BEGIN CERTIFICATE)")
            let keyOK = pem(keyNode, key, "http.tls.key", expecting: "PRIVATE KEY", "a PEM private key (BEGIN PRIVATE KEY)")
            return certificateOK && keyOK ? .init(certificate: certificate, key: key) : nil
        }

        /// Whether the file at `path` can be read and holds a PEM block whose label ends with `label`.
        private func pem(_ node: Node, _ path: String, _ what: String, expecting label: String, _ description: String) -> Bool {
            guard let data = FileManager.default.contents(atPath: path) else {
                reader.error(node, "\(what): '\(path)' cannot be read" + (FileManager.default.fileExists(atPath: path) ? " (permissions?)" : " (no such file)"))
                return false
            }
            let text = String(decoding: data, as: UTF8.self)
            guard text.range(of: #"-----BEGIN [A-Z ]*"# + label + "-----", options: .regularExpression) != nil else {
                reader.error(node, "\(what): '\(path)' is not \(description)")
                return false
            }
            return true
        }

        /// `http.basic_auth`: a user, and the password from a file that only its owner and
        /// group may read.
        private func basicAuth(_ node: Node) -> DaemonConfiguration.HTTPSettings.BasicAuth? {
            guard let fields = reader.fields(node, of: "http.basic_auth", allowed: Keys.basicAuth, required: ["user", "password_file"]),
                  let userNode = fields["user"], let user = reader.string(userNode, "http.basic_auth.user"),
                  let fileNode = fields["password_file"], let fileText = reader.string(fileNode, "http.basic_auth.password_file") else { return nil }
            var valid = true
            if user.isEmpty || user.contains(":") || user.contains(where: { $0.isNewline || $0.isWhitespace }) {
                reader.error(userNode, "http.basic_auth.user must be a name without ':' or spaces, e.g. prometheus")
                valid = false
            }
            let path = PathText.resolve(fileText, from: file)
            guard let data = FileManager.default.contents(atPath: path) else {
                reader.error(fileNode, "http.basic_auth.password_file: '\(path)' cannot be read" + (FileManager.default.fileExists(atPath: path) ? " (permissions?)" : " (no such file)"))
                return nil
            }
            if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o007 != 0 {
                reader.error(fileNode, "http.basic_auth.password_file: '\(path)' can be read by every user (mode \(String(mode, radix: 8))); make it readable by netaudit only, e.g. chmod 0640 and chown root:netaudit")
                valid = false
            }
            // One line: a trailing newline (an editor's, or echo's) is not part of the password.
            var password = String(decoding: data, as: UTF8.self)
            while let last = password.last, last.isNewline { password.removeLast() }
            if password.isEmpty || password.contains(where: \.isNewline) {
                reader.error(fileNode, "http.basic_auth.password_file: '\(path)' must hold the password on one line")
                valid = false
            }
            return valid ? .init(user: user, passwordFile: path, password: password) : nil
        }

        static func listenAddress(_ text: String) -> (IPAddress, Int)? {
            let host: Substring, portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                portText = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard let address = IPAddress(String(host)), !(host.contains(":") && !text.hasPrefix("[")),
                  let port = Int(portText), (0...65535).contains(port), portText.allSatisfy(\.isASCII) else { return nil }
            return (address, port)
        }

        private func webhook(_ node: Node) -> DaemonConfiguration.WebhookSettings? {
            guard let fields = reader.fields(node, of: "alerts.webhook", allowed: Keys.webhook, required: ["url"]) else { return nil }
            var settings = DaemonConfiguration.WebhookSettings(url: "")
            if let node = fields["timeout"], let value = reader.duration(node, "alerts.webhook.timeout") {
                if value > .seconds(30) {
                    reader.error(node, "alerts.webhook.timeout (\(value.text)) must be 30s or less: a stop waits for the attempt in flight")
                } else {
                    settings.timeout = value
                }
            }
            if let node = fields["attempts"], let value = reader.integer(node, "alerts.webhook.attempts", in: 1...20) { settings.attempts = value }
            if let node = fields["retry_delay"], let value = reader.duration(node, "alerts.webhook.retry_delay") { settings.retryDelay = value }
            guard let urlNode = fields["url"], let text = reader.string(urlNode, "alerts.webhook.url") else { return nil }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host, !host.isEmpty else {
                // Not echoed whole: the path or the query of a webhook URL often holds its token.
                reader.error(urlNode, "invalid alerts.webhook.url '\(DaemonConfiguration.WebhookSettings(url: text).redactedURL)': expected an http:// or https:// URL")
                return nil
            }
            settings.url = text
            return settings
        }

        /// A jitter: zero (`0s`) or a positive duration.
        private func jitter(_ node: Node, _ what: String) -> Duration? {
            if case .scalar(let scalar) = node, ["0", "0s", "0ms", "0m"].contains(scalar.string) { return .zero }
            return reader.duration(node, what)
        }

        private func boolean(_ node: Node, _ what: String) -> Bool? {
            guard let text = reader.string(node, what) else { return nil }
            switch text {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default:
                reader.error(node, "invalid \(what) \(quoted(text)): expected true or false")
                return nil
            }
        }
    }
}
