import Foundation
import NetauditCore
import NetauditReports
import NetauditStore

extension NationalReport {
    /// The national report of `store`'s sites as of `now`: their latest complete runs in one
    /// query (`SiteReader.latestRunsPerSite`), then each site's results of those runs
    /// (two reads per site: the links of its connectivity run, the endpoints of its TLS
    /// run). With `period`, each site's period report from its own history (`siteView`),
    /// as `report --month` gives it for that site.
    public static func load(from store: any SiteReader & ResultReader, now: Date = Date(), staleAfter: TimeInterval,
                            period: ReportPeriod? = nil, history: HistorySettings) async throws(StoreError) -> NationalReport {
        let sites = try await store.latestRunsPerSite()
        var inputs: [Input] = []
        for site in sites {
            var input = Input(site: site.site, connectivity: site.connectivity, tls: site.tls)
            if let run = site.connectivity { input.links = try await store.linkResults(run: run.id) }
            if let run = site.tls { input.endpoints = try await store.endpointResults(run: run.id) }
            inputs.append(input)
        }
        let figures = try await period.asyncMap { period throws(StoreError) in
            try await NationalPeriod.load(from: store, sites: sites, period: period, now: now, history: history)
        }
        return NationalReport(sites: inputs, now: now, staleAfter: staleAfter, period: figures)
    }
}

extension NationalPeriod {
    /// Each site's period report, from its own history; a site with no complete run before
    /// the period's end has none.
    static func load(from store: any SiteReader, sites: [SiteRuns], period: ReportPeriod, now: Date,
                     history: HistorySettings) async throws(StoreError) -> NationalPeriod {
        var reports: [(site: String, name: String?, report: PeriodReport?)] = []
        for site in sites {
            let view = try await store.siteView(site.site)
            let name = (site.connectivity ?? site.tls)?.inventory.agencies.first?.name
            guard try await view.latestInventory(before: min(period.to, now), inventoryPath: nil) != nil else {
                reports.append((site.site, name, nil))
                continue
            }
            reports.append((site.site, name, try await PeriodReport.load(from: view, period: period, now: now)))
        }
        let end = max(period.from.addingTimeInterval(1), min(period.to, now))
        let days = HistoryDay.days(from: period.from, to: end, timeZone: history.timeZone)
        return NationalPeriod(from: period.from, to: end, timeZone: history.timeZone.identifier, days: days, reports: reports)
    }
}

extension Optional {
    /// `map` with an async transform that throws a store error.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws(StoreError) -> T) async throws(StoreError) -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
