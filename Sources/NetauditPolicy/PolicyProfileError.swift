import NetauditCore

/// Why a profile or a set of overrides was refused. Every description is one sentence an
/// operator can act on, listing the valid names where a name was wrong.
public enum PolicyProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read, or is not a JSON object of the expected shape.
    case unreadable(String)
    /// `format` is missing or not one this version reads.
    case unsupportedFormat(found: Int?, supported: Int)
    /// Top-level keys the format does not define.
    case unknownKeys([String], valid: [String])
    /// A required top-level key (`name`, `version`, …) is missing or empty.
    case missingField(String)
    /// Severity keys that are no rule id (nor `cert.expiring.soon`, `kex.dh_weak.broken`).
    case unknownRules([String], valid: [String])
    /// Rule ids without a severity in a profile.
    case missingSeverities([String])
    /// A severity that is not info, low, medium, high or critical.
    case invalidSeverity(rule: String, value: String)
    /// Threshold names the policy does not know.
    case unknownThresholds([String], valid: [String])
    /// Thresholds a profile lacks.
    case missingThresholds([String])
    /// A threshold value out of range.
    case invalidThreshold(name: String, value: Double, reason: String)
    /// No bundled profile has this name.
    case unknownProfile(String, available: [String])

    public var description: String {
        switch self {
        case .unreadable(let reason):
            return "the policy profile cannot be read: \(reason)"
        case .unsupportedFormat(let found, let supported):
            let what = found.map { "format \($0)" } ?? "no format number"
            return "the policy profile has \(what); this version of netaudit reads format \(supported)"
        case .unknownKeys(let keys, let valid):
            return "unknown \(Self.plural(keys.count, "key")) \(Self.list(keys)) in the policy profile; valid keys: \(valid.joined(separator: ", "))"
        case .missingField(let name):
            return "the policy profile has no \(name)"
        case .unknownRules(let ids, let valid):
            return "unknown rule \(Self.plural(ids.count, "id")) \(Self.list(ids)) in severities; valid ids: \(valid.joined(separator: ", "))"
        case .missingSeverities(let ids):
            return "the policy profile gives no severity for \(Self.list(ids))"
        case .invalidSeverity(let rule, let value):
            let valid = Severity.allCases.map(\.rawValue).joined(separator: ", ")
            return "'\(value)' is not a severity (for \(rule)); valid severities: \(valid)"
        case .unknownThresholds(let names, let valid):
            return "unknown \(Self.plural(names.count, "threshold")) \(Self.list(names)); valid thresholds: \(valid.joined(separator: ", "))"
        case .missingThresholds(let names):
            return "the policy profile lacks the \(Self.plural(names.count, "threshold")) \(Self.list(names))"
        case .invalidThreshold(let name, let value, let reason):
            return "threshold \(name) = \(PolicyFormat.number(value)) \(reason)"
        case .unknownProfile(let name, let available):
            return "no policy profile named '\(name)'; available: \(available.joined(separator: ", "))"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }

    private static func plural(_ count: Int, _ word: String) -> String {
        count == 1 ? word : word + "s"
    }
}
