import ArgumentParser
import Foundation
import NetauditCore
import NetauditInventory
import NetauditLab

/// `netaudit lab`: the loopback lab of the tests, started by hand so that an operator (or a
/// developer) can point `netaudit probe`, curl or openssl at each case.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Serve the lab's test cases on loopback addresses until interrupted.",
        discussion: """
            Starts a private PKI and one server per case on 127.77.0.N: good certificates (RSA, ECDSA, Government CA), expired, not yet valid, self-signed, untrusted root, wrong host, incomplete chain, SHA-1, RSA-1024, expiring in 5 days, TLS 1.0/1.1/1.3 only, static RSA only, 3DES (Debian's lighttpd with mod_gnutls, if installed), crafted servers answering RC4/EXPORT/SSLv3/NULL/anon/DES hellos, HSTS present/missing/short, plain HTTP with and without redirect, refused, tarpit, garbage, reset and trickle, HTTPS answering with a redirect, plain HTTP redirecting to https on another host, what a probe must survive (10,000 headers, a 1 MB chain, 10,000 subjectAltNames, random bytes), an HTTPS answer redirecting to plain http://, and revocation and chain completion: a stapled "revoked" OCSP response, leaves whose AIA OCSP responder says revoked or good or is down, a leaf on its CA's CRL, a leaf-only chain with an AIA caIssuers URL, and the PKI repository they name (plain HTTP: OCSP responder, CRLs, CA certificates). Prints each case's URL, address and port, and the trust files (the lab root stands in for public trust; the Government CA bundle for government trust; the lab intermediate is the known intermediate). Stops on Ctrl-C or SIGTERM.

            To probe a case as the tests do, give the lab's trust files in place of the real ones (the lab root is in no public bundle):

              netaudit probe https://good-rsa.lab.test:PORT/ --address ADDRESS \\
                --http-port HTTP-PORT --public-ca-file LAB-ROOT \\
                --ca-file GOVERNMENT-BUNDLE --intermediates-file LAB-INTERMEDIATE

            with PORT, ADDRESS and HTTP-PORT (its plain-HTTP companion) from the case's line and the three files from the end of the list, which also shows this command for the first case.

            The network lab (--network SCENARIO, as root): a simulated dedicated network of Linux network namespaces for an inventory. The auditor's namespace reaches a backbone router; behind it one router namespace per network node (an agency other links go via: the province core, each district node), and behind each router one namespace per agency host, joined by veth pairs, with addresses from 198.18.0.0/15 that exist only inside the lab. The scenario file says what each agency's link does: up, silent (a blackhole in front of it), down (cut off, with every agency behind a node), refused (ICMP host unreachable), icmp-filtered (TCP passes), loss: N%, delay and jitter (late echo replies), flap: PERIOD, outage: {after, for}, and what its endpoints serve (tls: good, expired, expiring, not-yet-valid, revoked, untrusted, self-signed, wrong-host, sha1-signed, rsa-1024, tls1_0-only, tls1_3-only, no-hsts, hsts-short, no-redirect, refused, tarpit, reset, garbage, trickle). docs/lab-network.md describes the format; Inventory/scenarios/ has examples.

            The lab prints the auditor's namespace, its copy of the inventory (the same agencies with lab addresses) and the Government CA bundle, then serves until interrupted; run the audit inside the namespace:

              ip netns exec NAMESPACE netaudit audit --inventory LAB-INVENTORY --ca-file BUNDLE

            or give the command after `--`: the lab runs it inside the auditor's namespace with NETAUDIT_LAB_INVENTORY, NETAUDIT_LAB_CA_FILE and NETAUDIT_LAB_NAMESPACE set, stops when it ends and exits with its status:

              netaudit lab --network Inventory/scenarios/gia-lai-2019-demo.yaml -- \\
                sh -c 'netaudit audit --inventory "$NETAUDIT_LAB_INVENTORY" --ca-file "$NETAUDIT_LAB_CA_FILE"'

            Everything the lab creates is a namespace named nalabPID_N-…; it is all removed when the lab stops (Ctrl-C, SIGTERM, the command's end, a failure), and a lab that was killed leaves namespaces that the next one removes first.
            """
    )

    @Option(help: ArgumentHelp("Serve only this case (repeatable).", valueName: "id"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Port of every TLS case (default: one chosen per case).", valueName: "port"))
    var tlsPort: UInt16 = 0

    @Option(help: ArgumentHelp("Port of every plain-HTTP case and companion (default: chosen per case).", valueName: "port"))
    var httpPort: UInt16 = 0

    @Flag(help: "List the case ids and exit.")
    var list = false

    @Option(help: ArgumentHelp("Instead of the cases: serve every endpoint of this inventory that is pinned to a loopback address (the demo province). With --network: the inventory to build the network lab for, in place of the one the scenario names.", valueName: "path"))
    var inventory: String?

    @Option(help: "With --inventory: good (every endpoint good) or demo (some expired, self-signed, TLS 1.0 only, refused, without HSTS or redirect).")
    var scenario: LabInventory.Scenario = .demo

    @Option(help: ArgumentHelp("Instead of the cases: serve N identical good endpoints (bench.lab.test) on 127.79.0.1, 127.79.0.2, … (250 per /24), for benchmarks. SIGUSR1 prints the connections accepted and TLS handshakes completed so far: `counts: connections=N handshakes=M`.", valueName: "n"))
    var scale: Int?

    @Option(help: ArgumentHelp("As root: build the network lab for this scenario file (and the inventory it names, or --inventory) and serve it until interrupted.", valueName: "scenario"))
    var network: String?

    @Argument(parsing: .postTerminator, help: ArgumentHelp("With --network: a command to run inside the auditor's namespace (after `--`); the lab stops when it ends.", valueName: "command"))
    var command: [String] = []
    @Option(help: ArgumentHelp("Instead of the cases: one TLS listener on 0.0.0.0:443 (--tls-port) and one plain-HTTP listener on 0.0.0.0:80 (--http-port, redirecting to https://www.DOMAIN/) serve every endpoint https://CODE.DOMAIN/ of an imported inventory, whatever its 127.x.y.z address, with a certificate for *.DOMAIN from a lab Government CA whose bundle it prints (give it to the audit: --ca-file). For the national benchmark (scripts/bench-national): only in a private network namespace whose only interface is lo (unshare -n). SIGUSR1 prints the counts, as with --scale.", valueName: "domain"))
    var wildcard: String?

    @Option(help: ArgumentHelp("With --wildcard or --scale: connections to one address in N (its 32-bit value a multiple of N) are held and never answered, as a tarpit, so that a check of it runs to its timeout.", valueName: "n"))
    var tarpitEvery: Int = 0

    /// `https://HOST:PORT/ --address ADDRESS [--http-port PORT]` of the first TLS case served
    /// (good-rsa when it is).
    static func exampleProbe(_ lab: RunningLab) -> String {
        for labCase in lab.cases {
            guard let main = try? lab.endpoint(for: labCase.id), main.scheme == "https" else { continue }
            let companion = (try? lab.companion(for: labCase.id)).flatMap { $0 }
            return "https://\(main.hostName):\(main.port)/ --address \(main.address)" + (companion.map { " --http-port \($0.port)" } ?? "")
        }
        return "https://good-rsa.lab.test:PORT/ --address ADDRESS --http-port PORT"
    }

    /// The addresses of the scale lab: 127.79.0.1 … (250 per /24, from 127.79.0.1).
    static func scaleAddress(_ index: Int) -> IPAddress {
        IPAddress(127, 79, UInt8(index / 250), UInt8(index % 250 + 1))
    }

    private func serveInventory(_ path: String) async throws {
        let inventory = try loadInventory(path)
        let lab: LabInventory
        do {
            lab = try LabInventory(inventory: inventory, scenario: scenario, httpPort: httpPort == 0 ? UInt16(inventory.probe.httpPort) : httpPort)
        } catch {
            throw UserError("the lab could not start: \(error)")
        }
        defer { lab.stop() }
        let counts = Dictionary(grouping: lab.served, by: \.behaviour).mapValues(\.count).sorted { $0.key < $1.key }
        printOut("ready: \(lab.served.count) endpoints of \(path) (\(counts.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))\n"
                 + "government bundle: \(lab.governmentBundle.path)\n")
        await SignalWait.interrupted()
    }

    private func serveNetwork(_ path: String) async throws {
        let scenario: NetworkScenario
        do {
            scenario = try NetworkScenarioLoader().load(path: path)
        } catch {
            throw UserError(error.description)
        }
        guard let inventoryPath = inventory ?? scenario.inventory else {
            throw UserError("\(path): the scenario names no inventory: give --inventory PATH")
        }
        let source = try loadInventory(inventoryPath)
        // Signals are caught before the first namespace exists, so that Ctrl-C while the lab
        // is being built still ends in its teardown.
        let interrupted = SignalWait.start()
        let lab: LabNetwork
        do {
            lab = try LabNetwork(inventory: source, inventoryName: inventoryPath, scenario: scenario) { line in printOut("lab: \(line)\n") }
        } catch {
            throw UserError("the network lab could not start: \(error)")
        }
        defer { lab.stop() }
        let conducts = Dictionary(grouping: source.allAgencies.filter { lab.plan.sites[$0.code] != nil }) { agency in
            Self.summary(scenario.conduct(of: agency.code))
        }.mapValues(\.count).sorted { $0.key < $1.key }
        printOut("""
            ready: network lab for \(inventoryPath): \(lab.plan.namespaces.count) namespaces, \(lab.plan.sites.count) agencies (\(conducts.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))
            auditor namespace: \(lab.auditorNamespace)
            lab inventory: \(lab.inventoryPath)
            government bundle: \(lab.governmentBundle.path)

            """)
        if command.isEmpty {
            printOut("audit inside it: ip netns exec \(lab.auditorNamespace) netaudit audit --inventory \(lab.inventoryPath) --ca-file \(lab.governmentBundle.path)\nCtrl-C or SIGTERM stops the lab.\n")
            await interrupted.wait()
            printError("netaudit lab: stopping")
            return
        }
        let status = try await runInside(lab, interrupted: interrupted)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command after `--` in the auditor's namespace; its exit status (128 + N for signal N).
    private func runInside(_ lab: LabNetwork, interrupted: SignalWait.Started) async throws -> Int32 {
        let child = ChildPID()
        // Ctrl-C reaches the command too (one process group); SIGTERM to the lab is passed on.
        let forward = Task {
            await interrupted.wait()
            let pid = child.value.load(ordering: .acquiring)
            if pid > 0 { kill(pid, SIGTERM) }
        }
        defer { forward.cancel() }
        let command = self.command
        // The wait blocks a thread (waitpid): not one of the concurrency pool's.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let status = try lab.run(command) { pid in child.value.store(pid, ordering: .releasing) }
                    continuation.resume(returning: status)
                } catch {
                    continuation.resume(throwing: UserError("\(error)"))
                }
            }
        }
    }

    /// One word for what the scenario does to an agency, for the ready line.
    static func summary(_ conduct: NetworkScenario.Conduct) -> String {
        var words: [String] = []
        if conduct.link != .up { words.append(conduct.link.rawValue) }
        if conduct.lossPercent > 0 { words.append("lossy") }
        if conduct.delay > .zero { words.append("slow") }
        if conduct.flap != nil { words.append("flapping") }
        if conduct.outage != nil { words.append("with an outage") }
        if let tls = conduct.tls, tls != .good { words.append("tls \(tls.rawValue)") }
        return words.isEmpty ? "up" : words.joined(separator: " ")
    }

    private func serveScale(_ count: Int) async throws {
        let port = tlsPort == 0 ? 8443 : tlsPort
        let server: LabServer
        do {
            let credential = try LabPKI.selfSigned(LabCertificateSpec(
                commonName: "bench.lab.test", subjectAltNames: [.dns("bench.lab.test")], key: .rsa(bits: 2048)))
            let tls = LabTLS(credential: credential, response: LabHTTPResponse(headers: [.hsts(maxAge: 63_072_000)]))
            server = try LabServer((0..<count).map { LabEndpoint(address: Self.scaleAddress($0), port: port, behaviour: .tls(tls)) },
                                   options: LabServerOptions(tarpitEvery: tarpitEvery))
        } catch {
            throw UserError("the scale lab could not start: \(error)")
        }
        defer { server.stop() }
        let counts = Self.countsOnSIGUSR1(server)
        defer { counts.stop() }
        printOut("ready: \(count) endpoints https://bench.lab.test:\(port)/ on \(Self.scaleAddress(0)) … \(Self.scaleAddress(count - 1))\n")
        await SignalWait.interrupted()
    }

    /// SIGUSR1 prints what the server has counted (as dd does): `netaudit bench tls` reads
    /// it before and after each tool, so that every client is measured by the same counter.
    private static func countsOnSIGUSR1(_ server: LabServer) -> SignalLine {
        SignalLine(SIGUSR1) {
            let statistics = server.statistics
            return "counts: connections=\(statistics.connections) handshakes=\(statistics.handshakes)\n"
        }
    }

    private func serveWildcard(_ domain: String) async throws {
        let lab: LabWildcard
        do {
            lab = try LabWildcard(domain: domain, tlsPort: tlsPort == 0 ? 443 : tlsPort, httpPort: httpPort == 0 ? 80 : httpPort,
                                  tarpitEvery: tarpitEvery)
        } catch {
            throw UserError("the wildcard lab could not start: \(error)")
        }
        defer { lab.stop() }
        let counts = Self.countsOnSIGUSR1(lab.server)
        defer { counts.stop() }
        let tarpits = tarpitEvery > 0 ? ", one address in \(tarpitEvery) a tarpit" : ""
        printOut("ready: https://*.\(domain):\(lab.endpoints[0].port)/ and http on port \(lab.endpoints[1].port), on every address\(tarpits)\n"
                 + "government bundle: \(lab.governmentBundle.path)\n")
        await SignalWait.interrupted()
    }

    func validate() throws {
        if [network != nil, scale != nil, wildcard != nil].filter({ $0 }).count > 1 { throw ValidationError("--network, --scale and --wildcard are different labs: give one.") }
        if network == nil && !command.isEmpty { throw ValidationError("a command after `--` runs inside the network lab: give --network SCENARIO.") }
        if let scale, !(1...50_000).contains(scale) { throw ValidationError("--scale must be from 1 to 50000.") }
        if tarpitEvery < 0 { throw ValidationError("--tarpit-every must be 0 (none) or more.") }
        if tarpitEvery > 0 && scale == nil && wildcard == nil { throw ValidationError("--tarpit-every needs --wildcard or --scale.") }
        if let wildcard, wildcard.isEmpty || wildcard.hasPrefix(".") || wildcard.contains("*") {
            throw ValidationError("--wildcard takes a domain such as vn.test.")
        }
        for id in only where !LabCatalogue.caseIDs.contains(id) {
            throw ValidationError("no lab case '\(id)' (known: \(LabCatalogue.caseIDs.joined(separator: ", "))).")
        }
    }

    func run() async throws {
        if list {
            printOut(LabCatalogue.caseIDs.joined(separator: "\n") + "\n")
            return
        }
        if let scale { return try await serveScale(scale) }
        if let network { return try await serveNetwork(network) }
        if let wildcard { return try await serveWildcard(wildcard) }
        if let inventory { return try await serveInventory(inventory) }
        let lab: RunningLab
        do {
            lab = try LabCatalogue.standard().start(only: only.isEmpty ? nil : only, tlsPort: tlsPort, httpPort: httpPort)
        } catch {
            throw UserError("the lab could not start: \(error)")
        }
        defer { lab.stop() }
        var lines = ["netaudit lab: \(lab.cases.count) cases on loopback", ""]
        let width = max(17, lab.cases.map(\.id.count).max() ?? 0)  // ids are never cut
        for labCase in lab.cases {
            guard let main = try? lab.endpoint(for: labCase.id) else {
                lines.append("\(labCase.id): unavailable: \(lab.unavailable[labCase.id] ?? "?")")
                continue
            }
            var line = "\(labCase.id.padding(toLength: width, withPad: " ", startingAt: 0)) \(main.url.absoluteString) at \(main)"
            if let companion = try? lab.companion(for: labCase.id) { line += ", \(companion.scheme) on port \(companion.port)" }
            lines.append(line)
            lines.append("    \(labCase.description)")
        }
        if let repository = lab.repositoryURL {
            lines += ["", "PKI repository: \(repository.absoluteString)",
                      "  OCSP:  POST \(repository.absoluteString)ocsp (or GET …/ocsp/BASE64)",
                      "  CRLs:  \(repository.absoluteString)crl/NAME.crl, CA certificates: \(repository.absoluteString)ca/NAME.cer",
                      "         (NAME: \(lab.catalogue.authorities.repositoryNames.map(\.name).joined(separator: ", ")))"]
            if let refused = lab.refusedOCSPURL { lines.append("  down:  \(refused.absoluteString) (refuses connections)") }
        }
        lines += ["", "trust files:",
                  "  public stand-in root:    \(lab.trust.publicRoot.path)",
                  "  government bundle:       \(lab.trust.governmentBundle.path)",
                  "  lab intermediate:        \(lab.trust.labIntermediate.path)",
                  "", "probe a case with them, e.g.:",
                  "  netaudit probe \(Self.exampleProbe(lab)) --public-ca-file \(lab.trust.publicRoot.path) --ca-file \(lab.trust.governmentBundle.path) --intermediates-file \(lab.trust.labIntermediate.path)",
                  "", "Ctrl-C or SIGTERM stops the lab.", ""]
        printOut(lines.joined(separator: "\n"))
        await SignalWait.interrupted()
        printError("netaudit lab: stopping")
    }
}

