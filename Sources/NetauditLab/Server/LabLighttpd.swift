#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Synchronization
internal import CNetauditShims
public import NetauditCore

/// A real TLS server that still accepts 3DES: Debian's `lighttpd` with `mod_gnutls`, run as a
/// child process on a loopback address. Debian's OpenSSL 3 has no 3DES (nor RC4) at all, so
/// no ``LabServer`` endpoint can accept TLS_RSA_WITH_3DES_EDE_CBC_SHA; GnuTLS 3.7 still can
/// when its priority string adds `+3DES-CBC`.
///
/// ``start(_:address:port:readyTimeout:)`` writes a configuration, the credential's PEM
/// files and a document root into a new temporary folder, runs `lighttpd -D -f CONFIG` (no
/// daemon: the child is the server, and its PID is the one to signal), waits until the
/// port accepts connections, and returns. ``stop()`` sends SIGTERM to that PID (SIGKILL
/// after 3 s), reaps it and removes the folder. The child is spawned with an empty signal
/// mask (see `na_lab_spawn`): started from a libdispatch or test thread, it would otherwise
/// inherit a blocked SIGTERM and ignore ``stop()`` until the SIGKILL.
///
/// If the process that started it dies without calling ``stop()``, lighttpd keeps running
/// (nothing ties its life to the parent's): stop it by the PID in `lighttpd.pid`.
///
/// Requires the Debian packages `lighttpd` and `lighttpd-mod-gnutls`.
public final class LabLighttpd: Sendable {
    /// What the server serves.
    public struct Configuration: Sendable, Hashable {
        /// The certificate and key (`ssl.pemfile`, `ssl.privkey`).
        public var credential: LabCredential
        /// Whether `ssl.pemfile` holds the intermediates after the leaf.
        public var sendIntermediates: Bool
        /// `ssl.openssl.ssl-conf-cmd` "CipherString", which mod_gnutls translates into a GnuTLS
        /// priority string: `3DES` gives `NORMAL:…:+3DES-CBC`, i.e. the defaults plus 3DES
        /// (lighttpd 1.4.69 logs the result with `debug.log-ssl-noise`).
        public var cipherString: String
        /// "MinProtocol" and "MaxProtocol" (TLS 1.0 to 1.3; below 1.2 GnuTLS may still refuse
        /// to negotiate with its default priorities).
        public var versions: ClosedRange<LabTLSVersion>

        public init(
            credential: LabCredential, sendIntermediates: Bool = true, cipherString: String = "3DES",
            versions: ClosedRange<LabTLSVersion> = .tls1_2 ... .tls1_2
        ) {
            self.credential = credential
            self.sendIntermediates = sendIntermediates
            self.cipherString = cipherString
            self.versions = versions
        }
    }

    /// The address it listens on.
    public let address: IPAddress
    /// The port it listens on.
    public let port: UInt16
    /// The temporary folder with `lighttpd.conf`, the PEM files, `www/` and `error.log`.
    public let folder: URL
    /// The PID of the `lighttpd` child.
    public let processIdentifier: Int32

    /// The `lighttpd` executable: the first on `PATH`, else `/usr/sbin/lighttpd`; nil if none.
    public static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("lighttpd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Starts `lighttpd` for `configuration` on `address` (loopback only) and `port` (0: a port
    /// that is free now is chosen by binding it and letting it go), and waits up to
    /// `readyTimeout` for it to accept connections.
    public static func start(
        _ configuration: Configuration, address: IPAddress, port: UInt16 = 0, readyTimeout: Duration = .seconds(5)
    ) throws(LabLighttpdError) -> LabLighttpd {
        guard address.isLoopback else {
            throw LabLighttpdError(.forbiddenAddress, "refusing to bind \(address): the lab binds only loopback addresses (127.0.0.0/8 and ::1)")
        }
        guard configuration.versions.lowerBound >= .tls1_0 else {
            throw LabLighttpdError(.invalidConfiguration, "lighttpd's mod_gnutls serves TLS 1.0 to 1.3, not \(configuration.versions.lowerBound)")
        }
        guard let executable = executable() else {
            throw LabLighttpdError(.notInstalled, "lighttpd is not installed (Debian: apt-get install lighttpd lighttpd-mod-gnutls)")
        }
        let chosenPort = port != 0 ? port : try freePort(on: address)
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("netaudit-lighttpd-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try writeFiles(configuration, address: address, port: chosenPort, into: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw LabLighttpdError(.file, "preparing \(folder.path): \(error)")
        }

        let arguments = [executable.path, "-D", "-f", folder.appendingPathComponent("lighttpd.conf").path]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let pid = argv.withUnsafeMutableBufferPointer { na_lab_spawn(executable.path, $0.baseAddress) }
        for pointer in argv { free(pointer) }
        argv.removeAll()
        guard pid > 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw LabLighttpdError(.failedToStart, "running \(executable.path): \(LabErrno.text(-pid))")
        }
        let server = LabLighttpd(address: address, port: chosenPort, folder: folder, processIdentifier: pid)

        let clock = ContinuousClock()
        let deadline = clock.now + readyTimeout
        while true {
            if let status = server.exitStatus() {
                let log = server.errorLog()
                server.stop()
                let hint = log.contains("mod_gnutls") ? " (is lighttpd-mod-gnutls installed? apt-get install lighttpd-mod-gnutls)" : ""
                throw LabLighttpdError(.failedToStart, "lighttpd exited (wait status \(status))\(hint): \(log)")
            }
            if accepts(address: address, port: chosenPort) { return server }
            if clock.now >= deadline {
                let log = server.errorLog()
                server.stop()
                throw LabLighttpdError(.failedToStart, "lighttpd did not accept connections on \(address) port \(chosenPort) within \(readyTimeout): \(log)")
            }
            usleep(10_000)
        }
    }

