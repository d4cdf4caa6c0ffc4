import Foundation
import NetauditCore
import NetauditLab
import Testing

/// The crafted old servers: the lab's ClientHello reader, the answer rule, and the bytes on the wire.
struct LabCraftedServerTests {
    // MARK: Reading hellos

    /// A TLS 1.2 ClientHello written out by hand: suites 0xC02F and 0x0005, SNI "a.test".
    static let handWrittenHello: [UInt8] =
        [0x16, 0x03, 0x01, 0x00, 0x40]  // record: handshake, 3.1, 64 bytes
        + [0x01, 0x00, 0x00, 0x3C]  // client_hello, 60 bytes
        + [0x03, 0x03] + [UInt8](repeating: 0x11, count: 32)  // client_version 3.3, random
        + [0x00]  // empty session_id
        + [0x00, 0x04, 0xC0, 0x2F, 0x00, 0x05]  // cipher_suites
        + [0x01, 0x00]  // compression: null
        + [0x00, 0x0F]  // extensions: 15 bytes
        + [0x00, 0x00, 0x00, 0x0B, 0x00, 0x09, 0x00, 0x00, 0x06] + Array("a.test".utf8)  // server_name

    @Test func readsAHandWrittenHello() throws {
        let hello = try LabClientHello.parse(Self.handWrittenHello)
        #expect(hello.format == .tls)
        #expect(hello.recordVersion == 0x0301)
        #expect(hello.clientVersion == 0x0303)
        #expect(hello.cipherSuites == [0xC02F, 0x0005])
        #expect(hello.compressionMethods == [0])
        #expect(hello.extensionTypes == [0])
        #expect(hello.serverName == "a.test")
        #expect(hello.supportedVersions.isEmpty)
        #expect(LabClientHello.recordSize(Array(Self.handWrittenHello.prefix(5))) == Self.handWrittenHello.count)
        #expect(LabClientHello.recordSize(Array(Self.handWrittenHello.prefix(4))) == nil)
    }

    @Test func readsAnSSLv2CompatibleHello() throws {
        let bytes: [UInt8] =
            [0x80, 0x28, 0x01, 0x03, 0x01]  // 40-byte record, CLIENT-HELLO, version 3.1
            + [0x00, 0x0F, 0x00, 0x00, 0x00, 0x10]  // cipher specs 15, session id 0, challenge 16
            + [0x00, 0x00, 0x2F, 0x00, 0x00, 0x05, 0x01, 0x00, 0x80, 0x00, 0x00, 0x0A, 0x07, 0x00, 0xC0]
            + [UInt8](repeating: 0x22, count: 16)
        #expect(LabClientHello.recordSize([0x80, 0x28]) == bytes.count)
        let hello = try LabClientHello.parse(bytes)
        #expect(hello.format == .sslv2Compatible)
        #expect(hello.clientVersion == 0x0301)
        #expect(hello.cipherSuites == [0x002F, 0x0005, 0x000A], "SSLv2-only specs (0x010080, 0x0700C0) are dropped")
    }

    @Test func readsSupportedVersions() throws {
        let hello = try LabClientHello.parse(TestHello.bytes(version: 0x0303, suites: [0x1301], extensions: [
            (43, [0x04, 0x03, 0x04, 0x03, 0x03]),
        ]))
        #expect(hello.supportedVersions == [0x0304, 0x0303])
        #expect(hello.extensionTypes == [43])
    }

