import NetauditCore
import Foundation
import Logging
@testable import NetauditDaemon
import NetauditAudit
import NetauditInventory
import NetauditPolicy
import NetauditProbes
import NetauditStore
import NetauditStoreSQLite
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

    static func record(_ store: SQLiteStore, kind: RunKind = .audit, path: String = "inventory.yaml",
                       links: [LinkResult], endpoints: [EndpointResult] = []) async throws -> RunID {
        let run = try await store.beginRun(kind: kind, inventory: Fixtures.inventory, inventoryPath: path, inventoryHash: "x")
        for link in links { try await store.record(link, in: run) }
        for endpoint in endpoints { try await store.record(endpoint, in: run) }
        try await store.finishRun(run, state: .complete)
        return run
    }

    /// What a scheduler of the test inventory needs: a store in `folder`, the lines it logs,
    /// its metrics and alerts.
    static func daemonParts(_ folder: String) throws
        -> (SQLiteStore, DaemonStatus, Lines, DaemonMetrics, AlertDispatcher, Logger) {
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        var configuration = DaemonConfiguration()
        configuration.inventory = "inventory.yaml"
        let setup = AuditSetup(configuration: configuration, inventory: Fixtures.inventory, policy: Policy(),
                               trust: try TrustStores(governmentAnchors: []))
        let status = DaemonStatus(setup: setup, configurationPath: folder + "/netaudit.yaml")
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: level) { line in lines.lines.withLock { $0.append(line) } } }
        let metrics = DaemonMetrics()
        return (store, status, lines, metrics, AlertDispatcher(logger: logger, metrics: metrics, webhook: { nil }), logger)
    }

    @Test func runsOfOtherProcessesAreTakenIn() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (store, status, lines, metrics, alerts, logger) = try Self.daemonParts(folder)
        let up = [Fixtures.link("52", up: true), Fixtures.link("21583", up: true), Fixtures.link("21584", up: true)]
        let down = [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true)]

        // Before the daemon: known, not news.
        _ = try await Self.record(store, links: down, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        let scheduler = Scheduler(status: status, store: store, metrics: metrics, alerts: alerts,
                                  notifier: SystemdNotifier(environment: [:]), logger: logger)
        await scheduler.start()
        #expect(lines.all.isEmpty)
        await scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 1.0"#))

        // The timer's audit: 21583 is back, the endpoint still not compliant.
        _ = try await Self.record(store, links: up, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        await scheduler.catchUp(announce: true)
        #expect(lines.all == ["<5>agency Xã Ia Ka (21583) is connected again agency=21583 event=agency_recovered run=2\n"])
        await scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 2.0"#))

        // Another inventory in the same store: not ours.
        _ = try await Self.record(store, path: "other/inventory.yaml", links: down)
        await scheduler.catchUp(announce: true)
        #expect(lines.all.count == 1)
        await scheduler.metricsSettled()
        #expect(metrics.render().contains(#"netaudit_last_run_id{kind="audit"} 2.0"#))

        // An audit begun before a sweep ends after it: its older link states bring nothing.
        let late = try await store.beginRun(kind: .audit, inventory: Fixtures.inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        _ = try await Self.record(store, kind: .linkSweep, links: up)
        await scheduler.catchUp(announce: true)
        for link in down { try await store.record(link, in: late) }
        try await store.finishRun(late, state: .complete)
        await scheduler.catchUp(announce: true)
        #expect(lines.all.count == 1, "\(lines.all)")
    }

    /// The first start after installation (an empty store): the first run is one
    /// `initial_state` line, not a line per problem; the next run announces its changes.
    @Test func aFreshInstallationAnnouncesOneDigestThenChanges() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (store, status, lines, metrics, alerts, logger) = try Self.daemonParts(folder)
        let scheduler = Scheduler(status: status, store: store, metrics: metrics, alerts: alerts,
                                  notifier: SystemdNotifier(environment: [:]), logger: logger)
        await scheduler.start()
        #expect(lines.all.isEmpty)

        let down = [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: false)]
        let first = try await Self.record(store, links: down, endpoints: [Fixtures.endpoint("52", compliant: false, expiresIn: 90)])
        await scheduler.catchUp(announce: true)
        #expect(lines.all == ["<5>initial state (run \(first.value)): 2 of 3 agencies not connected (2 down, 0 unreachable), 1 of 1 endpoints not compliant, 0 unreachable, 0 certificates expiring within 7 days; from now on each change is announced agency=52 event=initial_state run=\(first.value)\n"])
        #expect(metrics.render().contains(#"netaudit_alerts_total{event="initial_state"} 1"#))
        #expect(metrics.render().contains(#"netaudit_alerts_total{event="agency_down"} 0"#))

        let up = [Fixtures.link("52", up: true), Fixtures.link("21583", up: true), Fixtures.link("21584", up: false)]
        let second = try await Self.record(store, kind: .linkSweep, links: up)
        await scheduler.catchUp(announce: true)
        #expect(lines.all.dropFirst() == ["<5>agency Xã Ia Ka (21583) is connected again agency=21583 event=agency_recovered run=\(second.value)\n"])
    }
}
