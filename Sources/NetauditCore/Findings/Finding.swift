/// How serious a finding is, from the policy's profile.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// critical and high break the baseline (an endpoint with one is non-compliant).
    public var breaksBaseline: Bool { self >= .high }
}

/// One thing the policy found about an agency's link or endpoint: a stable rule id (part
/// of the JSON output and of docs/policy.md), a severity, a message an operator
/// understands, and the observed values that led to it.
public struct Finding: Sendable, Hashable, Codable {
    /// e.g. `cert.expired`, `link.down` (the ids of docs/policy.md).
    public var id: String
    public var severity: Severity
    public var message: String
    /// The observed values, as text keyed by a dotted name (`certificate.not_after`,
    /// `link.loss_percent`…).
    public var evidence: [String: String]

    public init(id: String, severity: Severity, message: String, evidence: [String: String] = [:]) {
        self.id = id
        self.severity = severity
        self.message = message
        self.evidence = evidence
    }
}

/// The verdict on one TLS endpoint.
public enum EndpointVerdict: String, Sendable, Hashable, Codable {
    /// `tls.unreachable`: no TCP connection or no TLS answer before the deadline.
    case unreachable
    /// At least one critical or high finding.
    case noncompliant
    /// No critical or high finding (warnings allowed).
    case compliant
}
