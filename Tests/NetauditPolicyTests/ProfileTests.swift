import Foundation
import NetauditCore
@testable import NetauditPolicy
import Testing

struct ProfileTests {
    /// The contract of docs/policy.md: every rule id and its default severity.
    static let defaults: [String: Severity] = [
        "link.unconfigured": .high, "link.down": .critical, "link.unreachable": .high, "link.loss": .high,
        "link.latency": .medium, "tls.unreachable": .critical, "tls.handshake_failed": .critical,
        "proto.ssl3": .critical, "proto.tls1_0": .high, "proto.tls1_1": .high, "proto.tls1_2_missing": .low,
        "proto.tls1_3_missing": .medium, "cipher.weak": .high, "cipher.no_forward_secrecy": .medium,
        "cipher.cbc": .low, "kex.dh_weak": .high,
        "cert.expired": .critical, "cert.not_yet_valid": .critical, "cert.expiring": .high, "cert.untrusted": .high,
        "cert.self_signed": .high, "cert.hostname_mismatch": .high, "cert.chain_incomplete": .medium,
        "cert.weak_key": .high, "cert.weak_signature": .high, "cert.long_validity": .low,
        "http.response_unreadable": .low, "http.hsts_missing": .medium, "http.hsts_short": .low, "http.no_https_redirect": .medium,
        "ocsp.no_stapling": .info,
        "cert.revoked": .critical, "cert.revocation_unknown": .info, "http.downgrade_redirect": .high,
    ]

    @Test func theBundledBaselineLoads() {
        let profile = PolicyProfile.baseline
        #expect(profile.name == "baseline")
        #expect(profile.version == "2026.1")
        #expect(profile.description.contains("NIST SP 800-52 Rev. 2"))
        #expect(profile.description.contains("intermediate") && profile.description.contains("v6.0"))
        #expect(profile.overrides.isEmpty)
        #expect(PolicyProfile.bundledNames.contains("baseline"))
        #expect(Policy().profile == profile)
    }

    @Test func itListsEveryRuleWithItsDefaultSeverity() {
        let profile = PolicyProfile.baseline
        #expect(Set(Rule.allIDs) == Set(Self.defaults.keys))
        for rule in Rule.allCases {
            #expect(profile.severity(of: rule) == Self.defaults[rule.rawValue], "\(rule.rawValue)")
        }
        #expect(profile.severity(forKey: "cert.expiring.soon") == .medium)
        #expect(profile.severity(forKey: "kex.dh_weak.broken") == .critical)
        #expect(Set(profile.severities.keys) == Set(SeverityKey.all))
    }

