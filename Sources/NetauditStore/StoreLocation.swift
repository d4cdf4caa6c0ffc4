import Foundation

/// Where a results store is: a file path (SQLite) or a PostgreSQL URL
/// `postgresql://USER@HOST:PORT/DB?sslmode=…&sslrootcert=…&passfile=…` (or `postgres://`).
///
/// A password never comes from the URL nor the command line, where `ps`, shell history and
/// logs would keep it: a URL with one is refused. It is read from the file `passfile=`
/// names, or else from `$CREDENTIALS_DIRECTORY/netaudit-db-password` (systemd's
/// `LoadCredential=`), or there is none (trust or peer authentication). What messages show
/// (`display`) never holds a password.
public enum StoreLocation: Sendable, Equatable {
    case file(String)
    case postgres(PostgresLocation)

    /// Parses `text`: anything with `://` is a URL, which must be PostgreSQL's.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> StoreLocation {
        guard let scheme = text.range(of: "://") else { return .file(text) }
        let name = text[..<scheme.lowerBound].lowercased()
        guard name == "postgresql" || name == "postgres" else {
            throw StoreError(.invalidRequest, path: PostgresLocation.redacted(text),
                             message: "a store is a file path or a postgresql:// URL, not \(name)://")
        }
        return .postgres(try PostgresLocation(url: text, environment: environment))
    }

    /// The location as messages show it (never a password).
    public var display: String {
        switch self {
        case .file(let path): return path
        case .postgres(let location): return location.display
        }
    }
}

/// A PostgreSQL server and database, from a `postgresql://` URL (see `StoreLocation`).
public struct PostgresLocation: Sendable, Equatable {
    /// How the connection is protected.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS: only to a loopback host (127.0.0.0/8, ::1, localhost).
        case disable
        /// TLS, without checking the server's certificate.
        case require
        /// TLS, the certificate checked against `sslrootcert` (or the system's trust
        /// store) and the host name: the default for every host but loopback.
        case verifyFull = "verify-full"
    }

    /// Where the password comes from.
    public enum PasswordSource: Sendable, Equatable {
        /// None: trust or peer authentication.
        case none
        /// The file `passfile=` names.
        case file(String)
        /// `$CREDENTIALS_DIRECTORY/netaudit-db-password`, as systemd's `LoadCredential=` puts it.
        case credential(String)
    }

    public static let credentialName = "netaudit-db-password"

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// A file of CA certificates (PEM) that the server's certificate must chain to.
    public var sslRootCert: String?
    public var password: PasswordSource

    /// The URL as given, less any password (there is none: refused), for messages.
    public var display: String {
        var text = "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        var query = ["sslmode=\(sslMode.rawValue)"]
        if let sslRootCert { query.append("sslrootcert=\(sslRootCert)") }
        if case .file(let path) = password { query.append("passfile=\(path)") }
        text += "?" + query.joined(separator: "&")
        return text
    }

    /// Whether `host` is this machine's loopback.
    public var isLoopback: Bool { Self.isLoopback(host) }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public init(user: String, host: String, port: Int = 5432, database: String, sslMode: SSLMode? = nil,
                sslRootCert: String? = nil, password: PasswordSource = .none) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode ?? (Self.isLoopback(host) ? .disable : .verifyFull)
        self.sslRootCert = sslRootCert
        self.password = password
    }

    /// Parses a `postgresql://` URL; every mistake is an `invalid_request` whose location
    /// shows no password.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        let shown = Self.redacted(text)
        func refuse(_ message: String) -> StoreError { StoreError(.invalidRequest, path: shown, message: message) }
        guard let components = URLComponents(string: text) else { throw refuse("not a valid URL") }
        if components.password != nil || components.percentEncodedPassword != nil {
            throw refuse("a password is never taken from the URL (nor the command line): put it in a file named by passfile=, "
                         + "or give it with systemd's LoadCredential=\(Self.credentialName):…")
        }
        guard let user = components.user, !user.isEmpty else { throw refuse("the URL names no user (postgresql://USER@HOST:PORT/DB)") }
        guard var host = components.host, !host.isEmpty else { throw refuse("the URL names no host (postgresql://USER@HOST:PORT/DB)") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("the URL names no database (postgresql://USER@HOST:PORT/DB)") }
        var sslMode: SSLMode?
        var sslRootCert: String?
        var passfile: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw refuse("sslmode=\(value): use disable (loopback only), require or verify-full")
                }
                sslMode = mode
            case "sslrootcert": sslRootCert = value
            case "passfile": passfile = value
            case "password": throw refuse("a password is never taken from the URL: put it in a file named by passfile=")
            default: throw refuse("unknown parameter \(item.name) (known: sslmode, sslrootcert, passfile)")
            }
        }
        if sslMode == .disable && !Self.isLoopback(host) {
            throw refuse("sslmode=disable is allowed only for a loopback host (127.0.0.1, ::1, localhost): use verify-full")
        }
        var source = PasswordSource.none
        if let passfile {
            source = .file(passfile)
        } else if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty {
            let path = (folder as NSString).appendingPathComponent(Self.credentialName)
            if FileManager.default.fileExists(atPath: path) { source = .credential(path) }
        }
        self.init(user: user, host: host, port: components.port ?? 5432, database: database, sslMode: sslMode,
                  sslRootCert: sslRootCert, password: source)
    }

    /// The password, read from its file (its first line, without the line end), or nil.
    public func readPassword() throws(StoreError) -> String? {
        let path: String
        switch password {
        case .none: return nil
        case .file(let file): path = file
        case .credential(let file): path = file
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.notWritable, path: display, message: "cannot read the password file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }

    /// `text` with anything between `://` and `@` after a colon (a password) cut out.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + String(rest[at...])
    }
}
