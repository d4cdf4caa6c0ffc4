import Foundation
import NetauditCore
import NetauditPolicy

/// What the provincial team reports upward, computed from one stored run: per level and
/// per parent unit, how far from the connection target; the gap list with causes (agencies
/// behind one dead `via` node are one cause, not many); certificates expiring soon. Every
/// renderer (table, JSON, CSV, HTML) draws from this one value. Field names are the JSON
/// contract of docs/results-schema.md.
public struct AuditSummary: Sendable, Codable, Equatable {
    /// Connection and compliance figures of a set of agencies (a level, or a parent's children).
    public struct Figures: Sendable, Codable, Equatable {
        public var agencies = 0
        public var connected = 0
        /// Connected, but with loss or latency beyond the thresholds (counted in `connected` too).
        public var degraded = 0
        public var down = 0
        public var unreachable = 0
        public var unconfigured = 0
        /// Agencies with a link that this run did not probe (`--tls-only`, a run cut off before
        /// its links) or could not probe (no ICMP socket): not known to be connected.
        public var notProbed = 0
        public var endpoints = 0
        public var compliant = 0
        public var noncompliant = 0
        public var endpointsUnreachable = 0
        /// Endpoints the run was to check and did not (it was cut short): not known compliant.
        public var endpointsNotProbed = 0
        /// Endpoints whose chain reached a public anchor (Debian's bundle).
        public var trustedPublic = 0
        /// Endpoints whose chain reached only the inventory's anchors (the Government CA).
        public var trustedGovernment = 0
        /// Connected agencies in percent of agencies (0 when there are none).
        public var connectionRate: Double { agencies == 0 ? 0 : Double(connected) / Double(agencies) * 100 }

        public init() {}

        enum CodingKeys: String, CodingKey {
            case agencies, connected, degraded, down, unreachable, unconfigured, notProbed = "not_probed"
            case connectionRate = "connection_rate", endpoints, compliant
            case noncompliant, endpointsUnreachable = "endpoints_unreachable", endpointsNotProbed = "endpoints_not_probed"
            case trustedPublic = "trusted_public", trustedGovernment = "trusted_government"
            case complianceRate = "compliance_rate"
        }

        /// Every count, with its JSON key: decoding, encoding and sums go through this list.
        private static let counts: [(key: CodingKeys, path: WritableKeyPath<Figures, Int> & Sendable)] = [
            (.agencies, \.agencies), (.connected, \.connected), (.degraded, \.degraded), (.down, \.down),
            (.unreachable, \.unreachable), (.unconfigured, \.unconfigured), (.notProbed, \.notProbed),
            (.endpoints, \.endpoints), (.compliant, \.compliant), (.noncompliant, \.noncompliant),
            (.endpointsUnreachable, \.endpointsUnreachable), (.endpointsNotProbed, \.endpointsNotProbed),
            (.trustedPublic, \.trustedPublic), (.trustedGovernment, \.trustedGovernment),
        ]

        /// Reads figures written by any netaudit version (a count it did not write is 0).
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            for (key, path) in Self.counts { self[keyPath: path] = try container.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, path) in Self.counts { try container.encode(self[keyPath: path], forKey: key) }
            try container.encode((connectionRate * 10).rounded() / 10, forKey: .connectionRate)
            try container.encodeIfPresent(complianceRate.map { ($0 * 10).rounded() / 10 }, forKey: .complianceRate)
        }

