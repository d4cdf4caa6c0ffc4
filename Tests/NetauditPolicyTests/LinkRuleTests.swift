import Foundation
import NetauditCore
@testable import NetauditPolicy
import Testing

struct LinkRuleTests {
    let policy = Policy()

    @Test func aGoodLinkHasNoFinding() {
        #expect(policy.evaluateLink(of: Fixtures.agency(), observation: Fixtures.linkObservation()).isEmpty)
        #expect(policy.linkState(Fixtures.linkObservation()) == .up)
    }

    @Test func anAgencyWithoutLinkIsUnconfigured() throws {
        let findings = policy.evaluateLink(of: Fixtures.agency(link: nil), observation: nil, viaState: nil)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.id == "link.unconfigured" && finding.severity == .high)
        #expect(finding.message == "Xã Ia Hrú (23575) has no link to the dedicated network in the inventory.")
        #expect(finding.evidence["agency.code"] == "23575")
    }

    @Test(arguments: [
        (nil as LinkState?, "link.down", Severity.critical),
        (.up, "link.down", .critical),
        (.degraded, "link.down", .critical),
        (.down, "link.unreachable", .high),
    ])
    func aSilentLinkIsDownUnlessItsViaNodeIsDownToo(_ viaState: LinkState?, _ id: String, _ severity: Severity) throws {
        let findings = policy.evaluateLink(of: Fixtures.agency(), observation: Fixtures.linkObservation(received: 0),
                                           viaState: viaState, viaCode: "64")
        #expect(findings.map(\.id) == [id])
        let finding = try #require(findings.first)
        #expect(finding.severity == severity)
        #expect(finding.evidence["link.sent"] == "10" && finding.evidence["link.received"] == "0")
        #expect(finding.evidence["link.loss_percent"] == "100")
        if id == "link.unreachable" {
            #expect(finding.evidence["link.via"] == "64" && finding.evidence["via.state"] == "down")
            #expect(finding.message == "No answer from 127.64.0.1, and the node it depends on (64) is down too: the cause is upstream.")
        } else {
            #expect(finding.message == "No answer from 127.64.0.1 to any of 10 ICMP echo requests.")
        }
    }

    @Test func theViaCodeDefaultsToTheLinks() {
        let findings = policy.evaluateLink(of: Fixtures.agency(), observation: Fixtures.linkObservation(received: 0), viaState: .down)
        #expect(findings.first?.evidence["link.via"] == "64")
    }

    @Test(arguments: [
        (10, 8, [12.0], [String]()),                     // 20%: the threshold itself
        (10, 7, [12.0], ["link.loss"]),                  // 30%
        (10, 10, [100.0, 150, 150, 900], []),            // median exactly 150 ms
        (10, 10, [140.0, 160, 170, 180], ["link.latency"]),  // median 165 ms
        (10, 5, [200.0, 210], ["link.loss", "link.latency"]),
    ])
    func lossAndLatency(_ sent: Int, _ received: Int, _ rtts: [Double], _ expected: [String]) {
        let observation = Fixtures.linkObservation(sent: sent, received: received, rtts: rtts)
        #expect(policy.evaluateLink(of: Fixtures.agency(), observation: observation).map(\.id) == expected)
    }

    @Test func lossAndLatencyFindingsAreSeverityHighAndMedium() throws {
        let observation = Fixtures.linkObservation(sent: 10, received: 7, rtts: [180, 190, 200])
        let findings = policy.evaluateLink(of: Fixtures.agency(), observation: observation)
        let loss = try #require(findings.first { $0.id == "link.loss" })
        #expect(loss.severity == .high)
        #expect(loss.message == "30% of 10 ICMP echo requests to 127.64.0.1 went unanswered (threshold 20%).")
        #expect(loss.evidence["link.loss_percent"] == "30" && loss.evidence["threshold.link_loss_percent"] == "20")
        let latency = try #require(findings.first { $0.id == "link.latency" })
        #expect(latency.severity == .medium)
        #expect(latency.message == "The median round trip to 127.64.0.1 is 190 ms (threshold 150 ms).")
        #expect(latency.evidence["link.rtt_median_ms"] == "190")
    }

    @Test func tcpSeriesAreDescribedAsConnects() {
        let observation = LinkObservation(address: IPAddress(127, 64, 0, 1), method: .tcp(port: 443), transport: .tcp,
                                          sent: 4, received: 0)
        let agency = Fixtures.agency(link: Link(address: IPAddress(127, 64, 0, 1), method: .tcp(port: 443)))
        #expect(policy.evaluateLink(of: agency, observation: observation).first?.message
                == "No answer from 127.64.0.1 to any of 4 TCP connects to port 443.")
    }

    @Test func inconclusiveLinkDataMakesNoFinding() {
        let agency = Fixtures.agency()
        #expect(policy.evaluateLink(of: agency, observation: nil, viaState: .down).isEmpty)
        let noSocket = Fixtures.linkObservation(sent: 0, received: 0, problem: "no ICMP socket")
        #expect(policy.evaluateLink(of: agency, observation: noSocket).isEmpty)
        #expect(policy.evaluateLink(of: agency, observation: Fixtures.linkObservation(sent: 0, received: 0)).isEmpty)
        #expect(policy.linkState(noSocket) == nil && policy.linkState(nil) == nil)
    }

    @Test func connectedMeansUpOrDegraded() {
        #expect(Policy.isConnected(.up) && Policy.isConnected(.degraded))
        #expect(!Policy.isConnected(.down) && !Policy.isConnected(nil))
    }
}
