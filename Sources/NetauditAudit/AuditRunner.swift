import Foundation
import NetauditCore
import NetauditPolicy
import NetauditProbes
import NetauditStore
import Synchronization

/// What one run audits.
public struct AuditPlan: Sendable {
    public var inventory: Inventory
    public var inventoryPath: String
    public var kind: RunKind
    /// Only the agency with this code and the agencies below it.
    public var only: String?

    public init(inventory: Inventory, inventoryPath: String, kind: RunKind = .audit, only: String? = nil) {
        self.inventory = inventory
        self.inventoryPath = inventoryPath
        self.kind = kind
        self.only = only
    }

    /// The agencies the run covers, parents before children.
    public var agencies: [Agency] {
        guard let only else { return inventory.allAgencies }
        return inventory.allAgencies.first { $0.code == only }?.subtree ?? []
    }

    /// The inventory as the run records it: with `only`, just that agency's subtree, so
    /// that the report judges what was audited and nothing else.
    public var auditedInventory: Inventory {
        guard let only, let root = inventory.allAgencies.first(where: { $0.code == only }) else { return inventory }
        var pruned = inventory
        pruned.agencies = [root]
        // The names above the subtree, from the top, for the paths of the report.
        func ancestors(of code: String, in agencies: [Agency], path: [String]) -> [String]? {
            for agency in agencies {
                if agency.code == code { return path }
                if let found = ancestors(of: code, in: agency.children, path: path + [agency.name]) { return found }
            }
            return nil
        }
        pruned.scope = ancestors(of: only, in: inventory.agencies, path: []) ?? []
        return pruned
    }

    /// Why this process cannot probe the plan's ICMP links (no CAP_NET_RAW and no ICMP
    /// datagram sockets for its group), with what to do; nil when it can or none is planned.
    public var icmpRefusal: String? {
        guard probesLinks else { return nil }
        return ICMPAccess.refusal(for: (agencies + viaContext).compactMap(\.link))
    }

    /// The `via` nodes outside the plan (`--only` a subtree) that have a link: probed too,
    /// for their state only (not stored, not reported), so that a link behind one that is
    /// silent while the node is down is unreachable, not down.
    var viaContext: [Agency] {
        let planned = Set(agencies.map(\.code))
        return Set(agencies.compactMap { $0.link?.via }).subtracting(planned)
            .compactMap { code in inventory.allAgencies.first { $0.code == code } }
            .filter { $0.link != nil }
    }

    public var probesLinks: Bool { kind != .tlsOnly }
    public var probesEndpoints: Bool { kind != .linkSweep }
}

/// Where a run is, for a progress line: agencies done out of the total (an agency is done
/// when its link and every one of its endpoints are), failures so far.
public struct AuditProgress: Sendable {
    public var done: Int
    public var total: Int
    /// Links down or unreachable, endpoints not compliant.
    public var failures: Int
    public var elapsed: Duration
}

/// One audit run: plan → probes → policy → store, as results come in; links and endpoints
/// are probed at once. The store gets each result in its own transaction the moment it is
/// judged (a link as soon as the node it depends on is known too), so an interrupted run
/// keeps everything it had measured; the run ends `complete`, or `aborted` when cancelled or past the inventory's `run_timeout`.
public struct AuditRunner: Sendable {
    public let store: any ResultWriter & ResultReader
    public let policy: Policy
    public let trust: TrustStores
    public let engine: ProbeEngine

    public init(store: any ResultWriter & ResultReader, policy: Policy, trust: TrustStores, engine: ProbeEngine) {
        self.store = store
        self.policy = policy
        self.trust = trust
        self.engine = engine
    }

