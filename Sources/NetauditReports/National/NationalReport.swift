import Foundation
import NetauditCore

/// The national report: one row per site (an auditor writing into the shared store), from
/// the latest complete run of each, with how old that run is; the per-level totals over all
/// sites; each site's gap list; and, for a period, the history's figures of each site and
/// their totals. A pure value computed from what `NationalReport.Input` holds (no database);
/// renderers: `table`, `json`, `csv`, `html`. Field names are the JSON contract of
/// docs/results-schema.md ("National report").
///
/// Each site's figures are its run report's (`AuditSummary`, which asks Policy what counts
/// as connected). A site whose latest complete connectivity run (full audit or link sweep)
/// ended more than `staleAfter` ago, or that has none, is **stale**: none of its agencies is
/// counted as connected, its figures are not shown as current, and its agencies are counted
/// apart (`stale_agencies`) and as not connected in the national gap.
public struct NationalReport: Sendable, Encodable {
    /// A run as the national report names it.
    public struct RunLine: Sendable, Encodable, Equatable {
        public var id: Int64
        public var kind: String
        public var startedAt: Date
        public var endedAt: Date?

        public init(_ record: RunRecord) {
            id = record.id.value
            kind = record.kind.rawValue
            startedAt = record.startedAt
            endedAt = record.endedAt
        }
    }

    /// One site: its latest runs, their age, and (when fresh) its figures and gaps.
    public struct Site: Sendable, Encodable {
        public var site: String
        /// The name of the top agency of its inventory (the province), nil without a run.
        public var name: String?
        public var title: String?
        /// The latest complete run that says connectivity (`audit` or `link_sweep`).
        public var run: RunLine?
        /// The latest complete run that judged TLS (`audit` or `tls_only`), whose endpoints count.
        public var tlsRun: RunLine?
        /// Seconds from the end of `run` to the report's `generated_at`; nil without a run.
        public var ageSeconds: Double?
        public var stale: Bool
        /// Every agency of its inventory.
        public var agencies: Int
        /// Its figures, all levels together; nil when stale (nothing is known as current).
        public var figures: AuditSummary.Figures?
        /// Its levels as its run report shows them; empty when stale.
        public var levels: [AuditSummary.Level]
        /// Its agencies not connected, with level and path (the run report's gap entries);
        /// empty when stale.
        public var gaps: [AuditSummary.Gap]
        /// TLS was judged (a full audit or TLS-only run is stored for it).
        public var tlsChecked: Bool
        /// Fresh, and its run report's targets met (every level, every endpoint compliant).
        public var targetsMet: Bool
    }

    /// One level over all sites: the fresh sites' figures summed; the stale sites' agencies
    /// apart; the gap to the target counting stale agencies as not connected.
    public struct Level: Sendable, Encodable, Equatable {
        public var level: String
        public var figures: AuditSummary.Figures
        public var staleAgencies: Int
        /// The highest target any site gives the level (they normally agree).
        public var targetPercent: Double
        public var gap: Int
        public var meetsTarget: Bool
    }

    public let generatedAt: Date
    public let staleAfterSeconds: Double
    public let sites: [Site]
    public let levels: [Level]
    /// The fresh sites' figures, all levels together, and the stale sites' agencies.
    public let figures: AuditSummary.Figures
    public let staleAgencies: Int
    public let staleSites: [String]
    /// The period's figures per site and their totals, with `--month`/`--year`/`--from`.
    public let period: NationalPeriod?
    /// No site stale, every level meets its target, every site's targets met (and, with a
    /// period, every site's period met its targets throughout): exit status 0.
    public let targetsMet: Bool

    /// What one site's row is computed from, as loaded from the store.
    public struct Input: Sendable {
        public var site: String
        public var connectivity: RunRecord?
        public var tls: RunRecord?
        /// The link results of `connectivity`.
        public var links: [LinkResult]
        /// The endpoint results of `tls`.
        public var endpoints: [EndpointResult]