    @Test(arguments: [
        ([UInt8](), "no bytes"),
        ([0x17, 0x03, 0x03, 0x00, 0x01, 0x00], "not handshake"),
        ([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00], "not client_hello"),
        ([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x01, 0x00, 0x03], "fragmented"),
        (Array(handWrittenHello.prefix(30)), "record body needs 64 bytes"),
    ])
    func refusesWhatIsNotAWholeHello(_ bytes: [UInt8], _ reason: String) {
        let error = #expect(throws: LabClientHelloError.self) { _ = try LabClientHello.parse(bytes) }
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    // MARK: The answer rule

    struct RuleCase: Sendable, CustomTestStringConvertible {
        let server: ClosedRange<LabTLSVersion>
        let accepts: [UInt16]
        let clientVersion: UInt16
        let offers: [UInt16]
        let answer: LabCraftedHello.Answer
        var testDescription: String {
            "server \(server) \(accepts.map { String($0, radix: 16) }) ← client \(String(clientVersion, radix: 16)) \(offers.map { String($0, radix: 16) })"
        }
    }

    static let rules: [RuleCase] = [
        RuleCase(server: .tls1_0 ... .tls1_2, accepts: [0x002F, 0x0005], clientVersion: 0x0303, offers: [0xC02F, 0x0005],
                 answer: .serverHello(version: .tls1_2, cipherSuite: 0x0005)),
        // A newer client gets the server's highest version, not an error.
        RuleCase(server: .tls1_0 ... .tls1_2, accepts: [0x0005], clientVersion: 0x0304, offers: [0x0005],
                 answer: .serverHello(version: .tls1_2, cipherSuite: 0x0005)),
        RuleCase(server: .ssl3 ... .ssl3, accepts: [0x002F], clientVersion: 0x0303, offers: [0x002F],
                 answer: .serverHello(version: .ssl3, cipherSuite: 0x002F)),
        RuleCase(server: .ssl3 ... .tls1_0, accepts: [0x0003], clientVersion: 0x0302, offers: [0x0003],
                 answer: .serverHello(version: .tls1_0, cipherSuite: 0x0003)),
        // An older client than the server's lowest: protocol_version, in the client's version.
        RuleCase(server: .tls1_0 ... .tls1_2, accepts: [0x0005], clientVersion: 0x0300, offers: [0x0005],
                 answer: .alert(.protocolVersion, recordVersion: 0x0300)),
        RuleCase(server: .tls1_1 ... .tls1_2, accepts: [0x0005], clientVersion: 0x0301, offers: [0x0005],
                 answer: .alert(.protocolVersion, recordVersion: 0x0301)),
        // No suite in common: handshake_failure, in the chosen version.
        RuleCase(server: .tls1_0 ... .tls1_2, accepts: [0x0005], clientVersion: 0x0303, offers: [0xC02F, 0x1301],
                 answer: .alert(.handshakeFailure, recordVersion: 0x0303)),
        RuleCase(server: .ssl3 ... .tls1_0, accepts: [0x0003], clientVersion: 0x0303, offers: [0x002F],
                 answer: .alert(.handshakeFailure, recordVersion: 0x0301)),
        // The client's order wins.
        RuleCase(server: .tls1_0 ... .tls1_2, accepts: [0x0004, 0x0005], clientVersion: 0x0303, offers: [0x0005, 0x0004],
                 answer: .serverHello(version: .tls1_2, cipherSuite: 0x0005)),
    ]

    @Test(arguments: rules)
    func answerRule(_ rule: RuleCase) throws {
        let crafted = LabCraftedHello(versions: rule.server, cipherSuites: rule.accepts)
        let hello = try LabClientHello.parse(TestHello.bytes(version: rule.clientVersion, suites: rule.offers))
        #expect(crafted.answer(to: hello) == rule.answer)
    }

    @Test func answerBytes() {
        let crafted = LabCraftedHello(versions: .ssl3 ... .tls1_0, cipherSuites: [0x0003])
        let random = [UInt8](0..<32)
        #expect(crafted.bytes(of: .alert(.handshakeFailure, recordVersion: 0x0301), random: random) == [21, 3, 1, 0, 2, 2, 40])
        let hello = crafted.bytes(of: .serverHello(version: .tls1_0, cipherSuite: 0x0003), random: random)
        #expect(hello == [22, 3, 1, 0, 46, 2, 0, 0, 38, 3, 1] + random + [0, 0x00, 0x03, 0, 14, 0, 0, 0])
        var bare = crafted
        bare.sendsServerHelloDone = false
        #expect(bare.bytes(of: .serverHello(version: .tls1_0, cipherSuite: 0x0003), random: random).count == 5 + 42)
    }

    /// A DHE suite gets an empty Certificate and a ServerKeyExchange (RFC 5246 §7.4.3) whose
    /// dh_p has the configured size; other suites the ServerHello alone.
    @Test func dheAnswerBytes() {
        let crafted = LabCraftedHello(versions: .tls1_0 ... .tls1_2, cipherSuites: [0x002F, 0x0033],
                                      dhe: LabCraftedDHE(suites: [0x0033], primeBits: 512))
        let random = [UInt8](repeating: 7, count: 32)
        let serverHello: [UInt8] = [2, 0, 0, 38, 3, 3] + random + [0, 0x00, 0x33, 0]
        let body: [UInt8] = [0, 64] + [UInt8](repeating: 0xFF, count: 64) + [0, 1, 2] + [0, 64] + [UInt8](repeating: 0x5A, count: 64)
            + [4, 1] + [0, 64] + [UInt8](repeating: 0x51, count: 64)
        let messages = serverHello + [11, 0, 0, 3, 0, 0, 0] + [12, 0, 0, UInt8(body.count)] + body + [14, 0, 0, 0]
        let bytes = crafted.bytes(of: .serverHello(version: .tls1_2, cipherSuite: 0x0033), random: random)
        #expect(bytes == [22, 3, 3, UInt8(messages.count >> 8), UInt8(messages.count & 0xFF)] + messages)
        // TLS 1.0 signatures have no algorithm; an odd size keeps its top bits.
        let odd = LabCraftedDHE(suites: [0x0033], primeBits: 1020)
        var old = crafted
        old.dhe = odd
        let tls10 = old.bytes(of: .serverHello(version: .tls1_0, cipherSuite: 0x0033), random: random)
        #expect(tls10[5 + 42 + 7 + 4 + 2] == 0x0F && tls10.count == 5 + 42 + 7 + 4 + (2 + 128 + 3 + 2 + 128 + 2 + 64) + 4)
        #expect(crafted.bytes(of: .serverHello(version: .tls1_2, cipherSuite: 0x002F), random: random).count == 5 + 42 + 4)
    }

    // MARK: On the wire

    @Test func answersOnTheWireAndCloses() throws {
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 30, 1), behaviour: .craftedHello(LabCraftedHello(
                versions: .ssl3 ... .tls1_0, cipherSuites: [0x002F, 0x0003], holdAfterAnswer: .milliseconds(200)))),
        ])
        defer { server.stop() }

        // A TLS 1.2 hello offering an EXPORT suite: ServerHello TLS 1.0, 0x0003, ServerHelloDone.
        let connection = try TestConnection(to: server.endpoints[0])
        connection.send(TestHello.bytes(version: 0x0303, suites: [0xC02F, 0x0003, 0x002F]))
        let clock = ContinuousClock()
        let start = clock.now
        let (bytes, ended) = connection.receiveAll()
        #expect(ended == .end)
        #expect(clock.now - start < .seconds(2))
        try #require(bytes.count == 51, "\(bytes)")
        #expect(Array(bytes[0..<5]) == [22, 3, 1, 0, 46])
        #expect(Array(bytes[5..<11]) == [2, 0, 0, 38, 3, 1])
        #expect(bytes[43] == 0, "empty session id")
        #expect(Array(bytes[44..<47]) == [0x00, 0x03, 0x00], "suite 0x0003, compression null")
        #expect(Array(bytes[47..<51]) == [14, 0, 0, 0], "ServerHelloDone")

        // Not a hello at all: unexpected_message.
        let http = try TestConnection(to: server.endpoints[0])
        http.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        #expect(http.receiveAll().bytes == [21, 3, 0, 0, 2, 2, 10])

        // A hello sent in small pieces is reassembled.
        let slow = try TestConnection(to: server.endpoints[0])
        let pieces = TestHello.bytes(version: 0x0300, suites: [0x002F])
        for start in stride(from: 0, to: pieces.count, by: 7) {
            slow.send(Array(pieces[start..<min(start + 7, pieces.count)]))
            Thread.sleep(forTimeInterval: 0.01)
        }
        let answer = slow.receiveAll().bytes
        #expect(Array(answer.prefix(11)) == [22, 3, 0, 0, 46, 2, 0, 0, 38, 3, 0])
        #expect(answer.count == 51 && Array(answer[44..<46]) == [0x00, 0x2F])
    }

    @Test func readsOpenSSLsOwnHello() throws {
        let server = try LabServer([
            LabEndpoint(address: IPAddress(127, 88, 30, 2), behaviour: .craftedHello(LabCraftedHello(
                versions: .tls1_0 ... .tls1_2, cipherSuites: [0x002F]))),
        ])
        defer { server.stop() }
        let client = try SClient.connect("\(server.endpoints[0])", ["-tls1_2", "-cipher", "AES128-SHA", "-msg"], request: false)
        // s_client -msg prints each message it reads, in hex after a "<<< … ServerHello" line.
        let lines = client.output.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("<<<") && $0.hasSuffix("ServerHello") }, "\(client.output)")
        let hex = lines[(start + 1)...].prefix { $0.hasPrefix("    ") }.joined(separator: " ")
            .split(separator: " ").joined(separator: " ")
        #expect(hex.hasPrefix("02 00 00 26 03 03"), "\(hex)")
        #expect(hex.hasSuffix("00 00 2f 00"), "empty session id, AES128-SHA, no compression: \(hex)")
    }
}

/// ClientHellos built by the tests themselves (a third codec, next to the lab's and the probe's).
enum TestHello {
    static func bytes(version: UInt16, suites: [UInt16], extensions: [(UInt16, [UInt8])]? = nil, recordVersion: UInt16 = 0x0301) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var body = u16(Int(version)) + [UInt8](repeating: 0x5A, count: 32) + [0]
        body += u16(suites.count * 2) + suites.flatMap { u16(Int($0)) } + [1, 0]
        if let extensions {
            let encoded = extensions.flatMap { u16(Int($0.0)) + u16($0.1.count) + $0.1 }
            body += u16(encoded.count) + encoded
        }
        let handshake = [1, 0] + u16(body.count) + body
        return [22] + u16(Int(recordVersion)) + u16(handshake.count) + handshake
    }
}
