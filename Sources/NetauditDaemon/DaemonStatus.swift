import NetauditAudit
import Foundation
import NetauditStore
import NetauditCore
import NetauditInventory
import NetauditProbes
import NetauditReports
import Synchronization

/// The daemon's shared state: the setup in force (swapped whole by a reload), and what the
/// schedules did and will do. `/status`, `STATUS=` and the runs read it; nothing here
/// touches the network or the disk.
public final class DaemonStatus: Sendable {
    /// One schedule's state.
    public struct Schedule: Sendable, Encodable {
        public var enabled: Bool
        /// When the run in flight started (nil: none is).
        public var runningSince: Date?
        public var nextAt: Date?
        public var last: RunOutcome?
        /// Why the latest attempt failed (the store), until a run ends again.
        public var lastError: String?
    }

    /// A run this daemon ended, with its connection figures per level.
    public struct RunOutcome: Sendable, Encodable {
        public var id: Int64
        public var state: String
        public var startedAt: Date
        public var endedAt: Date
        public var durationSeconds: Double
        public var levels: [AuditSummary.Level]
        public var endpoints: Int?
        public var compliantEndpoints: Int?
    }

    /// The TLS picture: the latest complete run that checked the endpoints (a full audit
    /// or a TLS-only run), from the store, whoever made it. A link sweep never changes it.
    public struct TLS: Sendable, Encodable {
        public var run: Int64
        public var kind: String
        public var startedAt: Date
        /// The endpoints of the inventory in force.
        public var endpoints: Int
        /// Those that run found compliant.
        public var compliant: Int
        /// Those it did not check (a run with `--only`, or an endpoint added since): not
        /// known to be compliant.
        public var notChecked: Int

        /// The endpoints of `inventory` as `run` found them: counted against the inventory,
        /// so that a run of a part of it (`--only`) never reads as the whole province.
        init(run: RunRecord, endpoints results: [EndpointResult], inventory: Inventory) {
            let planned = inventory.endpointKeys
            let found = results.filter { planned.contains($0.key) }
            self.run = run.id.value
            kind = run.kind.rawValue
            startedAt = run.startedAt
            endpoints = planned.count
            compliant = found.filter { $0.verdict == .compliant }.count
            notChecked = planned.count - Set(found.map(\.key)).count
        }
    }

    public struct Reload: Sendable, Encodable {
        public var at: Date
        public var accepted: Bool
        public var errors: [String]
    }

    private struct State: Sendable {
        var setup: AuditSetup
        var generation = 0
        var schedules: [String: Schedule] = [:]
        var reload: Reload?
        var tls: TLS?
        var spool: SpoolState?
    }

    private let state: Mutex<State>
    public let startedAt = Date()
    public let configurationPath: String

    public init(setup: AuditSetup, configurationPath: String) {
        state = Mutex(State(setup: setup))
        self.configurationPath = configurationPath
    }

    public var setup: AuditSetup { state.withLock { $0.setup } }
    /// Grows by one with each accepted reload: schedules recompute their slots.
    public var generation: Int { state.withLock { $0.generation } }

    public func replace(_ setup: AuditSetup) {
        state.withLock {
            $0.setup = setup
            $0.generation += 1
            $0.reload = Reload(at: Date(), accepted: true, errors: [])
        }
    }

    public func refused(_ errors: [String]) {
        state.withLock { $0.reload = Reload(at: Date(), accepted: false, errors: errors) }
    }

    public func update(_ kind: RunKind, _ change: (inout Schedule) -> Void) {
        state.withLock { state in
            var schedule = state.schedules[kind.rawValue] ?? Schedule(enabled: true)
            change(&schedule)
            state.schedules[kind.rawValue] = schedule
        }
    }

    public func schedule(_ kind: RunKind) -> Schedule? { state.withLock { $0.schedules[kind.rawValue] } }

