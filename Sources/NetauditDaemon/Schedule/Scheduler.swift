import Foundation
import Logging
import NetauditAudit
import NetauditCore
import NetauditProbes
import NetauditReports
import NetauditStore
import ServiceLifecycle
import Synchronization

/// The two schedules: a link sweep every few minutes and a full audit once a day, each
/// with its jitter. A schedule runs one run at a time, so two runs of the same kind never
/// overlap, and a run that overruns its slot moves the next one to the first slot after it
/// ended. Runs go through the same `AuditRunner` and store as `netaudit audit`.
///
/// On graceful shutdown (SIGTERM) it tells systemd `STOPPING=1` and cancels the runs in
/// flight: their probes end at once, what they measured stays stored, and the run is
/// marked `aborted`.
final class Scheduler: Service, Sendable {
    private let status: DaemonStatus
    private let store: ResultStore
    private let metrics: DaemonMetrics
    private let alerts: AlertDispatcher
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let tracker: Mutex<StateTracker>

    init(status: DaemonStatus, store: ResultStore, metrics: DaemonMetrics, alerts: AlertDispatcher,
         notifier: SystemdNotifier, logger: Logger) {
        self.status = status
        self.store = store
        self.metrics = metrics
        self.alerts = alerts
        self.notifier = notifier
        self.logger = logger
        tracker = Mutex(Self.seededTracker(store: store, logger: logger))
    }

