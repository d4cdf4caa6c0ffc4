import Foundation
import NetauditCore
import NetauditInventory
import NetauditLab
import NetauditPolicy
import NetauditStore
import NetauditStoreSQLite
import Synchronization
import Testing

/// What the network lab's tests need.
enum NetworkLabTools {
    static let ip = "/usr/sbin/ip"
    static let curl = "/usr/bin/curl"

    /// Why the network lab's tests cannot run here, or nil.
    static var unavailableReason: String? {
        if geteuid() != 0 { return "the network lab needs root (it creates network namespaces): run the tests as root" }
        for tool in [ip, curl, "/usr/sbin/nft"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (Debian: iproute2, curl, nftables)"
        }
        return nil
    }
}

/// `netaudit daemon` inside the network lab, over a commune whose link flaps every 4 s:
/// one alert per state change, never one per sweep, and `/metrics` telling the state of
/// the latest sweep. Root only: the lab is made of network namespaces.
@Suite(.serialized, .enabled(if: NetworkLabTools.unavailableReason == nil, Comment(rawValue: NetworkLabTools.unavailableReason ?? "")))
struct NetworkLabDaemonTests {
    static let ip = NetworkLabTools.ip
    static let curl = NetworkLabTools.curl

    /// A province node, a commune behind it that flaps, one that stays up.
    static let inventory = """
        levels: [province, commune]
        probe: {link: {count: 3, interval: 100ms, timeout: 400ms}}
        agencies:
          - code: "52"
            name: "Tỉnh Gia Lai"
            level: province
            link: {address: 127.2.0.52}
            children:
              - {code: "21583", name: "Xã Ia Ka", level: commune, link: {address: 127.6.0.1, via: "52"}}
              - {code: "21584", name: "Xã Ia Grai", level: commune, link: {address: 127.6.0.2, via: "52"}}
        """
    static let flapping = "21583", stable = "21584"

    /// The daemon, started inside the auditor's namespace (`ip netns exec` execs it: the
    /// process is the daemon), its standard error in a file.
    final class Daemon {
        let process = Process()
        let logPath: String

        init(namespace: String, config: String, folder: String) throws {
            logPath = folder + "/daemon.log"
            FileManager.default.createFile(atPath: logPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: NetworkLabDaemonTests.ip)
            process.arguments = ["netns", "exec", namespace, CLIRunner.binary, "daemon", "--config", config]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// The port from the "listening on http://127.0.0.1:PORT/" line.
        var port: Int? {
            guard let range = log.range(of: #"listening on http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else { return nil }
            return Int(log[range].split(separator: ":").last!.dropLast())
        }

        func stop() { CLIRunner.stop(process) }
    }

    /// An alert line: `<4>agency … agency=21583 event=agency_down rule=link.down run=7`.
    struct Alert: Equatable, CustomStringConvertible {
        let event: String
        let agency: String
        let run: Int64
        var description: String { "\(event) \(agency) run \(run)" }
    }

    static func alerts(in log: String) -> [Alert] {
        log.split(separator: "\n").compactMap { line -> Alert? in
            let fields = Dictionary(line.split(separator: " ").compactMap { word -> (String, String)? in
                let parts = word.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }, uniquingKeysWith: { _, last in last })
            guard let event = fields["event"], event.hasPrefix("agency_"), let agency = fields["agency"],
                  let run = fields["run"].flatMap({ Int64($0) }) else { return nil }
            return Alert(event: event, agency: agency, run: run)
        }
    }

    /// The ids of the sweeps the log says are complete.
    static func completeSweeps(in log: String) -> [Int64] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #"link sweep complete: run [0-9]+"#, options: .regularExpression) else { return nil }
            return Int64(line[range].split(separator: " ").last!)
        }
    }

