import Foundation
import NetauditCore
import NetauditLab
@testable import NetauditProbes
import Testing

/// Hundreds of endpoints probed at once: every one gets its answer, and nothing is left
/// behind (no socket to them, no loop thread) once the engine stops.
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
        let engine = ProbeEngine(.init(loopThreadName: "na-scale-test"))
        #expect(Self.threadNames().contains("na-scale-test"))
        let settings = TLSProbeSettings(timeout: .seconds(20), httpPort: nil)
        let observations = await withTaskGroup(of: TLSObservation.self) { group in
            for endpoint in endpoints {
                group.addTask { await engine.probeEndpoint(endpoint, settings: settings) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(observations.count == 500)
        #expect(observations.allSatisfy { $0.connection.modernHandshake && $0.http?.status == 200 })
        #expect(observations.allSatisfy { $0.acceptance(of: .tls1_2) == true && $0.acceptance(of: .tls1_0) == false })

        engine.shutdown()
        #expect(!Self.threadNames().contains("na-scale-test"))
        let ours = Self.socketInodes()
        let toLab = Self.tcpSockets(remotePrefix: [127, 78])
        #expect(ours.isDisjoint(with: toLab), "\(ours.intersection(toLab).count) sockets to the lab still open")
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
