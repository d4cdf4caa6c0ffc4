import Foundation
import NetauditCore
import NetauditPolicy
import NetauditProbes
import NetauditStore

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
        return pruned
    }

    public var probesLinks: Bool { kind != .tlsOnly }
    public var probesEndpoints: Bool { kind != .linkSweep }
}

/// Where a run is, for a progress line: agencies done out of the total, failures so far.
public struct AuditProgress: Sendable {
    public var done: Int
    public var total: Int
    /// Links down or unreachable, endpoints not compliant.
    public var failures: Int
    public var elapsed: Duration
}

/// One audit run: plan → probes → policy → store, as results come in. The store gets each
/// result in its own transaction the moment it is judged, so an interrupted run keeps
/// everything it had measured; the run ends `complete`, or `aborted` when cancelled.
public struct AuditRunner: Sendable {
    public let store: ResultStore
    public let policy: Policy
    public let trust: TrustStores
    public let engine: ProbeEngine

    public init(store: ResultStore, policy: Policy, trust: TrustStores, engine: ProbeEngine) {
        self.store = store
        self.policy = policy
        self.trust = trust
        self.engine = engine
    }

    public func run(_ plan: AuditPlan, progress: (@Sendable (AuditProgress) -> Void)? = nil) async throws(StoreError) -> RunID {
        let clock = ContinuousClock()
        let begin = clock.now
        let agencies = plan.agencies
        let inventory = plan.inventory
        let id = try store.beginRun(kind: plan.kind, inventory: plan.auditedInventory, inventoryPath: plan.inventoryPath,
                                    inventoryHash: InventoryFingerprint.sha256(files: inventory.files))
        let endpointCount = plan.probesEndpoints ? agencies.reduce(0) { $0 + $1.endpoints.count } : 0
        let total = (plan.probesLinks ? agencies.count : 0) + endpointCount
        var done = 0, failures = 0
        func report() { progress?(AuditProgress(done: done, total: total, failures: failures, elapsed: clock.now - begin)) }

        do {
            if plan.probesLinks {
                // Every link at once (ICMP shares one socket), then judge with the via nodes' states.
                let settings = LinkProbeSettings(inventory.probe)
                let engine = self.engine
                let observations = await withTaskGroup(of: (String, LinkObservation).self) { group in
                    for agency in agencies {
                        guard let link = agency.link else { continue }
                        group.addTask { (agency.code, await engine.probeLink(link, settings: settings)) }
                    }
                    var result: [String: LinkObservation] = [:]
                    for await (code, observation) in group {
                        result[code] = observation
                        done += 1
                        report()
                    }
                    return result
                }
                // Judged and stored even when interrupted: every series returned what it measured.
                let states = observations.mapValues { policy.linkState($0) }
                for agency in agencies {
                    let observation = observations[agency.code]
                    let via = agency.link?.via
                    let findings = policy.evaluateLink(of: agency, observation: observation,
                                                       viaState: via.flatMap { states[$0] ?? nil }, viaCode: via)
                    let state = states[agency.code] ?? nil
                    if agency.link == nil { done += 1 }
                    if !Policy.isConnected(state) { failures += 1 }
                    try store.record(LinkResult(agencyCode: agency.code, observation: observation, state: state, findings: findings), in: id)
                }
                report()
                try Task.checkCancellation()
            }
            if plan.probesEndpoints {
                let settings = TLSProbeSettings(inventory.probe)
                let engine = self.engine, trust = self.trust, policy = self.policy
                try await withThrowingTaskGroup(of: EndpointResult.self) { group in
                    for agency in agencies {
                        for endpoint in agency.endpoints {
                            group.addTask {
                                let observation = await engine.probeEndpoint(endpoint, settings: settings, trust: trust)
                                let evaluation = policy.evaluateEndpoint(observation, now: Date())
                                return EndpointResult(agencyCode: agency.code, observation: observation,
                                                      verdict: evaluation.verdict, findings: evaluation.findings)
                            }
                        }
                    }
                    for try await result in group {
                        // A check cut short by the interruption measured nothing: not stored.
                        if Task.isCancelled { continue }
                        try store.record(result, in: id)
                        done += 1
                        if result.verdict != .compliant { failures += 1 }
                        report()
                    }
                }
            }
            try Task.checkCancellation()
            try store.finishRun(id, state: .complete)
        } catch let error as StoreError {
            try? store.finishRun(id, state: .aborted, note: "the store failed: \(error.message)")
            throw error
        } catch {
            try store.finishRun(id, state: .aborted, note: "interrupted")
        }
        return id
    }
}