        /// The sum of several sets of agencies.
        static func + (a: Figures, b: Figures) -> Figures {
            var sum = a
            for (_, path) in counts { sum[keyPath: path] += b[keyPath: path] }
            return sum
        }
    }

    public struct Level: Sendable, Codable, Equatable {
        public var level: String
        public var figures: Figures
        public var targetPercent: Double
        /// Agencies still to connect to reach the target (0 when it is met).
        public var gap: Int
        public var meetsTarget: Bool
        /// False when the run probed no link (`--tls-only`, or cut off before its links): the
        /// connection figures are not judged, and `meets_target` is true by default.
        public var linksProbed: Bool

        enum CodingKeys: String, CodingKey {
            case level, figures, targetPercent = "target_percent", gap, meetsTarget = "meets_target", linksProbed = "links_probed"
        }
    }

    /// A parent unit (a district) and the figures of the agencies below it, per level.
    public struct Parent: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        public var childLevels: [Level]
        /// All the agencies below it together (every level).
        public var figures: Figures
        /// Agencies below it still to connect for each level to reach its target (the sum).
        public var gap: Int

        enum CodingKeys: String, CodingKey {
            case code, name, level, childLevels = "child_levels", figures, gap
        }
    }

    /// An agency that is not connected or not compliant, with why.
    public struct Gap: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        /// Names from the top: province › district › commune.
        public var path: [String]
        public var connected: Bool
        public var compliant: Bool
        /// For `link.unreachable`: the code of the `via` node that is down (the cause).
        public var cause: String?
        /// The name of that node.
        public var causeName: String?
        /// Why the link could not be probed, when it could not (then it is not known to be connected).
        public var linkProblem: String?
        /// Endpoints the run was to check and did not (a run cut short); absent when none.
        public var endpointsNotProbed: Int?
        /// Critical and high findings first.
        public var findings: [Finding]

        enum CodingKeys: String, CodingKey {
            case code, name, level, path, connected, compliant, cause, causeName = "cause_name"
            case linkProblem = "link_problem", endpointsNotProbed = "endpoints_not_probed", findings
        }
    }

    /// One TLS endpoint: its verdict and the trust anchor its chain reached.
    public struct EndpointLine: Sendable, Codable, Equatable {
        public var agencyCode: String
        public var url: String
        public var verdict: EndpointVerdict
        /// `public` (Debian's bundle) or `government` (the inventory's anchors), with the
        /// anchor's subject; absent when the chain reached no anchor or none was seen.
        public var anchor: ReachedAnchor?
        /// Whether the chain verified against each store (absent: not verified, or no such store).
        public var publicTrust: Bool?
        public var governmentTrust: Bool?
        /// The negotiated protocol of the HTTPS request (`TLSv1.3`…).
        public var tlsProtocol: String?
        /// The leaf certificate's end of validity.
        public var notAfter: Date?

        enum CodingKeys: String, CodingKey {
            case agencyCode = "agency_code", url, verdict, anchor, publicTrust = "public_trust"
            case governmentTrust = "government_trust", tlsProtocol = "protocol", notAfter = "not_after"
        }
    }

    public struct ExpiringCertificate: Sendable, Codable, Equatable {
        public var agencyCode: String
        public var url: String
        public var subject: String
        public var notAfter: Date
        /// Whole days left, toward zero (negative once expired by a day or more).
        public var daysLeft: Int
        /// Already past its end of validity (even by less than a day, when `days_left` is 0).
        public var expired: Bool

        enum CodingKeys: String, CodingKey {
            case agencyCode = "agency_code", url, subject, notAfter = "not_after", daysLeft = "days_left", expired
        }
    }

    public var levels: [Level]
    public var parents: [Parent]
    public var gaps: [Gap]
    /// Causes: a dead `via` node and the agencies behind it.
    public var causes: [String: [String]]
    public var expiringCertificates: [ExpiringCertificate]
    /// Every TLS endpoint of the run, in inventory order.
    public var endpoints: [EndpointLine]
    /// Whether TLS endpoints were judged: by this run, or (a link sweep) by the full audit
    /// whose endpoints the report shows. False: TLS was not checked, and nothing here speaks
    /// for it (no endpoint figures, no compliance claimed).
    public var tlsChecked: Bool
    /// The run is complete, every level meets its target and every endpoint is compliant
    /// (exit status 0). With `tls_checked` false it speaks for the connection only.
    public var targetsMet: Bool

    enum CodingKeys: String, CodingKey {
        case levels, parents, gaps, causes, expiringCertificates = "expiring_certificates", endpoints
        case tlsChecked = "tls_checked", targetsMet = "targets_met"
    }

    /// Computes the summary of one run's results against its inventory. `now` is the moment
    /// certificate days are counted from (the run's start, so that a stored run always
    /// renders the same). `endpointsPlanned`: the run was to check the endpoints (not a link
    /// sweep), so one without a result was cut short; `complete`: the run ended complete.
    /// TLS counts as checked when endpoints were planned or any endpoint result is given.
    public init(inventory: Inventory, links: [LinkResult], endpoints: [EndpointResult], now: Date, expiringWithinDays: Int = 30,
                endpointsPlanned: Bool = false, complete: Bool = true) {
        let results = RunResults(inventory: inventory, links: links, endpoints: endpoints, endpointsPlanned: endpointsPlanned)
        let statuses = results.statuses()
        let placed = results.placedAgencies()
        let agencies = placed.map(\.agency)
        self.tlsChecked = endpointsPlanned || !endpoints.isEmpty
        self.levels = results.levels(results.figuresPerLevel(agencies, statuses))
        self.parents = results.parents(agencies, statuses)
        self.gaps = results.gaps(placed, statuses)
        self.causes = results.causes(agencies, statuses)
        self.expiringCertificates = results.expiringCertificates(agencies, now: now, withinDays: expiringWithinDays)
        self.endpoints = results.endpointLines(agencies)
        let allCompliant = agencies.allSatisfy { statuses[$0.code]!.isCompliant }  // every agency has a status
        self.targetsMet = complete && self.levels.allSatisfy(\.meetsTarget) && allCompliant
    }
}

