import Foundation
import NetauditCore
@testable import NetauditPolicy
import Testing

/// `kex.dh_weak` graded by `dh_min_bits` and `dh_critical_bits`, and `cipher.cbc`.
struct KeyExchangeRuleTests {
    static func dhe(_ bits: Int?, export: Bool = false, accepted: Bool? = true) -> TLSObservation {
        let suite = export ? "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA" : "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
        return Fixtures.good {
            $0.dhe = KeyExchangeAcceptance(kind: .dhe, accepted: accepted, suite: accepted == true ? suite : nil, dhBits: bits,
                                           export: export, detail: suite, testedWith: .tls1_2)
        }
    }

    static func dhFinding(_ observation: TLSObservation, policy: Policy = Policy()) -> Finding? {
        policy.evaluateEndpoint(observation, now: Fixtures.now).findings.first { $0.id == "kex.dh_weak" }
    }

    @Test(arguments: [(512, Severity.critical), (768, .critical), (1023, .critical), (1024, .high), (1536, .high),
                      (2047, .high), (2048, nil), (3072, nil), (4096, nil)])
    func theSeverityScalesWithTheGroupSize(_ bits: Int, _ severity: Severity?) throws {
        let finding = Self.dhFinding(Self.dhe(bits))
        #expect(finding?.severity == severity, "\(bits) bits")
        guard let finding else { return }
        #expect(finding.evidence["kex.dh_bits"] == String(bits))
        #expect(finding.evidence["cipher.suites"] == "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(finding.evidence["threshold.dh_min_bits"] == "2048")
        #expect((finding.evidence["threshold.dh_critical_bits"] == "1024") == (severity == .critical))
        #expect(finding.message.contains("\(bits)-bit group"))
        let verdict = Policy().evaluateEndpoint(Self.dhe(bits), now: Fixtures.now).verdict
        #expect(verdict == .noncompliant)
    }

    @Test func anExportGradeDHESuiteIsCriticalWhateverItsGroup() throws {
        let finding = try #require(Self.dhFinding(Self.dhe(2048, export: true)))
        #expect(finding.severity == .critical)
        #expect(finding.evidence["kex.export"] == "true")
        #expect(finding.message.contains("export-grade"))
        #expect(Self.dhFinding(Self.dhe(512, export: true))?.severity == .critical)
    }

    @Test func noGroupReadOrNoDHEAcceptedMakesNoFinding() {
        #expect(Self.dhFinding(Self.dhe(nil)) == nil)  // accepted, but the group could not be read
        #expect(Self.dhFinding(Self.dhe(nil, export: true)) == nil)
        #expect(Self.dhFinding(Self.dhe(nil, accepted: false)) == nil)
        #expect(Self.dhFinding(Self.dhe(1024, accepted: nil)) == nil)  // inconclusive
        #expect(Self.dhFinding(Fixtures.good()) == nil)  // not tested (an observation from before)
    }

    @Test func theThresholdsAreOverridable() throws {
        let strict = Policy(profile: try PolicyProfile.baseline.overriding(thresholds: ["dh_min_bits": 3072, "dh_critical_bits": 2048]))
        let finding = try #require(Self.dhFinding(Self.dhe(2048), policy: strict))
        #expect(finding.severity == .high)
        #expect(finding.evidence["threshold.dh_min_bits"] == "3072")
        #expect(Self.dhFinding(Self.dhe(1536), policy: strict)?.severity == .critical)
        let lenient = Policy(profile: try PolicyProfile.baseline.overriding(thresholds: ["dh_min_bits": 1024, "dh_critical_bits": 512]))
        #expect(Self.dhFinding(Self.dhe(1024), policy: lenient) == nil)
        #expect(Self.dhFinding(Self.dhe(768), policy: lenient)?.severity == .high)
        #expect(Self.dhFinding(Self.dhe(511), policy: lenient)?.severity == .critical)
    }

    @Test func theSeveritiesAreOverridable() throws {
        let profile = try PolicyProfile.baseline.overriding(severities: ["kex.dh_weak": .medium, "kex.dh_weak.broken": .high])
        #expect(Self.dhFinding(Self.dhe(1024), policy: Policy(profile: profile))?.severity == .medium)
        #expect(Self.dhFinding(Self.dhe(512), policy: Policy(profile: profile))?.severity == .high)
        #expect(Policy(profile: profile).evaluateEndpoint(Self.dhe(1024), now: Fixtures.now).verdict == .compliant)
    }

    @Test func theCriticalSizeMayNotExceedTheMinimum() {
        #expect(throws: PolicyProfileError.self) {
            try PolicyProfile.baseline.overriding(thresholds: ["dh_critical_bits": 4096])
        }
        #expect(throws: PolicyProfileError.self) {
            try PolicyProfile.baseline.overriding(thresholds: ["dh_min_bits": 1000.5])
        }
    }

    @Test func cbcIsALowWarningJudgedOnlyWhenAccepted() throws {
        func observation(_ accepted: Bool?) -> TLSObservation {
            Fixtures.good {
                $0.cbc = CipherClassAcceptance(name: "cbc", accepted: accepted, detail: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                                               testedWith: .tls1_2)
            }
        }
        let evaluation = Policy().evaluateEndpoint(observation(true), now: Fixtures.now)
        let finding = try #require(evaluation.findings.first { $0.id == "cipher.cbc" })
        #expect(finding.severity == .low)
        #expect(finding.evidence["cipher.suites"] == "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384")
        #expect(finding.evidence["cipher.tested_with"] == "TLSv1.2")
        #expect(evaluation.verdict == .compliant)  // a warning
        for other in [false, nil] as [Bool?] {
            #expect(Policy().evaluateEndpoint(observation(other), now: Fixtures.now).findings.isEmpty)
        }
    }

    @Test func anObservationStoredBeforeTheNewFieldsStillDecodes() throws {
        var old = Fixtures.good()
        old.dhe = nil
        old.ecdhe = nil
        old.cbc = nil
        let data = try JSONEncoder().encode(old)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\"dhe\"") && !text.contains("\"cbc\""))
        let decoded = try JSONDecoder().decode(TLSObservation.self, from: data)
        #expect(decoded.dhe == nil && decoded.cbc == nil && decoded.ecdhe == nil)
        // And a new one keeps them.
        let new = Self.dhe(1024)
        #expect(try JSONDecoder().decode(TLSObservation.self, from: JSONEncoder().encode(new)).dhe?.dhBits == 1024)
    }
}
