/// The rule ids of the policy: a contract shared with the JSON output, the results store and
/// docs/policy.md. Each id names exactly one rule; its severity comes from the profile.
public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
    // Links.
    /// The agency has no dedicated-network link in the inventory.
    case linkUnconfigured = "link.unconfigured"
    /// No answer to any echo request or connect of the series.
    case linkDown = "link.down"
    /// No answer, and the node the link depends on (`via`) is down too: the cause is upstream.
    case linkUnreachable = "link.unreachable"
    /// Some answers lost, above the loss threshold.
    case linkLoss = "link.loss"
    /// Median round trip above the latency threshold.
    case linkLatency = "link.latency"

    // Connection.
    /// No TCP connection, or no TLS answer before the deadline.
    case tlsUnreachable = "tls.unreachable"
    /// TCP works, but no handshake succeeds with a modern client.
    case tlsHandshakeFailed = "tls.handshake_failed"

    // Protocol versions.
    case protoSSL3 = "proto.ssl3"
    case protoTLS1_0 = "proto.tls1_0"
    case protoTLS1_1 = "proto.tls1_1"
    case protoTLS1_2Missing = "proto.tls1_2_missing"
    case protoTLS1_3Missing = "proto.tls1_3_missing"

    // Cipher suites.
    /// NULL, anonymous, EXPORT, DES, 3DES or RC4 accepted.
    case cipherWeak = "cipher.weak"
    /// Static-RSA key exchange accepted.
    case cipherNoForwardSecrecy = "cipher.no_forward_secrecy"
    /// TLS 1.2 CBC (non-AEAD) suites accepted.
    case cipherCBC = "cipher.cbc"

    // Key exchange.
    /// DHE accepted with a group below `dh_min_bits`.
    case kexDHWeak = "kex.dh_weak"

    // Certificates.
    case certExpired = "cert.expired"
    case certNotYetValid = "cert.not_yet_valid"
    case certExpiring = "cert.expiring"
    case certUntrusted = "cert.untrusted"
    case certSelfSigned = "cert.self_signed"
    case certHostnameMismatch = "cert.hostname_mismatch"
    case certChainIncomplete = "cert.chain_incomplete"
    case certWeakKey = "cert.weak_key"
    case certWeakSignature = "cert.weak_signature"
    case certLongValidity = "cert.long_validity"
    /// A verified OCSP response (stapled or fetched) or the issuer's CRL says the leaf or an
    /// intermediate is revoked.
    case certRevoked = "cert.revoked"
    /// No revocation source could answer for the leaf.
    case certRevocationUnknown = "cert.revocation_unknown"

    // HTTP.
    /// The HTTPS response head could not be read to its end: HSTS is not judged.
    case httpResponseUnreadable = "http.response_unreadable"
    case httpHSTSMissing = "http.hsts_missing"
    case httpHSTSShort = "http.hsts_short"
    case httpNoHTTPSRedirect = "http.no_https_redirect"
    /// The HTTPS answer redirects to a plain http:// URL.
    case httpDowngradeRedirect = "http.downgrade_redirect"

    // OCSP.
    case ocspNoStapling = "ocsp.no_stapling"

    /// The id as it appears in findings, profiles and reports.
    public var id: String { rawValue }

    /// Every rule id, in declaration order.
    public static var allIDs: [String] { allCases.map(\.rawValue) }

    /// What the rule judges: an agency's link or one of its TLS endpoints. Reports and
    /// alerts ask this instead of reading the id's prefix. (No `default:` on purpose: a new
    /// rule must say what it judges.)
    public var subject: RuleSubject {
        switch self {
        case .linkUnconfigured, .linkDown, .linkUnreachable, .linkLoss, .linkLatency:
            .link
        case .tlsUnreachable, .tlsHandshakeFailed,
             .protoSSL3, .protoTLS1_0, .protoTLS1_1, .protoTLS1_2Missing, .protoTLS1_3Missing,
             .cipherWeak, .cipherNoForwardSecrecy, .cipherCBC, .kexDHWeak,
             .certExpired, .certNotYetValid, .certExpiring, .certUntrusted, .certSelfSigned, .certHostnameMismatch,
             .certChainIncomplete, .certWeakKey, .certWeakSignature, .certLongValidity,
             .certRevoked, .certRevocationUnknown,
             .httpResponseUnreadable, .httpHSTSMissing, .httpHSTSShort, .httpNoHTTPSRedirect, .httpDowngradeRedirect,
             .ocspNoStapling:
            .endpoint
        }
    }

    /// Whether the rule speaks of the leaf certificate's end of validity (expired, or
    /// expiring within the profile's windows): the rules behind a certificate-expiry alert.
    public var isCertificateExpiry: Bool { self == .certExpired || self == .certExpiring }
}

/// What a rule judges.
public enum RuleSubject: String, Sendable, Hashable, Codable, CaseIterable {
    /// An agency's link to the dedicated network.
    case link
    /// A TLS endpoint: its connection, protocols, ciphers, certificate, HTTP and OCSP.
    case endpoint
}

/// The keys of a profile's `severities` table: one per rule id, plus two for graded rules.
///
/// - `cert.expiring.soon`, because `cert.expiring` is graded by two windows. `cert.expiring`
///   is the severity when the leaf expires within `certificate_expiring_high_days` (default
///   high), `cert.expiring.soon` when it expires later but within
///   `certificate_expiring_medium_days` (default medium). Both produce findings with the id
///   `cert.expiring`.
/// - `kex.dh_weak.broken`, because `kex.dh_weak` is graded by two sizes: `kex.dh_weak`
///   (default high) for a DHE group below `dh_min_bits`, `kex.dh_weak.broken` (default
///   critical) below `dh_critical_bits` or for an export-grade DHE suite. Both produce
///   findings with the id `kex.dh_weak`.
public enum SeverityKey {
    /// The severity of `cert.expiring` outside the near window but inside the soon one.
    public static let certExpiringSoon = "cert.expiring.soon"
    /// The severity of `kex.dh_weak` for a group below `dh_critical_bits`, or export-grade.
    public static let kexDHWeakBroken = "kex.dh_weak.broken"

    /// Every key a profile's `severities` table must hold, rule ids first.
    public static let all: [String] = Rule.allIDs + [certExpiringSoon, kexDHWeakBroken]
}
