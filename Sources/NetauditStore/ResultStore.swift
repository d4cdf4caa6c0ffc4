import Foundation
import NetauditCore

// The results store as its callers see it: a writer for the audit runner, a reader for
// reports and the daemon, history for period reports, and upkeep. Every call is async: a
// backend does its I/O off the cooperative pool (SQLite through GRDB's async API, a
// network database through its event loop), so a run's writes never block the probes.
// A backend is a target of its own (NetauditStoreSQLite, …) that conforms to
// `ResultStore`; `NetauditStores` opens the one a location names. Callers import only
// this module.

/// What the audit runner writes: a run, its results as they are judged, and its end.
public protocol ResultWriter: Sendable {
    /// Starts a run over `inventory` and returns its id.
    func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                  startedAt: Date, resuming: RunID?) async throws(StoreError) -> RunID
    /// Copies into run `to` what the aborted run `from` measured to the end: the link
    /// results of the agencies in `links` that have a state, and every endpoint result,
    /// each with its findings and original time. One transaction.
    func takeOver(from: RunID, to: RunID, links: Set<String>) async throws(StoreError) -> TakenOver
    /// Stores one agency's link result with its findings, in one transaction.
    func record(_ result: LinkResult, in run: RunID, at date: Date) async throws(StoreError)
    /// Stores one endpoint result with its findings, in one transaction.
    func record(_ result: EndpointResult, in run: RunID, at date: Date) async throws(StoreError)
    /// Stores many results in one transaction (imports, generated history): the same rows
    /// as recording each in turn.
    func record(links: [LinkResult], endpoints: [EndpointResult], in run: RunID, at date: Date) async throws(StoreError)
    /// Ends a run (`complete` or `aborted`); a run already ended stays as it was. A run that
    /// completes extends the history (intervals) in the same transaction.
    func finishRun(_ id: RunID, state: RunState, note: String?, endedAt: Date) async throws(StoreError)
}

extension ResultWriter {
    public func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                         startedAt: Date = Date()) async throws(StoreError) -> RunID {
        try await beginRun(kind: kind, inventory: inventory, inventoryPath: inventoryPath, inventoryHash: inventoryHash,
                           startedAt: startedAt, resuming: nil)
    }
    public func record(_ result: LinkResult, in run: RunID) async throws(StoreError) {
        try await record(result, in: run, at: Date())
    }
    public func record(_ result: EndpointResult, in run: RunID) async throws(StoreError) {
        try await record(result, in: run, at: Date())
    }
    public func finishRun(_ id: RunID, state: RunState, note: String? = nil) async throws(StoreError) {
        try await finishRun(id, state: state, note: note, endedAt: Date())
    }
    public func finishRun(_ id: RunID, state: RunState, endedAt: Date) async throws(StoreError) {
        try await finishRun(id, state: state, note: nil, endedAt: endedAt)
    }
}

/// What reports and the daemon read: runs and their results.
public protocol ResultReader: Sendable {
    /// The store's path or URL (without a password), for messages.
    var location: String { get }
    func run(_ id: RunID) async throws(StoreError) -> RunRecord?
    /// The newest runs first.
    func runs(limit: Int) async throws(StoreError) -> [RunRecord]
    /// The newest run of `kinds` in `state` that started before run `before` (if given),
    /// over the inventory at `inventoryPath` (if given).
    func latestRun(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) async throws(StoreError) -> RunRecord?
    /// The id `latestRun` would return, without reading the run's inventory (for pollers).
    func latestRunID(kinds: [RunKind], state: RunState, inventoryPath: String?) async throws(StoreError) -> RunID?
    /// The run that resumes run `id` (`audit --resume`) and did not end aborted, if any.
    func resumption(of id: RunID) async throws(StoreError) -> RunID?
    func linkResults(run: RunID) async throws(StoreError) -> [LinkResult]
    func endpointResults(run: RunID) async throws(StoreError) -> [EndpointResult]
    /// A cheap query: whether the store answers (a health check).
    func ping() async throws(StoreError)
}

extension ResultReader {
    public func latestRun(kinds: [RunKind], state: RunState = .complete, before: RunID? = nil,
                          inventoryPath: String? = nil) async throws(StoreError) -> RunRecord? {
        try await latestRun(kinds: kinds, state: state, before: before, inventoryPath: inventoryPath)
    }
    public func latestRunID(kinds: [RunKind], state: RunState = .complete, inventoryPath: String? = nil) async throws(StoreError) -> RunID? {
        try await latestRunID(kinds: kinds, state: state, inventoryPath: inventoryPath)
    }
    public func runs() async throws(StoreError) -> [RunRecord] { try await runs(limit: 50) }
}

/// What period reports read: the state intervals and daily roll-ups history keeps.
public protocol HistoryReader: Sendable {
    /// The intervals that overlap `period`, of every subject, ordered by subject and start.
    func intervals(overlapping period: DateInterval) async throws(StoreError) -> [StateInterval]
    /// The roll-ups of the days `from`…`to` (`yyyy-MM-dd`, inclusive).
    func rollups(from: String, to: String) async throws(StoreError) -> [DailyRollup]
    /// The inventory of the newest complete run that started before `date` (any inventory
    /// path when nil), with that run: what a period report names and counts agencies by.
    func latestInventory(before date: Date, inventoryPath: String?) async throws(StoreError) -> RunRecord?
    /// How history is kept (max gap, time zone, retention tiers).
    var history: HistorySettings { get }
}

/// What retention removed: raw runs (their sweep rows) and history older than its tier.
public struct PruneOutcome: Sendable, Equatable {
    public var runs: Int = 0
    public var intervals: Int = 0
    public var rollups: Int = 0
    public init(runs: Int = 0, intervals: Int = 0, rollups: Int = 0) {
        self.runs = runs
        self.intervals = intervals
        self.rollups = rollups
    }
    public var total: Int { runs + intervals + rollups }
}

/// Upkeep: retention, checks, recovery and closing.
public protocol StoreUpkeep: Sendable {
    /// Runs found `running` at open whose process is gone: now `aborted`.
    var recoveredRuns: [RunID] { get }
    /// Applies the retention tiers of `history` as of `now`: raw sweep runs older than
    /// `rawDays`, full audits, intervals and roll-ups older than `historyDays`. History is
    /// never removed by the raw tier.
    func prune(now: Date) async throws(StoreError) -> PruneOutcome
    /// A consistency check of the store ("ok" when sound).
    func integrityCheck() async throws(StoreError) -> String
    /// Closes the store; any later use fails.
    func close() async throws(StoreError)
}

/// A results store: all four faces, as a backend provides them.
public typealias ResultStore = ResultWriter & ResultReader & HistoryReader & StoreUpkeep
