#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditCore
import NetauditLab
import Testing

/// The server as a whole: binding, ports, refusals, stop, and nothing left behind.
struct LabServerTests {
    // Documentation ranges (RFC 5737) and wildcards: refused before any socket exists.
    @Test(arguments: ["192.0.2.10", "198.51.100.7", "0.0.0.0", "::", "::ffff:127.0.0.1", "fe80::1", "203.0.113.5", "2001:db8::1"])
    func refusesAddressesBeyondLoopback(_ text: String) throws {
        let address = try #require(IPAddress(text))
        let error = #expect(throws: LabServerError.self) {
            _ = try LabServer([LabEndpoint(address: address, behaviour: .tarpit)])
        }
        #expect(error?.reason == .forbiddenAddress)
        #expect(error?.message.contains("loopback") == true, "\(String(describing: error))")
    }

    @Test func refusesBeforeBindingAnything() throws {
        // A forbidden address after a good one: nothing may stay bound.
        let good = LabEndpoint(address: IPAddress(127, 88, 9, 1), port: 0, behaviour: .tarpit)
        let bad = LabEndpoint(address: IPAddress(192, 0, 2, 3), behaviour: .tarpit)
        #expect(throws: LabServerError.self) { _ = try LabServer([good, bad]) }
        #expect(ProcSelf.tcpSockets(inPrefix: [127, 88, 9]).isEmpty)
    }

    @Test func portZeroIsChosenAndReported() throws {
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 10, 1), behaviour: .plainHTTP(status: 204, headers: [])),
            LabEndpoint(address: IPAddress(127, 88, 10, 2), behaviour: .plainHTTP(status: 204, headers: [])),
        ])
        defer { server.stop() }
        #expect(server.endpoints.count == 2)
        for bound in server.endpoints {
            #expect(bound.port != 0)
            let answer = try TestClient.httpGet(bound)
            #expect(answer.hasPrefix("HTTP/1.1 204 No Content\r\n"), "\(answer)")
        }
        #expect(server.endpoints[0].description == "127.88.10.1:\(server.endpoints[0].port)")
    }

    @Test func aPortInUseIsASocketError() throws {
        let first = try LabServer([LabEndpoint(address: IPAddress(127, 88, 11, 1), behaviour: .tarpit)])
        defer { first.stop() }
        let port = first.endpoints[0].port
        let error = #expect(throws: LabServerError.self) {
            _ = try LabServer([LabEndpoint(address: IPAddress(127, 88, 11, 1), port: port, behaviour: .tarpit)])
        }
        #expect(error?.reason == .socket)
        #expect(error?.errno == EADDRINUSE)
    }

    @Test func servesIPv6Loopback() throws {
        let server: LabServer
        do {
            server = try LabServer([LabEndpoint(address: IPAddress("::1")!, behaviour: .plainHTTP(status: 200, headers: []))])
        } catch {
            if error.errno == EADDRNOTAVAIL || error.errno == EAFNOSUPPORT { return }  // no IPv6 loopback here
            throw error
        }
        defer { server.stop() }
        #expect(server.endpoints[0].description == "[::1]:\(server.endpoints[0].port)")
        let answer = try TestClient.httpGet(server.endpoints[0])
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer)")
    }

    @Test func plainHTTPAnswersWithHeadersAndClosesAndHEADHasNoBody() throws {
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 12, 1),
                        behaviour: .plainHTTP(status: 301, headers: [.location("https://x.lab.test/")])),
        ])
        defer { server.stop() }
        let get = try TestClient.httpGet(server.endpoints[0])
        #expect(get == "HTTP/1.1 301 Moved Permanently\r\nLocation: https://x.lab.test/\r\nContent-Length: 22\r\n"
                + "Connection: close\r\n\r\n301 Moved Permanently\n")
        let head = try TestClient.httpGet(server.endpoints[0], method: "HEAD")
        #expect(head.hasSuffix("Connection: close\r\n\r\n"), "\(head)")
    }

    @Test func httpsRedirectNamesTheTargetPort() throws {
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 13, 1), behaviour: .tarpit),
            LabEndpoint(address: IPAddress(127, 88, 13, 1), behaviour: .httpsRedirect(toEndpoint: 0, host: "r.lab.test")),
        ])
        defer { server.stop() }
        let answer = try TestClient.httpGet(server.endpoints[1])
        #expect(answer.contains("\r\nLocation: https://r.lab.test:\(server.endpoints[0].port)/\r\n"), "\(answer)")
    }

    @Test func countsConnectionsAndCompletedHandshakesOnTheServerSide() async throws {
        let chain = try LabFixtures.chain.get()
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 18, 1), behaviour: .tls(LabTLS(credential: chain.leaf))),
            LabEndpoint(address: IPAddress(127, 88, 18, 2), behaviour: .plainHTTP(status: 204, headers: [])),
        ])
        defer { server.stop() }
        #expect(server.statistics == LabServer.Statistics(connections: 0, handshakes: 0))
        let client = try SClient.connect("\(server.endpoints[0])")  // a full handshake and a request
        #expect(client.httpHead.first == "HTTP/1.1 200 OK", "\(client.output)")
        _ = try TestClient.httpGet(server.endpoints[1])  // a connection, no TLS
        let hello = try TestConnection(to: server.endpoints[0])  // a hello-only exchange: not a handshake
        hello.send([0x16, 0x03, 0x01, 0x00, 0x01, 0x01])
        _ = hello.receiveAll()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        while server.statistics.connections < 3, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.statistics == LabServer.Statistics(connections: 3, handshakes: 1))
    }

    @Test func invalidConfigurationsAreRefused() throws {
        let chain = try LabFixtures.chain.get()
        let address = IPAddress(127, 88, 14, 1)
        let cases: [LabBehaviour] = [
            .tls(LabTLS(credential: chain.leaf, versions: .ssl3 ... .tls1_2)),
            .tls(LabTLS(credential: chain.leaf, securityLevel: 9)),
            .craftedHello(LabCraftedHello(versions: .tls1_2 ... .tls1_3, cipherSuites: [0x002F])),
            .craftedHello(LabCraftedHello(versions: .ssl3 ... .ssl3, cipherSuites: [])),
            .plainHTTP(status: 42, headers: []),
            .httpsRedirect(toEndpoint: 5, host: "x"),
        ]
        for behaviour in cases {
            let error = #expect(throws: LabServerError.self) { _ = try LabServer([LabEndpoint(address: address, behaviour: behaviour)]) }
            #expect(error?.reason == .invalidConfiguration, "\(behaviour)")
        }
    }

    @Test func weakMaterialNeedsALowerSecurityLevel() throws {
        let chain = try LabFixtures.chain.get()
        let weak = try LabPKI.issue(LabCertificateSpec(commonName: "weak.lab.test", digest: .sha1), by: chain.intermediate)
        let error = #expect(throws: LabServerError.self) {
            _ = try LabServer([LabEndpoint(address: IPAddress(127, 88, 15, 1), behaviour: .tls(LabTLS(credential: weak)))])
        }
        #expect(error?.reason == .openSSL)
        #expect(error?.description.contains("securityLevel") == true, "\(String(describing: error))")
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 15, 1), behaviour: .tls(LabTLS(credential: weak, securityLevel: 0))),
        ])
        server.stop()
    }

    @Test func stopIsFastAndIdempotentWithBusyConnections() throws {
        let chain = try LabFixtures.chain.get()
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 16, 1), behaviour: .tls(LabTLS(credential: chain.leaf))),
            LabEndpoint(address: IPAddress(127, 88, 16, 2), behaviour: .tarpit),
            LabEndpoint(address: IPAddress(127, 88, 16, 3), behaviour: .trickle),
            LabEndpoint(address: IPAddress(127, 88, 16, 4), behaviour: .craftedHello(
                LabCraftedHello(versions: .tls1_0 ... .tls1_2, cipherSuites: [0x002F]))),
        ])
        // Silent clients: a worker waits in SSL_accept, another for a hello; the acceptor holds two.
        let clients = try server.endpoints.map { try TestConnection(to: $0) }
        Thread.sleep(forTimeInterval: 0.2)
        let clock = ContinuousClock()
        let elapsed = clock.measure { server.stop() }
        #expect(elapsed < .milliseconds(500), "stop took \(elapsed)")
        #expect(clock.measure { server.stop() } < .milliseconds(10))
        for client in clients {
            #expect(client.receiveAll(timeout: .seconds(2)).ended == .end, "the server's side is closed")
        }
        #expect(ProcSelf.threadsGone(prefix: server.name + "-"))
    }

    @Test func stopLeavesNoDescriptorOrThreadBehind() throws {
        ProcSelf.warmUp()
        let baseline = ProcSelf.snapshot()
        let endpoints = (1...20).map { LabEndpoint(address: IPAddress(127, 88, 17, UInt8($0)), behaviour: .plainHTTP(status: 200, headers: [])) }
        let server = try LabServer(endpoints, options: LabServerOptions(workers: 3))
        let threads = ProcSelf.threadNames().filter { $0.hasPrefix(server.name + "-") }
        #expect(threads.sorted() == ["\(server.name)-acc", "\(server.name)-w0", "\(server.name)-w1", "\(server.name)-w2"])
        let listening = ProcSelf.tcpSockets(inPrefix: [127, 88, 17], listeningOnly: true)
        #expect(listening.count == 20)
        #expect(listening.isSubset(of: ProcSelf.socketInodes()), "the listening sockets are this process's")
        _ = try TestClient.httpGet(server.endpoints[3])
        server.stop()
        #expect(ProcSelf.threadsGone(prefix: server.name + "-"))
        #expect(ProcSelf.socketInodes().isDisjoint(with: listening))
        #expect(ProcSelf.tcpSockets(inPrefix: [127, 88, 17], listeningOnly: true).isEmpty)
        // Whole-process counts are not checked: other suites run in parallel and open their
        // own; the checks above are exact for this server's threads and sockets.
        _ = baseline
    }
}

