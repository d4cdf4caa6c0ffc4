import Foundation
import NetauditCore
import NetauditStore
import NetauditStorePostgres
import NetauditStoreSQLite

/// The store of an auditor whose central store is PostgreSQL: every run is written into a
/// local SQLite spool, exactly as into a SQLite store, and each run that ends is shipped to
/// the server by a `Shipper`, in the order runs ended. Reads (the daemon's comparisons and
/// status, the report an audit prints) are the spool's, so the auditor keeps working, and
/// says the truth about its own runs, while the server does not answer. Nothing waiting in
/// the spool is lost across a restart: the spool is a file, and retention keeps every run
/// not yet shipped.
public final class SpoolingStore: ResultStore, SpoolReporting {
    public let spool: SQLiteStore
    public let shipper: Shipper
    public var location: String { spool.path }
    public var history: HistorySettings { spool.history }
    public var recoveredRuns: [RunID] { spool.recoveredRuns }

    init(spool: SQLiteStore, shipper: Shipper) {
        self.spool = spool
        self.shipper = shipper
    }

    /// Opens the spool at `path` (created if missing) for the server at `server`, tries the
    /// server once (a configuration mistake — a site another host writes, a role that may
    /// not log in, a schema too new — is said at once; a server that does not answer is
    /// not a mistake: runs are spooled), and starts shipping what the spool holds.
    public static func open(spool path: String, server: PostgresLocation, history: HistorySettings, site: String?,
                            busyTimeout: TimeInterval = 30, retry: ClosedRange<Duration> = .seconds(1)...(.seconds(30))) async throws(StoreError) -> SpoolingStore {
        let spool = try SQLiteStore(path: path, busyTimeout: busyTimeout, history: history, spool: true)
        let shipper = Shipper(spool: spool, server: server, history: history, site: site, retry: retry)
        do {
            try await shipper.connect()
        } catch where error.code == .unavailable {
            // Spooling until the server answers: the shipper keeps trying.
        } catch {
            try? await spool.close()
            throw error
        }
        await shipper.start()
        return SpoolingStore(spool: spool, shipper: shipper)
    }

    public func spoolState() async -> SpoolState { await shipper.state() }

    /// Ships what is pending now, waiting at most `timeout`; returns the state after.
    public func flush(timeout: Duration) async -> SpoolState { await shipper.flush(timeout: timeout) }

    // MARK: Writer: the spool's; a run that ends wakes the shipper.

    public func beginRun(kind: RunKind, inventory: Inventory, inventoryPath: String, inventoryHash: String,
                         startedAt: Date, resuming: RunID?) async throws(StoreError) -> RunID {
        try await spool.beginRun(kind: kind, inventory: inventory, inventoryPath: inventoryPath, inventoryHash: inventoryHash,
                                 startedAt: startedAt, resuming: resuming)
    }
    public func takeOver(from: RunID, to: RunID, links: Set<String>) async throws(StoreError) -> TakenOver {
        try await spool.takeOver(from: from, to: to, links: links)
    }
    public func record(_ result: LinkResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await spool.record(result, in: run, at: date)
    }
    public func record(_ result: EndpointResult, in run: RunID, at date: Date) async throws(StoreError) {
        try await spool.record(result, in: run, at: date)
    }
    public func record(links: [LinkResult], endpoints: [EndpointResult], in run: RunID, at date: Date) async throws(StoreError) {
        try await spool.record(links: links, endpoints: endpoints, in: run, at: date)
    }
    public func finishRun(_ id: RunID, state: RunState, note: String?, endedAt: Date) async throws(StoreError) {
        try await spool.finishRun(id, state: state, note: note, endedAt: endedAt)
        shipper.wake()
    }

    // MARK: Reader and history: the spool's.

    public func run(_ id: RunID) async throws(StoreError) -> RunRecord? { try await spool.run(id) }
    public func runs(limit: Int) async throws(StoreError) -> [RunRecord] { try await spool.runs(limit: limit) }
    public func latestRun(kinds: [RunKind], state: RunState, before: RunID?, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        try await spool.latestRun(kinds: kinds, state: state, before: before, inventoryPath: inventoryPath)
    }
    public func latestRunID(kinds: [RunKind], state: RunState, inventoryPath: String?) async throws(StoreError) -> RunID? {
        try await spool.latestRunID(kinds: kinds, state: state, inventoryPath: inventoryPath)
    }
    public func resumption(of id: RunID) async throws(StoreError) -> RunID? { try await spool.resumption(of: id) }
    public func linkResults(run: RunID) async throws(StoreError) -> [LinkResult] { try await spool.linkResults(run: run) }
    public func endpointResults(run: RunID) async throws(StoreError) -> [EndpointResult] { try await spool.endpointResults(run: run) }
    public func ping() async throws(StoreError) { try await spool.ping() }
    public func intervals(overlapping period: DateInterval) async throws(StoreError) -> [StateInterval] {
        try await spool.intervals(overlapping: period)
    }
    public func rollups(from: String, to: String) async throws(StoreError) -> [DailyRollup] { try await spool.rollups(from: from, to: to) }
    public func latestInventory(before date: Date, inventoryPath: String?) async throws(StoreError) -> RunRecord? {
        try await spool.latestInventory(before: date, inventoryPath: inventoryPath)
    }

