import Foundation
import NetauditCore
import NetauditLab
@testable import NetauditProbes
import Testing

/// Hundreds of endpoints probed at once: every one gets its answer, and nothing is left
/// behind once the engine stops: no descriptor (socket, eventfd, pipe, epoll, ICMP socket)
/// and no thread.
///
/// The counts are the whole process's (/proc/self/fd, /proc/self/task), so the test relies on
/// the suite running one test at a time (`swift test --no-parallel`, as scripts/test does).
/// The lab server is started before the baseline and stopped after the last count: it has a
/// fixed set of threads (an acceptor and its workers, never one per connection), and the
/// descriptors of its connections close as soon as the clients have gone, which the bounded
/// polls below wait for.
struct TLSProbeScaleTests {
    @Test func fiveHundredEndpointsAtOnceLeaveNoDescriptorOrThreadBehind() async throws {
        let credential = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "scale.lab.test", subjectAltNames: [.dns("scale.lab.test")], key: .ecdsa(curve: .p256)))
        let addresses = (0..<500).map { IPAddress(127, 78, UInt8($0 / 250), UInt8($0 % 250 + 1)) }
        let server = try LabServer(addresses.map { LabEndpoint(address: $0, behaviour: .tls(LabTLS(credential: credential))) })
        defer { server.stop() }
        let endpoints = try server.endpoints.map { bound in
            Endpoint(url: try EndpointURL.parse("https://scale.lab.test:\(bound.port)/").get(), address: bound.endpoint.address)
        }
        let settings = TLSProbeSettings(timeout: .seconds(20), httpPort: nil)

        // One-time, process-wide initialisation (curl's and OpenSSL's globals, the threads of
        // the concurrency pool) is not a leak: a first engine does it before the baseline.
        let warmUp = ProbeEngine()
        _ = await warmUp.probeEndpoint(endpoints[0], settings: settings)
        await Self.pingEveryLinkFamily(warmUp)
        warmUp.shutdown()
        let baseline = try await Self.settledCounts()

        let engine = ProbeEngine(.init(loopThreadName: "na-scale-test"))
        #expect(Self.threadNames().contains("na-scale-test"))
        let observations = await withTaskGroup(of: TLSObservation.self) { group in
            for endpoint in endpoints {
                group.addTask { await engine.probeEndpoint(endpoint, settings: settings) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(observations.count == 500)
        #expect(observations.allSatisfy { $0.connection.modernHandshake && $0.http?.status == 200 })
        #expect(observations.allSatisfy { $0.acceptance(of: .tls1_2) == true && $0.acceptance(of: .tls1_0) == false })
        await Self.pingEveryLinkFamily(engine)  // the ICMP sockets too
        #expect(Self.descriptors().count > baseline.descriptors.count)  // the engine's own, at least

        engine.shutdown()
        // Joined; /proc drops the task a moment after pthread_join returns, so allow that moment.
        let joined = ContinuousClock.now
        while Self.threadNames().contains("na-scale-test") && ContinuousClock.now - joined < .seconds(2) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!Self.threadNames().contains("na-scale-test"))
        let ours = Self.socketInodes()
        let toLab = Self.tcpSockets(remotePrefix: [127, 78])
        #expect(ours.isDisjoint(with: toLab), "\(ours.intersection(toLab).count) sockets to the lab still open")
        // The lab's side of the connections closes once the clients have gone. Then no
        // descriptor and no thread may exist that did not before the engine. (Counting alone
        // would not do: an idle worker thread of the dispatch pool ends after 5 s and could
        // hide a leaked thread; the threads are compared by id, the descriptors by number and
        // what they point to, e.g. socket:[inode].)
        let after = await Self.counts(within: .seconds(15)) { $0.isWithin(baseline) }
        let descriptors = after.descriptors.subtracting(baseline.descriptors)
        let threads = after.threads.filter { baseline.threads[$0.key] == nil }.map { "\($0.key) \($0.value)" }
        #expect(descriptors.isEmpty, "\(descriptors.count) descriptors left behind: \(descriptors.sorted().prefix(10))")
        #expect(threads.isEmpty, "\(threads.count) threads left behind: \(threads.sorted())")
    }

    /// An echo series to each loopback family, so that the engine opens its ICMP sockets.
    static func pingEveryLinkFamily(_ engine: ProbeEngine) async {
        let quick = LinkProbeSettings(count: 1, interval: .milliseconds(10), timeout: .milliseconds(500))
        for address in [IPAddress(127, 78, 255, 1), IPAddress("::1")!] {
            _ = await engine.probeLink(Link(address: address), settings: quick)
        }
    }

    /// The process's descriptors (`number → target`: `socket:[…]`, `anon_inode:[eventfd]`,
    /// `pipe:[…]`…) and threads (`id name`).
    struct Counts {
        var descriptors: Set<String>
        /// Thread id → name.
        var threads: [String: String]

        /// Nothing that `baseline` did not have.
        func isWithin(_ baseline: Counts) -> Bool {
            descriptors.isSubset(of: baseline.descriptors) && Set(threads.keys).isSubset(of: baseline.threads.keys)
        }
    }

    /// Open descriptors but the one that listed them (closed before its link could be read).
    static func descriptors() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)") else { return nil }
            return "\(entry) → \(target)"
        })
    }

    static func threads() -> [String: String] {
        Dictionary(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).map { id in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8)) ?? "?"
            return (id, name.trimmingCharacters(in: .whitespacesAndNewlines))
        }, uniquingKeysWith: { first, _ in first })
    }

    static func currentCounts() -> Counts {
        Counts(descriptors: descriptors(), threads: threads())
    }

    /// The counts once `done` holds, or after `limit` (then the last ones), polled every 50 ms.
    static func counts(within limit: Duration, until done: (Counts) -> Bool) async -> Counts {
        let deadline = ContinuousClock.now + limit
        var counts = currentCounts()
        while !done(counts), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            counts = currentCounts()
        }
        return counts
    }

    /// The counts once they stop changing (the same for 300 ms), at most 10 s.
    static func settledCounts() async throws -> Counts {
        let deadline = ContinuousClock.now + .seconds(10)
        var last = currentCounts()
        var stableSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let now = currentCounts()
            if now.descriptors != last.descriptors || Set(now.threads.keys) != Set(last.threads.keys) {
                last = now
                stableSince = ContinuousClock.now
            } else if ContinuousClock.now - stableSince >= .milliseconds(300) {
                break
            }
        }
        return last
    }

    static func threadNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func socketInodes() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
    }

    /// Inodes of IPv4 TCP sockets whose remote address starts with `prefix`.
    static func tcpSockets(remotePrefix prefix: [UInt8]) -> Set<String> {
        guard let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() else { return [] }
        var inodes: Set<String> = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, let raw = UInt32(fields[2].split(separator: ":")[0], radix: 16) else { continue }
            let bytes = withUnsafeBytes(of: raw.littleEndian) { Array($0) }
            if Array(bytes.prefix(prefix.count)) == prefix { inodes.insert(String(fields[9])) }
        }
        return inodes
    }
}

/// The TLS probe over IPv6 (::1), the URL written with brackets.
struct TLSProbeIPv6Tests {
    @Test func anEndpointOnTheIPv6LoopbackIsChecked() async throws {
        let credential = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "v6.lab.test", subjectAltNames: [.dns("v6.lab.test"), .ip(IPAddress("::1")!)], key: .ecdsa(curve: .p256)))
        let server = try LabServer([LabEndpoint(address: IPAddress("::1")!, behaviour: .tls(LabTLS(credential: credential)))])
        defer { server.stop() }
        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let url = try EndpointURL.parse("https://[::1]:\(server.endpoints[0].port)/").get()
        let observation = await engine.probeEndpoint(Endpoint(url: url), settings: TLSProbeSettings(httpPort: nil))
        #expect(observation.connection.modernHandshake)
        #expect(observation.address == IPAddress("::1"))
        #expect(observation.trust?.hostnameMatches == true)  // the IP SAN
        #expect(observation.acceptance(of: .tls1_2) == true)
    }
}
