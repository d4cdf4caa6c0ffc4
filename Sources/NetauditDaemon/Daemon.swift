import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NetauditInventory
import NetauditProbes
import NetauditAudit
import NetauditCore
import NetauditStore
import NetauditStores
import ServiceLifecycle
import UnixSignals

/// `netaudit daemon`: continuous auditing as a systemd service.
///
/// Start: read the configuration and the inventory (refused whole, exit 2, before anything
/// starts), open the store, listen on HTTP, then `READY=1`. The services run in one
/// swift-service-lifecycle group: the schedules, the alert deliveries, the reload on
/// SIGHUP, the HTTP server and the watchdog. SIGTERM or SIGINT shuts them down gracefully,
/// the schedules first (runs in flight cancelled and marked aborted), then the store is
/// closed.
public enum Daemon {
    /// Exit statuses of `netaudit daemon` (docs/configuration.md).
    public enum ExitStatus {
        public static let stopped: Int32 = 0
        public static let invalidSetup: Int32 = 2
        public static let internalError: Int32 = 3
    }

    public static func run(configurationPath: String) async -> Int32 {
        ProcessLimits.raiseOpenFiles()  // soft open-file limit to the hard one (LimitNOFILE)
        let level = JournalLogHandler.Level(.info)
        let journal = JournalLogHandler.Journal.detect()  // native fields under systemd; text lines otherwise
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level, journal: journal) }
        let logger = Logger(label: "netaudit")
        let notifier = SystemdNotifier()

        let setup: AuditSetup
        do {
            setup = try AuditSetup.load(try AuditSetup.loadConfiguration(configurationPath))
        } catch {
            error.lines.forEach { logger.error("\($0)") }
            logger.error("\(error.summary); nothing started")
            return ExitStatus.invalidSetup
        }
        level.current = Logger.Level(setup.configuration.logLevel)
        // The TLS files are loaded before anything starts: an unusable key is a set-up error.
        let listen = setup.configuration.http
        let server: HTTPServerBuilder
        do { server = try HTTPSecurity.server(listen) } catch {
            logger.error("\(error); nothing started")
            return ExitStatus.invalidSetup
        }
        let store: any ResultStore
        do {
            let configuration = setup.configuration
            store = try await Stores.open(configuration.database, history: configuration.history,
                                          site: configuration.site ?? setup.inventory.agencies.first?.code,
                                          spool: configuration.spool ?? Stores.defaultSpool(site: configuration.site))
        } catch {
            logger.error("\(error); nothing started")
            return ExitStatus.invalidSetup
        }
        for run in store.recoveredRuns {
            logger.notice("run \(run) was cut off earlier (its process is gone); it is now marked aborted", metadata: ["run": "\(run)"])
        }
        logger.notice("starting: inventory \(setup.inventoryPath) (\(setup.inventory.allAgencies.count) agencies), store \(store.location)",
                      metadata: ["configuration": "\(configurationPath)"])

        let status = DaemonStatus(setup: setup, configurationPath: configurationPath)
        let metrics = DaemonMetrics()
        let alerts = AlertDispatcher(logger: logger, metrics: metrics, webhook: { status.setup.configuration.webhook })
        let scheduler = Scheduler(status: status, store: store, metrics: metrics, alerts: alerts, notifier: notifier, logger: logger)
        await scheduler.start()  // what the store already holds was announced before
        // Trapped now, before READY=1, so that a SIGHUP right after start is a reload.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = Reloader(signals: hangups, path: configurationPath, status: status, level: level, metrics: metrics,
                                notifier: notifier, logger: logger)
        let ready: @Sendable (String?) -> Void = { address in
            if let address {
                let auth = listen.basicAuth.map { ", basic auth for \($0.user)" } ?? ""
                logger.notice("listening on \(listen.scheme)://\(address)/ (metrics, status, report\(auth))", metadata: ["listen": "\(address)"])
            }
            notifier.notify(["READY=1", "STATUS=\(status.statusLine())"])
        }

        var services: [any Service] = [Watchdog(notifier: notifier, logger: logger), alerts]
        if let spool = store as? any SpoolReporting {
            services.append(SpoolWatch(spool: spool, status: status, metrics: metrics, notifier: notifier, logger: logger))
        }
        if listen.enabled {
            services.append(HTTPService(
                application: StatusServer.application(status: status, metrics: metrics, store: store, logger: logger, server: server) { ready($0) },
                listen: listen.listenText))
        }
        services += [reloader, scheduler]
        if !listen.enabled { ready(nil) }

        var quiet = logger
        quiet.logLevel = .warning
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: quiet))
        var exitStatus = ExitStatus.stopped
        do {
            try await group.run()
        } catch let error as HTTPListenError {
            logger.error("\(error)")
            exitStatus = ExitStatus.invalidSetup
        } catch {
            logger.error("stopped on an error: \(error)")
            exitStatus = ExitStatus.internalError
        }
        await scheduler.metricsSettled()  // a rebuild in flight reads the store: let it end first
        do { try await store.close() } catch { logger.error("closing the store: \(error)") }
        logger.notice("stopped")
        return exitStatus
    }
}

