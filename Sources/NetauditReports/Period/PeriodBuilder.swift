import Foundation
import NetauditCore

/// Walks the inventory once, parents before children, and computes each agency's link
/// tally, outages and endpoint lines from its own intervals (grouped by subject once);
/// each unit's figures are the sum of the subtrees below it, got on the way back up.
struct PeriodBuilder {
    let inventory: Inventory
    let window: PeriodWindow
    let intervalsBySubject: [HistorySubject: [StateInterval]]
    let names: [String: String]

    private(set) var levelTallies: [String: PeriodTally] = [:]
    private(set) var units: [PeriodReport.Unit] = []
    private(set) var agencyLines: [PeriodReport.AgencyLine] = []
    private(set) var endpointLines: [PeriodReport.EndpointLine] = []
    private(set) var outages: [PeriodReport.Outage] = []
    /// Outage count and seconds per unit (below it) and per agency, for the rankings.
    private var unitEntries: [PeriodReport.RankEntry] = []
    private var agencyEntries: [PeriodReport.RankEntry] = []

    init(inventory: Inventory, intervals: [StateInterval], window: PeriodWindow) {
        self.inventory = inventory
        self.window = window
        intervalsBySubject = Dictionary(grouping: intervals, by: \.subject)
        names = Dictionary(inventory.allAgencies.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func visitAll() {
        for agency in inventory.agencies { _ = visit(agency, parent: nil, path: inventory.scope) }
    }

    /// One agency and its subtree; returns the subtree's tally (itself included).
    private mutating func visit(_ agency: Agency, parent: String?, path: [String]) -> PeriodTally {
        let ref = PeriodReport.AgencyRef(code: agency.code, name: agency.name, level: agency.level, path: path + [agency.name])
        let own = ownTally(agency, ref: ref, parent: parent)
        levelTallies[agency.level, default: PeriodTally(days: window.days.count)].add(own)
        var below = PeriodTally(days: window.days.count)
        var unitIndex: Int?
        if !agency.children.isEmpty {
            // Keep the unit where its parent would list it: before its children.
            unitIndex = units.count
            units.append(PeriodReport.Unit(code: agency.code, name: agency.name, level: agency.level, path: ref.path,
                                           figures: PeriodReport.Figures(below, targetPercent: 100, periodSeconds: window.seconds)))
        }
        for child in agency.children { below.add(visit(child, parent: agency.code, path: ref.path)) }
        if let unitIndex {
            let target = Set(agency.children.flatMap(\.subtree).map(\.level)).map(inventory.target(forLevel:)).max() ?? 100
            units[unitIndex].figures = PeriodReport.Figures(below, targetPercent: target, periodSeconds: window.seconds)
            unitEntries.append(PeriodReport.RankEntry(code: agency.code, name: agency.name, level: agency.level,
                                                      outages: below.outages, outageSeconds: below.outageSeconds))
        }
        below.add(own)
        return below
    }

    /// The agency's own link and endpoints; appends its outages and lines.
    private mutating func ownTally(_ agency: Agency, ref: PeriodReport.AgencyRef, parent: String?) -> PeriodTally {
        var tally = PeriodTally(days: window.days.count)
        tally.agencies = 1
        if agency.link != nil {
            let segments = PeriodSegment.segments(of: intervalsBySubject[.link(agency.code)] ?? [], in: window)
            let found = PeriodOutages.outages(of: segments, agency: ref, causeNames: names, in: window)
            outages += found
            tally = PeriodTally.link(segments, outages: found, in: window)
        }
        var badDays = Set<String>()
        for endpoint in agency.endpoints {
            let url = endpoint.url.description
            let segments = PeriodSegment.segments(of: intervalsBySubject[HistorySubject(agencyCode: agency.code, url: url)] ?? [], in: window)
            let line = PeriodEndpointCompliance.line(agencyCode: agency.code, url: url, segments: segments, in: window)
            endpointLines.append(line)
            badDays.formUnion(line.noncompliantDays)
            if line.observed { tally.endpointsObserved += 1 }
            if line.compliantThroughout { tally.endpointsCompliantThroughout += 1 }
        }
        agencyLines.append(PeriodReport.AgencyLine(
            code: agency.code, name: agency.name, level: agency.level, parent: parent, path: ref.path, hasLink: agency.link != nil,
            availabilityPercent: tally.observed > 0 ? tally.connected / tally.observed * 100 : nil, observedSeconds: tally.observed,
            outages: tally.outages, outageSeconds: tally.outageSeconds, endpoints: agency.endpoints.count, daysNoncompliant: badDays.count))
        agencyEntries.append(PeriodReport.RankEntry(code: agency.code, name: agency.name, level: agency.level,
                                                    outages: tally.outages, outageSeconds: tally.outageSeconds))
        return tally
    }

    /// The levels in the inventory's order, with their roll-up figures.
    func levels(rollups: [DailyRollup]) -> [PeriodReport.Level] {
        let levelOf = Dictionary(inventory.allAgencies.map { ($0.code, $0.level) }, uniquingKeysWith: { first, _ in first })
        let days = Set(window.days.map(\.label))
        let inPeriod = Dictionary(grouping: rollups.filter { days.contains($0.day) }, by: { levelOf[$0.agencyCode] ?? "" })
        return inventory.levels.compactMap { level in
            guard let tally = levelTallies[level] else { return nil }
            let own = inPeriod[level] ?? []
            return PeriodReport.Level(level: level,
                                      figures: PeriodReport.Figures(tally, targetPercent: inventory.target(forLevel: level),
                                                                    periodSeconds: window.seconds),
                                      lossPercentMedian: Self.median(own.compactMap(\.lossPercentMedian)),
                                      rttMillisecondsP95: Self.percentile(own.compactMap(\.rttMillisecondsP95), 0.95))
        }
    }

    func rankings() -> PeriodReport.Rankings {
        func top(_ entries: [PeriodReport.RankEntry], by key: (PeriodReport.RankEntry) -> Double) -> [PeriodReport.RankEntry] {
            Array(entries.filter { $0.outages > 0 }
                .sorted { key($0) != key($1) ? key($0) > key($1) : $0.code < $1.code }
                .prefix(10))
        }
        return PeriodReport.Rankings(unitsByOutageTime: top(unitEntries, by: \.outageSeconds),
                                     unitsByOutageCount: top(unitEntries, by: { Double($0.outages) }),
                                     agenciesByOutageTime: top(agencyEntries, by: \.outageSeconds),
                                     agenciesByOutageCount: top(agencyEntries, by: { Double($0.outages) }))
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile: the smallest value with at least `fraction` of them at or below it.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
