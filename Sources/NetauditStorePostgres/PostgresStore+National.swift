import Foundation
import Logging
import NetauditCore
import NetauditStore
import PostgresNIO

// The national report's reads: every site with its latest complete runs, in one query
// (the `runs_site (site, id)` index serves its DISTINCT ON), and a view of one site.
extension PostgresStore: SiteReader {
    public func latestRunsPerSite() async throws(StoreError) -> [SiteRuns] {
        let logger = self.logger
        let (connectivity, tls) = (SiteRuns.connectivityKinds.map(\.rawValue), SiteRuns.tlsKinds.map(\.rawValue))
        let site = self.site
        let (rows, sites) = try await read { connection -> ([(String, String, RunRecord)], [String]) in
            // One query: per site and per role, the newest complete run of the role's kinds; the
            // runs (and their inventories) joined once the ids are chosen.
            let latest = try await Self.rows(PostgresQuery(unsafeSQL: """
                SELECT l.role, r.*, i.json AS stored_inventory FROM (
                    SELECT DISTINCT ON (r.site, g.role) g.role, r.id FROM runs r
                    JOIN (VALUES ('connectivity', $1::text[]), ('tls', $2::text[])) AS g(role, kinds) ON r.kind = ANY(g.kinds)
                    WHERE r.state = 'complete' AND ($3::text IS NULL OR r.site = $3)
                    ORDER BY r.site, g.role, r.id DESC
                ) l JOIN runs r ON r.id = l.id JOIN inventories i ON i.id = r.inventory_id
                ORDER BY r.site COLLATE "C", l.role
                """, binds: Self.binds(connectivity, tls, site)), connection, logger: logger)
            let rows = try latest.map { row in
                (try row["role"].decode(String.self), try row["site"].decode(String.self), try self.runRecord(row))
            }
            // Sites whose runs are all running or aborted are listed too (with no run).
            let sites = try await Self.rows("""
                SELECT site FROM runs WHERE (\(site)::text IS NULL OR site = \(site)) GROUP BY site ORDER BY site COLLATE "C"
                """, connection, logger: logger).map { try $0["site"].decode(String.self) }
            return (rows, sites)
        }
        var bySite = Dictionary(uniqueKeysWithValues: sites.map { ($0, SiteRuns(site: $0, connectivity: nil, tls: nil)) })
        for (role, runSite, record) in rows {
            if role == "connectivity" { bySite[runSite]?.connectivity = record } else { bySite[runSite]?.tls = record }
        }
        return sites.compactMap { bySite[$0] }
    }

    public func siteView(_ site: String) async throws(StoreError) -> any ResultReader & HistoryReader {
        if let own = self.site, own != site {
            throw StoreError(.invalidRequest, path: location, message: "this store is opened for site \(own), not site \(site)")
        }
        return PostgresStore(location: location, history: history, site: site, writer: writer, readOnly: true, gate: gate,
                             logger: logger, recoveredRuns: [])
    }
}
