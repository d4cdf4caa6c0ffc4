import NetauditCore
@testable import NetauditPolicy
import Testing

struct VerdictTests {
    static func finding(_ severity: Severity) -> Finding {
        Finding(id: "x.\(severity.rawValue)", severity: severity, message: "m")
    }

    @Test(arguments: [
        ([Severity](), false, EndpointVerdict.compliant),
        ([.info, .low, .medium], false, .compliant),
        ([.low, .high], false, .noncompliant),
        ([.critical], false, .noncompliant),
        ([.critical], true, .unreachable),
        ([], true, .unreachable),
    ])
    func verdictRules(_ severities: [Severity], _ unreachable: Bool, _ verdict: EndpointVerdict) {
        #expect(Policy().verdict(for: severities.map(Self.finding), unreachable: unreachable) == verdict)
    }

    @Test func anAgencyIsCompliantWhenEveryEndpointIs() {
        #expect(Policy.isCompliant([]))
        #expect(Policy.isCompliant([.compliant, .compliant]))
        #expect(!Policy.isCompliant([.compliant, .noncompliant]))
        #expect(!Policy.isCompliant([.unreachable]))
    }

    @Test func aSeverityOverrideCanMakeAnEndpointCompliant() throws {
        let observation = Fixtures.good { Fixtures.setProtocol(&$0, .tls1_0, true) }
        #expect(Policy().evaluateEndpoint(observation, now: Fixtures.now).verdict == .noncompliant)
        let lenient = Policy(profile: try PolicyProfile.baseline.overriding(severities: ["proto.tls1_0": .medium]))
        let evaluation = lenient.evaluateEndpoint(observation, now: Fixtures.now)
        #expect(evaluation.findings.map(\.severity) == [.medium])
        #expect(evaluation.verdict == .compliant)
    }
}