    /// A newer run that checked the endpoints was taken in from the store.
    public func tlsChecked(_ tls: TLS) {
        state.withLock { state in
            if (state.tls?.run ?? .min) < tls.run { state.tls = tls }
        }
    }

    /// The spool's state (a store shipping to PostgreSQL).
    public func spoolChanged(_ spool: SpoolState) {
        state.withLock { $0.spool = spool }
    }

    /// The `/status` document.
    public func document() -> StatusDocument {
        state.withLock { state in
            let setup = state.setup
            let latestLinks = [RunKind.linkSweep, .audit].compactMap { state.schedules[$0.rawValue]?.last }.max { $0.endedAt < $1.endedAt }
            return StatusDocument(
                netaudit: .init(version: ProbeLibraries.netauditVersion, pid: getpid(), startedAt: startedAt),
                configuration: .init(file: configurationPath, inventory: setup.inventoryPath, database: setup.configuration.database,
                                     http: setup.configuration.http.listenText, agencies: setup.inventory.allAgencies.count,
                                     inventoryTitle: setup.inventory.title),
                reload: state.reload,
                schedules: state.schedules,
                levels: latestLinks?.levels ?? [],
                tls: state.tls,
                spool: state.spool)
        }
    }

    /// The one line `systemctl status` shows: the latest runs and the connection rate.
    public func statusLine() -> String {
        let document = self.document()
        var parts: [String] = []
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for (kind, name) in [(RunKind.linkSweep, "link sweep"), (.audit, "full audit")] {
            guard let schedule = document.schedules[kind.rawValue] else { continue }
            if let error = schedule.lastError {
                parts.append("\(name) failed: \(error)")
            } else if let since = schedule.runningSince {
                parts.append("\(name) running since \(formatter.string(from: since))")
            } else if let last = schedule.last {
                parts.append("last \(name) \(formatter.string(from: last.endedAt)) (run \(last.id), \(last.state))")
            }
        }
        if !document.levels.isEmpty {
            parts.append("connected: " + document.levels.map { level in
                "\(level.level) \(level.figures.connected)/\(level.figures.agencies) (\(String(format: "%.1f", level.figures.connectionRate))%, target \(String(format: "%g", level.targetPercent))%)"
            }.joined(separator: ", "))
        }
        // TLS from the run that checked it, with its date: never from a link sweep.
        if let tls = document.tls {
            parts.append("TLS (run \(tls.run), \(formatter.string(from: tls.startedAt))): \(tls.compliant)/\(tls.endpoints) endpoints compliant"
                         + (tls.notChecked > 0 ? ", \(tls.notChecked) not checked" : ""))
        } else if !parts.isEmpty {
            parts.append("TLS not checked yet")
        }
        if let spool = document.spool, spool.pending > 0 { parts.append(spool.summary) }
        if parts.isEmpty { return "waiting for the first run" }
        return parts.joined(separator: "; ")
    }
}

/// The JSON of `/status` (snake_case keys, ISO 8601 dates; docs/configuration.md).
public struct StatusDocument: Sendable, Encodable {
    public struct Process: Sendable, Encodable {
        public var version: String
        public var pid: Int32
        public var startedAt: Date
    }

    public struct Configuration: Sendable, Encodable {
        public var file: String
        public var inventory: String
        public var database: String
        public var http: String
        public var agencies: Int
        public var inventoryTitle: String?
    }

    public var netaudit: Process
    public var configuration: Configuration
    public var reload: DaemonStatus.Reload?
    public var schedules: [String: DaemonStatus.Schedule]
    /// Per level, from the latest run with links.
    public var levels: [AuditSummary.Level]
    /// The endpoints as the latest complete run that checked them found them (absent: no
    /// such run is stored; TLS is not checked yet).
    public var tls: DaemonStatus.TLS?
    /// With a PostgreSQL store: the local spool, the runs waiting in it and the last
    /// shipping error (absent with a SQLite store).
    public var spool: SpoolState?
}