    @Test func itHoldsTheThresholds() {
        let thresholds = PolicyProfile.baseline.thresholds
        #expect(thresholds.values == [
            "link_loss_percent": 20, "link_median_ms": 150, "certificate_expiring_high_days": 7,
            "certificate_expiring_medium_days": 30, "certificate_max_lifetime_days": 366,
            "hsts_min_max_age": 31_536_000, "rsa_min_bits": 2048, "ec_min_bits": 256,
            "dh_min_bits": 2048, "dh_critical_bits": 1024,
        ])
        #expect(PolicyProfile.baseline.linkThresholds == LinkThresholds(lossPercent: 20, medianMilliseconds: 150))
    }

    // MARK: Overrides

    @Test func aThresholdOverrideChangesTheRule() throws {
        let strict = try PolicyProfile.baseline.overriding(thresholds: ["link_loss_percent": 5])
        #expect(strict.thresholds.linkLossPercent == 5)
        #expect(strict.linkThresholds.lossPercent == 5)
        #expect(strict.overrides.thresholds == ["link_loss_percent": 5])
        let observation = Fixtures.linkObservation(sent: 10, received: 9)
        #expect(Policy().evaluateLink(of: Fixtures.agency(), observation: observation).isEmpty)
        #expect(Policy(profile: strict).evaluateLink(of: Fixtures.agency(), observation: observation).map(\.id) == ["link.loss"])
    }

    @Test func aSeverityOverrideChangesTheFinding() throws {
        let profile = try PolicyProfile.baseline.overriding(severities: ["ocsp.no_stapling": .low, "cert.expiring.soon": .high])
        #expect(profile.severity(of: .ocspNoStapling) == .low)
        let observation = Fixtures.good {
            $0.session?.ocspStapled = false
            $0.certificates[0] = Fixtures.leaf(notAfter: Fixtures.now + 20 * Fixtures.day)
        }
        let findings = Policy(profile: profile).evaluateEndpoint(observation, now: Fixtures.now).findings
        #expect(findings.map { "\($0.id) \($0.severity)" } == ["cert.expiring high", "ocsp.no_stapling low"])
    }

    @Test func overridesAccumulate() throws {
        let profile = try PolicyProfile.baseline.overriding(thresholds: ["rsa_min_bits": 3072])
            .overriding(severities: ["link.latency": .low])
        #expect(profile.overrides == PolicyOverrides(thresholds: ["rsa_min_bits": 3072], severities: ["link.latency": .low]))
        #expect(profile.thresholds.rsaMinimumBits == 3072 && profile.severity(of: .linkLatency) == .low)
    }

    @Test func theInventoryPathReadsSeveritiesAsText() throws {
        let overrides = try PolicyOverrides(thresholds: ["certificate_expiring_high_days": 14],
                                            severityNames: ["proto.tls1_3_missing": "low"])
        let policy = try Policy(profileNamed: "baseline", overrides: overrides)
        #expect(policy.profile.thresholds.certificateExpiringHighDays == 14)
        #expect(policy.profile.severity(of: .protoTLS1_3Missing) == .low)
        #expect(throws: PolicyProfileError.invalidSeverity(rule: "link.down", value: "severe")) {
            try PolicyOverrides(severityNames: ["link.down": "severe"])
        }
    }

    @Test func unknownNamesAreRefusedWithTheValidOnes() throws {
        let threshold = #expect(throws: PolicyProfileError.self) {
            try PolicyProfile.baseline.overriding(thresholds: ["link_loss": 5])
        }
        #expect(threshold == .unknownThresholds(["link_loss"], valid: PolicyThresholds.Name.allNames))
        #expect(threshold?.description.contains("valid thresholds: link_loss_percent, link_median_ms") == true)

        let rule = #expect(throws: PolicyProfileError.self) {
            try PolicyProfile.baseline.overriding(severities: ["tls.sslv3": .high])
        }
        #expect(rule == .unknownRules(["tls.sslv3"], valid: SeverityKey.all))
        #expect(rule?.description.contains("proto.ssl3") == true)

        #expect(throws: PolicyProfileError.unknownProfile("strict", available: ["baseline"])) {
            try Policy(profileNamed: "strict")
        }
    }

    @Test(arguments: [
        ("link_loss_percent", 120.0), ("link_median_ms", -1), ("rsa_min_bits", 2048.5),
        ("certificate_expiring_high_days", 40), ("hsts_min_max_age", .infinity),
    ])
    func invalidThresholdValuesAreRefused(_ name: String, _ value: Double) {
        #expect(throws: PolicyProfileError.self) { try PolicyProfile.baseline.overriding(thresholds: [name: value]) }
    }

    // MARK: Files

    /// The bundled baseline as JSON, changed by `change`.
    static func baselineJSON(_ change: (inout [String: Any]) -> Void) throws -> Data {
        let url = try #require(PolicyProfile.bundledURL(named: "baseline"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func changeTable(_ object: inout [String: Any], _ key: String, _ change: (inout [String: Any]) -> Void) {
        var table = object[key] as! [String: Any]
        change(&table)
        object[key] = table
    }

    @Test func theUnchangedFileReadsBack() throws {
        #expect(try PolicyProfile(json: try Self.baselineJSON { _ in }) == PolicyProfile.baseline)
    }

    @Test func anUnknownRuleIdIsRefused() throws {
        let data = try Self.baselineJSON { Self.changeTable(&$0, "severities") { $0["cert.revoked_twice"] = "high" } }
        let error = #expect(throws: PolicyProfileError.self) { try PolicyProfile(json: data) }
        #expect(error == .unknownRules(["cert.revoked_twice"], valid: SeverityKey.all))
        #expect(error?.description.hasPrefix("unknown rule id 'cert.revoked_twice' in severities; valid ids: link.unconfigured, link.down") == true)
    }

    @Test func aMissingThresholdIsRefused() throws {
        let data = try Self.baselineJSON { Self.changeTable(&$0, "thresholds") { $0["ec_min_bits"] = nil } }
        let error = #expect(throws: PolicyProfileError.self) { try PolicyProfile(json: data) }
        #expect(error == .missingThresholds(["ec_min_bits"]))
        #expect(error?.description == "the policy profile lacks the threshold 'ec_min_bits'")
    }

    @Test func aMissingSeverityIsRefused() throws {
        let data = try Self.baselineJSON { Self.changeTable(&$0, "severities") { $0["cert.expiring.soon"] = nil } }
        #expect(throws: PolicyProfileError.missingSeverities(["cert.expiring.soon"])) { try PolicyProfile(json: data) }
    }

    @Test func otherDefectsAreRefused() throws {
        #expect(throws: PolicyProfileError.unsupportedFormat(found: 2, supported: 1)) {
            try PolicyProfile(json: try Self.baselineJSON { $0["format"] = 2 })
        }
        #expect(throws: PolicyProfileError.unknownKeys(["rules"], valid: PolicyProfile.keys)) {
            try PolicyProfile(json: try Self.baselineJSON { $0["rules"] = [String: Any]() })
        }
        #expect(throws: PolicyProfileError.missingField("version")) {
            try PolicyProfile(json: try Self.baselineJSON { $0["version"] = nil })
        }
        #expect(throws: PolicyProfileError.invalidSeverity(rule: "link.down", value: "urgent")) {
            try PolicyProfile(json: try Self.baselineJSON { Self.changeTable(&$0, "severities") { $0["link.down"] = "urgent" } })
        }
        let typeError = #expect(throws: PolicyProfileError.self) {
            try PolicyProfile(json: try Self.baselineJSON { Self.changeTable(&$0, "thresholds") { $0["rsa_min_bits"] = "2048" } })
        }
        #expect(typeError == .unreadable("thresholds.rsa_min_bits: expected a number"))
        #expect(throws: PolicyProfileError.self) { try PolicyProfile(json: Data("[1]".utf8)) }
        #expect(throws: PolicyProfileError.self) { try PolicyProfile(json: Data("{".utf8)) }
    }
}
