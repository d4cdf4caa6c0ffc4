import Foundation
import NetauditCore

/// What an endpoint rule reads: the observation, the profile, and the time to judge at
/// (a parameter, never the clock, so that a stored observation judges the same tomorrow).
struct EndpointContext: Sendable {
    let observation: TLSObservation
    let profile: PolicyProfile
    let now: Date

    var thresholds: PolicyThresholds { profile.thresholds }

    /// A finding of `rule` with the profile's severity (or `severity` for graded rules).
    func finding(_ rule: Rule, _ message: String, _ evidence: [String: String],
                 severity: Severity? = nil) -> Finding {
        Finding(id: rule.rawValue, severity: severity ?? profile.severity(of: rule), message: message, evidence: evidence)
    }

    /// `host:port` as connected: the address when known (`[v6]:port`), else the server name.
    var target: String {
        guard let address = observation.address else { return "\(observation.serverName):\(observation.port)" }
        return address.isIPv6 ? "[\(address)]:\(observation.port)" : "\(address):\(observation.port)"
    }

    /// The verifications that were made: public trust, then government trust if configured.
    var verifications: [(store: ReachedAnchor.Store, verification: ChainVerification)] {
        guard let trust = observation.trust else { return [] }
        var list: [(ReachedAnchor.Store, ChainVerification)] = [(.public, trust.publicTrust)]
        if let government = trust.governmentTrust { list.append((.government, government)) }
        return list
    }

    /// Whether some configured anchor vouches for the chain as sent.
    var trustedByAnyStore: Bool { verifications.contains { $0.verification.trusted } }

    /// Evidence of both verifications: `trust.public.*`, `trust.government.*`.
    var trustEvidence: [String: String] {
        var evidence: [String: String] = [:]
        for (store, verification) in verifications {
            let prefix = "trust.\(store.rawValue)"
            evidence["\(prefix).trusted"] = String(verification.trusted)
            if let problem = verification.problem { evidence["\(prefix).problem"] = problem.rawValue }
            if !verification.trusted {
                evidence["\(prefix).code"] = String(verification.code)
                evidence["\(prefix).message"] = verification.message
            }
            if let anchor = verification.anchor { evidence["\(prefix).anchor"] = anchor }
        }
        if observation.trust != nil, observation.trust?.governmentTrust == nil {
            evidence["trust.government"] = "not configured"
        }
        return evidence
    }
}

/// The endpoint rules: one function per rule id, each returning its finding or nil. A rule
/// reads only what was observed; data that is missing or inconclusive (`nil`) never makes a
/// finding, so a server that could not be reached gets `tls.unreachable` and nothing made up.
enum EndpointRules {
    typealias RuleFunction = @Sendable (EndpointContext) -> Finding?

    /// Every endpoint rule, in the order of docs/policy.md.
    static let all: [(rule: Rule, evaluate: RuleFunction)] = [
        (.tlsUnreachable, tlsUnreachable),
        (.tlsHandshakeFailed, tlsHandshakeFailed),
        (.protoSSL3, protoSSL3),
        (.protoTLS1_0, protoTLS1_0),
        (.protoTLS1_1, protoTLS1_1),
        (.protoTLS1_2Missing, protoTLS1_2Missing),
        (.protoTLS1_3Missing, protoTLS1_3Missing),
        (.cipherWeak, cipherWeak),
        (.cipherNoForwardSecrecy, cipherNoForwardSecrecy),
        (.cipherCBC, cipherCBC),
        (.kexDHWeak, kexDHWeak),
        (.certExpired, certExpired),
        (.certNotYetValid, certNotYetValid),
        (.certExpiring, certExpiring),
        (.certUntrusted, certUntrusted),
        (.certSelfSigned, certSelfSigned),
        (.certHostnameMismatch, certHostnameMismatch),
        (.certChainIncomplete, certChainIncomplete),
        (.certWeakKey, certWeakKey),
        (.certWeakSignature, certWeakSignature),
        (.certLongValidity, certLongValidity),
        (.certRevoked, certRevoked),
        (.certRevocationUnknown, certRevocationUnknown),
        (.httpResponseUnreadable, httpResponseUnreadable),
        (.httpHSTSMissing, httpHSTSMissing),
        (.httpHSTSShort, httpHSTSShort),
        (.httpNoHTTPSRedirect, httpNoHTTPSRedirect),
        (.httpDowngradeRedirect, httpDowngradeRedirect),
        (.ocspNoStapling, ocspNoStapling),
    ]
}