extension AuditSummary {
    /// Agencies still to connect for `connected` of `agencies` to reach `targetPercent`: the
    /// smallest count whose share reaches the target, less those connected (0 when met).
    /// One formula for the run report's levels and units and the national totals.
    public static func gap(targetPercent: Double, agencies: Int, connected: Int) -> Int {
        // With a tolerance: 55% of 100 is 55.000000000000007 in floating point.
        let needed = Int((targetPercent * Double(agencies) / 100 - 1e-9).rounded(.up))
        return max(0, needed - connected)
    }
}

/// How one agency stands in a run: its link's condition and its endpoints' verdicts.
private struct AgencyStatus {
    var connected = false, degraded = false, down = false, unreachable = false, unconfigured = false, notProbed = false
    var linkProblem: String?
    var endpoints = 0, compliant = 0, noncompliant = 0, unreachableEndpoints = 0, trustedPublic = 0, trustedGovernment = 0
    var endpointsNotProbed = 0

    /// Every endpoint it was to check was checked and is compliant (none to check: compliant).
    var isCompliant: Bool { noncompliant == 0 && unreachableEndpoints == 0 && endpointsNotProbed == 0 }

    /// Counts this agency into `figures`.
    func add(to figures: inout AuditSummary.Figures) {
        figures.agencies += 1
        if connected { figures.connected += 1 }
        if degraded { figures.degraded += 1 }
        if down { figures.down += 1 }
        if unreachable { figures.unreachable += 1 }
        if unconfigured { figures.unconfigured += 1 }
        if notProbed { figures.notProbed += 1 }
        figures.endpoints += endpoints
        figures.compliant += compliant
        figures.noncompliant += noncompliant
        figures.endpointsUnreachable += unreachableEndpoints
        figures.endpointsNotProbed += endpointsNotProbed
        figures.trustedPublic += trustedPublic
        figures.trustedGovernment += trustedGovernment
    }
}

/// One run's results indexed per agency, with the inventory they judge: what each step of
/// ``AuditSummary/init(inventory:links:endpoints:now:expiringWithinDays:endpointsPlanned:complete:)`` reads.
private struct RunResults {
    let inventory: Inventory
    /// The run was to check the endpoints: one without a result was cut short.
    let endpointsPlanned: Bool
    let linkByCode: [String: LinkResult]
    /// Each agency's endpoint results, in the inventory's order (they are stored as they end).
    let endpointsByCode: [String: [EndpointResult]]
    /// Every agency of a run that probed links has a link result (those without a link
    /// too): no result at all means the links were not probed.
    let linksProbed: Bool

    init(inventory: Inventory, links: [LinkResult], endpoints: [EndpointResult], endpointsPlanned: Bool) {
        self.inventory = inventory
        self.endpointsPlanned = endpointsPlanned
        self.linkByCode = Dictionary(links.map { ($0.agencyCode, $0) }, uniquingKeysWith: { _, last in last })
        self.endpointsByCode = Self.inInventoryOrder(endpoints, inventory)
        self.linksProbed = !links.isEmpty
    }

