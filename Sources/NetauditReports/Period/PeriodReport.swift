import Foundation
import NetauditCore

/// The report of a period (a month, a quarter): how well each level and unit stayed
/// connected, its outages, which agencies and units suffered most, and how the TLS
/// endpoints kept to the policy, day by day. A pure value computed from history (state
/// intervals, and daily roll-ups for the loss and round-trip figures); renderers:
/// `table`, `json`, `csv`, `html`.
///
/// Definitions (docs/results-schema.md, "Period report"):
/// - observed: up, degraded, down or unreachable; `not_observed` time and time no interval
///   covers are neither connected nor not, and count nowhere but in `observed_percent`;
/// - availability: time connected (up or degraded) ÷ time observed;
/// - daily connection rate: per day, the connected seconds ÷ the observed seconds over the
///   agencies concerned; a day meets the target when that rate is at least the target;
/// - an open interval whose last run is at most `maxGap` before `now` holds up to `now`
///   (at most the period's end); a stale one ends at its last run.
public struct PeriodReport: Sendable, Encodable {
    /// Connection and compliance figures over a set of agencies (a level's, or the agencies
    /// below a unit). Percentages are 0–100; nil when nothing was observed.
    public struct Figures: Sendable, Encodable, Equatable {
        public var agencies: Int
        public var agenciesWithLink: Int
        /// Agencies with a link observed at some time and never down or unreachable.
        public var connectedThroughout: Int
        public var connectedSeconds: Double
        public var observedSeconds: Double
        public var availabilityPercent: Double?
        /// Observed time in percent of the period times the agencies with a link.
        public var observedPercent: Double
        /// Per day of `days`: connected ÷ observed seconds, nil for a day with no observation.
        public var dailyRatePercent: [Double?]
        public var meanDailyRatePercent: Double?
        public var minDailyRatePercent: Double?
        /// Days with any observation, and of those the days whose rate met the target.
        public var observedDays: Int
        public var daysMet: Int
        public var targetPercent: Double
        public var outages: Int
        public var outageSeconds: Double
        /// Endpoints with any verdict in the period, and of those the ones never not compliant.
        public var endpointsObserved: Int
        public var endpointsCompliantThroughout: Int
    }

    /// One level: its agencies' figures, and the loss and round-trip figures of its daily
    /// roll-ups (the median of the daily loss medians, the 95th percentile of the daily
    /// RTT p95s, nearest rank), absent without roll-ups.
    public struct Level: Sendable, Encodable, Equatable {
        public var level: String
        public var figures: Figures
        public var lossPercentMedian: Double?
        public var rttMillisecondsP95: Double?
    }

    /// A unit (an agency with agencies below it): the figures of the agencies below it, all
    /// levels together (not the unit's own link), against the highest target among them.
    public struct Unit: Sendable, Encodable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        public var path: [String]
        public var figures: Figures
    }

    /// An agency as a line of the report (and of the CSV).
    public struct AgencyLine: Sendable, Encodable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        /// The code of the agency above it, nil for a top one.
        public var parent: String?
        /// Names from the top (the inventory's scope first), the agency's own last.
        public var path: [String]
        public var hasLink: Bool
        public var availabilityPercent: Double?
        public var observedSeconds: Double
        public var outages: Int
        public var outageSeconds: Double
        public var endpoints: Int
        /// Days on which any of its endpoints was noncompliant or unreachable.
        public var daysNoncompliant: Int
    }

    /// One outage of one agency's link: down and unreachable stretches without a break.
    public struct Outage: Sendable, Encodable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        public var path: [String]
        /// Clipped to the period: an outage begun before it starts at the period's start.
        public var start: Date
        /// nil: still going on at the period's end (or at `now`, its interval still holding).
        public var end: Date?
        /// Seconds within the period.
        public var durationSeconds: Double
        /// `down`, `unreachable` or `mixed`.
        public var kind: String
        /// The node the outage is blamed on (the first cause its intervals give) and its name.
        public var causeCode: String?
        public var causeName: String?

        init(agency: AgencyRef, start: Date, end: Date?, durationSeconds: Double, kind: String, causeCode: String?, causeName: String?) {
            code = agency.code
            name = agency.name
            level = agency.level
            path = agency.path
            self.start = start
            self.end = end
            self.durationSeconds = durationSeconds
            self.kind = kind
            self.causeCode = causeCode
            self.causeName = causeName
        }
    }

    /// Who an outage belongs to, as the builder passes it along.
    struct AgencyRef: Sendable {
        let code: String
        let name: String
        let level: String
        let path: [String]
    }

    /// One endpoint over the period.
    public struct EndpointLine: Sendable, Encodable, Equatable {
        public var agencyCode: String
        public var url: String
        /// It had a verdict at some time in the period.
        public var observed: Bool
        public var compliantThroughout: Bool
        /// Days on which it was noncompliant or unreachable at any time, and which.
        public var daysNoncompliant: Int
        public var noncompliantDays: [String]
        /// The day of its last change to compliant inside the period, if it stayed compliant.
        public var fixedOn: String?
    }

    /// A place in a ranking: a unit (its agencies below) or an agency.
    public struct RankEntry: Sendable, Encodable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        public var outages: Int
        public var outageSeconds: Double
    }

    /// The ten units and agencies with the most outage time, and with the most outages.
    public struct Rankings: Sendable, Encodable, Equatable {
        public var unitsByOutageTime: [RankEntry]
        public var unitsByOutageCount: [RankEntry]
        public var agenciesByOutageTime: [RankEntry]
        public var agenciesByOutageCount: [RankEntry]
    }

    public let title: String?
    public let from: Date
    public let to: Date
    public let now: Date
    /// The time zone's identifier (`Asia/Ho_Chi_Minh`): days are cut in it, dates written in it.
    public let timeZone: String
    /// The days of the period, `yyyy-MM-dd`; every daily array follows this order.
    public let days: [String]
    public let levels: [Level]
    public let units: [Unit]
    public let agencies: [AgencyLine]
    public let endpoints: [EndpointLine]
    /// Sorted by start, then agency code.
    public let outages: [Outage]
    public let rankings: Rankings

    /// The heat map: per unit (as `units`), per day (as `days`), the availability in percent.
    public var availabilityMatrix: [[Double?]] { units.map(\.figures.dailyRatePercent) }

    private enum CodingKeys: String, CodingKey {
        case title, from, to, now, timeZone, days, levels, units, agencies, endpoints, outages, rankings
    }

    public init(inventory: Inventory, intervals: [StateInterval], rollups: [DailyRollup], from: Date, to: Date, now: Date,
                settings: HistorySettings) {
        let window = PeriodWindow(from: from, to: to, now: now, settings: settings)
        var builder = PeriodBuilder(inventory: inventory, intervals: intervals, window: window)
        builder.visitAll()
        title = inventory.title
        self.from = from
        self.to = max(from, to)
        self.now = now
        timeZone = settings.timeZone.identifier
        days = window.days.map(\.label)
        levels = builder.levels(rollups: rollups)
        units = builder.units
        agencies = builder.agencyLines
        endpoints = builder.endpointLines
        outages = builder.outages.sorted { ($0.start, $0.code) < ($1.start, $1.code) }
        rankings = builder.rankings()
    }

    public func json() throws -> String {
        let encoder = JSONOutput.encoder()
        let zone = TimeZone(identifier: timeZone) ?? .gmt
        // ISO 8601 with the history's offset: a day boundary reads as midnight.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = zone
            var container = encoder.singleValueContainer()
            try container.encode(formatter.string(from: date))
        }
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
