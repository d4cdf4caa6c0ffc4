import ArgumentParser
import Foundation
import NetauditCore
import NetauditProbes

/// `netaudit bench`: throughput of the probes against the loopback lab, next to a reference
/// tool run in the same session (sslyze for TLS, fping for ICMP). Figures go to
/// docs/benchmarks.md with the command line that produced them.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the probes against the loopback lab (next to sslyze and fping), and the history store on generated history.",
        subcommands: [BenchTLSCommand.self, BenchICMPCommand.self, BenchHistoryCommand.self]
    )
}

struct BenchTLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Check N lab endpoints with every check of the baseline; then sslyze on the same endpoints.",
        discussion: """
            Starts `netaudit lab --scale N` as a child process (N good endpoints on 127.79.0.1 …), checks them all at once with netaudit (HTTPS request, chain verification, SSLv3 … TLS 1.3, weak cipher classes, static RSA), and reports endpoints/s, full TLS handshakes/s, connections/s and the peak memory of the probing process. With --sslyze, runs `python3 -m sslyze` on the same endpoints with the scans that match netaudit's checks (--certinfo, --sslv2 … --tlsv1_3, --http_headers) and reports the same figures.

            Handshakes and connections are counted by the lab server (connections it accepted, TLS handshakes it completed), before and after each tool, so both tools are measured by the same counter; a hello-only exchange (a ClientHello answered by a ServerHello or an alert) is a connection, not a handshake. netaudit's own counts (handshakes completed, hello-only exchanges) are shown beside them. The lab runs in its own process, so the memory figures are the probers' own.
            """
    )

    @Option(help: "Number of endpoints.")
    var endpoints = 100

    @Option(help: ArgumentHelp("Deadline of each endpoint check.", valueName: "duration"))
    var deadline = "10s"

    @Option(help: ArgumentHelp("Endpoint checks at once.", valueName: "n"))
    var concurrency = 128

    @Flag(help: "Also scan the same endpoints with sslyze (pip install sslyze).")
    var sslyze = false

    @Option(help: ArgumentHelp("Scan only the first M endpoints with sslyze (it is slow).", valueName: "m"))
    var sslyzeLimit: Int?

    @Option(help: ArgumentHelp("Port of the lab endpoints.", valueName: "port"))
    var port = 8443

    func validate() throws {
        guard (1...20_000).contains(endpoints) else { throw ValidationError("--endpoints must be from 1 to 20000.") }
        guard Duration(text: deadline) != nil else { throw ValidationError("--deadline '\(deadline)' is not a duration.") }
    }

    func run() async throws {
        let lab = try BenchLab(count: endpoints, port: port)
        defer { lab.stop() }
        let engine = ProbeEngine(.init(maxConcurrentProbes: concurrency))
        let settings = TLSProbeSettings(timeout: Duration(text: deadline)!, httpPort: nil)
        let targets = (0..<endpoints).map { index in
            Endpoint(url: try! EndpointURL.parse("https://bench.lab.test:\(port)/").get(), address: LabCommand.scaleAddress(index))
        }
        let clock = ContinuousClock()
        let labBefore = try lab.counts()
        let start = clock.now
        let observations = await withTaskGroup(of: TLSObservation.self) { group in
            for target in targets { group.addTask { await engine.probeEndpoint(target, settings: settings) } }
            return await group.reduce(into: [TLSObservation]()) { $0.append($1) }
        }
        let seconds = Self.seconds(clock.now - start)
        let labCounted = try lab.counts() - labBefore
        let (handshakes, hellos, connections) = (engine.handshakesCompleted, engine.helloExchanges, engine.connectionsOpened)
        engine.shutdown()
        let complete = observations.filter { $0.connection.modernHandshake && $0.acceptance(of: .tls1_2) == true }.count
        var lines = ["netaudit bench tls: \(endpoints) endpoints, deadline \(deadline), \(concurrency) checks at once",
                     "  (handshakes: full TLS handshakes the lab completed; connections: connections it accepted)",
                     row("netaudit", endpoints: endpoints, seconds: seconds, counted: labCounted,
                         memory: Self.peakMemory(RUSAGE_SELF.rawValue),
                         note: "\(complete)/\(endpoints) complete; by netaudit's count: \(handshakes) handshakes, "
                             + "\(hellos) hello-only exchanges, \(connections) connections")]
        if sslyze {
            let count = min(sslyzeLimit ?? endpoints, endpoints)
            let sslyzeBefore = try lab.counts()
            let result = try Self.runSSLyze(count: count, port: port)
            let sslyzeCounted = try lab.counts() - sslyzeBefore
            lines.append(row("sslyze", endpoints: count, seconds: result.seconds, counted: sslyzeCounted,
                             memory: Self.peakMemory(RUSAGE_CHILDREN.rawValue), note: result.note))
        }
        printOut(lines.joined(separator: "\n") + "\n")
    }

    func row(_ tool: String, endpoints: Int, seconds: Double, counted: BenchLab.Counts, memory: Int, note: String) -> String {
        let rate = String(format: "%.1f", Double(endpoints) / seconds)
        let handshakes = String(format: "%.0f handshakes/s (%d)", Double(counted.handshakes) / seconds, counted.handshakes)
        let connections = String(format: "%.0f connections/s (%d)", Double(counted.connections) / seconds, counted.connections)
        return "  \(tool.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(format: "%7.2f", seconds)) s  \(rate) endpoints/s  "
            + "\(handshakes)  \(connections)  peak RSS \(memory / 1024) MiB  (\(note))"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Peak resident memory in KiB (getrusage(2)).
    static func peakMemory(_ who: Int32) -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return usage.ru_maxrss
    }

    /// sslyze's default scan of the first `count` lab endpoints, in one invocation.
    static func runSSLyze(count: Int, port: Int) throws -> (seconds: Double, note: String) {
        let targets = (0..<count).map { "bench.lab.test:\(port){\(LabCommand.scaleAddress($0))}" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The scans that match netaudit's checks: certificate and chain, every protocol
        // version with its cipher suites, HTTP headers (HSTS); no Mozilla-profile verdict
        // (that makes it exit 1 on a finding).
        process.arguments = ["python3", "-m", "sslyze", "--quiet", "--mozilla_config=disable", "--certinfo",
                             "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--http_headers"] + targets
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let clock = ContinuousClock()
        let start = clock.now
        do { try process.run() } catch { throw UserError("cannot run sslyze: \(error)") }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let seconds = Self.seconds(clock.now - start)
        guard process.terminationStatus == 0 else {
            throw UserError("sslyze failed (status \(process.terminationStatus)): \(message.prefix(400)); install it with: pip install sslyze")
        }
        return (seconds, "certinfo, sslv2 … tlsv1_3, http_headers")
    }
}

