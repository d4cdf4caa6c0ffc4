import Foundation
import Logging
import NetauditAudit
import NetauditCore
import NetauditInventory
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
    private let store: any ResultStore
    private let metrics: DaemonMetrics
    private let alerts: AlertDispatcher
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let tracker: Mutex<Announced>
    /// The metrics rebuild in flight, if any: rebuilds run one after the other.
    private let metricsRebuild = Mutex<Task<Void, Never>?>(nil)

    /// The alert state and the newest runs it has taken in (links, endpoints).
    struct Announced {
        var tracker = StateTracker()
        var links: Int64 = 0
        var endpoints: Int64 = 0
    }

    /// How often the store is looked at for runs of other processes (`netaudit audit`
    /// by the timer or by hand): their results feed the alerts and the metrics too.
    static let watchInterval: Duration = .seconds(30)

    init(status: DaemonStatus, store: any ResultStore, metrics: DaemonMetrics, alerts: AlertDispatcher,
         notifier: SystemdNotifier, logger: Logger) {
        self.status = status
        self.store = store
        self.metrics = metrics
        self.alerts = alerts
        self.notifier = notifier
        self.logger = logger
        tracker = Mutex(Announced())
    }

    /// Takes in what the store already holds, without announcing it (it was announced
    /// before): the daemon does this before it starts its schedules.
    func start() async {
        await catchUp(announce: false)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.loop(.linkSweep) }
                    group.addTask { await self.loop(.audit) }
                    group.addTask { await self.watch() }
                }
            }
        } onGracefulShutdown: { [notifier, logger] in
            notifier.notify(["STOPPING=1", "STATUS=stopping: ending the runs in flight"])
            logger.notice("stopping: runs in flight are cancelled and marked aborted")
        }
    }

    private static func name(_ kind: RunKind) -> String { kind == .linkSweep ? "link sweep" : "full audit" }

    /// The settings a schedule's slots are computed from: a reload that changes them
    /// recomputes the slot; any other reload keeps it (and its jitter).
    private static func settings(_ kind: RunKind, _ configuration: DaemonConfiguration) -> String {
        kind == .linkSweep
            ? "\(configuration.linkSweep.enabled) \(configuration.linkSweep.every) \(configuration.linkSweep.jitter)"
            : "\(configuration.fullAudit.enabled) \(configuration.fullAudit.at) \(configuration.fullAudit.jitter)"
    }

    /// One schedule, until cancelled.
    private func loop(_ kind: RunKind) async {
        // The slot the next run is due at, and when it starts (its slot plus a random part
        // of the jitter, drawn once). The first sweep, and the full audit with `at_start`,
        // start at once.
        var slot: Date?, start: Date?
        if kind == .linkSweep || status.setup.configuration.fullAudit.atStart {
            slot = Date()
            start = slot
        }
        var lastStart: Date?
        var settings: String?
        while !Task.isCancelled {
            let generation = status.generation
            let configuration = status.setup.configuration
            let current = Self.settings(kind, configuration)
            if let settings, settings != current { slot = nil; start = nil }
            settings = current
            let enabled = kind == .linkSweep ? configuration.linkSweep.enabled : configuration.fullAudit.enabled
            guard enabled else {
                status.update(kind) { $0.enabled = false; $0.nextAt = nil }
                _ = await pause(until: .distantFuture, generation: generation)
                continue
            }
            if slot == nil {
                if kind == .linkSweep {
                    // After a reload, on the grid of the last sweep (or at once after an overrun).
                    slot = lastStart.map { max($0.addingTimeInterval(configuration.linkSweep.every.seconds), Date()) } ?? Date()
                } else {
                    slot = ScheduleMath.nextDaily(configuration.fullAudit.at, after: Date())
                }
            }
            let jitter = kind == .linkSweep ? configuration.linkSweep.jitter : configuration.fullAudit.jitter
            let due = start ?? ScheduleMath.start(of: slot!, jitter: jitter, fraction: Double.random(in: 0..<1))
            start = due
            status.update(kind) { $0.enabled = true; $0.nextAt = due }
            logger.debug("next \(Self.name(kind)) at \(ISO8601DateFormatter().string(from: due))", metadata: ["kind": "\(kind.rawValue)"])
            // A reload wakes it: the loop looks at the settings again.
            guard await pause(until: due, generation: generation) else { continue }
            lastStart = Date()
            let ended = await runOnce(kind, setup: status.setup)
            let after = status.setup.configuration
            if kind == .linkSweep {
                slot = ScheduleMath.nextSlot(after: slot!, every: after.linkSweep.every, ended: ended)
            } else {
                slot = ScheduleMath.nextDaily(after.fullAudit.at, after: max(ended, slot!))
            }
            start = nil
        }
    }

    /// Looks at the store every `watchInterval` for runs this daemon did not make.
    private func watch() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.watchInterval) } catch { return }
            await catchUp(announce: true)
        }
    }

    /// Takes in the newest complete runs of this inventory, whoever made them: announces
    /// the state changes they bring (each only once, and never from a run older than one
    /// already taken in: a full audit that ends after newer sweeps does not bring back its
    /// older link states), and refreshes the metrics.
    func catchUp(announce: Bool) async {
        let path = status.setup.inventoryPath
        do {
            var events = try await takeIn(kinds: [.linkSweep, .audit], newest: \.links, path: path, announce: announce) { run throws(StoreError) in
                (try await self.store.linkResults(run: run.id), nil)
            }
            events += try await takeIn(kinds: [.audit, .tlsOnly], newest: \.endpoints, path: path, announce: announce) { run throws(StoreError) in
                let endpoints = try await self.store.endpointResults(run: run.id)
                self.status.tlsChecked(.init(run: run, endpoints: endpoints, inventory: self.status.setup.inventory))
                return (nil, endpoints)
            }
            alerts.announce(AlertEvent.mergingDigests(events))
        } catch {
            logger.warning("cannot read the latest runs from the store: \(error)")
        }
        // A national inventory's metrics take seconds to rebuild: in a task of their own,
        // after the rebuild before it, so that the schedules and the watchdog never wait.
        metricsRebuild.withLock { previous in
            previous = Task { [metrics, store, logger, previous] in
                await previous?.value
                let clock = ContinuousClock(), begin = clock.now
                do {
                    if try await metrics.refresh(from: store, inventoryPath: path) {
                        logger.debug("metrics rebuilt from the store in \(clock.now - begin)")
                    }
                } catch {
                    logger.warning("metrics: cannot read the latest runs from the store: \(error)")
                }
            }
        }
    }

    /// The state changes of the newest complete run of `kinds`, when it is newer than the
    /// one taken in last (`newest`); `results` reads its links or its endpoints.
    private func takeIn(kinds: [RunKind], newest: WritableKeyPath<Announced, Int64>, path: String, announce: Bool,
                        results: (RunRecord) async throws(StoreError) -> ([LinkResult]?, [EndpointResult]?)) async throws(StoreError) -> [AlertEvent] {
        guard let id = try await store.latestRunID(kinds: kinds, inventoryPath: path), id.value > tracker.withLock({ $0[keyPath: newest] }),
              let run = try await store.run(id) else { return [] }
        let (links, endpoints) = try await results(run)
        return tracker.withLock { state -> [AlertEvent] in
            guard run.id.value > state[keyPath: newest] else { return [] }  // another caller was first
            state[keyPath: newest] = run.id.value
            return state.tracker.update(run: run.id.value, inventory: run.inventory, links: links, endpoints: endpoints, announce: announce)
        }
    }

    /// Waits for the metrics rebuilds started so far (tests, and the daemon before it
    /// closes the store).
    func metricsSettled() async {
        await metricsRebuild.withLock { $0 }?.value
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
            // A full disk stops every run until space is freed: said louder than a one-off failure.
            if error.code == .diskFull {
                logger.critical("\(name) failed: \(error); no run is stored until space is freed", metadata: ["kind": "\(kind.rawValue)", "code": "\(error.code.rawValue)"])
            } else {
                logger.error("\(name) failed: \(error)", metadata: ["kind": "\(kind.rawValue)", "code": "\(error.code.rawValue)"])
            }
            status.update(kind) { $0.runningSince = nil; $0.lastError = "\(error)" }
            metrics.runEnded(kind: kind, state: .aborted, duration: clock.now - begin)
            notifier.notify(["STATUS=\(status.statusLine())"])
            return Date()
        }
        let duration = clock.now - begin
        let endedAt = Date()
        do {
            let record = try await store.run(id)
            let state = record?.state ?? .aborted
            let links = plan.probesLinks ? try await store.linkResults(run: id) : nil
            let endpoints = plan.probesEndpoints ? try await store.endpointResults(run: id) : nil
            let summary = AuditSummary(inventory: plan.auditedInventory, links: links ?? [], endpoints: endpoints ?? [], now: endedAt,
                                       endpointsPlanned: plan.probesEndpoints, complete: state == .complete)
            metrics.runEnded(kind: kind, state: state, duration: duration)
            status.update(kind) {
                $0.runningSince = nil
                $0.lastError = nil
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
            } else {
                logger.warning("\(name) aborted: run \(id) (\(record?.note ?? "interrupted")); what it measured is stored", metadata: fields)
            }
            await catchUp(announce: true)
            let removed = try await store.prune(now: Date())
            if removed.total > 0 {
                logger.info("retention: deleted \(removed.runs) runs, \(removed.intervals) intervals and \(removed.rollups) roll-ups past their tier")
            }
        } catch {
            logger.error("\(name): the results store failed after run \(id): \(error)", metadata: ["kind": "\(kind.rawValue)", "run": "\(id)"])
            status.update(kind) { $0.runningSince = nil; $0.lastError = "\(error)" }
        }
        notifier.notify(["STATUS=\(status.statusLine())"])
        return endedAt
    }
}
