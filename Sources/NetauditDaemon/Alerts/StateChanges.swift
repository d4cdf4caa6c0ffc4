import Foundation
import NetauditCore
import NetauditPolicy

/// One state change worth telling an operator once: an agency's link went down or came
/// back, an endpoint became non-compliant or compliant again, a certificate entered the
/// last 7 days of its validity; or, the first time a kind of state is measured (a fresh
/// installation), one digest of that state instead of an event per existing problem.
public struct AlertEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case agencyDown = "agency_down"
        case agencyRecovered = "agency_recovered"
        case endpointNoncompliant = "endpoint_noncompliant"
        case endpointCompliant = "endpoint_compliant"
        case certificateExpiring = "certificate_expiring"
        /// The baseline: the state found by the first run that measured links or endpoints,
        /// as counts (`counts`), for the inventory's top agency.
        case initialState = "initial_state"
    }

    public var event: Kind
    public var at: Date
    public var run: Int64
    public var agency: AgencyRef
    /// The endpoint's URL, for endpoint and certificate events.
    public var endpoint: String?
    /// The rule ids behind the change (e.g. `link.down`, `cert.expiring`).
    public var rules: [String]
    public var message: String
    /// For `initial_state` only: how many agencies and endpoints are in each state
    /// (`agencies_down`, `endpoints_noncompliant`, …, see ``StateTracker/Baseline``).
    public var counts: [String: Int]?

    public init(event: Kind, at: Date, run: Int64, agency: AgencyRef, endpoint: String?, rules: [String], message: String,
                counts: [String: Int]? = nil) {
        self.event = event
        self.at = at
        self.run = run
        self.agency = agency
        self.endpoint = endpoint
        self.rules = rules
        self.message = message
        self.counts = counts
    }

    public struct AgencyRef: Sendable, Equatable, Codable {
        public var code: String
        public var name: String
        public var level: String
        public var parent: String?

        public init(code: String, name: String, level: String, parent: String?) {
            self.code = code
            self.name = name
            self.level = level
            self.parent = parent
        }
    }

    /// `events` with the `initial_state` digests of one run made one (a run's links and its
    /// endpoints are taken in one after the other): counts together, the message's parts joined.
    public static func mergingDigests(_ events: [AlertEvent]) -> [AlertEvent] {
        var merged: [AlertEvent] = []
        let tail = "; from now on each change is announced"
        for event in events {
            if event.event == .initialState,
               let index = merged.firstIndex(where: { $0.event == .initialState && $0.run == event.run }) {
                var first = merged[index]
                first.counts = (first.counts ?? [:]).merging(event.counts ?? [:]) { $1 }
                let head = "initial state (run \(event.run)): "
                let parts = [first.message, event.message].map { text -> String in
                    var part = Substring(text)
                    if part.hasPrefix(head) { part = part.dropFirst(head.count) }
                    if part.hasSuffix(tail) { part = part.dropLast(tail.count) }
                    return String(part)
                }
                first.message = head + parts.joined(separator: ", ") + tail
                merged[index] = first
            } else {
                merged.append(event)
            }
        }
        return merged
    }

    /// Whether it is bad news (logged as a warning) rather than good news or a digest (a notice).
    public var isProblem: Bool { event != .agencyRecovered && event != .endpointCompliant && event != .initialState }
}

/// The last known state of every agency and endpoint, and the changes a new run brings.
/// It starts from the store's latest runs, so a restart does not announce again what was
/// already announced. With nothing known yet (an empty store: the first start after
/// installation), the first run that measures links, and the first that measures endpoints,
/// is a baseline: one `initial_state` digest of what it found, not an event per problem;
/// changes after it are announced one by one.
public struct StateTracker: Sendable {
    /// Agency code → connected.
    private var connected: [String: Bool] = [:]
    /// "code url" → compliant.
    private var compliant: [String: Bool] = [:]
    /// "code url" → inside the 7-day window.
    private var expiring: [String: Bool] = [:]
    /// Whether a run with links, and one with endpoints, was taken in: until then, the next
    /// such run is a baseline.
    private var linksKnown = false
    private var endpointsKnown = false

    /// What a baseline run found: its counts, for the digest.
    public struct Baseline: Sendable, Equatable {
        public var agencies = 0
        public var links: [LinkCondition: Int] = [:]
        public var endpoints = 0
        public var verdicts: [EndpointVerdict: Int] = [:]
        public var certificatesExpiring = 0
        public var measuredLinks = false
        public var measuredEndpoints = false

        /// `agencies_up`, `agencies_down`, `endpoints_noncompliant`, …: every state, zeros included.
        public var counts: [String: Int] {
            var counts: [String: Int] = [:]
            if measuredLinks {
                counts["agencies"] = agencies
                for condition in [LinkCondition.up, .degraded, .down, .unreachable] { counts["agencies_\(condition.rawValue)"] = links[condition, default: 0] }
            }
            if measuredEndpoints {
                counts["endpoints"] = endpoints
                for verdict in [EndpointVerdict.compliant, .noncompliant, .unreachable] { counts["endpoints_\(verdict.rawValue)"] = verdicts[verdict, default: 0] }
                counts["certificates_expiring"] = certificatesExpiring
            }
            return counts
        }