        public init(site: String, connectivity: RunRecord?, tls: RunRecord?, links: [LinkResult] = [], endpoints: [EndpointResult] = []) {
            self.site = site
            self.connectivity = connectivity
            self.tls = tls
            self.links = links
            self.endpoints = endpoints
        }
    }

    public init(sites inputs: [Input], now: Date, staleAfter: TimeInterval, period: NationalPeriod? = nil) {
        generatedAt = now
        staleAfterSeconds = staleAfter
        let judged = inputs.map { Self.site($0, now: now, staleAfter: staleAfter) }
        sites = judged.map(\.site)
        levels = Self.levels(judged)
        figures = sites.compactMap(\.figures).reduce(AuditSummary.Figures(), +)
        staleAgencies = sites.filter(\.stale).reduce(0) { $0 + $1.agencies }
        staleSites = sites.filter(\.stale).map(\.site)
        self.period = period
        targetsMet = !sites.isEmpty && sites.allSatisfy(\.targetsMet) && levels.allSatisfy(\.meetsTarget)
            && (period?.targetsMetThroughout ?? true)
    }

    /// A site's row with its whole summary (the levels of a stale site still give its
    /// agencies per level and their targets to the national totals).
    private struct Judged {
        var site: Site
        var summaryLevels: [AuditSummary.Level]
    }

    /// One site's row: its latest connectivity run judged as its run report judges it, with
    /// the endpoints of its latest TLS run that its inventory still has.
    private static func site(_ input: Input, now: Date, staleAfter: TimeInterval) -> Judged {
        let inventory = input.connectivity?.inventory ?? input.tls?.inventory
        let planned = inventory?.endpointKeys ?? []
        let endpoints: [EndpointResult] = input.endpoints.filter { planned.contains($0.key) }
        let summary: AuditSummary? = inventory.map { inventory in
            AuditSummary(inventory: inventory, links: input.links, endpoints: endpoints, now: input.tls?.startedAt ?? now,
                         endpointsPlanned: input.tls != nil, complete: true)
        }
        let age = input.connectivity.map { now.timeIntervalSince($0.endedAt ?? $0.startedAt) }
        let stale = age.map { $0 > staleAfter } ?? true
        let fresh = stale ? nil : summary
        let site = Site(site: input.site, name: inventory?.agencies.first?.name, title: inventory?.title,
                        run: input.connectivity.map(RunLine.init), tlsRun: input.tls.map(RunLine.init), ageSeconds: age, stale: stale,
                        agencies: inventory?.allAgencies.count ?? 0,
                        figures: fresh.map { summary in summary.levels.map(\AuditSummary.Level.figures).reduce(AuditSummary.Figures(), +) },
                        levels: fresh?.levels ?? [], gaps: fresh?.gaps.filter { !$0.connected } ?? [],
                        tlsChecked: input.tls != nil, targetsMet: fresh?.targetsMet ?? false)
        return Judged(site: site, summaryLevels: summary?.levels ?? [])
    }

    /// The levels over all sites, in the order the sites' inventories give them.
    private static func levels(_ judged: [Judged]) -> [Level] {
        var order: [String] = []
        var totals: [String: Level] = [:]
        for entry in judged {
            for level in entry.summaryLevels {
                if totals[level.level] == nil {
                    order.append(level.level)
                    totals[level.level] = Level(level: level.level, figures: AuditSummary.Figures(), staleAgencies: 0,
                                                targetPercent: level.targetPercent, gap: 0, meetsTarget: true)
                }
                totals[level.level]!.targetPercent = max(totals[level.level]!.targetPercent, level.targetPercent)
                if entry.site.stale {
                    totals[level.level]!.staleAgencies += level.figures.agencies
                } else {
                    totals[level.level]!.figures = totals[level.level]!.figures + level.figures
                }
            }
        }
        return order.map { name in
            var level = totals[name]!
            level.gap = AuditSummary.gap(targetPercent: level.targetPercent, agencies: level.figures.agencies + level.staleAgencies,
                                         connected: level.figures.connected)
            level.meetsTarget = level.gap == 0
            return level
        }
    }