    /// Runs `plan` to its end, or until the task is cancelled, or until `deadline` (default:
    /// the inventory's `probe.run_timeout`) has passed.
    /// `resuming`: an aborted run of the same plan; the new run takes over everything it
    /// measured to the end and probes only the rest.
    public func run(_ plan: AuditPlan, deadline: Duration? = nil, resuming: RunID? = nil,
                    progress: (@Sendable (AuditProgress) -> Void)? = nil) async throws(StoreError) -> RunID {
        let timeout = deadline ?? plan.inventory.probe.runTimeout
        let id = try await store.beginRun(kind: plan.kind, inventory: plan.auditedInventory, inventoryPath: plan.inventoryPath,
                                    inventoryHash: InventoryFingerprint.sha256(files: plan.inventory.files), startedAt: Date(), resuming: resuming)
        if let note = Self.descriptorShortage(engine) {
            try await store.finishRun(id, state: .aborted, note: note)  // nothing probed: no verdict at all
            return id
        }
        let taken: TakenOver
        do {
            if let old = resuming {
                taken = try await store.takeOver(from: old, to: id, links: Self.finishedLinks(try await store.linkResults(run: old), plan: plan))
            } else {
                taken = TakenOver()
            }
        } catch {
            try? await store.finishRun(id, state: .aborted, note: "the store failed: \(error.message)")
            throw error
        }
        let tally = Tally(plan: plan, progress: progress)
        for code in taken.linkStates.keys { tally.checkDone(code, failed: !Policy.isConnected(taken.linkStates[code])) }
        for key in taken.endpoints { tally.checkDone(key.agencyCode, failed: false) }
        enum Outcome: Sendable { case finished(StoreError?), interrupted, deadline }
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    try await self.probe(plan, into: id, taken: taken, tally: tally)
                    return .finished(nil)
                } catch let error as StoreError {
                    return .finished(error)
                } catch {
                    return .interrupted
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return .interrupted }
                return .deadline
            }
            let first = await group.next() ?? .interrupted
            group.cancelAll()
            // The probes end at once when cancelled; wait for them (what they measured is stored).
            if case .deadline = first {
                for await case .finished(let error?) in group { return Outcome.finished(error) }
            }
            return first
        }
        switch outcome {
        case .finished(nil) where !Task.isCancelled:
            if let note = tally.notProbedNote {
                try await store.finishRun(id, state: .aborted, note: note)  // checks not made: not complete
            } else {
                try await store.finishRun(id, state: .complete)
            }
        case .finished(let error?):
            try? await store.finishRun(id, state: .aborted, note: "the store failed: \(error.message)")
            throw error
        case .deadline:
            let setting = deadline == nil ? "probe.run_timeout: \(timeout.text)" : timeout.text
            try await store.finishRun(id, state: .aborted, note: "the run deadline (\(setting)) passed")
        case .finished(nil), .interrupted:
            try await store.finishRun(id, state: .aborted, note: "interrupted")
        }
        return id
    }

    /// The links of an aborted run that a resumed run may take over: a whole series (every
    /// request of `probe.link.count` sent: a series cut short by the interruption is not a
    /// result) with a state, and, for a link judged down behind a `via` node, only when that
    /// node is taken over too (else it was judged without knowing whether the node was down).
    static func finishedLinks(_ results: [LinkResult], plan: AuditPlan) -> Set<String> {
        let count = plan.inventory.probe.linkCount
        let via = Dictionary(plan.agencies.compactMap { agency in agency.link?.via.map { (agency.code, $0) } },
                             uniquingKeysWith: { first, _ in first })
        let whole = results.filter { $0.state != nil && ($0.observation?.sent ?? 0) >= count }
        var taken = Set(whole.map(\.agencyCode))
        while true {
            let judgedBlind = whole.filter { result in
                taken.contains(result.agencyCode) && Policy.dependsOnVia(result.state)
                    && via[result.agencyCode].map { !taken.contains($0) } == true
            }
            if judgedBlind.isEmpty { return taken }
            taken.subtract(judgedBlind.map(\.agencyCode))
        }
    }

    /// Why no check can be made at all: the open-file limit does not hold even one.
    static func descriptorShortage(_ engine: ProbeEngine) -> String? {
        let budget = engine.descriptorBudget
        guard budget.checksThatFit == 0 else { return nil }
        return "out of file descriptors: the open-file limit (\(budget.softLimit)) does not hold even one check, nothing was probed "
            + "(raise LimitNOFILE / ulimit -n to at least \(budget.minimumLimit))"
    }

    /// Probes, judges and stores every link and every endpoint, the two at once; throws
    /// CancellationError when cancelled, or the first StoreError.
    ///
    /// The two halves share nothing but the store (which serialises its writes), the tally
    /// and the engine: a full audit then takes about as long as the longer of a link sweep
    /// and the TLS checks, not their sum. A store that fails in one half cancels the other.
    private func probe(_ plan: AuditPlan, into id: RunID, taken: TakenOver, tally: Tally) async throws {
        let errors = await withTaskGroup(of: (any Error)?.self) { group -> [any Error] in
            if plan.probesLinks {
                group.addTask {
                    do { try await self.probeLinks(plan, into: id, taken: taken, tally: tally) } catch { return error }
                    return nil
                }
            }
            if plan.probesEndpoints {
                group.addTask {
                    do { try await self.probeEndpoints(plan, into: id, taken: taken, tally: tally) } catch { return error }
                    return nil
                }
            }
            var errors: [any Error] = []
            for await case let error? in group {
                if error is StoreError { group.cancelAll() }
                errors.append(error)
            }
            return errors
        }
        // The store's failure is the run's outcome even if the other half was then cancelled.
        if let failure = errors.first(where: { $0 is StoreError }) ?? errors.first { throw failure }
        try Task.checkCancellation()
    }

    /// Link series in flight at once. Every series starting at once (10,810 tasks of a
    /// national sweep waiting in the engine) cost memory for nothing: the ICMP pinger admits
    /// about `interval / spacing` series at a time (200 by default) and TCP series wait for
    /// one of the engine's slots. A window well above both keeps the sweep as fast.
    static func linkWindow(_ engine: ProbeEngine) -> Int { max(1024, 2 * engine.maxConcurrentProbes) }

    /// Endpoint checks in flight at once: the engine runs `maxConcurrentProbes` of them, so
    /// twice that keeps it busy while the rest wait here, not as tasks.
    static func endpointWindow(_ engine: ProbeEngine) -> Int { 2 * engine.maxConcurrentProbes }

    /// Probes, judges and stores every link; throws CancellationError when cancelled (after
    /// storing what every series measured).
    private func probeLinks(_ plan: AuditPlan, into id: RunID, taken: TakenOver, tally: Tally) async throws {
        let agencies = plan.agencies
        // Links in a window (ICMP shares one socket). A link is judged, with the state of
        // the node it depends on, and stored as soon as both are known.
        let settings = LinkProbeSettings(plan.inventory.probe)
        let engine = self.engine
        let context = plan.viaContext
        let probed = Set(agencies.filter { $0.link != nil }.map(\.code)).union(context.map(\.code))
        // Links taken over from a resumed run are known: not probed, not stored again.
        var ledger = ViaLedger(expected: probed, taken: taken.linkStates)
        var observations: [String: LinkObservation] = [:]
        let byCode = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        // The links the ledger releases, judged with the state of their via node.
        func judgeReleased(_ releases: [ViaLedger.Release]) async throws {
            for release in releases { if let agency = byCode[release.code] { try await judge(agency, viaState: release.viaState) } }
        }
        func judge(_ agency: Agency, viaState: LinkState?) async throws {
            let via = agency.link?.via
            let observation = observations[agency.code]
            let findings = policy.evaluateLink(of: agency, observation: observation,
                                               viaState: viaState, viaCode: via)
            let state = ledger.state(of: agency.code)
            tally.notProbed(observation?.localFailure)
            try await store.record(LinkResult(agencyCode: agency.code, observation: observation, state: state, findings: findings), in: id)
            tally.checkDone(agency.code, failed: !Policy.isConnected(state))
            try await judgeReleased(ledger.judged(agency.code))
        }
        try await withThrowingTaskGroup(of: (String, LinkObservation).self) { group in
            // Context nodes first, then parents before children, so that the nodes others
            // depend on tend to start (and end) first; child tasks may start in any order.
            // A window of them at a time, one more as each ends (see ``linkWindow``).
            var next = (context + agencies).lazy.filter { $0.link != nil && taken.linkStates[$0.code] == nil }.makeIterator()
            func addNext() {
                // Also once cancelled: the series then ends at once and is stored as it was.
                guard let agency = next.next(), let link = agency.link else { return }
                group.addTask { (agency.code, await engine.probeLink(link, settings: settings)) }
            }
            for _ in 0..<Self.linkWindow(engine) { addNext() }
            // Agencies without a link: judged at once.
            for agency in agencies where agency.link == nil && taken.linkStates[agency.code] == nil { try await judge(agency, viaState: nil) }
            while let (code, observation) = try await group.next() {
                addNext()
                let state = policy.linkState(observation)
                guard let agency = byCode[code] else {
                    // A context node: its dependents can be judged now.
                    try await judgeReleased(ledger.knownContext(code, state: state))
                    continue
                }
                observations[code] = observation
                // Only a link judged down waits for its node's state (down or unreachable).
                try await judgeReleased(ledger.known(code, state: state, via: agency.link?.via))
            }
        }
        // Judged and stored even when interrupted: every series returned what it measured.
        // (Only a via node that never reported leaves agencies waiting.)
        try await judgeReleased(ledger.releaseAll())
        try Task.checkCancellation()
    }

    /// Probes, judges and stores every endpoint; a check cut short by cancellation is not
    /// stored.
    private func probeEndpoints(_ plan: AuditPlan, into id: RunID, taken: TakenOver, tally: Tally) async throws {
        let settings = TLSProbeSettings(plan.inventory.probe)
        let engine = self.engine, trust = self.trust, policy = self.policy
        try await withThrowingTaskGroup(of: (EndpointResult, LocalFailure?).self) { group in
            var next = plan.agencies.lazy.flatMap { agency in agency.endpoints.lazy.map { (agency.code, $0) } }
                .filter { !taken.endpoints.contains(EndpointKey(agencyCode: $0.0, url: $0.1.url.description)) }.makeIterator()
            // A window of checks at a time, one more as each ends (see ``endpointWindow``).
            func addNext() {
                guard let (code, endpoint) = next.next() else { return }
                group.addTaskUnlessCancelled {
                    let observation = await engine.probeEndpoint(endpoint, settings: settings, trust: trust)
                    let evaluation = policy.evaluateEndpoint(observation, now: Date())
                    return (EndpointResult(agencyCode: code, observation: observation,
                                           verdict: evaluation.verdict, findings: evaluation.findings), evaluation.notProbed)
                }
            }
            for _ in 0..<Self.endpointWindow(engine) { addNext() }
            while let (result, notProbed) = try await group.next() {
                addNext()
                // A check cut short by the interruption measured nothing: not stored.
                if Task.isCancelled { continue }
                // Nor one netaudit could not make (out of descriptors): no verdict, counted.
                if notProbed != nil {
                    tally.notProbed(notProbed)
                    tally.checkDone(result.agencyCode, failed: true)
                    continue
                }
                try await store.record(result, in: id)
                tally.checkDone(result.agencyCode, failed: result.verdict != .compliant)
            }
        }
        try Task.checkCancellation()
    }
}

