import Foundation
import NetauditCore
import NetauditPolicy
import NetauditProbes
import Testing

/// The probe engine when the descriptors run out under it (the open-file limit lowered
/// in this process once the engine has started): a connection that finds no descriptor is
/// netaudit's failure, never the server's. It is tried again until the check's deadline;
/// a check that still misses connections is not judged (no finding), and a link series
/// counts no connect it could not make as lost.
///
/// The servers run in another process (`netaudit lab --scale`), whose descriptors the
/// limit does not touch; the limit is the whole test process's, so the suite must run one
/// test at a time (`swift test --no-parallel`, as scripts/test does).
@Suite(.serialized) struct DescriptorExhaustionTests {
    /// `netaudit lab --scale N` on a port of its own, stopped by its PID.
    final class ScaleLab {
        let process = Process()
        let port: Int
        let count: Int

        init(count: Int) throws {
            self.count = count
            port = Int.random(in: 30_000...39_999)
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["lab", "--scale", String(count), "--tls-port", String(port)]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Its first line says it is ready.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                seen += chunk
            }
            guard String(decoding: seen, as: UTF8.self).hasPrefix("ready:") else {
                stop()
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the scale lab did not start: \(String(decoding: seen, as: UTF8.self))"])
            }
        }

        func stop() { CLIRunner.stop(process) }