// MARK: - Helpers shared by the lab's server tests

/// A blocking TCP client over Glibc, for loopback only: the tests' own independent socket code.
final class TestConnection: @unchecked Sendable {
    let fd: Int32

    enum Received: Equatable {
        case data([UInt8])
        case end
        case timeout
        case error(Int32)
    }

    struct Failure: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { String(cString: strerror(errno)) + " (errno \(errno))" }
    }

    convenience init(to endpoint: LabBoundEndpoint) throws {
        try self.init(address: endpoint.address, port: endpoint.port)
    }

    convenience init(to endpoint: LabCaseEndpoint) throws {
        try self.init(address: endpoint.address, port: endpoint.port)
    }

    /// Connects (blocking) to `address`:`port`, which must be loopback.
    init(address: IPAddress, port: UInt16) throws {
        precondition(Self.isLoopback(address), "tests connect only to loopback")
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(errno: errno) }
        var result: Int32
        if address.isIPv6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address.bytes) }
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            throw Failure(errno: code)
        }
    }

    deinit { close(fd) }

    static func isLoopback(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let value): return value >> 24 == 127
        case .v6(let high, let low): return high == 0 && low == 1
        }
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// What arrives within `timeout` (one read).
    func receive(timeout: Duration, capacity: Int = 65536) -> Received {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready == 0 { return .timeout }
        if ready < 0 { return .error(errno) }
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = recv(fd, &buffer, capacity, 0)
        if count == 0 { return .end }
        if count < 0 { return .error(errno) }
        return .data(Array(buffer.prefix(count)))
    }

    /// What arrives until `done` says it is enough, the peer closes, or `timeout` passes without a byte.
    func receive(until done: ([UInt8]) -> Bool, timeout: Duration = .seconds(3)) -> [UInt8] {
        var bytes: [UInt8] = []
        while !done(bytes) {
            guard case .data(let chunk) = receive(timeout: timeout) else { break }
            bytes += chunk
        }
        return bytes
    }

    /// Everything until the peer closes (or `timeout` passes without a byte).
    func receiveAll(timeout: Duration = .seconds(3)) -> (bytes: [UInt8], ended: Received) {
        var bytes: [UInt8] = []
        while true {
            switch receive(timeout: timeout) {
            case .data(let chunk): bytes += chunk
            case let other: return (bytes, other)
            }
        }
    }
}