    // MARK: Upkeep

    /// The spool's retention (never a run not yet shipped); the server keeps its own.
    public func prune(now: Date) async throws(StoreError) -> PruneOutcome { try await spool.prune(now: now) }
    public func integrityCheck() async throws(StoreError) -> String { try await spool.integrityCheck() }

    /// Stops shipping (after one last attempt of at most 10 s, unless the last one failed:
    /// a server that did not answer a moment ago is not waited for again) and closes both
    /// stores.
    public func close() async throws(StoreError) {
        let state = await shipper.state()
        if state.pending > 0 && state.lastError == nil { _ = await shipper.flush(timeout: .seconds(10)) }
        await shipper.stop()
        try await spool.close()
    }
}

/// Ships a spool's ended runs to the central store, oldest end first, one transaction each,
/// marking each shipped in the spool after the server committed it (a kill between the two
/// ships it again, and the server, which knows its uid, stores it once). A failure stops the
/// round: later runs never overtake an earlier one, whose history they would follow. Tried
/// again after each run that ends and, while runs wait, with a delay doubling from
/// `retry.lowerBound` to `retry.upperBound`.
public actor Shipper {
    let spool: SQLiteStore
    let server: PostgresLocation
    let history: HistorySettings
    let site: String?
    let retry: ClosedRange<Duration>
    private var central: PostgresStore?
    private var current: SpoolState
    private var loop: Task<Void, Never>?
    private var inFlight: Task<SpoolState, Never>?
    private nonisolated let wakeUp: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    init(spool: SQLiteStore, server: PostgresLocation, history: HistorySettings, site: String?, retry: ClosedRange<Duration>) {
        self.spool = spool
        self.server = server
        self.history = history
        self.site = site
        self.retry = retry
        current = SpoolState(path: spool.path, target: server.display)
        (wakes, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Opens the central store if it is not open.
    func connect() async throws(StoreError) {
        guard central == nil else { return }
        central = try await PostgresStore.open(server, history: history, site: site)
    }

    func start() {
        guard loop == nil else { return }
        loop = Task { [wakes, wakeUp, retry] in
            var delay = retry.lowerBound
            var iterator = wakes.makeAsyncIterator()
            while !Task.isCancelled {
                let state = await self.shipPending()
                // Runs wait: try again after the delay (or sooner, when a run ends).
                var timer: Task<Void, Never>?
                if state.pending > 0 {
                    let wait = delay
                    timer = Task {
                        try? await Task.sleep(for: wait)
                        if !Task.isCancelled { wakeUp.yield() }
                    }
                    delay = min(delay * 2, retry.upperBound)
                } else {
                    delay = retry.lowerBound
                }
                let woken = await iterator.next() != nil
                timer?.cancel()
                if !woken { return }
            }
        }
    }

    /// Wakes the loop: a run ended.
    nonisolated func wake() { wakeUp.yield() }

    func stop() async {
        loop?.cancel()
        wakeUp.finish()
        loop = nil
        if let central { try? await central.close() }
        central = nil
    }

    func state() async -> SpoolState {
        if let pending = try? await spool.pendingShipments() {
            current.pending = pending.count
            current.oldestPending = pending.oldest
        }
        return current
    }

    /// Ships what is pending now, waiting at most `timeout` for it (a round still going on
    /// then goes on in the background).
    func flush(timeout: Duration) async -> SpoolState {
        let deadline = ContinuousClock.now + timeout
        while true {
            // A round already going on may have read its runs before the last one ended:
            // rounds follow each other until none waits, one fails, or the time is up.
            let round = startRound()
            while inFlight == round, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            let state = await state()
            if state.pending == 0 || state.lastError != nil || ContinuousClock.now >= deadline || inFlight == round { return state }
        }
    }

    /// The round going on, or a new one: one at a time.
    private func startRound() -> Task<SpoolState, Never> {
        if let inFlight { return inFlight }
        let round = Task { await self.shipOnce() }
        inFlight = round
        return round
    }

    @discardableResult
    func shipPending() async -> SpoolState { await startRound().value }

    /// One round: every ended run not yet shipped, in order, until none is left or one fails.
    private func shipOnce() async -> SpoolState {
        defer { inFlight = nil }
        current.lastAttempt = Date()
        do {
            try await connect()
            rounds: while !Task.isCancelled {
                let batch = try await spool.unshippedRuns(limit: 50)
                if batch.isEmpty { break }
                for id in batch {
                    guard !Task.isCancelled else { break }
                    guard let run = try await spool.shippedRun(id) else { continue }
                    // stop() may have closed the connection while this round waited on the
                    // spool (actor reentrancy): what is left waits for the next start.
                    guard let central else { break rounds }
                    let outcome = try await central.ship(run)
                    try await spool.markShipped(id, as: outcome.remoteID)
                    current.shipped += 1
                    current.lastShipped = Date()
                }
            }
            current.lastError = nil
        } catch {
            current.lastError = error.description
        }
        return await state()
    }
}
