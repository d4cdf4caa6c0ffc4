import Foundation
import NetauditCore
import NetauditLab
import NetauditPolicy
@testable import NetauditProbes
import Testing

/// Edge cases found in review: a server that completes TLS and never answers HTTP, a proxy
/// in the environment, and cancellation of checks still queued for a slot.
@Suite(.serialized) struct TLSProbeEdgeTests {
    /// `openssl s_server` without -www: it completes the handshake and never sends HTTP.
    @Test func aSilentHTTPServerIsStillJudgedOnItsCertificate() async throws {
        let folder = NSTemporaryDirectory() + "netaudit-silent-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let credential = try LabPKI.selfSigned(LabCertificateSpec(commonName: "silent.lab.test", subjectAltNames: [.dns("silent.lab.test")],
                                                                  key: .ecdsa(curve: .p256)))
        let files = try credential.write(to: URL(fileURLWithPath: folder), name: "silent")
        let port = try LoopbackListener().port  // a free port (the listener is closed again at once)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", files.certificate.path, "-key", files.privateKey.path, "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        try await Task.sleep(for: .milliseconds(500))

        let engine = ProbeEngine()
        defer { engine.shutdown() }
        let url = try EndpointURL.parse("https://silent.lab.test:\(port)/").get()
        let observation = await engine.probeEndpoint(Endpoint(url: url, address: IPAddress(127, 0, 0, 1)),
                                                     settings: TLSProbeSettings(timeout: .seconds(2), httpPort: nil, checkProtocolsAndCiphers: false))
        #expect(observation.connection.modernHandshake)
        #expect(observation.http == nil)
        #expect(observation.certificates.count == 1)  // read before the request, not from the (absent) answer
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        #expect(evaluation.findings.map(\.id).contains("cert.self_signed"))
        #expect(evaluation.verdict == .noncompliant)
    }

    @Test func aProxyInTheEnvironmentIsNeverUsed() async throws {
        setenv("https_proxy", "http://127.0.0.3:3128", 1)
        setenv("ALL_PROXY", "http://127.0.0.3:3128", 1)
        defer { unsetenv("https_proxy"); unsetenv("ALL_PROXY") }
        let observation = try await ProbeLab.probe("good-rsa")
        #expect(observation.connection.modernHandshake)
        #expect(observation.address == LabCatalogue.address(of: "good-rsa"))
    }

    @Test func cancellingEndsQueuedChecksAtOnce() async throws {
        let lab = try ProbeLab.lab()
        let engine = ProbeEngine(.init(maxConcurrentProbes: 1))
        defer { engine.shutdown() }
        let endpoint = try ProbeLab.endpoint(lab, "tarpit")
        let clock = ContinuousClock()
        let started = clock.now
        let task = Task {
            await withTaskGroup(of: TLSObservation.self) { group in
                for _ in 0..<3 {
                    group.addTask { await engine.probeEndpoint(endpoint, settings: TLSProbeSettings(timeout: .seconds(3), httpPort: nil)) }
                }
                return await group.reduce(into: [TLSObservation]()) { $0.append($1) }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let observations = await task.value
        #expect(clock.now - started < .seconds(2), "took \(clock.now - started)")
        #expect(observations.count == 3)
        #expect(observations.filter { $0.problem == "cancelled before it could start" }.count == 2)
    }
}
