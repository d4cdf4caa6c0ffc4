import Foundation
import NetauditCore
import NetauditStore

// A SQLite file is one site: the code of the top agency of its newest run (what a
// PostgreSQL store takes as a run's site when none is configured). The national report
// over a file is one row.
extension SQLiteStore: SiteReader {
    /// The file's site: the code of its newest run's top agency; nil when it holds no run.
    public func site() async throws(StoreError) -> String? {
        try await runs(limit: 1).first?.inventory.agencies.first?.code
    }

    public func latestRunsPerSite() async throws(StoreError) -> [SiteRuns] {
        guard let site = try await site() else { return [] }
        return [SiteRuns(site: site, connectivity: try await latestRun(kinds: SiteRuns.connectivityKinds),
                         tls: try await latestRun(kinds: SiteRuns.tlsKinds))]
    }

    public func siteView(_ site: String) async throws(StoreError) -> any ResultReader & HistoryReader {
        let own = try await self.site()
        guard own == site else {
            throw StoreError(.invalidRequest, path: location,
                             message: "this file holds site \(own ?? "(none: no run stored)"), not site \(site)")
        }
        return self
    }
}
