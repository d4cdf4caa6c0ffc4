import Foundation
import NetauditCore
import NetauditReports
import NetauditStore

extension AuditReport.Source {
    /// Loads run `id` (or the newest run) with what its report compares it with: for a link
    /// sweep, the latest complete full audit (or TLS-only run) of the same inventory before
    /// it; and the previous complete run of the same kind over the same inventory.
    public static func load(from store: any ResultReader, run id: RunID? = nil) async throws(StoreError) -> AuditReport.Source {
        let found: RunRecord?
        if let id { found = try await store.run(id) } else { found = try await store.runs(limit: 1).first }
        guard let record = found else {
            throw StoreError(.invalidRequest, path: store.location, message: id.map { "no run \($0)" } ?? "no run stored yet")
        }
        let links = try await store.linkResults(run: record.id)
        let endpoints = record.kind == .linkSweep ? [] : try await store.endpointResults(run: record.id)
        var source = AuditReport.Source(record: record, links: links, endpoints: endpoints)
        if record.kind == .linkSweep,
           let audit = try await store.latestRun(kinds: [.audit, .tlsOnly], before: record.id, inventoryPath: record.inventoryPath) {
            source.endpointsFrom = .init(record: audit, endpoints: try await store.endpointResults(run: audit.id))
        }
        if let previous = try await store.latestRun(kinds: [record.kind], before: record.id, inventoryPath: record.inventoryPath) {
            source.previous = .init(record: previous, links: try await store.linkResults(run: previous.id),
                                    endpoints: try await store.endpointResults(run: previous.id))
        }
        return source
    }
}

extension AuditReport {
    /// The report of run `id` (or the newest run) as stored.
    public static func load(from store: any ResultReader, run id: RunID? = nil, now: Date? = nil) async throws(StoreError) -> AuditReport {
        AuditReport(try await Source.load(from: store, run: id), now: now)
    }
}
