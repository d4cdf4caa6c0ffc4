@testable import NetauditProbes
import Testing

struct HelloAnswerTests {
    typealias B = HelloBytes

    static func hello(_ version: TLSVersion = .tls1_2, _ codes: [UInt16] = [0xC02F, 0x002F]) throws -> ClientHello {
        try ClientHello(version: version, cipherSuites: codes.map(CipherSuite.describing), random: B.countingRandom)
    }

    static func answer(to hello: ClientHello, _ bytes: [UInt8], finish: Bool = true) -> HelloAnswer {
        HelloAnswer(offered: hello, answer: ServerHelloParser.parseAll(bytes, finish: finish))
    }

    @Test func exactMatchIsAccepted() throws {
        let hello = try Self.hello()
        let answer = Self.answer(to: hello, B.record(22, B.serverHello(suite: 0x002F)))
        #expect(answer == .accepted(version: .tls1_2, cipher: CipherSuite.describing(0x002F)))
        #expect(answer.isAccepted)
        #expect(answer.description == "accepted TLSv1.2 with TLS_RSA_WITH_AES_128_CBC_SHA (0x002F)")
    }

    @Test func sslv3AcceptedWithoutExtensions() throws {
        let hello = try Self.hello(.ssl3, [0x000A])
        let answer = Self.answer(to: hello, B.record(22, version: 0x0300, B.serverHello(version: 0x0300, suite: 0x000A, extensions: nil)))
        #expect(answer == .accepted(version: .ssl3, cipher: CipherSuite.describing(0x000A)))
    }

    @Test(arguments: [
        (UInt8(40), TLSAlert.Description.handshakeFailure),
        (70, .protocolVersion),
        (71, .insufficientSecurity),
        (80, .internalError),
    ])
    func alertIsRefusal(_ code: UInt8, _ description: TLSAlert.Description) throws {
        let answer = Self.answer(to: try Self.hello(), B.record(21, [2, code]))
        #expect(answer == .refused(.alert(level: .fatal, description: description)))
        if case .refused(let refusal) = answer { #expect(!refusal.isProtocolViolation) }
    }

    @Test func lowerVersionIsRefusalOfTheOfferedOne() throws {
        let answer = Self.answer(to: try Self.hello(), B.record(22, B.serverHello(version: 0x0301, suite: 0x002F)))
        #expect(answer == .refused(.differentVersion(chosen: 0x0301, offered: 0x0303)))
        guard case .refused(let refusal) = answer else { return }
        #expect(!refusal.isProtocolViolation)
        #expect(refusal.description == "the server chose version TLSv1.0 instead of TLSv1.2")
    }

    @Test func higherVersionIsAViolation() throws {
        let answer = Self.answer(to: try Self.hello(.tls1_0), B.record(22, B.serverHello(version: 0x0303, suite: 0x002F)))
        guard case .refused(let refusal) = answer else { Issue.record("\(answer)"); return }
        #expect(refusal == .differentVersion(chosen: 0x0303, offered: 0x0301))
        #expect(refusal.isProtocolViolation)
        // TLS 1.3 chosen via supported_versions counts as the version.
        let tls13 = Self.answer(to: try Self.hello(), B.record(22, B.serverHello(suite: 0x1301, extensions: [B.ext(43, [3, 4])])))
        #expect(tls13 == .refused(.differentVersion(chosen: 0x0304, offered: 0x0303)))
    }

    @Test func suiteNotOfferedIsAViolation() throws {
        let answer = Self.answer(to: try Self.hello(), B.record(22, B.serverHello(suite: 0x0005)))
        #expect(answer == .refused(.suiteNotOffered(0x0005)))
        guard case .refused(let refusal) = answer else { return }
        #expect(refusal.isProtocolViolation)
        #expect(refusal.description.contains("TLS_RSA_WITH_RC4_128_SHA (0x0005), which was not offered (protocol violation)"))
        // The SSLv3 hello's SCSV is not a suite a server may pick.
        let sslv3 = Self.answer(to: try Self.hello(.ssl3, [0x000A]), B.record(22, version: 0x0300, B.serverHello(version: 0x0300, suite: 0x00FF, extensions: nil)))
        #expect(sslv3 == .refused(.suiteNotOffered(0x00FF)))
    }

    @Test func compressionIsAViolation() throws {
        let answer = Self.answer(to: try Self.hello(), B.record(22, B.serverHello(suite: 0x002F, compression: 1)))
        #expect(answer == .refused(.compressionNotOffered(1)))
    }

    @Test func helloRetryRequestIsAViolation() throws {
        let bytes = B.record(22, B.serverHello(random: ServerHello.helloRetryRequestRandom, suite: 0x1301, extensions: [B.ext(43, [3, 4])]))
        let answer = Self.answer(to: try Self.hello(), bytes)
        #expect(answer == .refused(.helloRetryRequest(selectedVersion: 0x0304)))
    }

    @Test func failures() throws {
        let hello = try Self.hello()
        #expect(Self.answer(to: hello, []) == .failed(.noAnswer))
        #expect(Self.answer(to: hello, Array(B.record(22, B.serverHello())[..<20])) == .failed(.truncated(bytesReceived: 20)))
        #expect(Self.answer(to: hello, Array("HTTP/1.1 400 Bad Request\r\n".utf8))
            == .failed(.notTLS(.httpResponse(statusLine: "HTTP/1.1 400 Bad Request"))))
        #expect(Self.answer(to: hello, Array(B.record(22, B.serverHello())[..<20]), finish: false) == .failed(.unfinished))
        #expect(HelloAnswer.failed(.noAnswer).description == "failed: no answer")
    }
}
