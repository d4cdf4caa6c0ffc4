import NetauditCore
import Foundation
import Logging
@testable import NetauditDaemon
import NetauditInventory
import NetauditPolicy
import NetauditProbes
import NetauditStore
import Synchronization
import Testing

/// Runs of other processes (the timer's `netaudit audit --config`, an audit by hand) feed
/// the daemon's alerts and metrics; runs of another inventory, and runs older than one
/// already taken in, do not.
struct StoreWatchTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    static func record(_ store: ResultStore, kind: RunKind = .audit, path: String = "inventory.yaml",
                       links: [LinkResult], endpoints: [EndpointResult] = []) throws -> RunID {
        let run = try store.beginRun(kind: kind, inventory: Fixtures.inventory, inventoryPath: path, inventoryHash: "x")
        try links.forEach { try store.record($0, in: run) }
        try endpoints.forEach { try store.record($0, in: run) }
        try store.finishRun(run, state: .complete)
        return run
    }

    @Test func runsOfOtherProcessesAreTakenIn() throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ResultStore(path: folder + "/results.sqlite")
        var configuration = DaemonConfiguration()
        configuration.inventory = "inventory.yaml"
        let setup = AuditSetup(configuration: configuration, inventory: Fixtures.inventory, policy: Policy(),
                               trust: try TrustStores(governmentAnchors: []))
        let status = DaemonStatus(setup: setup, configurationPath: folder + "/netaudit.yaml")
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: level) { line in lines.lines.withLock { $0.append(line) } } }
        let metrics = DaemonMetrics()
        let alerts = AlertDispatcher(logger: logger, metrics: metrics, webhook: { nil })
        let up = [Fixtures.link("52", up: true), Fixtures.link("21583", up: true), Fixtures.link("21584", up: true)]
        let down = [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true)]

        // Before the daemon: known, not news.
        _ = try Self.record(store, links: down, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        let scheduler = Scheduler(status: status, store: store, metrics: metrics, alerts: alerts,
                                  notifier: SystemdNotifier(environment: [:]), logger: logger)
        #expect(lines.all.isEmpty)
        scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 1.0"#))

        // The timer's audit: 21583 is back, the endpoint still not compliant.
        _ = try Self.record(store, links: up, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        scheduler.catchUp(announce: true)
        #expect(lines.all == ["<5>agency Xã Ia Ka (21583) is connected again agency=21583 event=agency_recovered run=2\n"])
        scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 2.0"#))

        // Another inventory in the same store: not ours.
        _ = try Self.record(store, path: "other/inventory.yaml", links: down)
        scheduler.catchUp(announce: true)
        #expect(lines.all.count == 1)
        scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 2.0"#))

        // An audit begun before a sweep ends after it: its older link states bring nothing.
        let late = try store.beginRun(kind: .audit, inventory: Fixtures.inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        _ = try Self.record(store, kind: .linkSweep, links: up)
        scheduler.catchUp(announce: true)
        try down.forEach { try store.record($0, in: late) }
        try store.finishRun(late, state: .complete)
        scheduler.catchUp(announce: true)
        #expect(lines.all.count == 1, "\(lines.all)")
    }
}
