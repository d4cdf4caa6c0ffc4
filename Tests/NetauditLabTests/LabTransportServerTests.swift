#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditCore
import NetauditLab
import Testing

/// The misbehaving ports, seen through raw sockets: tarpit, garbage, reset, refused, trickle.
struct LabTransportServerTests {
    private func serve(_ behaviour: LabBehaviour, host: UInt8, _ body: (LabBoundEndpoint) throws -> Void) throws {
        let server = try LabServer([LabEndpoint(address: IPAddress(127, 88, 40, host), behaviour: behaviour)])
        defer { server.stop() }
        try body(server.endpoints[0])
    }

    @Test func tarpitAcceptsAndNeverAnswers() throws {
        try serve(.tarpit, host: 1) { endpoint in
            let connection = try TestConnection(to: endpoint)
            connection.send(TestHello.bytes(version: 0x0303, suites: [0x002F]))
            #expect(connection.receive(timeout: .seconds(1)) == .timeout)
        }
    }

    @Test func garbageSendsNonTLSBytesThenEOF() throws {
        try serve(.garbage, host: 2) { endpoint in
            let connection = try TestConnection(to: endpoint)
            connection.send(TestHello.bytes(version: 0x0303, suites: [0x002F]))
            let (bytes, ended) = connection.receiveAll(timeout: .seconds(2))
            #expect(ended == .end)
            #expect(!bytes.isEmpty && bytes.first != 22, "not a TLS record")
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        }
    }

    @Test func resetResetsTheConnection() throws {
        try serve(.reset, host: 3) { endpoint in
            let connection = try TestConnection(to: endpoint)
            #expect(connection.receive(timeout: .seconds(2)) == .error(ECONNRESET))
        }
    }

    @Test func refusedRefusesAndKeepsThePortReserved() throws {
        try serve(.refused, host: 4) { endpoint in
            #expect(endpoint.port != 0)
            let error = #expect(throws: TestConnection.Failure.self) { _ = try TestConnection(to: endpoint) }
            #expect(error?.errno == ECONNREFUSED)
            // The port is held: a second server cannot take it.
            #expect(throws: LabServerError.self) {
                _ = try LabServer([LabEndpoint(address: endpoint.address, port: endpoint.port, behaviour: .tarpit)])
            }
        }
    }

    @Test func trickleSendsAByteEveryHalfSecond() throws {
        try serve(.trickle, host: 5) { endpoint in
            let connection = try TestConnection(to: endpoint)
            let clock = ContinuousClock()
            let start = clock.now
            var arrivals: [(byte: UInt8, at: Duration)] = []
            while clock.now - start < .milliseconds(2300) {
                switch connection.receive(timeout: .seconds(1)) {
                case .data(let bytes): arrivals += bytes.map { ($0, clock.now - start) }
                case let other: Issue.record("unexpected \(other)"); return
                }
            }
            #expect(arrivals.map(\.byte).starts(with: [0x16, 0x03, 0x03, 0x40, 0x00]), "a handshake record header announcing 16 KiB")
            #expect((4...6).contains(arrivals.count), "\(arrivals.count) bytes in 2.3 s")
            #expect(arrivals[0].at < .milliseconds(200))
            for (previous, next) in zip(arrivals, arrivals.dropFirst()) {
                let gap = next.at - previous.at
                #expect(gap > .milliseconds(350) && gap < .milliseconds(800), "gap \(gap)")
            }
        }
    }
}