/// The progress of one run: how many checks each agency still waits for.
private final class Tally: Sendable {
    private struct State {
        var remaining: [String: Int] = [:]
        var done = 0
        var failures = 0
        /// Checks netaudit could not make (or not in full) for want of its own resources.
        var notProbed: LocalFailure?
        var notProbedChecks = 0
    }
    private let state: Mutex<State>
    private let total: Int
    private let begin = ContinuousClock.now
    private let progress: (@Sendable (AuditProgress) -> Void)?

    init(plan: AuditPlan, progress: (@Sendable (AuditProgress) -> Void)?) {
        var initial = State()
        let agencies = plan.agencies
        for agency in agencies {
            let checks = (plan.probesLinks ? 1 : 0) + (plan.probesEndpoints ? agency.endpoints.count : 0)
            if checks == 0 { initial.done += 1 } else { initial.remaining[agency.code, default: 0] += checks }
        }
        total = agencies.count
        state = Mutex(initial)
        self.progress = progress
        report(initial)
    }

    /// One check of agency `code` (its link, or one endpoint) has ended.
    func checkDone(_ code: String, failed: Bool) {
        let snapshot = state.withLock { state -> State in
            if failed { state.failures += 1 }
            if let left = state.remaining[code] {
                if left <= 1 { state.remaining[code] = nil; state.done += 1 } else { state.remaining[code] = left - 1 }
            }
            return state
        }
        report(snapshot)
    }

    /// A check (a link series or an endpoint) that netaudit could not make in full, if `local`.
    func notProbed(_ local: LocalFailure?) {
        guard let local else { return }
        state.withLock { state in
            state.notProbed = local.merged(with: state.notProbed)
            state.notProbedChecks += 1
        }
    }

    /// Why the run is not complete, if some checks were not made.
    var notProbedNote: String? {
        state.withLock { state in
            state.notProbed.map { local in
                let hint = local.reason == .outOfDescriptors ? "raise LimitNOFILE / ulimit -n" : local.message
                return "\(local.summary): \(state.notProbedChecks) checks not made (\(hint))"
            }
        }
    }

    private func report(_ state: State) {
        progress?(AuditProgress(done: state.done, total: total, failures: state.failures, elapsed: .now - begin))
    }
}
