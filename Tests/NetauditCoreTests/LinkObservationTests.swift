import NetauditCore
import Testing

struct LinkObservationTests {
    static func observation(sent: Int, received: Int, rtts: [Double]) -> LinkObservation {
        LinkObservation(address: IPAddress(127, 0, 0, 1), method: .icmp, sent: sent, received: received,
                        roundTrip: RoundTripStatistics(milliseconds: rtts))
    }

    @Test(arguments: [
        (5, 5, [1.0, 2, 3, 4, 5], LinkState.up),
        (5, 0, [], .down),
        (0, 0, [], .down),
        (5, 4, [1.0, 1, 1, 1], .up),          // 20% loss is the threshold itself
        (5, 3, [1.0, 1, 1], .degraded),       // 40% loss
        (5, 5, [100.0, 160, 170, 180, 190], .degraded),  // median 170 ms
        (5, 5, [100.0, 120, 150, 900, 900], .up),        // median exactly 150 ms
    ])
    func stateFollowsLossAndMedianLatency(sent: Int, received: Int, rtts: [Double], expected: LinkState) {
        #expect(Self.observation(sent: sent, received: received, rtts: rtts).state() == expected)
    }

    @Test func thresholdsComeFromThePolicy() {
        let observation = Self.observation(sent: 10, received: 9, rtts: Array(repeating: 50, count: 9))
        #expect(observation.state(LinkThresholds(lossPercent: 5, medianMilliseconds: 150)) == .degraded)
        #expect(observation.state(LinkThresholds(lossPercent: 20, medianMilliseconds: 40)) == .degraded)
        #expect(observation.state() == .up)
        #expect(observation.lossPercent == 10)
    }

    @Test func roundTripStatistics() throws {
        let statistics = try #require(RoundTripStatistics(milliseconds: [4, 1, 3, 2]))
        #expect(statistics.minimum == 1 && statistics.maximum == 4)
        #expect(statistics.median == 2.5 && statistics.average == 2.5)
        #expect(statistics.jitter == 1)  // mean absolute deviation
        #expect(statistics.samples == 4)
        #expect(RoundTripStatistics(milliseconds: []) == nil)
    }

    @Test func linkMethodsReadAndWriteTheirText() {
        #expect(Link.Method(text: "icmp") == .icmp)
        #expect(Link.Method(text: "tcp:443") == .tcp(port: 443))
        #expect(Link.Method(text: "tcp:0") == nil)
        #expect(Link.Method(text: "udp:53") == nil)
        #expect(Link.Method.tcp(port: 8443).description == "tcp:8443")
    }
}
