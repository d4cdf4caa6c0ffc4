import Foundation
import NetauditCore

// An auditor whose store is a PostgreSQL server writes every run into a local SQLite
// spool first and ships each run to the server once it has ended, in the order runs
// ended, each in one transaction keyed by the run's globally unique id (`RunRecord.uid`):
// a run shipped twice (a kill between the server's commit and the spool's mark) is
// stored once. While the server does not answer, runs wait in the spool, across restarts.

/// A whole ended run, as it is shipped or copied from one store into another.
public struct ShippedRun: Sendable {
    public var record: RunRecord
    public var links: [LinkResult]
    public var endpoints: [EndpointResult]
    public init(record: RunRecord, links: [LinkResult], endpoints: [EndpointResult]) {
        self.record = record
        self.links = links
        self.endpoints = endpoints
    }
}

/// What the central store did with a shipped run.
public enum ShipOutcome: Sendable, Equatable {
    /// Stored as run `RunID` of the central store.
    case stored(RunID)
    /// Already there (same uid) as run `RunID`: nothing written.
    case alreadyThere(RunID)

    public var remoteID: RunID {
        switch self { case .stored(let id), .alreadyThere(let id): id }
    }
}

/// A store that takes whole runs from another (the central store).
public protocol RunImporting: Sendable {
    /// Stores `run` with its results and findings in one transaction, unless a run with its
    /// uid is already there. A complete run extends the history as if it had just ended.
    func ship(_ run: ShippedRun) async throws(StoreError) -> ShipOutcome
}

/// The state of a spool, as `/healthz`, the daemon's STATUS and `store check` say it.
public struct SpoolState: Sendable, Equatable, Codable {
    /// The spool file.
    public var path: String
    /// The central store (its URL, without a password).
    public var target: String
    /// Ended runs not yet shipped, and when the oldest of them started.
    public var pending: Int
    public var oldestPending: Date?
    /// Runs shipped by this process, and when the last one was.
    public var shipped: Int
    public var lastShipped: Date?
    /// Why the last attempt failed, when it did (the central store's error); nil when the
    /// last attempt succeeded or none was made yet.
    public var lastError: String?
    public var lastAttempt: Date?

    public init(path: String, target: String, pending: Int = 0, oldestPending: Date? = nil, shipped: Int = 0,
                lastShipped: Date? = nil, lastError: String? = nil, lastAttempt: Date? = nil) {
        self.path = path
        self.target = target
        self.pending = pending
        self.oldestPending = oldestPending
        self.shipped = shipped
        self.lastShipped = lastShipped
        self.lastError = lastError
        self.lastAttempt = lastAttempt
    }

    /// Spooling: runs wait because the central store did not take them.
    public var isSpooling: Bool { pending > 0 && lastError != nil }

    /// One line for logs and the daemon's STATUS.
    public var summary: String {
        if isSpooling {
            return "spooling \(pending) run\(pending == 1 ? "" : "s") in \(path) (\(target): \(lastError ?? "not reached yet"))"
        }
        if pending > 0 { return "\(pending) run\(pending == 1 ? "" : "s") to ship to \(target)" }
        return "every run shipped to \(target)"
    }
}

/// A store that spools for a central one and can say how it stands.
public protocol SpoolReporting: Sendable {
    func spoolState() async -> SpoolState
}