        var endpoints: [Endpoint] {
            (0..<count).map { index in
                Endpoint(url: try! EndpointURL.parse("https://bench.lab.test:\(port)/").get(),
                         address: IPAddress(127, 79, UInt8(index / 250), UInt8(index % 250 + 1)))
            }
        }
    }

    /// Runs `body` with exactly `free` descriptors left to open: the soft open-file limit is
    /// lowered near the count open now, and the rest taken by copies of stderr, which are
    /// closed (and the limit put back) afterwards.
    static func withFreeDescriptors<T>(_ free: Int, _ body: () async throws -> T) async rethrows -> T {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var saved = rlimit()
        getrlimit(resource, &saved)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var low = saved
        low.rlim_cur = rlim_t(open + free + 32)
        setrlimit(resource, &low)
        var held: [Int32] = []
        while case let copy = dup(2), copy >= 0 { held.append(copy) }
        for copy in held.suffix(free) { close(copy) }
        defer {
            for copy in held.dropLast(free) { close(copy) }
            setrlimit(resource, &saved)
        }
        return try await body()
    }

    static func probeAll(_ engine: ProbeEngine, _ endpoints: [Endpoint], _ links: [Link], timeout: Duration,
                         linkSettings: LinkProbeSettings = LinkProbeSettings(count: 3, interval: .milliseconds(20),
                                                                             timeout: .milliseconds(500)))
        async -> (endpoints: [TLSObservation], links: [LinkObservation]) {
        let settings = TLSProbeSettings(timeout: timeout, httpPort: 1)
        async let tls = withTaskGroup(of: TLSObservation.self) { group in
            for endpoint in endpoints { group.addTask { await engine.probeEndpoint(endpoint, settings: settings) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        async let series = withTaskGroup(of: LinkObservation.self) { group in
            for link in links { group.addTask { await engine.probeLink(link, settings: linkSettings) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        return (await tls, await series)
    }

    /// Links to closed ports of 127.81.201.x: each connect is answered by a reset (up).
    static let links = (1...8).map { Link(address: IPAddress(127, 81, 201, UInt8($0)), method: .tcp(port: 9)) }

    @Test func connectionsThatFindNoDescriptorAreTriedAgainOrTheCheckIsNotJudged() async throws {
        let lab = try ScaleLab(count: 8)
        defer { lab.stop() }
        let engine = ProbeEngine(.init(maxConcurrentProbes: 16))
        defer { engine.shutdown() }
        let policy = Policy()
        // What the truth is, with descriptors to spare: the lab's self-signed certificate.
        let control = await engine.probeEndpoint(lab.endpoints[0], settings: TLSProbeSettings(timeout: .seconds(10), httpPort: 1))
        #expect(control.connection.modernHandshake && control.localFailure == nil)
        let truth = policy.evaluateEndpoint(control, now: Date()).findings.map(\.id)
        #expect(truth.contains("cert.self_signed") && !truth.contains { $0.hasPrefix("tls.") || $0.hasPrefix("proto.") })

        let (observations, series) = await Self.withFreeDescriptors(6) {
            await Self.probeAll(engine, lab.endpoints, Self.links, timeout: .seconds(8))
        }
        #expect(engine.connectionsRetried > 0, "the limit was never reached: the test proves nothing")
        #expect(observations.count == 8 && series.count == 8)
        for observation in observations {
            let evaluation = policy.evaluateEndpoint(observation, now: Date())
            if let local = observation.localFailure {
                #expect(local.reason == .outOfDescriptors)
                #expect(evaluation.findings.isEmpty && evaluation.notProbed == local)
            } else {
                // Made in full, late: the same findings as with descriptors to spare.
                #expect(evaluation.findings.map(\.id) == truth, "\(evaluation.findings.map(\.id)) \(observation.connection)")
            }
        }
        #expect(observations.contains { $0.localFailure == nil }, "retrying let no check through")
        for observation in series {
            // A connect that could not be made is not a loss: what was sent was answered.
            #expect(observation.received == observation.sent, "\(observation)")
            #expect(policy.linkState(observation) != .degraded && policy.linkState(observation) != .down)
            #expect(policy.evaluateLink(of: Agency(code: "1", name: "x", level: "commune", link: Self.links[0]),
                                        observation: observation).isEmpty)
        }
    }

    @Test func withNoDescriptorAtAllNothingIsHeldAgainstAnyone() async throws {
        let lab = try ScaleLab(count: 4)
        defer { lab.stop() }
        let engine = ProbeEngine(.init(maxConcurrentProbes: 16))
        defer { engine.shutdown() }
        // An ICMP link too: the engine opens its ICMP socket at the first echo series.
        let icmp = Link(address: IPAddress(127, 81, 202, 1))
        let quick = LinkProbeSettings(count: 1, interval: .milliseconds(20), timeout: .milliseconds(500))
        // Not a descriptor left, for as short a time as can be: a deadline too short for any
        // retry, one connect per link. (The runtime itself may need a descriptor now and then:
        // a whole process without any, for long, is not a state any test should hold.)
        let endpoints = lab.endpoints
        let (observations, series, echo) = await Self.withFreeDescriptors(0) {
            async let checks = Self.probeAll(engine, endpoints, Array(Self.links.prefix(4)), timeout: .milliseconds(15),
                                             linkSettings: quick)
            async let echo = engine.probeLink(icmp, settings: quick)
            let (observations, series) = await checks
            return (observations, series, await echo)
        }
        // No socket for want of descriptors: said so (not "grant CAP_NET_RAW"), not probed…
        #expect(echo.sent == 0 && echo.localFailure?.reason == .outOfDescriptors, "\(echo)")
        #expect(echo.problem?.contains("out of file descriptors") == true && echo.problem?.contains("CAP_NET_RAW") == false,
                "\(echo.problem ?? "no problem")")
        #expect(Policy().linkState(echo) == nil)
        // … and the socket is tried again once descriptors are back.
        let again = await engine.probeLink(icmp, settings: quick)
        #expect(again.localFailure == nil, "\(again)")
        if getuid() == 0 { #expect(again.received == 1, "\(again)") }
        let policy = Policy()
        for observation in observations {
            #expect(observation.localFailure?.reason == .outOfDescriptors, "\(observation.connection)")
            #expect(observation.connection.failure == nil)
            let evaluation = policy.evaluateEndpoint(observation, now: Date())
            #expect(evaluation.findings.isEmpty && evaluation.notProbed != nil)
        }
        for observation in series {
            #expect(observation.sent == 0 && observation.localFailure?.reason == .outOfDescriptors, "\(observation)")
            #expect(observation.problem?.contains("out of file descriptors") == true)
            #expect(policy.linkState(observation) == nil)
            #expect(policy.evaluateLink(of: Agency(code: "1", name: "x", level: "commune", link: Self.links[0]),
                                        observation: observation).isEmpty)
        }
    }
}