struct BenchICMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "icmp",
        abstract: "Ping N loopback addresses with one socket; then fping with the same count and spacing.",
        discussion: """
            Sends COUNT echo requests to each of N addresses 127.80.0.1 … (all answered by the kernel), PERIOD apart to the same address and at least SPACING apart in all, and reports the time and the replies; then runs `fping -c COUNT -p PERIOD -i SPACING -q` on the same addresses (Debian's fping) for comparison.
            """
    )

    @Option(help: "Number of addresses.")
    var addresses = 1000

    @Option(help: "Echo requests per address.")
    var count = 3

    @Option(help: ArgumentHelp("Spacing between requests to one address (fping -p).", valueName: "duration"))
    var period = "1s"

    @Option(help: ArgumentHelp("Minimum spacing between any two requests (fping -i).", valueName: "duration"))
    var spacing = "10ms"

    func validate() throws {
        guard (1...60_000).contains(addresses) else { throw ValidationError("--addresses must be from 1 to 60000.") }
        for value in [period, spacing] where Duration(text: value) == nil {
            throw ValidationError("'\(value)' is not a duration.")
        }
    }

    func run() async throws {
        let targets = (0..<addresses).map { IPAddress(127, 80, UInt8($0 / 250), UInt8($0 % 250 + 1)) }
        let spacingDuration = Duration(text: spacing)!
        let engine = ProbeEngine(.init(icmpSendSpacing: spacingDuration))
        let settings = LinkProbeSettings(count: count, interval: Duration(text: period)!, timeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let observations = await withTaskGroup(of: LinkObservation.self) { group in
            for target in targets { group.addTask { await engine.probeLink(Link(address: target), settings: settings) } }
            return await group.reduce(into: [LinkObservation]()) { $0.append($1) }
        }
        let seconds = BenchTLSCommand.seconds(clock.now - start)
        engine.shutdown()
        let replies = observations.reduce(0) { $0 + $1.received }
        var lines = ["netaudit bench icmp: \(addresses) addresses × \(count), period \(period), spacing \(spacing)",
                     String(format: "  netaudit  %7.2f s  %d/%d replies  (%@)", seconds, replies, addresses * count,
                            observations.first?.transport?.rawValue ?? "no socket")]
        if let fping = Self.fping() {
            let milliseconds = { (text: String) in Int(BenchTLSCommand.seconds(Duration(text: text)!) * 1000) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: fping)
            process.arguments = ["-c", "\(count)", "-p", "\(milliseconds(period))", "-i", "\(max(1, milliseconds(spacing)))", "-q"]
                + targets.map(\.description)
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            let fpingStart = clock.now
            try process.run()
            let summary = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let fpingSeconds = BenchTLSCommand.seconds(clock.now - fpingStart)
            let received = summary.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: "xmt/rcv/%loss = ") else { return nil }
                return Int(line[range.upperBound...].split(separator: "/")[1])
            }.reduce(0, +)
            lines.append(String(format: "  fping     %7.2f s  %d/%d replies", fpingSeconds, received, addresses * count))
        } else {
            lines.append("  fping     not installed (apt-get install fping)")
        }
        printOut(lines.joined(separator: "\n") + "\n")
    }

    static func fping() -> String? {
        ["/usr/bin/fping", "/usr/sbin/fping"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The scale lab in its own process (`netaudit lab --scale N`), stopped by its PID.
final class BenchLab {
    let process = Process()
    private let output = Pipe()

    init(count: Int, port: Int) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        process.arguments = ["lab", "--scale", "\(count)", "--tls-port", "\(port)"]
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.availableLine()
        guard line.hasPrefix("ready:") else {
            stop()
            throw UserError("the scale lab did not start: \(line)")
        }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// What the lab server has counted so far.
    struct Counts: Equatable {
        var connections: Int
        var handshakes: Int

        static func - (lhs: Counts, rhs: Counts) -> Counts {
            Counts(connections: lhs.connections - rhs.connections, handshakes: lhs.handshakes - rhs.handshakes)
        }
    }

    /// The lab's counts (SIGUSR1, then its `counts:` line), once they no longer change: a
    /// connection the client has finished with may still wait in the accept queue for a moment.
    func counts() throws -> Counts {
        var last = try readCounts()
        for _ in 0..<50 {
            usleep(100_000)
            let now = try readCounts()
            if now == last { break }
            last = now
        }
        return last
    }

    private func readCounts() throws -> Counts {
        // A SIGUSR1 that reaches the lab while it is still arming its handler is lost: ask
        // again each second (at most 10 times) until the line comes.
        var line = ""
        for _ in 0..<10 {
            kill(process.processIdentifier, SIGUSR1)
            if let read = output.fileHandleForReading.availableLine(within: 1000) {
                line = read
                break
            }
        }
        // An answer to an earlier SIGUSR1 that was only slow: keep the latest line.
        while let later = output.fileHandleForReading.availableLine(within: 50), !later.isEmpty { line = later }
        var counts = Counts(connections: -1, handshakes: -1)
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else { continue }
            if parts[0] == "connections" { counts.connections = value }
            if parts[0] == "handshakes" { counts.handshakes = value }
        }
        guard line.hasPrefix("counts:"), counts.connections >= 0, counts.handshakes >= 0 else {
            throw UserError("the scale lab did not report its counts: '\(line)'")
        }
        return counts
    }
}

extension FileHandle {
    /// Reads up to the first newline (or end of file) if something arrives within
    /// `milliseconds`; nil when nothing does.
    func availableLine(within milliseconds: Int32) -> String? {
        var ready = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, milliseconds) > 0 else { return nil }
        return availableLine()
    }

    /// Reads up to the first newline (or end of file).
    func availableLine() -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first, byte != 0x0A else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
