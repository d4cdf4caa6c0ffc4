import NetauditCore

/// Changes an inventory makes to its profile: thresholds by name and severities by rule id
/// (the `policy:` section of an inventory, see docs/policy.md). Empty tables change nothing.
///
/// ```yaml
/// policy:
///   profile: baseline
///   thresholds: {link_loss_percent: 10, certificate_expiring_high_days: 14}
///   severities: {proto.tls1_3_missing: low, ocsp.no_stapling: low}
/// ```
public struct PolicyOverrides: Sendable, Hashable, Codable {
    /// Threshold name (``PolicyThresholds/Name``) → value.
    public var thresholds: [String: Double]
    /// Rule id, `cert.expiring.soon` or `kex.dh_weak.broken` (``SeverityKey``) → severity.
    public var severities: [String: Severity]

    public init(thresholds: [String: Double] = [:], severities: [String: Severity] = [:]) {
        self.thresholds = thresholds
        self.severities = severities
    }

    /// Reads severities written as text (`high`, `low`…), as an inventory parser has them;
    /// refuses a text that is no severity. Names are checked by ``validate()``.
    public init(thresholds: [String: Double] = [:], severityNames: [String: String]) throws(PolicyProfileError) {
        var severities: [String: Severity] = [:]
        for (key, text) in severityNames.sorted(by: { $0.key < $1.key }) {
            guard let severity = Severity(rawValue: text.lowercased()) else {
                throw .invalidSeverity(rule: key, value: text)
            }
            severities[key] = severity
        }
        self.init(thresholds: thresholds, severities: severities)
    }

    /// Nothing to change.
    public var isEmpty: Bool { thresholds.isEmpty && severities.isEmpty }

    /// Every threshold name and rule id known, every value in range on its own. (Whether the
    /// values fit together, e.g. the two expiry windows, is checked when they are applied:
    /// ``PolicyProfile/overriding(_:)``.)
    public func validate() throws(PolicyProfileError) {
        let unknownThresholds = thresholds.keys.filter { PolicyThresholds.Name(rawValue: $0) == nil }
        guard unknownThresholds.isEmpty else {
            throw .unknownThresholds(unknownThresholds.sorted(), valid: PolicyThresholds.Name.allNames)
        }
        let unknownRules = severities.keys.filter { !SeverityKey.all.contains($0) }
        guard unknownRules.isEmpty else { throw .unknownRules(unknownRules.sorted(), valid: SeverityKey.all) }
        for (key, value) in thresholds.sorted(by: { $0.key < $1.key }) {
            try PolicyThresholds.validate(PolicyThresholds.Name(rawValue: key)!, value)
        }
    }
}
