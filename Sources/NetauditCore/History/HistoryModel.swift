import Foundation

/// How one agency's link stood over a stretch of time, as history keeps it. The first four
/// are what a complete run observed (`unreachable`: down, and the node it depends on down
/// too, so the cause is upstream); `notObserved` is time no complete run looked at it
/// (the daemon stopped, a run aborted, a gap longer than `HistorySettings.maxGap`), and is
/// never counted as up or down.
public enum LinkCondition: String, Sendable, Hashable, Codable, CaseIterable {
    case up, degraded, down, unreachable
    case notObserved = "not_observed"

    /// Connected to the dedicated network: up or degraded.
    public var isConnected: Bool { self == .up || self == .degraded }
    /// An outage: down or unreachable.
    public var isOutage: Bool { self == .down || self == .unreachable }
    public var isObserved: Bool { self != .notObserved }
}

/// How one TLS endpoint stood over a stretch of time: a verdict a complete run gave, or
/// not observed.
public enum EndpointCondition: String, Sendable, Hashable, Codable, CaseIterable {
    case compliant, noncompliant, unreachable
    case notObserved = "not_observed"

    public init(_ verdict: EndpointVerdict) {
        switch verdict {
        case .compliant: self = .compliant
        case .noncompliant: self = .noncompliant
        case .unreachable: self = .unreachable
        }
    }

    public var isObserved: Bool { self != .notObserved }
}

/// What an interval is about: one agency's link, or one endpoint (agency and URL).
public struct HistorySubject: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let agencyCode: String
    /// nil for the link, the endpoint's URL otherwise.
    public let url: String?

    public init(agencyCode: String, url: String? = nil) {
        self.agencyCode = agencyCode
        self.url = url
    }

    public static func link(_ code: String) -> HistorySubject { HistorySubject(agencyCode: code) }
    public static func endpoint(_ key: EndpointKey) -> HistorySubject { HistorySubject(agencyCode: key.agencyCode, url: key.url) }

    public var isLink: Bool { url == nil }
    public var description: String { url.map { "\(agencyCode) \($0)" } ?? agencyCode }
    public static func < (a: HistorySubject, b: HistorySubject) -> Bool {
        (a.agencyCode, a.url ?? "") < (b.agencyCode, b.url ?? "")
    }
}

/// One stretch of time in one state: [start, end). `end` of the newest interval of a
/// subject is the time of the last run that saw the state (it is extended while the state
/// holds); `open` says the interval is that newest one.
public struct StateInterval: Sendable, Hashable, Codable {
    public var subject: HistorySubject
    /// A `LinkCondition` raw value for a link, an `EndpointCondition` one for an endpoint.
    public var state: String
    public var start: Date
    public var end: Date
    public var open: Bool
    /// For a link down or unreachable: the agency code of the node the outage is blamed on
    /// (itself when down, its `via` node when unreachable). For an endpoint not compliant:
    /// its rule ids at the start, comma-separated.
    public var cause: String?
    /// The run that began the interval and the last run that saw it.
    public var firstRun: RunID
    public var lastRun: RunID

    public init(subject: HistorySubject, state: String, start: Date, end: Date, open: Bool, cause: String? = nil,
                firstRun: RunID, lastRun: RunID) {
        self.subject = subject
        self.state = state
        self.start = start
        self.end = end
        self.open = open
        self.cause = cause
        self.firstRun = firstRun
        self.lastRun = lastRun
    }

    public var linkCondition: LinkCondition? { subject.isLink ? LinkCondition(rawValue: state) : nil }
    public var endpointCondition: EndpointCondition? { subject.isLink ? nil : EndpointCondition(rawValue: state) }
    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

/// One day of one agency, rolled up when the day is over (days in the history's time
/// zone): how many complete runs looked at its link, the seconds in each condition, and
/// the loss and round-trip figures of those runs; the seconds each endpoint verdict held.
public struct DailyRollup: Sendable, Hashable, Codable {
    /// The day as `yyyy-MM-dd` in the history's time zone.
    public var day: String
    public var agencyCode: String
    public var sweeps: Int
    /// Seconds per `LinkCondition` raw value (the five add up to the day's length).
    public var linkSeconds: [String: Double]
    public var lossPercentMedian: Double?
    public var lossPercentMax: Double?
    public var rttMillisecondsMedian: Double?
    public var rttMillisecondsP95: Double?
    /// Seconds per `EndpointCondition` raw value, over all the agency's endpoints.
    public var endpointSeconds: [String: Double]

    public init(day: String, agencyCode: String, sweeps: Int = 0, linkSeconds: [String: Double] = [:],
                lossPercentMedian: Double? = nil, lossPercentMax: Double? = nil,
                rttMillisecondsMedian: Double? = nil, rttMillisecondsP95: Double? = nil,
                endpointSeconds: [String: Double] = [:]) {
        self.day = day
        self.agencyCode = agencyCode
        self.sweeps = sweeps
        self.linkSeconds = linkSeconds
        self.lossPercentMedian = lossPercentMedian
        self.lossPercentMax = lossPercentMax
        self.rttMillisecondsMedian = rttMillisecondsMedian
        self.rttMillisecondsP95 = rttMillisecondsP95
        self.endpointSeconds = endpointSeconds
    }
}

/// How history is kept: the longest time between two complete runs that still counts as
/// observed throughout, the time zone days are cut in, and the retention tiers.
public struct HistorySettings: Sendable, Hashable, Codable {
    /// Two runs further apart than this leave the time between them not observed (links:
    /// the daemon sweeps them every few minutes).
    public var maxGap: TimeInterval
    /// The same for TLS endpoints, which only full audits and TLS-only runs check (once a
    /// day by default): a day and two hours, for the audit's jitter and a slow run.
    public var endpointMaxGap: TimeInterval
    public var timeZone: TimeZone
    /// Raw sweep rows (link sweeps, and the unchanged results of TLS-only runs): days kept.
    public var rawDays: Int
    /// Full audits, intervals and roll-ups: days kept.
    public var historyDays: Int

    public init(maxGap: TimeInterval = 900, timeZone: TimeZone = .current, rawDays: Int = 14, historyDays: Int = 3653,
                endpointMaxGap: TimeInterval = HistorySettings.defaultEndpointMaxGap) {
        self.maxGap = maxGap
        self.endpointMaxGap = endpointMaxGap
        self.timeZone = timeZone
        self.rawDays = rawDays
        self.historyDays = historyDays
    }

    public static let standard = HistorySettings()
    /// A day and two hours: a daily audit, its jitter and a slow run.
    public static let defaultEndpointMaxGap: TimeInterval = 26 * 3600

    private enum CodingKeys: String, CodingKey {
        case maxGap, endpointMaxGap, timeZone, rawDays, historyDays
    }

    /// Settings written before `endpointMaxGap` existed read with its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxGap: try container.decode(TimeInterval.self, forKey: .maxGap),
                  timeZone: try container.decode(TimeZone.self, forKey: .timeZone),
                  rawDays: try container.decode(Int.self, forKey: .rawDays),
                  historyDays: try container.decode(Int.self, forKey: .historyDays),
                  endpointMaxGap: try container.decodeIfPresent(TimeInterval.self, forKey: .endpointMaxGap) ?? Self.defaultEndpointMaxGap)
    }

    /// `maxGap` for a link, `endpointMaxGap` for an endpoint.
    public func maxGap(for subject: HistorySubject) -> TimeInterval {
        subject.isLink ? maxGap : endpointMaxGap
    }
}