    /// The alerts the daemon must have sent for `code` over `states` (run id, connected),
    /// oldest first: starting from an empty store, the first state is the baseline (in the
    /// `initial_state` digest), and each change after it is news.
    static func expectedAlerts(_ code: String, _ states: [(run: Int64, connected: Bool)]) -> [Alert] {
        var alerts: [Alert] = []
        var before = states.first?.connected
        for (run, connected) in states.dropFirst() {
            if !connected && before != false { alerts.append(Alert(event: "agency_down", agency: code, run: run)) }
            if connected && before == false { alerts.append(Alert(event: "agency_recovered", agency: code, run: run)) }
            before = connected
        }
        return alerts
    }

    /// `/metrics`, fetched from inside the namespace (the daemon listens on its loopback).
    static func metrics(namespace: String, port: Int) throws -> String {
        let result = try CLIRunner.run(["netns", "exec", namespace, curl, "-s", "--max-time", "5", "http://127.0.0.1:\(port)/metrics"],
                                       executable: ip)
        return result.status == 0 ? result.stdout : ""
    }

    /// The value of the first series of `metrics` that starts with `prefix` (labels included).
    static func value(_ metrics: String, _ prefix: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func oneAlertPerStateChangeOverAFlappingLink() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.inventory.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let source = try InventoryLoader().load(path: folder + "/inventory.yaml")
        let scenario = NetworkScenario(agencies: [Self.flapping: NetworkScenario.Conduct(flap: .seconds(4))])
        let changes = Mutex<[(at: Date, line: String)]>([])
        let lab = try LabNetwork(inventory: source, scenario: scenario) { line in
            changes.withLock { $0.append((Date(), line)) }
        }
        defer {
            lab.stop()
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix(lab.prefix + "-") }
            #expect(left.isEmpty, "namespaces left behind: \(left)")
        }
        try """
            inventory: \(lab.inventoryPath)
            database: \(folder)/results.sqlite
            schedules: {link_sweep: {every: 1s, jitter: 0s}, full_audit: {enabled: false}}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try Daemon(namespace: lab.auditorNamespace, config: folder + "/netaudit.yaml", folder: folder)
        defer { daemon.stop() }

        // Sweep until the daemon has seen the link change four times (about 17 s after the
        // lab started: it flaps at 4, 8, 12 and 16 s), at most 35 s.
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        func states(before limit: Int64) async throws -> (runs: [RunRecord], flapping: [(run: Int64, connected: Bool)]) {
            let runs = try await store.runs(limit: 500).filter { $0.kind == .linkSweep && $0.state == .complete && $0.id.value < limit }
                .sorted { $0.id < $1.id }
            var flapping: [(run: Int64, connected: Bool)] = []
            for run in runs {
                let results = try await store.linkResults(run: run.id)
                let state = try #require(results.first { $0.agencyCode == Self.flapping }, "run \(run.id.value) has no link for \(Self.flapping)").state
                flapping.append((run.id.value, Policy.isConnected(state)))
                #expect(results.filter { $0.agencyCode != Self.flapping }.allSatisfy { Policy.isConnected($0.state) },
                        "run \(run.id.value): \(results.map { "\($0.agencyCode) \($0.state.map { "\($0)" } ?? "-")" })")
            }
            return (runs, flapping)
        }
        let deadline = Date().addingTimeInterval(35)
        var changesSeen = 0
        while Date() < deadline && changesSeen < 4 {
            try await Task.sleep(for: .milliseconds(500))
            #expect(daemon.process.isRunning, "the daemon stopped\n\(daemon.log)")
            guard daemon.process.isRunning else { return }
            let flapping = try await states(before: .max).flapping
            changesSeen = zip(flapping, flapping.dropFirst()).filter { $0.connected != $1.connected }.count
        }
        #expect(changesSeen >= 4, "the daemon saw \(changesSeen) changes\n\(daemon.log)")

        // /metrics: the state of the sweep the metrics come from, and the alert counters,
        // counted in the log before and after the scrape (they grow together, log first).
        let port = try #require(daemon.port, "\(daemon.log)")
        let alertsBefore = Self.alerts(in: daemon.log)
        let metrics = try Self.metrics(namespace: lab.auditorNamespace, port: port)
        let alertsAfter = Self.alerts(in: daemon.log)
        let metricsRun = try #require(Self.value(metrics, #"netaudit_last_run_id{kind="link_sweep"}"#), "\(metrics)")
        let results = try await store.linkResults(run: RunID(Int64(metricsRun)))
        for code in ["52", Self.flapping, Self.stable] {
            let result = try #require(results.first { $0.agencyCode == code })
            let expected = Policy.isConnected(result.state) ? 1.0 : 0.0
            #expect(Self.value(metrics, "netaudit_link_up{agency=\"\(code)\"") == expected, "\(code) in run \(Int64(metricsRun))")
            #expect(Self.value(metrics, "netaudit_agency_connected{agency=\"\(code)\"") == expected, "\(code) in run \(Int64(metricsRun))")
        }
        for event in ["agency_down", "agency_recovered"] {
            let counted = try #require(Self.value(metrics, "netaudit_alerts_total{event=\"\(event)\"}"), "\(metrics)")
            let logged = (alertsBefore.filter { $0.event == event }.count, alertsAfter.filter { $0.event == event }.count)
            #expect((Double(logged.0)...Double(logged.1)).contains(counted), "\(event): \(counted) counted, \(logged) logged")
        }
        #expect(Self.value(metrics, #"netaudit_level_agencies{level="commune"}"#) == 2)

        // The alerts: exactly one per change the daemon stored, for the flapping commune
        // only. The log is read first: a sweep logged complete after run N means run N's
        // alerts are written (each sweep announces before the next starts).
        let log = daemon.log
        let barrier = try #require(Self.completeSweeps(in: log).max(), "\(log)")
        let (runs, flapping) = try await states(before: barrier)
        let alerts = Self.alerts(in: log).filter { $0.run < barrier }
        #expect(alerts.filter { $0.agency != Self.flapping }.isEmpty, "\(alerts)")
        let expected = Self.expectedAlerts(Self.flapping, flapping)
        // The first sweep's state is one digest (no full audit: links only).
        #expect(log.split(separator: "\n").filter { $0.contains("event=initial_state") }.count == 1, "\(log)")
        #expect(alerts == expected, "stored states: \(flapping.map { "\($0.run):\($0.connected ? "up" : "down")" })")
        // Never one per sweep: the link stayed down over several sweeps per alert.
        let downSweeps = flapping.filter { !$0.connected }.count
        let downAlerts = expected.filter { $0.event == "agency_down" }.count
        #expect(downAlerts >= 2 && downSweeps >= 2 * downAlerts, "\(downSweeps) sweeps saw it down, \(downAlerts) alerts")
        #expect(runs.count >= 3 * expected.count, "\(runs.count) sweeps, \(expected.count) alerts")

        // And as many changes as the lab made while the daemon swept: every change after
        // the first sweep ended and before the last one started was seen; at most those
        // inside the first and last sweeps too.
        let storedChanges = zip(flapping, flapping.dropFirst()).filter { $0.connected != $1.connected }.count
        let first = try #require(runs.first), last = try #require(runs.last)
        let made = changes.withLock { $0 }
        #expect(made.allSatisfy { $0.line.contains(" \(Self.flapping) ") && $0.line.hasSuffix("(flap)") }, "\(made.map(\.line))")
        let surely = made.filter { $0.at > (first.endedAt ?? first.startedAt) && $0.at < last.startedAt }.count
        let possibly = made.filter { $0.at >= first.startedAt && $0.at <= (last.endedAt ?? .distantFuture) }.count
        #expect((surely...possibly).contains(storedChanges), "the lab changed the link \(surely) to \(possibly) times, the daemon saw \(storedChanges)")

        daemon.stop()
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0, "\(daemon.log)")
    }
}