    /// The state of the latest stored runs, so that a restart does not announce again.
    private static func seededTracker(store: ResultStore, logger: Logger) -> StateTracker {
        var tracker = StateTracker()
        do {
            if let links = try store.latestRun(kinds: [.linkSweep, .audit]) {
                _ = tracker.update(run: links.id.value, inventory: links.inventory, links: try store.linkResults(run: links.id),
                                   endpoints: nil, announce: false)
            }
            if let tls = try store.latestRun(kinds: [.audit, .tlsOnly]) {
                _ = tracker.update(run: tls.id.value, inventory: tls.inventory, links: nil,
                                   endpoints: try store.endpointResults(run: tls.id), announce: false)
            }
        } catch {
            logger.warning("cannot read the latest runs to start the alert state from: \(error)")
        }
        return tracker
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.loop(.linkSweep) }
                    group.addTask { await self.loop(.audit) }
                }
            }
        } onGracefulShutdown: { [notifier, logger] in
            notifier.notify(["STOPPING=1", "STATUS=stopping: ending the runs in flight"])
            logger.notice("stopping: runs in flight are cancelled and marked aborted")
        }
    }

    private static func name(_ kind: RunKind) -> String { kind == .linkSweep ? "link sweep" : "full audit" }

    /// One schedule, until cancelled.
    private func loop(_ kind: RunKind) async {
        var slot: Date?
        var lastStart: Date?
        var generation = -1
        if kind == .audit && status.setup.configuration.fullAudit.atStart {
            slot = Date()
            generation = status.generation
        }
        while !Task.isCancelled {
            let setup = status.setup
            let configuration = setup.configuration
            let enabled = kind == .linkSweep ? configuration.linkSweep.enabled : configuration.fullAudit.enabled
            if generation != status.generation {
                generation = status.generation
                slot = nil
            }
            guard enabled else {
                status.update(kind) { $0.enabled = false; $0.nextAt = nil }
                await pause(until: .distantFuture, generation: generation)
                continue
            }
            let jitter: Duration
            if kind == .linkSweep {
                let every = configuration.linkSweep.every
                jitter = configuration.linkSweep.jitter
                // First sweep at once; after a reload, on the grid of the last one.
                slot = slot ?? lastStart.map { max($0.addingTimeInterval(every.seconds), Date()) } ?? Date()
            } else {
                jitter = configuration.fullAudit.jitter
                slot = slot ?? ScheduleMath.nextDaily(configuration.fullAudit.at, after: Date())
            }
            let start = ScheduleMath.start(of: slot!, jitter: jitter, fraction: Double.random(in: 0..<1))
            status.update(kind) { $0.enabled = true; $0.nextAt = start }
            logger.debug("next \(Self.name(kind)) at \(ISO8601DateFormatter().string(from: start))", metadata: ["kind": "\(kind.rawValue)"])
            guard await pause(until: start, generation: generation) else { continue }
            lastStart = Date()
            let ended = await runOnce(kind, setup: setup)
            if kind == .linkSweep {
                slot = ScheduleMath.nextSlot(after: slot!, every: configuration.linkSweep.every, ended: ended)
            } else {
                slot = ScheduleMath.nextDaily(configuration.fullAudit.at, after: max(ended, slot!))
            }
        }
    }

    /// Sleeps until `date`, waking every second to notice a reload; true when `date` came,
    /// false on a reload (the schedule is recomputed) or cancellation.
    private func pause(until date: Date, generation: Int) async -> Bool {
        while true {
            if Task.isCancelled || status.generation != generation { return false }
            let remaining = date.timeIntervalSinceNow
            if remaining <= 0 { return true }
            do { try await Task.sleep(for: .milliseconds(Int(min(remaining, 1) * 1000) + 1)) } catch { return false }
        }
    }

    /// One run: probe, judge, store; then the status, the metrics, the alerts and retention.
    /// Returns when it ended.
    private func runOnce(_ kind: RunKind, setup: AuditSetup) async -> Date {
        let name = Self.name(kind)
        let clock = ContinuousClock()
        let begin = clock.now
        let startedAt = Date()
        let engine = ProbeEngine(.init(allow: setup.inventory.allow))
        defer { engine.shutdown() }
        let runner = AuditRunner(store: store, policy: setup.policy, trust: setup.trust, engine: engine)
        let plan = AuditPlan(inventory: setup.inventory, inventoryPath: setup.inventoryPath, kind: kind)
        status.update(kind) { $0.runningSince = startedAt; $0.nextAt = nil }
        notifier.notify(["STATUS=\(status.statusLine())"])
        logger.info("\(name) started", metadata: ["kind": "\(kind.rawValue)", "agencies": "\(plan.agencies.count)"])

        let id: RunID
        do {
            id = try await runner.run(plan)
        } catch {
            logger.error("\(name) failed: \(error)", metadata: ["kind": "\(kind.rawValue)"])
            status.update(kind) { $0.runningSince = nil }
            metrics.runEnded(kind: kind, state: .aborted, duration: clock.now - begin)
            notifier.notify(["STATUS=\(status.statusLine())"])
            return Date()
        }
        let duration = clock.now - begin
        let endedAt = Date()
        do {
            let record = try store.run(id)
            let state = record?.state ?? .aborted
            let links = plan.probesLinks ? try store.linkResults(run: id) : nil
            let endpoints = plan.probesEndpoints ? try store.endpointResults(run: id) : nil
            let summary = AuditSummary(inventory: plan.auditedInventory, links: links ?? [], endpoints: endpoints ?? [], now: endedAt)
            metrics.runEnded(kind: kind, state: state, duration: duration)
            status.update(kind) {
                $0.runningSince = nil
                $0.last = DaemonStatus.RunOutcome(
                    id: id.value, state: state.rawValue, startedAt: startedAt, endedAt: endedAt, durationSeconds: duration.seconds,
                    levels: plan.probesLinks ? summary.levels : [],
                    endpoints: endpoints?.count, compliantEndpoints: endpoints?.filter { $0.verdict == .compliant }.count)
            }
            let rates = summary.levels.map { "\($0.level) \($0.figures.connected)/\($0.figures.agencies)" }.joined(separator: ", ")
            var fields: Logger.Metadata = ["kind": "\(kind.rawValue)", "run": "\(id)", "state": "\(state.rawValue)",
                                           "seconds": "\(String(format: "%.1f", duration.seconds))"]
            if let endpoints { fields["endpoints"] = "\(endpoints.count)" }
            if state == .complete {
                logger.info("\(name) complete: run \(id)\(plan.probesLinks ? ", connected \(rates)" : "")", metadata: fields)
                let events = tracker.withLock {
                    $0.update(run: id.value, inventory: plan.auditedInventory, links: links, endpoints: endpoints, now: endedAt)
                }
                alerts.announce(events)
            } else {
                logger.warning("\(name) aborted: run \(id) (\(record?.note ?? "interrupted")); what it measured is stored", metadata: fields)
            }
            try metrics.refresh(from: store)
            if let days = setup.configuration.keepDays {
                let removed = try store.prune(keepingDays: days)
                if removed > 0 { logger.info("retention: deleted \(removed) runs older than \(days) days") }
            }
        } catch {
            logger.error("\(name): the results store failed after run \(id): \(error)", metadata: ["kind": "\(kind.rawValue)", "run": "\(id)"])
            status.update(kind) { $0.runningSince = nil }
        }
        notifier.notify(["STATUS=\(status.statusLine())"])
        return endedAt
    }
}