/// Prints a line on standard output each time a signal arrives (the signal no longer
/// has its default action) until `stop()`.
final class SignalLine {
    private let source: DispatchSourceSignal
    private let number: Int32

    init(_ number: Int32, line: @escaping @Sendable () -> String) {
        self.number = number
        signal(number, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { printOut(line()) }
        source.resume()
    }

    func stop() { source.cancel() }
}

/// The PID of the command the network lab runs, once spawned.
final class ChildPID: Sendable {
    let value = Atomic<Int32>(0)
}

/// Waits for SIGINT or SIGTERM without killing the process, so `defer` blocks run.
enum SignalWait {
    /// Signals caught from now on; `wait()` returns once one has arrived (at once if one has).
    /// `@unchecked Sendable`: the dispatch sources are set in init and never touched again.
    final class Started: @unchecked Sendable {
        private let state = Mutex<(arrived: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        private let sources: [DispatchSourceSignal]

        init() {
            var sources: [DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
            }
            self.sources = sources
            for source in sources {
                source.setEventHandler { [weak self] in self?.arrive() }
                source.resume()
            }
        }

        private func arrive() {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.arrived = true
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.arrived { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    static func start() -> Started { Started() }

    static func interrupted() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumed = Mutex(false)
            var sources: [DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    let first = resumed.withLock { done -> Bool in defer { done = true }; return !done }
                    if first { continuation.resume() }
                }
                source.resume()
                sources.append(source)
            }
            SignalWait.keep(sources)
        }
    }

    nonisolated(unsafe) private static var retained: [DispatchSourceSignal] = []
    private static func keep(_ sources: [DispatchSourceSignal]) { retained = sources }
}

import Synchronization

extension LabInventory.Scenario: ExpressibleByArgument {}