    public func json() throws -> String {
        try JSONOutput.render(self)
    }
}

/// The history's figures of a period across sites: each site's period report levels
/// (availability, daily rates against the target, days met, outages), and per level their
/// totals over the sites.
public struct NationalPeriod: Sendable, Encodable {
    /// One site's period, as its own period report gives it.
    public struct Site: Sendable, Encodable {
        public var site: String
        public var name: String?
        /// Nil when the site has no complete run before the period's end (no history to count).
        public var levels: [PeriodReport.Level]?
        /// Connected ÷ observed seconds over all its levels; nil when nothing was observed.
        public var availabilityPercent: Double?
        public var outages: Int
        public var targetsMetThroughout: Bool
    }

    /// One level over the sites: seconds summed (so availability weighs each site by its
    /// observed time), outages summed, the lowest daily rate of any site, and how many
    /// sites met the target on every day they were observed.
    public struct Level: Sendable, Encodable, Equatable {
        public var level: String
        public var agencies = 0
        public var agenciesWithLink = 0
        public var connectedThroughout = 0
        public var connectedSeconds: Double = 0
        public var observedSeconds: Double = 0
        public var availabilityPercent: Double?
        public var minDailyRatePercent: Double?
        public var outages = 0
        public var outageSeconds: Double = 0
        public var targetPercent: Double = 100
        public var sites = 0
        public var sitesMetEveryDay = 0
    }

    public let from: Date
    public let to: Date
    public let timeZone: String
    public let days: [String]
    public let sites: [Site]
    public let levels: [Level]
    /// Every site with history met every level's target on every day observed, and its
    /// endpoints observed stayed compliant.
    public let targetsMetThroughout: Bool

    /// `reports`: each site's period report, nil for a site without history for it.
    public init(from: Date, to: Date, timeZone: String, days: [String], reports: [(site: String, name: String?, report: PeriodReport?)]) {
        self.from = from
        self.to = to
        self.timeZone = timeZone
        self.days = days
        sites = reports.map { entry in
            let levels = entry.report?.levels
            let connected = levels?.reduce(0) { $0 + $1.figures.connectedSeconds } ?? 0
            let observed = levels?.reduce(0) { $0 + $1.figures.observedSeconds } ?? 0
            return Site(site: entry.site, name: entry.name, levels: levels,
                        availabilityPercent: observed > 0 ? connected / observed * 100 : nil,
                        outages: levels?.reduce(0) { $0 + $1.figures.outages } ?? 0,
                        targetsMetThroughout: entry.report?.targetsMetThroughout ?? false)
        }
        levels = Self.levels(sites)
        targetsMetThroughout = sites.allSatisfy(\.targetsMetThroughout)
    }

    private static func levels(_ sites: [Site]) -> [Level] {
        var order: [String] = []
        var totals: [String: Level] = [:]
        for site in sites {
            for level in site.levels ?? [] {
                let f = level.figures
                if totals[level.level] == nil {
                    order.append(level.level)
                    totals[level.level] = Level(level: level.level)
                    totals[level.level]!.targetPercent = f.targetPercent
                }
                var total = totals[level.level]!
                total.agencies += f.agencies
                total.agenciesWithLink += f.agenciesWithLink
                total.connectedThroughout += f.connectedThroughout
                total.connectedSeconds += f.connectedSeconds
                total.observedSeconds += f.observedSeconds
                total.outages += f.outages
                total.outageSeconds += f.outageSeconds
                total.targetPercent = max(total.targetPercent, f.targetPercent)
                if let low = f.minDailyRatePercent { total.minDailyRatePercent = min(total.minDailyRatePercent ?? low, low) }
                total.sites += 1
                if f.daysMet == f.observedDays { total.sitesMetEveryDay += 1 }
                totals[level.level] = total
            }
        }
        return order.map { name in
            var level = totals[name]!
            level.availabilityPercent = level.observedSeconds > 0 ? level.connectedSeconds / level.observedSeconds * 100 : nil
            return level
        }
    }
}
