import Foundation
import NetauditCore

/// The daemon's settings (`netaudit daemon --config FILE`, docs/configuration.md). Every
/// setting has a default, so an empty file is a valid configuration.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The default place of the file, where the systemd unit looks.
    public static let defaultPath = "/etc/netaudit/netaudit.yaml"

    /// The file it was read from (nil for the built-in defaults).
    public var file: String?
    /// The inventory: its top YAML file or a folder holding inventory.yaml.
    public var inventory = "/etc/netaudit/inventory"
    /// The results store (SQLite, shared with `netaudit audit`).
    public var database = "/var/lib/netaudit/netaudit.sqlite"
    /// The site this auditor writes in a shared PostgreSQL store (`site:`); nil: the code of
    /// the inventory's top agency. A SQLite file ignores it.
    public var site: String?
    /// With a PostgreSQL `database`, the local SQLite file runs are written into first and
    /// shipped from (`spool:`); nil: the default (see `Stores.defaultSpool`).
    public var spool: String?
    /// Extra trust anchors (PEM files), added to the inventory's.
    public var caFiles: [String] = []
    public var linkSweep = LinkSweepSchedule()
    public var fullAudit = DailySchedule()
    public var http = HTTPSettings()
    public var logLevel = LogLevel.info
    /// Where state changes are POSTed as JSON; nil: they are only logged.
    public var webhook: WebhookSettings?
    /// Retention by tier, applied after each run (nil: kept forever).
    public var retention = Retention()
    /// How history counts time (`history:`).
    public var historyKeeping = HistoryKeeping()

    /// What is kept how long: raw sweep runs (link sweeps and TLS-only runs, with their
    /// rows) `rawDays`; full audits, state intervals and daily roll-ups `historyDays`.
    /// Retention removes raw rows, never the history.
    public struct Retention: Sendable, Equatable {
        public var rawDays: Int? = 14
        public var historyDays: Int? = 3653
        public init() {}
    }

    /// `history.max_gap` (links), `history.endpoint_max_gap` (endpoints): two complete runs
    /// further apart leave the time between them "not observed"; `history.time_zone`: the
    /// zone days are cut in for roll-ups and period reports (the machine's by default).
    public struct HistoryKeeping: Sendable, Equatable {
        public var maxGap: Duration = .seconds(900)
        public var endpointMaxGap: Duration = .seconds(26 * 3600)
        public var timeZone: TimeZone = .current
        public init() {}
    }

    /// The history settings the store keeps history with.
    public var history: HistorySettings {
        HistorySettings(maxGap: historyKeeping.maxGap.seconds, timeZone: historyKeeping.timeZone,
                        rawDays: retention.rawDays ?? 36_500, historyDays: retention.historyDays ?? 36_500,
                        endpointMaxGap: historyKeeping.endpointMaxGap.seconds)
    }

    public init() {}

    /// A link sweep of every agency every `every`, started up to `jitter` late (by default
    /// 30 s, or a tenth of a shorter interval).
    public struct LinkSweepSchedule: Sendable, Equatable {
        public var enabled = true
        public var every: Duration = .seconds(300)
        public var jitter: Duration = .seconds(30)
        public init() {}
    }

    /// A full audit (links and TLS endpoints) each day at `at` (local time), up to `jitter` late.
    public struct DailySchedule: Sendable, Equatable {
        public var enabled = true
        public var at = TimeOfDay(hour: 2, minute: 30)
        /// Also one full audit as soon as the daemon starts (not after a reload).
        public var atStart = false
        public var jitter: Duration = .seconds(900)
        public init() {}
    }

    public struct HTTPSettings: Sendable, Equatable {
        public var enabled = true
        public var address = IPAddress(127, 0, 0, 1)
        /// 0: any free port (tests); the daemon logs the one it got.
        public var port = 9464
        /// The language of the HTML pages (`/`, `/period`) when the request names none
        /// (`?lang=` overrides it): Vietnamese unless set.
        public var language = Language.vi
        /// `http.tls`: HTTPS with this certificate and key; nil: plain HTTP.
        public var tls: TLSFiles?
        /// `http.basic_auth`: every path asks for this user and password; nil: no authentication.
        public var basicAuth: BasicAuth?
        public init() {}

        /// The scheme the pages are served with.
        public var scheme: String { tls == nil ? "http" : "https" }

        /// PEM files: the server's certificate followed by its intermediates, and its private key.
        public struct TLSFiles: Sendable, Equatable {
            public var certificate: String
            public var key: String
            public init(certificate: String, key: String) {
                self.certificate = certificate
                self.key = key
            }
        }

        /// HTTP basic authentication (RFC 7617). The password is read from `passwordFile`
        /// (a file only netaudit reads, not the configuration, which is world-readable).
        public struct BasicAuth: Sendable, Equatable, CustomStringConvertible {
            public var user: String
            public var passwordFile: String
            public var password: String
            public init(user: String, passwordFile: String, password: String) {
                self.user = user
                self.passwordFile = passwordFile
                self.password = password
            }
            /// Never the password.
            public var description: String { "basic_auth(user: \(user), password_file: \(passwordFile))" }
        }

        /// The languages the pages are written in (`http.language`).
        public enum Language: String, Sendable, CaseIterable {
            case en, vi
        }

        /// `127.0.0.1:9464`, `[::1]:9464`.
        public var listenText: String { address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
    }

    public struct WebhookSettings: Sendable, Equatable {
        public var url: String
        /// The deadline of one attempt (at most 30 s: a stop waits for the attempt in flight).
        public var timeout: Duration = .seconds(5)
        /// Attempts in all, the first included; waits double between them from `retryDelay`.
        public var attempts = 5
        public var retryDelay: Duration = .seconds(2)
        public init(url: String) { self.url = url }

        /// The URL as logs show it: scheme, host and port only. The path or the query of a
        /// webhook URL often carries its secret token.
        public var redactedURL: String {
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host,
                  !host.isEmpty else { return "…" }
            let port = components.port.map { ":\($0)" } ?? ""
            let hidden = (components.path.isEmpty || components.path == "/") && components.query == nil ? "/" : "/…"
            return "\(scheme)://\(host)\(port)\(hidden)"
        }
    }

    /// Log levels, mapped to journald priorities in the log lines.
    public enum LogLevel: String, Sendable, CaseIterable {
        case debug, info, notice, warning, error
    }
}

/// A time of day, hours and minutes, in the server's local time.
public struct TimeOfDay: Sendable, Hashable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// `HH:MM`, 24-hour.
    public init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String { String(format: "%02d:%02d", hour, minute) }
}

/// Every problem of a configuration file, each at its line and column.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
