import Foundation
import NetauditCore

/// The compliance policy: pure functions from observations to findings and verdicts, under
/// one ``PolicyProfile``. No I/O, no clock (`now` is a parameter), so the same observation
/// judged with the same profile at the same time always gives the same findings.
public struct Policy: Sendable, Hashable {
    public let profile: PolicyProfile

    public init(profile: PolicyProfile = .baseline) {
        self.profile = profile
    }

    /// The policy of an inventory's `policy:` section: a bundled profile by name, with the
    /// inventory's overrides applied.
    public init(profileNamed name: String, overrides: PolicyOverrides = PolicyOverrides()) throws(PolicyProfileError) {
        self.init(profile: try PolicyProfile.bundled(named: name).overriding(overrides))
    }

    // MARK: Links

    /// The link findings of one agency. `observation` is nil when the link was not probed;
    /// `viaState` is the state of the agency its link depends on (nil if no `via` or
    /// unknown) and `viaCode` that agency's code (default: the link's `via`).
    public func evaluateLink(of agency: Agency, observation: LinkObservation?, viaState: LinkState? = nil,
                             viaCode: String? = nil) -> [Finding] {
        let context = LinkContext(agency: agency, observation: observation, viaState: viaState,
                                  viaCode: viaCode ?? agency.link?.via, profile: profile)
        return Self.sorted(LinkRules.all.compactMap { $0.evaluate(context) })
    }

    /// Whether a link in `state` is judged with the state of the node it depends on: only a
    /// silent link is (`link.unreachable` when that node is down too, else `link.down`).
    public static func dependsOnVia(_ state: LinkState?) -> Bool { state == .down }

    /// How a judged link stands, for counts and alerts: up or degraded as its state says;
    /// when down, `unreachable` if it was judged behind a `via` node that is down too (a
    /// `link.unreachable` finding), else `down`. Nil when there is no state: the agency has
    /// no link, or its link was not probed or not conclusively.
    public static func linkCondition(state: LinkState?, findings: [Finding]) -> LinkCondition? {
        switch state {
        case nil: nil
        case .up: .up
        case .degraded: .degraded
        case .down: findings.contains { $0.rule == .linkUnreachable } ? .unreachable : .down
        }
    }

    /// The node an unreachable link is blamed on, as its `link.unreachable` finding names it
    /// (`link.via`); nil when no finding names one.
    public static func blamedNode(_ findings: [Finding]) -> String? {
        findings.lazy.filter { $0.rule == .linkUnreachable }.compactMap { $0.evidence["link.via"] }.first { !$0.isEmpty && $0 != "?" }
    }

    /// Whether a finding is about an agency's link (rather than one of its endpoints).
    public static func isLinkFinding(_ finding: Finding) -> Bool { finding.rule?.subject == .link }

    /// Whether a finding speaks of a certificate's end of validity (`cert.expired`,
    /// `cert.expiring`).
    public static func isCertificateExpiry(_ finding: Finding) -> Bool { finding.rule?.isCertificateExpiry == true }

    /// The state of a link under this profile's thresholds; nil when it was not probed or
    /// the probe could not run (nothing sent), which says nothing about the link.
    public func linkState(_ observation: LinkObservation?) -> LinkState? {
        guard let observation, observation.problem == nil, observation.sent > 0 else { return nil }
        return observation.state(profile.linkThresholds)
    }

    // MARK: Endpoints

    /// The findings of one TLS endpoint, its verdict and the anchor its chain reached, judged
    /// at `now`. A check that netaudit could not make in full for want of its own resources
    /// (`observation.localFailure`: out of file descriptors…) is not judged: no finding, and
    /// `notProbed` says why (its verdict means nothing: store it as not probed).
    public func evaluateEndpoint(_ observation: TLSObservation, now: Date) -> EndpointEvaluation {
        if let local = observation.localFailure {
            return EndpointEvaluation(findings: [], verdict: .compliant, notProbed: local)
        }
        let context = EndpointContext(observation: observation, profile: profile, now: now)
        let findings = Self.sorted(EndpointRules.all.compactMap { $0.evaluate(context) })
        let unreachable = findings.contains { $0.id == Rule.tlsUnreachable.rawValue }
        let trust = observation.trust
        return EndpointEvaluation(findings: findings, verdict: verdict(for: findings, unreachable: unreachable),
                                  anchor: ReachedAnchor(trust), publicTrust: trust?.publicTrust.trusted,
                                  governmentTrust: trust?.governmentTrust?.trusted)
    }