    /// The endpoint results grouped by agency, each agency's in the order of its endpoints.
    private static func inInventoryOrder(_ endpoints: [EndpointResult], _ inventory: Inventory) -> [String: [EndpointResult]] {
        var endpointsByCode = Dictionary(grouping: endpoints, by: \.agencyCode)
        for agency in inventory.allAgencies where (endpointsByCode[agency.code]?.count ?? 0) > 1 {
            let order = Dictionary(agency.endpoints.enumerated().map { ($1.url.description, $0) }, uniquingKeysWith: { first, _ in first })
            endpointsByCode[agency.code] = endpointsByCode[agency.code]?.enumerated()
                .sorted { (order[$0.element.observation.url] ?? Int.max, $0.offset) < (order[$1.element.observation.url] ?? Int.max, $1.offset) }
                .map(\.element)
        }
        return endpointsByCode
    }

    /// Every agency from the top, parents before children, with the names above it (the
    /// inventory's scope first).
    func placedAgencies() -> [(agency: Agency, path: [String])] {
        var placed: [(agency: Agency, path: [String])] = []
        func visit(_ agency: Agency, path: [String]) {
            placed.append((agency, path))
            agency.children.forEach { visit($0, path: path + [agency.name]) }
        }
        inventory.agencies.forEach { visit($0, path: inventory.scope) }
        return placed
    }

    /// The status of every agency of the inventory, by code.
    func statuses() -> [String: AgencyStatus] {
        var statuses: [String: AgencyStatus] = [:]
        for agency in inventory.allAgencies { statuses[agency.code] = status(of: agency) }
        return statuses
    }

    /// How one agency stands: its link as the policy judged it, then its endpoints.
    func status(of agency: Agency) -> AgencyStatus {
        var status = AgencyStatus()
        if agency.link == nil {
            status.unconfigured = true
        } else if let result = linkByCode[agency.code] {
            let condition = Policy.linkCondition(state: result.state, findings: result.findings)
            status.unreachable = condition == .unreachable
            status.down = condition == .down
            status.connected = Policy.isConnected(result.state)
            status.degraded = result.state == .degraded
            if result.state == nil {
                // Probed, but inconclusive: no ICMP socket, or an address the allow-list refuses.
                status.notProbed = true
                status.linkProblem = result.observation?.problem ?? "the link could not be probed"
            }
        } else {
            status.notProbed = true
        }
        if endpointsPlanned {
            status.endpointsNotProbed = max(0, agency.endpoints.count - (endpointsByCode[agency.code]?.count ?? 0))
        }
        for endpoint in endpointsByCode[agency.code] ?? [] {
            status.endpoints += 1
            switch endpoint.verdict {
            case .compliant: status.compliant += 1
            case .noncompliant: status.noncompliant += 1
            case .unreachable: status.unreachableEndpoints += 1
            }
            switch ReachedAnchor(endpoint.observation.trust)?.store {
            case .public: status.trustedPublic += 1
            case .government: status.trustedGovernment += 1
            case nil: break
            }
        }
        return status
    }

    /// The figures of `agencies` per level, by level name.
    func figuresPerLevel(_ agencies: [Agency], _ statuses: [String: AgencyStatus]) -> [String: AuditSummary.Figures] {
        var perLevel: [String: AuditSummary.Figures] = [:]
        for agency in agencies { statuses[agency.code]!.add(to: &perLevel[agency.level, default: AuditSummary.Figures()]) }
        return perLevel
    }

    /// Each inventory level that has figures, against its connection target (not judged when
    /// the run probed no link).
    func levels(_ figures: [String: AuditSummary.Figures]) -> [AuditSummary.Level] {
        inventory.levels.compactMap { name in
            guard let figure = figures[name] else { return nil }
            let target = inventory.target(forLevel: name)
            guard linksProbed else {
                return AuditSummary.Level(level: name, figures: figure, targetPercent: target, gap: 0, meetsTarget: true, linksProbed: false)
            }
            let gap = AuditSummary.gap(targetPercent: target, agencies: figure.agencies, connected: figure.connected)
            return AuditSummary.Level(level: name, figures: figure, targetPercent: target, gap: gap, meetsTarget: gap == 0, linksProbed: true)
        }
    }

    /// Each agency with agencies below it (a unit), with their figures per level and the sum.
    func parents(_ agencies: [Agency], _ statuses: [String: AgencyStatus]) -> [AuditSummary.Parent] {
        agencies.filter { !$0.children.isEmpty }.map { agency in
            let childLevels = levels(figuresPerLevel(agency.children.flatMap(\.subtree), statuses))
            return AuditSummary.Parent(code: agency.code, name: agency.name, level: agency.level, childLevels: childLevels,
                                       figures: childLevels.map(\.figures).reduce(AuditSummary.Figures(), +),
                                       gap: childLevels.reduce(0) { $0 + $1.gap })
        }
    }

