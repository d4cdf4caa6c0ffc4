import NetauditCore

/// The numbers a profile judges against. In profiles and overrides they are a table of
/// numbers keyed by ``Name`` (snake_case); here they are typed fields.
public struct PolicyThresholds: Sendable, Hashable {
    /// The name of each threshold in profile files and inventory overrides.
    public enum Name: String, Sendable, Hashable, CaseIterable, Comparable {
        /// `link.loss` fires above this share of unanswered requests (percent, 0–100).
        case linkLossPercent = "link_loss_percent"
        /// `link.latency` fires above this median round trip (milliseconds).
        case linkMedianMilliseconds = "link_median_ms"
        /// `cert.expiring` has its `cert.expiring` severity within this many days.
        case certificateExpiringHighDays = "certificate_expiring_high_days"
        /// `cert.expiring` has its `cert.expiring.soon` severity within this many days.
        case certificateExpiringMediumDays = "certificate_expiring_medium_days"
        /// `cert.long_validity` fires for a leaf valid longer than this many days.
        case certificateMaxLifetimeDays = "certificate_max_lifetime_days"
        /// `http.hsts_short` fires below this HSTS max-age (seconds).
        case hstsMinimumMaxAge = "hsts_min_max_age"
        /// `cert.weak_key` fires for RSA keys shorter than this (bits).
        case rsaMinimumBits = "rsa_min_bits"
        /// `cert.weak_key` fires for EC keys shorter than this (bits).
        case ecMinimumBits = "ec_min_bits"
        /// `kex.dh_weak` fires for a DHE group (prime) shorter than this (bits).
        case dhMinimumBits = "dh_min_bits"
        /// `kex.dh_weak` has its `kex.dh_weak.broken` severity below this (bits).
        case dhCriticalBits = "dh_critical_bits"

        /// Whether the value must be a whole number (days, bits, seconds).
        var isWhole: Bool {
            switch self {
            case .linkLossPercent, .linkMedianMilliseconds: return false
            default: return true
            }
        }

        public static func < (lhs: Name, rhs: Name) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Every name, as profiles spell them.
        public static var allNames: [String] { allCases.map(\.rawValue) }
    }

    public var linkLossPercent: Double
    public var linkMedianMilliseconds: Double
    public var certificateExpiringHighDays: Int
    public var certificateExpiringMediumDays: Int
    public var certificateMaxLifetimeDays: Int
    public var hstsMinimumMaxAge: Int
    public var rsaMinimumBits: Int
    public var ecMinimumBits: Int
    public var dhMinimumBits: Int
    public var dhCriticalBits: Int

    /// Reads a complete table: every name present, none unknown, every value valid
    /// (see ``validate(_:_:)``), the high expiry window no longer than the medium one, and
    /// `dh_critical_bits` no more than `dh_min_bits`.
    public init(values: [String: Double]) throws(PolicyProfileError) {
        let unknown = values.keys.filter { Name(rawValue: $0) == nil }
        guard unknown.isEmpty else { throw .unknownThresholds(unknown.sorted(), valid: Name.allNames) }
        let missing = Name.allCases.filter { values[$0.rawValue] == nil }.map(\.rawValue)
        guard missing.isEmpty else { throw .missingThresholds(missing) }
        for name in Name.allCases { try Self.validate(name, values[name.rawValue]!) }
        func whole(_ name: Name) -> Int { Int(values[name.rawValue]!) }
        linkLossPercent = values[Name.linkLossPercent.rawValue]!
        linkMedianMilliseconds = values[Name.linkMedianMilliseconds.rawValue]!
        certificateExpiringHighDays = whole(.certificateExpiringHighDays)
        certificateExpiringMediumDays = whole(.certificateExpiringMediumDays)
        certificateMaxLifetimeDays = whole(.certificateMaxLifetimeDays)
        hstsMinimumMaxAge = whole(.hstsMinimumMaxAge)
        rsaMinimumBits = whole(.rsaMinimumBits)
        ecMinimumBits = whole(.ecMinimumBits)
        dhMinimumBits = whole(.dhMinimumBits)
        dhCriticalBits = whole(.dhCriticalBits)
        guard certificateExpiringHighDays <= certificateExpiringMediumDays else {
            throw .invalidThreshold(name: Name.certificateExpiringHighDays.rawValue, value: Double(certificateExpiringHighDays),
                                    reason: "must not exceed \(Name.certificateExpiringMediumDays.rawValue) (\(certificateExpiringMediumDays))")
        }
        guard dhCriticalBits <= dhMinimumBits else {
            throw .invalidThreshold(name: Name.dhCriticalBits.rawValue, value: Double(dhCriticalBits),
                                    reason: "must not exceed \(Name.dhMinimumBits.rawValue) (\(dhMinimumBits))")
        }
    }

    /// The value of one threshold.
    public subscript(name: Name) -> Double {
        switch name {
        case .linkLossPercent: return linkLossPercent
        case .linkMedianMilliseconds: return linkMedianMilliseconds
        case .certificateExpiringHighDays: return Double(certificateExpiringHighDays)
        case .certificateExpiringMediumDays: return Double(certificateExpiringMediumDays)
        case .certificateMaxLifetimeDays: return Double(certificateMaxLifetimeDays)
        case .hstsMinimumMaxAge: return Double(hstsMinimumMaxAge)
        case .rsaMinimumBits: return Double(rsaMinimumBits)
        case .ecMinimumBits: return Double(ecMinimumBits)
        case .dhMinimumBits: return Double(dhMinimumBits)
        case .dhCriticalBits: return Double(dhCriticalBits)
        }
    }

    /// The table, as profiles write it.
    public var values: [String: Double] {
        Dictionary(uniqueKeysWithValues: Name.allCases.map { ($0.rawValue, self[$0]) })
    }

    /// The link thresholds of NetauditCore (``LinkObservation/state(_:)``).
    public var link: LinkThresholds {
        LinkThresholds(lossPercent: linkLossPercent, medianMilliseconds: linkMedianMilliseconds)
    }

    /// One value on its own: finite and not negative; a percentage at most 100; days, bits
    /// and seconds whole (and small enough to be an `Int`).
    static func validate(_ name: Name, _ value: Double) throws(PolicyProfileError) {
        guard value.isFinite, value >= 0 else {
            throw .invalidThreshold(name: name.rawValue, value: value, reason: "must be a number of at least 0")
        }
        if name == .linkLossPercent, value > 100 {
            throw .invalidThreshold(name: name.rawValue, value: value, reason: "is a percentage: at most 100")
        }
        if name.isWhole, value.rounded() != value || value > Double(Int32.max) {
            throw .invalidThreshold(name: name.rawValue, value: value, reason: "must be a whole number")
        }
    }
}
