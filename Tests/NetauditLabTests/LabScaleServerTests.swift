import Foundation
import NetauditCore
import NetauditLab
import Testing

/// The benchmark's shape: a thousand TLS endpoints on a thousand addresses, one acceptor, four workers.
struct LabScaleServerTests {
    static let prefixes: [[UInt8]] = (100...103).map { [127, 88, UInt8($0)] }

    @Test func aThousandEndpointsStartServeAndStopWithoutLeaks() throws {
        let chain = try LabFixtures.chain.get()
        let tls = LabTLS(credential: chain.leaf)
        var endpoints: [LabEndpoint] = []
        for index in 0..<1000 {
            let third = UInt8(100 + index / 250)
            let fourth = UInt8(index % 250 + 1)
            endpoints.append(LabEndpoint(address: IPAddress(127, 88, third, fourth), behaviour: .tls(tls)))
        }
        ProcSelf.warmUp()
        let baseline = ProcSelf.snapshot()
        let clock = ContinuousClock()

        var server: LabServer?
        let startTime = try clock.measure { server = try LabServer(endpoints) }
        let running = try #require(server)
        #expect(startTime < .seconds(5), "start took \(startTime)")
        #expect(Set(running.endpoints.map(\.description)).count == 1000)
        #expect(ProcSelf.threadNames().filter { $0.hasPrefix(running.name + "-") }.count == 5, "one acceptor, four workers")
        let listening = Self.prefixes.reduce(into: Set<String>()) { $0.formUnion(ProcSelf.tcpSockets(inPrefix: $1, listeningOnly: true)) }
        #expect(listening.count == 1000)
        #expect(listening.isSubset(of: ProcSelf.socketInodes()))

        // Every port accepts; a few complete a TLS handshake and answer.
        let connectTime = try clock.measure {
            for bound in running.endpoints { _ = try TestConnection(to: bound) }
        }
        #expect(connectTime < .seconds(10), "1000 connections took \(connectTime)")
        for index in [0, 499, 999] {
            let client = try SClient.connect("\(running.endpoints[index])")
            #expect(client.protocolName == "TLSv1.3", "\(client.output)")
            #expect(client.httpHead.first == "HTTP/1.1 200 OK", "\(client.output)")
        }

        let stopTime = clock.measure { running.stop() }
        #expect(stopTime < .seconds(1), "stop took \(stopTime)")
        #expect(ProcSelf.threadsGone(prefix: running.name + "-"))
        #expect(ProcSelf.socketInodes().isDisjoint(with: listening))
        #expect(Self.prefixes.allSatisfy { ProcSelf.tcpSockets(inPrefix: $0, listeningOnly: true).isEmpty })
        // The process-wide counts are not checked here: other suites open and close sockets
        // and threads in parallel. The checks above are exact for this server's own.
        _ = baseline
    }
}
