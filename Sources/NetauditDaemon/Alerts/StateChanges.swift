import Foundation
import NetauditCore
import NetauditPolicy

/// One state change worth telling an operator once: an agency's link went down or came
/// back, an endpoint became non-compliant or compliant again, a certificate entered the
/// last 7 days of its validity.
public struct AlertEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case agencyDown = "agency_down"
        case agencyRecovered = "agency_recovered"
        case endpointNoncompliant = "endpoint_noncompliant"
        case endpointCompliant = "endpoint_compliant"
        case certificateExpiring = "certificate_expiring"
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

    /// Whether it is bad news (logged as a warning) rather than good news (a notice).
    public var isProblem: Bool { event != .agencyRecovered && event != .endpointCompliant }
}

/// The last known state of every agency and endpoint, and the changes a new run brings.
/// It starts from the store's latest runs, so a restart does not announce again what was
/// already announced; with an empty store every problem found is news once.
public struct StateTracker: Sendable {
    /// Agency code → connected.
    private var connected: [String: Bool] = [:]
    /// "code url" → compliant.
    private var compliant: [String: Bool] = [:]
    /// "code url" → inside the 7-day window.
    private var expiring: [String: Bool] = [:]

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
        for link in links ?? [] where agencies[link.agencyCode]?.agency.link != nil {
            let now = Policy.isConnected(link.state)
            let before = connected[link.agencyCode]
            connected[link.agencyCode] = now
            let agency = ref(link.agencyCode)
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
            if !isCompliant && before != false {
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
                if inside && wasInside != true {
                    let when = daysLeft < 0 ? "expired" : "expires in \(Int(daysLeft.rounded(.down))) days"
                    events.append(AlertEvent(event: .certificateExpiring, at: Date(), run: run, agency: agency, endpoint: result.observation.url,
                                             rules: result.findings.filter(Policy.isCertificateExpiry).map(\.id),
                                             message: "the certificate of \(result.observation.url) (\(agency.name), \(agency.code)) \(when) (\(ISO8601DateFormatter().string(from: leaf.notAfter)))"))
                }
            }
        }
        return announce ? events : []
    }
}