enum TestClient {
    /// Sends `METHOD / HTTP/1.1` and returns the whole answer as text.
    static func httpGet(_ endpoint: LabBoundEndpoint, method: String = "GET") throws -> String {
        let connection = try TestConnection(to: endpoint)
        connection.send(Array("\(method) / HTTP/1.1\r\nHost: lab.test\r\n\r\n".utf8))
        return String(decoding: connection.receiveAll().bytes, as: UTF8.self)
    }
}

/// Runs command-line clients (`openssl s_client`, `gnutls-cli`, `curl`) as subprocesses with
/// a deadline, killing the child by its PID if it overstays.
enum ClientTool {
    struct Result {
        let status: Int32
        /// Standard output and standard error, together.
        let output: String
    }

    static func path(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ name: String, _ arguments: [String], input: String = "", timeout: TimeInterval = 10) throws -> Result {
        guard let executable = path(name) else { throw Missing(name: name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = standardInput
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        standardInput.fileHandleForWriting.write(Data(input.utf8))
        try? standardInput.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is not installed" }
    }
}

/// `openssl s_client` and what it printed.
struct SClient {
    let output: String

    /// Connects to `endpoint` with `options`, sends `GET / HTTP/1.0` (or nothing) and waits for the server to close.
    static func connect(_ endpoint: String, _ options: [String] = [], request: Bool = true) throws -> SClient {
        let input = request ? "GET / HTTP/1.0\r\n\r\n" : ""
        let result = try ClientTool.run("openssl", ["s_client", "-connect", endpoint, "-ign_eof"] + options, input: input)
        return SClient(output: result.output)
    }

    /// "Protocol  : TLSv1.3" (the first one printed).
    var protocolName: String? { field("Protocol") }
    /// "Cipher    : TLS_AES_256_GCM_SHA384" (the session's; "0000" when no handshake).
    var cipher: String? {
        output.split(separator: "\n").last { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Cipher ") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
    }
    /// The number in the last "Verify return code: N (text)".
    var verifyCode: Int? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Verify return code:") }) else { return nil }
        return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
    }
    /// How many certificates the server sent ("Certificate chain" entries " N s:").
    var chainLength: Int {
        output.split(separator: "\n").filter { line in
            let trimmed = line.drop { $0 == " " }
            return trimmed.first?.isNumber == true && trimmed.contains(" s:")
        }.count
    }
    /// The HTTP answer's head lines (status line and headers), CR removed.
    var httpHead: [String] {
        let lines = output.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("HTTP/1.1 ") }) else { return [] }
        return lines[start...].prefix { !$0.isEmpty }.map(String.init)
    }

