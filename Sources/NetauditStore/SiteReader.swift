import Foundation
import NetauditCore

// What the national report reads: the sites of a shared store, each with its latest
// complete runs, and a view of one site (its runs and history only). A PostgreSQL store
// holds many sites; a SQLite file is one (the code of its newest run's top agency).

/// One site's latest complete runs: the one that says how its agencies are connected (a
/// full audit or a link sweep) and the one that says how its TLS endpoints stand (a full
/// audit or a TLS-only run); the same run when the newest of both is a full audit.
public struct SiteRuns: Sendable {
    public var site: String
    /// The newest complete `audit` or `link_sweep` of the site; nil when it has none.
    public var connectivity: RunRecord?
    /// The newest complete `audit` or `tls_only` run of the site; nil when it has none.
    public var tls: RunRecord?

    public init(site: String, connectivity: RunRecord?, tls: RunRecord?) {
        self.site = site
        self.connectivity = connectivity
        self.tls = tls
    }

    /// The run kinds that say whether agencies are connected, and those that judge TLS.
    public static let connectivityKinds: [RunKind] = [.audit, .linkSweep]
    public static let tlsKinds: [RunKind] = [.audit, .tlsOnly]
}

/// The sites of a store, for the national report.
public protocol SiteReader: Sendable {
    /// Every site the store holds (that the role may see), ordered by site code, each with
    /// its latest complete runs: a constant number of queries, whatever the number of sites
    /// (a site with runs but none complete is listed with neither run).
    func latestRunsPerSite() async throws(StoreError) -> [SiteRuns]
    /// The store as site `site` sees it: runs, results and history of that site only.
    /// Closing the store closes the view too.
    func siteView(_ site: String) async throws(StoreError) -> any ResultReader & HistoryReader
}
