import Foundation
import NetauditCore
import NetauditStore

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
        public var down = 0
        public var unreachable = 0
        public var unconfigured = 0
        /// Agencies whose link was not probed in this run (`--tls-only`).
        public var notProbed = 0
        public var endpoints = 0
        public var compliant = 0
        public var noncompliant = 0
        public var endpointsUnreachable = 0
        /// Connected agencies in percent of agencies (0 when there are none).
        public var connectionRate: Double { agencies == 0 ? 0 : Double(connected) / Double(agencies) * 100 }

        enum CodingKeys: String, CodingKey {
            case agencies, connected, down, unreachable, unconfigured, notProbed = "not_probed", endpoints, compliant
            case noncompliant, endpointsUnreachable = "endpoints_unreachable"
        }
    }

    public struct Level: Sendable, Codable, Equatable {
        public var level: String
        public var figures: Figures
        public var targetPercent: Double
        /// Agencies still to connect to reach the target (0 when it is met).
        public var gap: Int
        public var meetsTarget: Bool

        enum CodingKeys: String, CodingKey {
            case level, figures, targetPercent = "target_percent", gap, meetsTarget = "meets_target"
        }
    }

    /// A parent unit (a district) and the figures of the agencies below it, per level.
    public struct Parent: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var level: String
        public var childLevels: [Level]

        enum CodingKeys: String, CodingKey {
            case code, name, level, childLevels = "child_levels"
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
        /// Critical and high findings first.
        public var findings: [Finding]
    }

    public struct ExpiringCertificate: Sendable, Codable, Equatable {
        public var agencyCode: String
        public var url: String
        public var subject: String
        public var notAfter: Date
        public var daysLeft: Int

        enum CodingKeys: String, CodingKey {
            case agencyCode = "agency_code", url, subject, notAfter = "not_after", daysLeft = "days_left"
        }
    }

    public var levels: [Level]
    public var parents: [Parent]
    public var gaps: [Gap]
    /// Causes: a dead `via` node and the agencies behind it.
    public var causes: [String: [String]]
    public var expiringCertificates: [ExpiringCertificate]
    /// Every level meets its target and every endpoint is compliant (exit status 0).
    public var targetsMet: Bool

    enum CodingKeys: String, CodingKey {
        case levels, parents, gaps, causes, expiringCertificates = "expiring_certificates", targetsMet = "targets_met"
    }

    /// Computes the summary of one run's results against its inventory.
    public init(inventory: Inventory, links: [LinkResult], endpoints: [EndpointResult], now: Date, expiringWithinDays: Int = 30) {
        let linkByCode = Dictionary(links.map { ($0.agencyCode, $0) }, uniquingKeysWith: { _, last in last })
        let endpointsByCode = Dictionary(grouping: endpoints, by: \.agencyCode)
        let linksProbed = !links.isEmpty

        struct Status {
            var connected = false, down = false, unreachable = false, unconfigured = false, notProbed = false
            var endpoints = 0, compliant = 0, noncompliant = 0, unreachableEndpoints = 0
        }
        func statusOf(_ agency: Agency) -> Status {
            var status = Status()
            if let result = linkByCode[agency.code] {
                let ids = Set(result.findings.map(\.id))
                status.unconfigured = ids.contains("link.unconfigured") || agency.link == nil
                status.unreachable = ids.contains("link.unreachable")
                status.down = !status.unreachable && ids.contains("link.down")
                status.connected = result.state == .up || result.state == .degraded
            } else if agency.link == nil {
                status.unconfigured = true
            } else {
                status.notProbed = !linksProbed
            }
            for endpoint in endpointsByCode[agency.code] ?? [] {
                status.endpoints += 1
                switch endpoint.verdict {
                case .compliant: status.compliant += 1
                case .noncompliant: status.noncompliant += 1
                case .unreachable: status.unreachableEndpoints += 1
                }
            }
            return status
        }
        func add(_ status: Status, to figures: inout Figures) {
            figures.agencies += 1
            if status.connected { figures.connected += 1 }
            if status.down { figures.down += 1 }
            if status.unreachable { figures.unreachable += 1 }
            if status.unconfigured { figures.unconfigured += 1 }
            if status.notProbed { figures.notProbed += 1 }
            figures.endpoints += status.endpoints
            figures.compliant += status.compliant
            figures.noncompliant += status.noncompliant
            figures.endpointsUnreachable += status.unreachableEndpoints
        }
        func levels(_ figures: [String: Figures]) -> [Level] {
            inventory.levels.compactMap { name in
                guard let figure = figures[name] else { return nil }
                let target = inventory.target(forLevel: name)
                // Agencies needed: the smallest count whose share reaches the target (with a
                // tolerance: 55% of 100 is 55.000000000000007 in floating point).
                let needed = Int((target * Double(figure.agencies) / 100 - 1e-9).rounded(.up))
                let gap = max(0, needed - figure.connected)
                return Level(level: name, figures: figure, targetPercent: target, gap: gap,
                             meetsTarget: figure.notProbed == figure.agencies ? true : gap == 0)
            }
        }

        var perLevel: [String: Figures] = [:]
        var parents: [Parent] = []
        var gaps: [Gap] = []
        var causes: [String: [String]] = [:]
        var expiring: [ExpiringCertificate] = []
        var allCompliant = true

        func visit(_ agency: Agency, path: [String]) {
            let status = statusOf(agency)
            add(status, to: &perLevel[agency.level, default: Figures()])
            let compliant = status.noncompliant == 0 && status.unreachableEndpoints == 0
            if !compliant { allCompliant = false }
            let linkFindings = linkByCode[agency.code]?.findings ?? []
            let endpointFindings = (endpointsByCode[agency.code] ?? []).flatMap(\.findings)
            var cause: String?
            if status.unreachable, let via = agency.link?.via {
                cause = via
                causes[via, default: []].append(agency.code)
            }
            if (!status.connected && !status.notProbed) || !compliant {
                let findings = (linkFindings + endpointFindings)
                    .filter { $0.severity.breaksBaseline || $0.id.hasPrefix("link.") }
                    .sorted { ($0.severity, $1.id) > ($1.severity, $0.id) }
                gaps.append(Gap(code: agency.code, name: agency.name, level: agency.level, path: path + [agency.name],
                                connected: status.connected, compliant: compliant, cause: cause, findings: findings))
            }
            for endpoint in endpointsByCode[agency.code] ?? [] {
                guard let leaf = endpoint.observation.certificates.first else { continue }
                let days = Int((leaf.notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
                if days <= expiringWithinDays {
                    expiring.append(ExpiringCertificate(agencyCode: agency.code, url: endpoint.observation.url,
                                                        subject: leaf.subject, notAfter: leaf.notAfter, daysLeft: days))
                }
            }
            if !agency.children.isEmpty {
                var below: [String: Figures] = [:]
                for descendant in agency.children.flatMap(\.subtree) {
                    add(statusOf(descendant), to: &below[descendant.level, default: Figures()])
                }
                parents.append(Parent(code: agency.code, name: agency.name, level: agency.level, childLevels: levels(below)))
            }
            agency.children.forEach { visit($0, path: path + [agency.name]) }
        }
        inventory.agencies.forEach { visit($0, path: []) }

        self.levels = levels(perLevel)
        self.parents = parents
        self.gaps = gaps
        self.causes = causes
        self.expiringCertificates = expiring.sorted { $0.notAfter < $1.notAfter }
        self.targetsMet = self.levels.allSatisfy(\.meetsTarget) && allCompliant
    }
}