    /// Whether the child still runs (and has not been reaped), or ended, or was stopped.
    private enum State {
        case running
        case exited(status: Int32)
        case stopped
    }

    private let state = Mutex(State.running)

    private init(address: IPAddress, port: UInt16, folder: URL, processIdentifier: Int32) {
        self.address = address
        self.port = port
        self.folder = folder
        self.processIdentifier = processIdentifier
    }

    /// The wait status if the child has ended (it is reaped then), nil while it runs.
    private func exitStatus() -> Int32? {
        state.withLock { state in
            switch state {
            case .exited(let status): return status
            case .stopped: return 0
            case .running:
                var status: Int32 = 0
                guard na_lab_reap(processIdentifier, 1, &status) != 0 else { return nil }
                state = .exited(status: status)
                return status
            }
        }
    }

    /// Terminates `lighttpd` by its PID (SIGTERM, then SIGKILL after 3 s), reaps it and
    /// removes the folder. Later calls do nothing.
    public func stop() {
        state.withLock { state in
            if case .running = state {
                var status: Int32 = 0
                kill(processIdentifier, SIGTERM)
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(3)
                var reaped = na_lab_reap(processIdentifier, 1, &status) != 0
                while !reaped && clock.now < deadline {
                    usleep(2_000)
                    reaped = na_lab_reap(processIdentifier, 1, &status) != 0
                }
                if !reaped {
                    kill(processIdentifier, SIGKILL)
                    _ = na_lab_reap(processIdentifier, 0, &status)
                }
            }
            if case .stopped = state { return }
            state = .stopped
            try? FileManager.default.removeItem(at: folder)
        }
    }

    deinit { stop() }

    /// The server's error log (empty if none yet).
    public func errorLog() -> String {
        (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    // MARK: - Helpers

    /// The configuration (lighttpd 1.4.69, mod_gnutls): one socket, TLS on it, no daemon.
    static func configurationText(_ configuration: Configuration, address: IPAddress, port: UInt16, folder: URL) -> String {
        let bind = address.isIPv6 ? "[\(address)]" : "\(address)"
        let path = folder.path
        return """
            # Written by netaudit's lab (LabLighttpd); removed when the server stops.
            server.document-root = "\(path)/www"
            server.bind = "\(bind)"
            server.port = \(port)
            server.pid-file = "\(path)/lighttpd.pid"
            server.errorlog = "\(path)/error.log"
            server.max-worker = 0
            index-file.names = ( "index.html" )
            mimetype.assign = ( ".html" => "text/html" )
            server.modules += ( "mod_gnutls" )
            ssl.engine = "enable"
            ssl.pemfile = "\(path)/server-\(configuration.sendIntermediates ? "chain" : "cert").pem"
            ssl.privkey = "\(path)/server-key.pem"
            ssl.openssl.ssl-conf-cmd = (
                "CipherString" => "\(configuration.cipherString)",
                "MinProtocol" => "\(protocolName(configuration.versions.lowerBound))",
                "MaxProtocol" => "\(protocolName(configuration.versions.upperBound))"
            )

            """
    }

    /// The names mod_gnutls accepts for MinProtocol/MaxProtocol: "TLSv1.0", not OpenSSL's "TLSv1".
    private static func protocolName(_ version: LabTLSVersion) -> String {
        version == .tls1_0 ? "TLSv1.0" : "\(version)"
    }

    private static func writeFiles(_ configuration: Configuration, address: IPAddress, port: UInt16, into folder: URL) throws {
        try configuration.credential.write(to: folder, name: "server")
        let www = folder.appendingPathComponent("www", isDirectory: true)
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        try Data("netaudit lab: lighttpd with 3DES\n".utf8).write(to: www.appendingPathComponent("index.html"))
        let text = configurationText(configuration, address: address, port: port, folder: folder)
        try Data(text.utf8).write(to: folder.appendingPathComponent("lighttpd.conf"))
    }

    /// A port free on `address` now: bind port 0, read the port, close. Another process could
    /// take it before lighttpd binds it; on a private 127.x address nothing else does.
    private static func freePort(on address: IPAddress) throws(LabLighttpdError) -> UInt16 {
        let fd = address.bytes.withUnsafeBufferPointer { na_lab_listen_ip(address.socketFamily, $0.baseAddress, 0, 0) }
        guard fd >= 0 else { throw LabLighttpdError(.failedToStart, "binding \(address) port 0: \(LabErrno.text(-fd))") }
        let socket = LabDescriptor(fd)
        let port = na_local_port(socket.fd)
        guard port > 0 else { throw LabLighttpdError(.failedToStart, "getsockname on \(address): \(LabErrno.text(-port))") }
        return UInt16(port)
    }

    /// Whether a TCP connection to `address`:`port` is accepted now.
    private static func accepts(address: IPAddress, port: UInt16) -> Bool {
        let fd = socket(address.socketFamily, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        let socket = LabDescriptor(fd)
        return address.bytes.withUnsafeBufferPointer { na_connect_ip(socket.fd, address.socketFamily, $0.baseAddress, port) } == 0
    }
}

/// Why ``LabLighttpd`` could not start.
public struct LabLighttpdError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// `lighttpd` is not installed (the message says how to install it).
        case notInstalled
        /// The address is not loopback.
        case forbiddenAddress
        /// The configuration asks for what mod_gnutls cannot serve (SSLv3).
        case invalidConfiguration
        /// The configuration folder could not be written.
        case file
        /// `lighttpd` did not start, exited, or did not accept connections in time; the
        /// message holds its error log.
        case failedToStart
    }

    public let reason: Reason
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