/// The Hummingbird application, with a clear error when it cannot listen.
struct HTTPService<Application: ApplicationProtocol>: Service {
    let application: Application
    let listen: String

    func run() async throws {
        do {
            try await application.run()
        } catch {
            throw HTTPListenError(listen: listen, underlying: error)
        }
    }
}

/// The HTTP server could not start (the address is taken, not local, not allowed).
struct HTTPListenError: Error, CustomStringConvertible {
    let listen: String
    let underlying: any Error
    var description: String { "cannot serve HTTP on \(listen) (http.listen): \(underlying)" }
}

/// SIGHUP: reread the configuration and the inventory. A valid new setup is used from the
/// next run on; an invalid one is logged with every error and the old one stays in force.
/// The database and the HTTP address change only at restart.
///
/// The files are read and checked on a Dispatch worker, off the concurrency pool, so that a
/// slow load (a large inventory, a slow disk) never holds the watchdog or the HTTP server;
/// a stop during the load abandons it (the worker's result is dropped, the process ends).
struct Reloader: Service {
    let signals: UnixSignalsSequence
    let path: String
    let status: DaemonStatus
    let level: JournalLogHandler.Level
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.notify(["RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())", "STATUS=reloading"])
            let path = self.path, current = status.setup.configuration, logger = self.logger
            guard let loaded = await Abandonable.offPool({ Self.load(path, current: current, logger: logger) }) else {
                logger.notice("reload abandoned: the daemon is stopping; the running configuration and inventory stay until the end")
                return
            }
            apply(loaded)
            notifier.notify(["READY=1", "STATUS=\(status.statusLine())"])
        }
    }

    /// Reads both files; `database` and `http` keep their running values.
    static func load(_ path: String, current: DaemonConfiguration, logger: Logger) -> Result<AuditSetup, SetupError> {
        do {
            var configuration = try AuditSetup.loadConfiguration(path)
            if configuration.database != current.database || configuration.http != current.http {
                logger.warning("reload: the database and http settings change only at restart; the running ones stay")
                configuration.database = current.database
                configuration.http = current.http
            }
            return .success(try AuditSetup.load(configuration))
        } catch {
            return .failure(error)
        }
    }

    func apply(_ loaded: Result<AuditSetup, SetupError>) {
        switch loaded {
        case .success(let setup):
            status.replace(setup)
            level.current = Logger.Level(setup.configuration.logLevel)
            metrics.reload(accepted: true)
            logger.notice("reloaded: inventory \(setup.inventoryPath) (\(setup.inventory.allAgencies.count) agencies) is used from the next run on")
        case .failure(let error):
            error.lines.forEach { logger.error("\($0)") }
            logger.error("reload refused: \(error.summary); the previous configuration and inventory stay in force")
            status.refused(error.lines + [error.summary])
            metrics.reload(accepted: false)
        }
    }
}

/// `WATCHDOG=1` at half the interval systemd set (`WatchdogSec=`), from the same
/// concurrency pool the runs use: a daemon whose pool is stuck stops sending them and
/// systemd restarts it.
/// Follows the spool of a store that ships to PostgreSQL: `/status`, `/metrics` and the
/// STATUS line say how many runs wait and why; a change of state is logged once.
struct SpoolWatch: Service {
    let spool: any SpoolReporting
    let status: DaemonStatus
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger
    var every: Duration = .seconds(5)

    func run() async throws {
        var shown: String?
        var logged: (spooling: Bool, error: String?) = (false, nil)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let state = await spool.spoolState()
            status.spoolChanged(state)
            metrics.spool(state)
            // Logged when spooling starts, when its reason changes, and when it ends; not
            // for every run that joins the queue.
            if state.isSpooling && (!logged.spooling || logged.error != state.lastError) {
                logger.warning("\(state.summary)", metadata: ["spool": "\(state.path)"])
            } else if !state.isSpooling && logged.spooling {
                logger.notice("shipping to \(state.target) again: \(state.summary)", metadata: ["spool": "\(state.path)"])
            }
            logged = (state.isSpooling, state.lastError)
            let line = state.pending > 0 ? state.summary : nil
            if line != shown {
                shown = line
                notifier.notify(["STATUS=\(status.statusLine())"])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: every) } } catch { break }
        }
    }
}

struct Watchdog: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        guard let interval = SystemdNotifier.watchdogInterval() else { return try await gracefulShutdown() }
        logger.debug("watchdog: a keep-alive every \(interval / 2)")
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            notifier.notify(["WATCHDOG=1"])
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) } } catch { break }
        }
    }
}