    /// An endpoint's verdict: `unreachable` when it could not be reached (`tls.unreachable`),
    /// else `noncompliant` with any critical or high finding, else `compliant` (findings of
    /// medium, low and info severity are warnings).
    public func verdict(for findings: [Finding], unreachable: Bool) -> EndpointVerdict {
        Self.verdict(for: findings, unreachable: unreachable)
    }

    /// ``verdict(for:unreachable:)``, which depends on nothing but its arguments.
    public static func verdict(for findings: [Finding], unreachable: Bool) -> EndpointVerdict {
        if unreachable { return .unreachable }
        return findings.contains { $0.severity.breaksBaseline } ? .noncompliant : .compliant
    }

    // MARK: Agencies

    /// An agency is connected when its link is up or degraded; down, unconfigured (nil) or
    /// not judged (nil) is not connected.
    public static func isConnected(_ state: LinkState?) -> Bool {
        state == .up || state == .degraded
    }

    /// An agency is compliant when every one of its endpoints is (an agency without
    /// endpoints has nothing that breaks the baseline).
    public static func isCompliant(_ verdicts: [EndpointVerdict]) -> Bool {
        verdicts.allSatisfy { $0 == .compliant }
    }

    /// Findings as reports list them: the most severe first, then by id.
    public static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { ($0.severity, $1.id) > ($1.severity, $0.id) }
    }
}

/// What the policy says about one endpoint.
public struct EndpointEvaluation: Sendable, Hashable, Codable {
    /// Sorted: the most severe first, then by id.
    public var findings: [Finding]
    public var verdict: EndpointVerdict
    /// The anchor the chain as sent reached: public trust when it verifies there, else the
    /// Government CA; nil when neither verifies it (or no chain was seen).
    public var anchor: ReachedAnchor?
    /// Whether the chain verified against public trust (nil: no chain seen).
    public var publicTrust: Bool?
    /// Whether it verified against the Government CA (nil: none configured, or no chain seen).
    public var governmentTrust: Bool?
    /// Set when the endpoint was not judged because netaudit could not make its check in full
    /// (out of file descriptors…): no findings, and `verdict` means nothing. A run stores no
    /// verdict for it and is not complete.
    public var notProbed: LocalFailure?

    public init(findings: [Finding], verdict: EndpointVerdict, anchor: ReachedAnchor? = nil,
                publicTrust: Bool? = nil, governmentTrust: Bool? = nil, notProbed: LocalFailure? = nil) {
        self.findings = findings
        self.verdict = verdict
        self.anchor = anchor
        self.publicTrust = publicTrust
        self.governmentTrust = governmentTrust
        self.notProbed = notProbed
    }

    /// The most severe finding's severity; nil without findings.
    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

/// A trust anchor a chain reached, and in which store. A chain that reaches the configured
/// Government CA meets the baseline as well as a public one; reports tell them apart.
public struct ReachedAnchor: Sendable, Hashable, Codable {
    public enum Store: String, Sendable, Hashable, Codable {
        /// Debian's bundle of public roots.
        case `public`
        /// The inventory's anchors (the Vietnamese Government CA).
        case government
    }

    public var store: Store
    /// The anchor's subject (RFC 2253), as the verifier reports it.
    public var subject: String?

    public init(store: Store, subject: String?) {
        self.store = store
        self.subject = subject
    }

    /// The anchor of a trust observation: public trust first, then government trust.
    public init?(_ trust: TrustObservation?) {
        guard let trust else { return nil }
        if trust.publicTrust.trusted {
            self.init(store: .public, subject: trust.publicTrust.anchor)
        } else if let government = trust.governmentTrust, government.trusted {
            self.init(store: .government, subject: government.anchor)
        } else {
            return nil
        }
    }
}

extension Policy {
    /// The policy an inventory asks for: its profile with its overrides.
    public init(inventory policy: InventoryPolicy) throws(PolicyProfileError) {
        let overrides = try PolicyOverrides(thresholds: policy.thresholds, severityNames: policy.severities)
        try self.init(profileNamed: policy.profile, overrides: overrides)
    }
}

extension Finding {
    /// The rule that gave this finding; nil for an id this version does not know (a
    /// finding stored by another version).
    public var rule: Rule? { Rule(rawValue: id) }
}