        /// "initial state (run 3): 4 of 255 agencies not connected (1 down, 3 unreachable), …".
        public func message(run: Int64) -> String {
            var parts: [String] = []
            if measuredLinks {
                let down = links[.down, default: 0], unreachable = links[.unreachable, default: 0]
                var text = "\(down + unreachable) of \(agencies) agencies not connected (\(down) down, \(unreachable) unreachable)"
                let degraded = links[.degraded, default: 0]
                if degraded > 0 { text += ", \(degraded) degraded" }
                parts.append(text)
            }
            if measuredEndpoints {
                parts.append("\(verdicts[.noncompliant, default: 0]) of \(endpoints) endpoints not compliant, \(verdicts[.unreachable, default: 0]) unreachable")
                parts.append("\(certificatesExpiring) certificate\(certificatesExpiring == 1 ? "" : "s") expiring within \(StateTracker.expiryWindowDays) days")
            }
            return "initial state (run \(run)): " + parts.joined(separator: ", ") + "; from now on each change is announced"
        }
    }

    public static let expiryWindowDays = 7

    public init() {}

    /// Takes in a run's results and returns what changed since the state before it.
    /// `links` is nil when the run probed no links, `endpoints` nil when it probed no endpoints.
    public mutating func update(run: Int64, inventory: Inventory, links: [LinkResult]?, endpoints: [EndpointResult]?,
                                now: Date = Date(), announce: Bool = true) -> [AlertEvent] {
        let agencies = Dictionary(inventory.allAgenciesWithParent.map { ($0.agency.code, $0) }, uniquingKeysWith: { first, _ in first })
        func ref(_ code: String) -> AlertEvent.AgencyRef {
            let found = agencies[code]
            return AlertEvent.AgencyRef(code: code, name: found?.agency.name ?? code, level: found?.agency.level ?? "", parent: found?.parent)
        }

        var events: [AlertEvent] = []
        var baseline = Baseline()
        baseline.measuredLinks = links != nil && !linksKnown
        baseline.measuredEndpoints = endpoints != nil && !endpointsKnown
        if links != nil { linksKnown = true }
        if endpoints != nil { endpointsKnown = true }
        for link in links ?? [] where agencies[link.agencyCode]?.agency.link != nil {
            let now = Policy.isConnected(link.state)
            let before = connected[link.agencyCode]
            connected[link.agencyCode] = now
            let agency = ref(link.agencyCode)
            if baseline.measuredLinks {
                baseline.agencies += 1
                if let condition = Policy.linkCondition(state: link.state, findings: link.findings) { baseline.links[condition, default: 0] += 1 }
                continue
            }
            if !now && before != false {
                let rules = link.findings.filter(Policy.isLinkFinding).map(\.id)
                let upstream = Policy.linkCondition(state: link.state, findings: link.findings) == .unreachable
                let cause = upstream ? " (its upstream node is down too)" : ""
                events.append(AlertEvent(event: .agencyDown, at: Date(), run: run, agency: agency, endpoint: nil, rules: rules,
                                         message: "agency \(agency.name) (\(agency.code)) is not connected: its link does not answer\(cause)"))
            } else if now && before == false {
                events.append(AlertEvent(event: .agencyRecovered, at: Date(), run: run, agency: agency, endpoint: nil, rules: [],
                                         message: "agency \(agency.name) (\(agency.code)) is connected again"))
            }
        }
        for result in endpoints ?? [] {
            let key = "\(result.agencyCode) \(result.observation.url)"
            let agency = ref(result.agencyCode)
            let isCompliant = result.verdict == .compliant
            let before = compliant[key]
            compliant[key] = isCompliant
            let serious = result.findings.filter { $0.severity == .critical || $0.severity == .high }.map(\.id)
            if baseline.measuredEndpoints {
                baseline.endpoints += 1
                baseline.verdicts[result.verdict, default: 0] += 1
            } else if !isCompliant && before != false {
                let why = result.verdict == .unreachable ? "unreachable" : "not compliant (\(serious.joined(separator: ", ")))"
                events.append(AlertEvent(event: .endpointNoncompliant, at: Date(), run: run, agency: agency, endpoint: result.observation.url,
                                         rules: serious, message: "endpoint \(result.observation.url) of \(agency.name) (\(agency.code)) is \(why)"))
            } else if isCompliant && before == false {
                events.append(AlertEvent(event: .endpointCompliant, at: Date(), run: run, agency: agency, endpoint: result.observation.url,
                                         rules: [], message: "endpoint \(result.observation.url) of \(agency.name) (\(agency.code)) is compliant again"))
            }
            // A certificate counts while the server still sends it; an endpoint not reached keeps its last state.
            if let leaf = result.observation.certificates.first {
                let daysLeft = leaf.notAfter.timeIntervalSince(now) / 86_400
                let inside = daysLeft <= Double(Self.expiryWindowDays)
                let wasInside = expiring[key]
                expiring[key] = inside
                if baseline.measuredEndpoints {
                    if inside { baseline.certificatesExpiring += 1 }
                } else if inside && wasInside != true {
                    let when = daysLeft < 0 ? "expired" : "expires in \(Int(daysLeft.rounded(.down))) days"
                    events.append(AlertEvent(event: .certificateExpiring, at: Date(), run: run, agency: agency, endpoint: result.observation.url,
                                             rules: result.findings.filter(Policy.isCertificateExpiry).map(\.id),
                                             message: "the certificate of \(result.observation.url) (\(agency.name), \(agency.code)) \(when) (\(ISO8601DateFormatter().string(from: leaf.notAfter)))"))
                }
            }
        }
        if baseline.measuredLinks || baseline.measuredEndpoints {
            let top = inventory.agencies.first.map { ref($0.code) } ?? AlertEvent.AgencyRef(code: "", name: "", level: "", parent: nil)
            events.insert(AlertEvent(event: .initialState, at: Date(), run: run, agency: top, endpoint: nil, rules: [],
                                     message: baseline.message(run: run), counts: baseline.counts), at: 0)
        }
        return announce ? events : []
    }
}
