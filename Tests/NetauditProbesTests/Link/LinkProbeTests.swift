import Foundation
import NetauditCore
import NetauditPolicy
@testable import NetauditProbes
import Testing

/// Link probes against the loopback network: the kernel answers echo requests to any
/// 127.0.0.0/8 address and ::1, and the tests open (or leave closed) TCP ports themselves.
@Suite(.serialized) struct LinkProbeTests {
    static let quick = LinkProbeSettings(count: 3, interval: .milliseconds(20), timeout: .milliseconds(500))

    @Test(arguments: ["127.0.0.1", "127.6.92.5", "::1"])
    func icmpEchoSeriesGetsEveryReply(_ text: String) async throws {
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let address = try #require(IPAddress(text))
        let observation = await engine.probeLink(Link(address: address), settings: Self.quick)
        #expect(observation.problem == nil)
        #expect(observation.transport == .icmpRaw || observation.transport == .icmpDatagram)
        #expect(observation.sent == 3)
        #expect(observation.received == 3)
        #expect(observation.lossPercent == 0)
        #expect(observation.state() == .up)
        let rtt = try #require(observation.roundTrip)
        #expect(rtt.samples == 3)
        #expect(rtt.minimum >= 0 && rtt.minimum <= rtt.median && rtt.median <= rtt.maximum)
        #expect(rtt.maximum < 100)
        #expect(observation.firstReply != nil && observation.lastReply! >= observation.firstReply!)
        #expect(observation.duration >= 0.04)  // three sends 20 ms apart
    }

    @Test func aThousandLinksShareOneSocket() async throws {
        let engine = ProbeEngine(.init(icmpSendSpacing: .microseconds(200)))
        defer { engine.shutdown() }
        let addresses = (1...1000).map { IPAddress(127, 3, UInt8($0 / 250), UInt8($0 % 250 + 1)) }
        let descriptorsBefore = openDescriptors()
        let observations = await withTaskGroup(of: LinkObservation.self) { group in
            for address in addresses {
                group.addTask { await engine.probeLink(Link(address: address), settings: LinkProbeSettings(count: 2, interval: .milliseconds(50), timeout: .seconds(2))) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(observations.count == 1000)
        #expect(Set(observations.map(\.address)) == Set(addresses))
        #expect(observations.allSatisfy { $0.received == 2 })
        // One ICMP socket for all of them (plus curl's wakeup pair), not one per link.
        #expect(openDescriptors() - descriptorsBefore <= 4)
    }

    @Test func tcpConnectsToAnOpenPortAreAnswers() async throws {
        let listener = try LoopbackListener()
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let observation = await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: listener.port)),
                                                 settings: Self.quick)
        #expect(observation.transport == .tcp)
        #expect(observation.sent == 3)
        #expect(observation.received == 3)
        #expect(observation.refused == 0)
        #expect(observation.state() == .up)
    }

    @Test func aRefusedConnectIsAnAnswerFromAClosedPort() async throws {
        let port = try LoopbackListener().port  // opened and closed again: nothing listens now
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let observation = await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: port)),
                                                 settings: Self.quick)
        #expect(observation.received == 3)
        #expect(observation.refused == 3)
        #expect(observation.problem == nil)
    }

    @Test func aSilentPortTimesOutAndTheConnectsStartIntervalApart() async throws {
        let silent = try SilentPort()
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        // Attempts start 100 ms apart whatever the previous one does: the second starts while
        // the first still waits, so the series takes 0.1 + 0.5 s, not 0.5 + 0.1 + 0.5 s.
        let settings = LinkProbeSettings(count: 2, interval: .milliseconds(100), timeout: .milliseconds(500))
        let observation = await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: silent.port)),
                                                 settings: settings)
        #expect(observation.transport == .tcp)
        #expect(observation.sent == 2)
        #expect(observation.received == 0)
        #expect(observation.refused == 0)  // silence, not a reset
        #expect(observation.unreachable == 0)
        #expect(observation.lossPercent == 100)
        #expect(observation.roundTrip == nil)
        #expect(observation.state() == .down)
        #expect(observation.duration >= 0.59 && observation.duration < 0.9, "took \(observation.duration) s")
    }

    @Test func connectsThatAnswerAreSpacedByTheIntervalFromTheStart() async throws {
        let listener = try LoopbackListener()
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let settings = LinkProbeSettings(count: 4, interval: .milliseconds(50), timeout: .milliseconds(500))
        let observation = await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: listener.port)),
                                                 settings: settings)
        #expect(observation.received == 4)
        // The last connect starts 150 ms after the first and answers at once.
        #expect(observation.duration >= 0.15 && observation.duration < 0.4, "took \(observation.duration) s")
    }

    @Test func anAddressOutsideTheAllowListIsNeverProbed() async {
        let engine = ProbeEngine(.init(allow: [IPNetwork("127.0.0.0/8")!]))
        defer { engine.shutdown() }
        let observation = await engine.probeLink(Link(address: IPAddress("::1")!), settings: Self.quick)
        #expect(observation.sent == 0)
        #expect(observation.problem == "address ::1 is outside the allowed target networks")
        #expect(observation.state() == .down)
    }

    @Test func cancellationEndsASeriesEarlyWithWhatItHas() async throws {
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let slow = LinkProbeSettings(count: 50, interval: .milliseconds(100), timeout: .seconds(1))
        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1)), settings: slow) }
        try await Task.sleep(for: .milliseconds(350))
        task.cancel()
        let observation = await task.value
        #expect(clock.now - started < .seconds(2))
        #expect(observation.sent >= 2 && observation.sent < 50)
        #expect(observation.received == observation.sent)  // a request cut off is not a loss
    }

    /// Connects still waiting when the run is cancelled were neither answered nor lost: a
    /// series cut off before any of them concluded says nothing (not "down").
    @Test func aCancelledSeriesCountsNoConnectItDidNotConclude() async throws {
        let silent = try SilentPort()
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let settings = LinkProbeSettings(count: 3, interval: .milliseconds(50), timeout: .seconds(5))
        let task = Task {
            await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: silent.port)), settings: settings)
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let observation = await task.value
        #expect(observation.sent == 0 && observation.received == 0)
        #expect(Policy().linkState(observation) == nil)
    }

    @Test func aStoppedEngineAnswersAtOnce() async {
        let engine = ProbeEngine()
        engine.shutdown()
        let observation = await engine.probeLink(Link(address: IPAddress(127, 0, 0, 1)), settings: Self.quick)
        #expect(observation.problem == "the probe engine has stopped")
    }

    func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