    /// The `via` node an unreachable agency's link is blamed on; nil when it is not unreachable.
    func cause(of agency: Agency, _ statuses: [String: AgencyStatus]) -> String? {
        statuses[agency.code]!.unreachable ? agency.link?.via : nil
    }

    /// Each `via` node that is down, with the agencies unreachable behind it.
    func causes(_ agencies: [Agency], _ statuses: [String: AgencyStatus]) -> [String: [String]] {
        var causes: [String: [String]] = [:]
        for agency in agencies {
            if let via = cause(of: agency, statuses) { causes[via, default: []].append(agency.code) }
        }
        return causes
    }

    /// The agencies judged not connected or not compliant, with the cause and the link and
    /// baseline-breaking findings, the most severe first.
    func gaps(_ placed: [(agency: Agency, path: [String])], _ statuses: [String: AgencyStatus]) -> [AuditSummary.Gap] {
        let names = Dictionary(inventory.allAgencies.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        return placed.compactMap { agency, path in
            let status = statuses[agency.code]!
            let judgedNotConnected = linksProbed && !status.connected
            guard judgedNotConnected || !status.isCompliant else { return nil }
            let linkFindings = linkByCode[agency.code]?.findings ?? []
            let endpointFindings = (endpointsByCode[agency.code] ?? []).flatMap(\.findings)
            let findings = (linkFindings + endpointFindings)
                .filter { $0.severity.breaksBaseline || Policy.isLinkFinding($0) }
                .sorted { ($0.severity, $1.id) > ($1.severity, $0.id) }
            let cause = cause(of: agency, statuses)
            return AuditSummary.Gap(code: agency.code, name: agency.name, level: agency.level, path: path + [agency.name],
                                    connected: status.connected, compliant: status.isCompliant, cause: cause,
                                    causeName: cause.flatMap { names[$0] }, linkProblem: status.linkProblem,
                                    endpointsNotProbed: status.endpointsNotProbed > 0 ? status.endpointsNotProbed : nil,
                                    findings: findings)
        }
    }

    /// Every TLS endpoint's line: its verdict, anchor, protocol and leaf's end of validity.
    func endpointLines(_ agencies: [Agency]) -> [AuditSummary.EndpointLine] {
        agencies.flatMap { agency in
            (endpointsByCode[agency.code] ?? []).map { endpoint in
                let evaluation = endpoint.observation
                return AuditSummary.EndpointLine(agencyCode: agency.code, url: evaluation.url, verdict: endpoint.verdict,
                                                 anchor: ReachedAnchor(evaluation.trust),
                                                 publicTrust: evaluation.trust.map(\.publicTrust.trusted),
                                                 governmentTrust: evaluation.trust?.governmentTrust?.trusted,
                                                 tlsProtocol: evaluation.session?.protocolVersion?.rawValue,
                                                 notAfter: evaluation.certificates.first?.notAfter)
            }
        }
    }

    /// The leaf certificates expired or expiring within `withinDays` of `now`, soonest first.
    func expiringCertificates(_ agencies: [Agency], now: Date, withinDays: Int) -> [AuditSummary.ExpiringCertificate] {
        var expiring: [AuditSummary.ExpiringCertificate] = []
        for agency in agencies {
            for endpoint in endpointsByCode[agency.code] ?? [] {
                guard let leaf = endpoint.observation.certificates.first else { continue }
                // Within the window to the second, as the policy's cert.expiring; days shown whole,
                // toward zero: 20.6 days ago is "-20", as the finding says "20 days ago".
                let left = leaf.notAfter.timeIntervalSince(now)
                if left <= Double(withinDays) * 86_400 {
                    expiring.append(AuditSummary.ExpiringCertificate(
                        agencyCode: agency.code, url: endpoint.observation.url, subject: leaf.subject, notAfter: leaf.notAfter,
                        daysLeft: Int((left / 86_400).rounded(.towardZero)), expired: left < 0))
                }
            }
        }
        return expiring.sorted { $0.notAfter < $1.notAfter }
    }
}