    private func field(_ name: String) -> String? {
        output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + " ") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
    }
}

/// What /proc says about this process: its threads, descriptors and TCP sockets.
enum ProcSelf {
    struct Snapshot: CustomStringConvertible {
        let descriptors: Int
        let threads: Int
        var description: String { "\(descriptors) descriptors, \(threads) threads" }
    }

    /// Starts what the process keeps once started (the shared lab, Foundation's process
    /// monitor), so that a baseline taken after this does not count them as leaks.
    static func warmUp() {
        _ = try? SharedLab.lab
        _ = try? ClientTool.run("openssl", ["version"])
    }

    static func snapshot() -> Snapshot {
        Snapshot(descriptors: entries("/proc/self/fd").count, threads: entries("/proc/self/task").count)
    }

    /// Whether the counts come back to `baseline` (or below) within `timeout`: other tests of
    /// this process run in parallel, so a moment of extra descriptors is theirs.
    static func settles(to baseline: Snapshot, timeout: TimeInterval = 5) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let now = snapshot()
            if now.descriptors <= baseline.descriptors && now.threads <= baseline.threads { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Whether no thread named `prefix…` is left within `timeout`. pthread_join returns when
    /// the kernel clears the thread's id, a moment before /proc drops its task entry; on a
    /// busy machine that moment shows, so the check waits for it (a leak never ends).
    static func threadsGone(prefix: String, timeout: TimeInterval = 2) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        repeat {
            if !threadNames().contains(where: { $0.hasPrefix(prefix) }) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < deadline
        return false
    }

    /// The names of this process's threads (/proc/self/task/*/comm).
    static func threadNames() -> [String] {
        entries("/proc/self/task").compactMap { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The inodes of this process's sockets (from the `socket:[N]` links in /proc/self/fd).
    static func socketInodes() -> Set<String> {
        Set(entries("/proc/self/fd").compactMap { entry -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
    }

    /// The inodes of the IPv4 TCP sockets of the network namespace (any process) whose local
    /// address starts with `prefix`, from /proc/net/tcp; only LISTEN ones if `listeningOnly`.
    static func tcpSockets(inPrefix prefix: [UInt8], listeningOnly: Bool = false) -> Set<String> {
        // procfs files report size 0: read them to the end, not by their size.
        guard let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() else { return [] }
        let table = String(decoding: data, as: UTF8.self)
        var inodes: Set<String> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9 else { continue }
            let local = fields[1].split(separator: ":")
            guard let raw = UInt32(local[0], radix: 16) else { continue }
            let bytes = withUnsafeBytes(of: raw.littleEndian) { Array($0) }  // network order, printed as a host integer
            guard Array(bytes.prefix(prefix.count)) == prefix else { continue }
            if listeningOnly && fields[3] != "0A" { continue }
            inodes.insert(String(fields[9]))
        }
        return inodes
    }

    private static func entries(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }
}
