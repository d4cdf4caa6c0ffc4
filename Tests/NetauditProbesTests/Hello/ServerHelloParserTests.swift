@testable import NetauditProbes
import NetauditCore
import Testing

struct ServerHelloParserTests {
    typealias B = HelloBytes

    /// A typical TLS 1.2 answer: one record, ServerHello with two extensions.
    static let tls12Answer = B.record(22, B.serverHello())

    private static func expectTypicalHello(_ result: ServerHelloParser.Result, recordVersion: UInt16 = 0x0303) throws {
        guard case .serverHello(let hello) = result else {
            Issue.record("expected a ServerHello, got \(result)")
            return
        }
        #expect(hello.recordVersion == recordVersion)
        #expect(hello.serverVersion == 0x0303)
        #expect(hello.negotiatedVersion == 0x0303)
        #expect(hello.cipherSuite == 0xC02F)
        #expect(hello.compressionMethod == 0)
        #expect(hello.sessionIDLength == 32)
        #expect(hello.extensionTypes == [0xFF01, 11])
        #expect(hello.selectedVersion == nil)
        #expect(hello.kind == .serverHello)
        #expect(hello.random == Array(repeating: 0xAB, count: 32))
        #expect(hello.downgradeSentinel == nil)
    }

    @Test func fullServerHelloInOneRecord() throws {
        var parser = ServerHelloParser()
        parser.feed(Self.tls12Answer)
        try Self.expectTypicalHello(parser.result)
        #expect(parser.bytesConsumed == Self.tls12Answer.count)
        #expect(parser.bufferedByteCount == 0, "buffers are released once the result is final")
    }

    @Test func splitAtEveryBytePosition() throws {
        let bytes = Self.tls12Answer
        for cut in 0...bytes.count {
            var parser = ServerHelloParser()
            parser.feed(bytes[..<cut])
            if cut < bytes.count { #expect(parser.result == .needMoreData, "cut at \(cut)") }
            parser.feed(bytes[cut...])
            try Self.expectTypicalHello(parser.result)
        }
    }

    @Test func byteByByte() throws {
        var parser = ServerHelloParser()
        for byte in Self.tls12Answer {
            #expect(!parser.result.isFinal)
            parser.feed(CollectionOfOne(byte))
        }
        try Self.expectTypicalHello(parser.result)
    }

    /// The ServerHello fragmented over three records (legal, RFC 5246 §6.2.1), and each of
    /// those split at every position again.
    @Test func serverHelloAcrossRecords() throws {
        let message = B.serverHello()
        let bytes = B.record(22, version: 0x0301, Array(message[0..<3]))
            + B.record(22, Array(message[3..<40]))
            + B.record(22, Array(message[40...]))
        try Self.expectTypicalHello(ServerHelloParser.parseAll(bytes), recordVersion: 0x0301)
        for cut in 0...bytes.count {
            var parser = ServerHelloParser()
            parser.feed(bytes[..<cut])
            parser.feed(bytes[cut...])
            try Self.expectTypicalHello(parser.result, recordVersion: 0x0301)
        }
    }

    /// ServerHello followed by a Certificate in the same record: decided as soon as the
    /// ServerHello is complete, without waiting for the certificate.
    @Test func serverHelloThenCertificateInOneRecord() throws {
        let hello = B.serverHello()
        let bytes = B.record(22, hello + B.certificate(size: 3000))
        var parser = ServerHelloParser()
        parser.feed(bytes[..<(5 + hello.count)])
        try Self.expectTypicalHello(parser.result)
        parser.feed(bytes[(5 + hello.count)...])
        try Self.expectTypicalHello(parser.result)
        #expect(parser.bytesConsumed == 5 + hello.count, "the certificate is never read")
        try Self.expectTypicalHello(ServerHelloParser.parseAll(bytes))
    }

    @Test func serverHelloWithoutExtensions() throws {
        let result = ServerHelloParser.parseAll(B.record(22, version: 0x0300, B.serverHello(version: 0x0300, suite: 0x000A, extensions: nil)))
        guard case .serverHello(let hello) = result else { Issue.record("\(result)"); return }
        #expect(hello.serverVersion == 0x0300)
        #expect(hello.recordVersion == 0x0300)
        #expect(hello.cipherSuite == 0x000A)
        #expect(hello.extensionTypes.isEmpty)
        // An empty extensions block (length 0) is legal too.
        let empty = ServerHelloParser.parseAll(B.record(22, B.serverHello(extensions: [])))
        guard case .serverHello(let other) = empty else { Issue.record("\(empty)"); return }
        #expect(other.extensionTypes.isEmpty)
    }

    @Test func tls13ServerHelloReportsSupportedVersions() throws {
        let message = B.serverHello(suite: 0x1301, extensions: [B.ext(43, [0x03, 0x04]), B.ext(51, Array(repeating: 7, count: 36))])
        let result = ServerHelloParser.parseAll(B.record(22, message))
        guard case .serverHello(let hello) = result else { Issue.record("\(result)"); return }
        #expect(hello.serverVersion == 0x0303)
        #expect(hello.selectedVersion == 0x0304)
        #expect(hello.negotiatedVersion == 0x0304)
        #expect(hello.extensionTypes == [43, 51])
        #expect(hello.kind == .serverHello)
    }

    @Test func helloRetryRequestIsReportedAsSuch() throws {
        let message = B.serverHello(random: ServerHello.helloRetryRequestRandom, suite: 0x1301,
                                    extensions: [B.ext(43, [0x03, 0x04]), B.ext(51, [0x00, 0x17])])
        let result = ServerHelloParser.parseAll(B.record(22, message))
        guard case .serverHello(let hello) = result else { Issue.record("\(result)"); return }
        #expect(hello.kind == .helloRetryRequest)
        #expect(hello.isHelloRetryRequest)
        #expect(hello.selectedVersion == 0x0304)
    }

    static let sentinelRandoms: [([UInt8], ServerHello.DowngradeSentinel?)] = {
        let prefix = [UInt8](repeating: 0xAB, count: 24) + Array("DOWNGRD".utf8)
        let plain = [UInt8](repeating: 0xAB, count: 32)
        return [(prefix + [0x01], .tls12), (prefix + [0x00], .tls11OrBelow), (prefix + [0x02], nil), (plain, nil)]
    }()

    @Test(arguments: sentinelRandoms)
    func downgradeSentinel(_ random: [UInt8], _ expected: ServerHello.DowngradeSentinel?) {
        let result = ServerHelloParser.parseAll(B.record(22, B.serverHello(random: random)))
        guard case .serverHello(let hello) = result else { Issue.record("\(result)"); return }
        #expect(hello.downgradeSentinel == expected)
    }

    @Test(arguments: [
        (UInt8(40), "handshake_failure"),
        (70, "protocol_version"),
        (71, "insufficient_security"),
        (47, "illegal_parameter"),
        (50, "decode_error"),
        (80, "internal_error"),
        (112, "unrecognized_name"),
        (86, "inappropriate_fallback"),
        (10, "unexpected_message"),
        (0, "close_notify"),
    ])
    func fatalAlert(_ code: UInt8, _ name: String) {
        let result = ServerHelloParser.parseAll(B.record(21, version: 0x0301, [2, code]))
        #expect(result == .alert(level: .fatal, description: TLSAlert.Description(rawValue: code)))
        #expect(TLSAlert.Description(rawValue: code).name == name)
        #expect(TLSAlert.Description(rawValue: code).description == "\(name)(\(code))")
    }

    @Test func alertSplitAcrossFeedsAndRecords() {
        var parser = ServerHelloParser()
        parser.feed(B.record(21, [2, 40])[..<6])
        #expect(parser.result == .needMoreData)
        parser.feed([40])
        #expect(parser.result == .alert(level: .fatal, description: .handshakeFailure))
        // One alert byte per record is legal in TLS 1.2 (fragmentation).
        #expect(ServerHelloParser.parseAll(B.record(21, [2]) + B.record(21, [70])) == .alert(level: .fatal, description: .protocolVersion))
    }

    @Test func unknownAlertDescriptionHasNoName() {
        #expect(TLSAlert.Description(rawValue: 199).name == nil)
        #expect(TLSAlert.Description(rawValue: 199).description == "alert(199)")
        #expect(TLSAlert(level: .fatal, description: .handshakeFailure).description == "fatal handshake_failure(40)")
    }

    /// Apache's habit: a warning unrecognized_name, then the ServerHello.
    @Test func warningAlertBeforeServerHelloIsSkipped() throws {
        let bytes = B.record(21, [1, 112]) + Self.tls12Answer
        let result = ServerHelloParser.parseAll(bytes)
        guard case .serverHello(let hello) = result else { Issue.record("\(result)"); return }
        #expect(hello.precedingWarnings == [TLSAlert(level: .warning, description: .unrecognizedName)])
        #expect(hello.cipherSuite == 0xC02F)
    }

    @Test func warningAlertThenCloseIsTheAnswer() {
        var parser = ServerHelloParser()
        parser.feed(B.record(21, [1, 112]))
        #expect(parser.result == .needMoreData)
        parser.finish()
        #expect(parser.result == .alert(level: .warning, description: .unrecognizedName))
    }

    @Test func closeNotifyEndsAtOnce() {
        #expect(ServerHelloParser.parseAll(B.record(21, [1, 0])) == .alert(level: .warning, description: .closeNotify))
    }

    @Test func tooManyWarningsEndOnTheLast() {
        let warnings = (0..<5).flatMap { _ in B.record(21, [1, 112]) }
        #expect(ServerHelloParser.parseAll(warnings + Self.tls12Answer) == .alert(level: .warning, description: .unrecognizedName))
    }

    @Test func invalidAlertLevel() {
        #expect(ServerHelloParser.parseAll(B.record(21, [7, 40])) == .notTLS(.malformedAlert([7, 40])))
        #expect(ServerHelloParser.parseAll(B.record(21, [2]) + Self.tls12Answer) == .notTLS(.malformedAlert([2])))
    }

    @Test(arguments: [
        ("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html>", ServerHelloParser.NotTLSReason.httpResponse(statusLine: "HTTP/1.1 400 Bad Request")),
        ("HTTP/1.0 200 OK\n", .httpResponse(statusLine: "HTTP/1.0 200 OK")),
        ("220 mail.example ESMTP Postfix\r\n", .plaintext(firstLine: "220 mail.example ESMTP Postfix")),
        ("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", .plaintext(firstLine: "SSH-2.0-OpenSSH_9.2p1 Debian-2")),
        ("<html>\u{07}bell</html>\n", .plaintext(firstLine: "<html>?bell</html>")),
    ])
    func plainText(_ text: String, _ reason: ServerHelloParser.NotTLSReason) {
        let bytes = Array(text.utf8)
        #expect(ServerHelloParser.parseAll(bytes) == .notTLS(reason))
        // The same however the text arrives.
        for cut in 1..<bytes.count {
            var parser = ServerHelloParser()
            parser.feed(bytes[..<cut])
            parser.feed(bytes[cut...])
            #expect(parser.result == .notTLS(reason), "cut at \(cut)")
        }
    }

    @Test func textWithoutNewlineIsDecidedByLengthOrByFinish() {
        let long = Array(repeating: UInt8(ascii: "x"), count: 500)
        #expect(ServerHelloParser.parseAll(long) == .notTLS(.plaintext(firstLine: String(repeating: "x", count: 128))))
        #expect(ServerHelloParser.parseAll(Array("HTTP/1.1 4".utf8)) == .needMoreData)
        #expect(ServerHelloParser.parseAll(Array("HTTP/1.1 4".utf8), finish: true) == .notTLS(.httpResponse(statusLine: "HTTP/1.1 4")))
    }

    /// An SSLv2 SERVER-HELLO: 2-byte header with the high bit, type 4, session_id_hit 0,
    /// certificate type 1 (X.509), server_version 0x0002 (the SSL 2.0 draft's SERVER-HELLO).
    @Test func sslv2ServerHello() {
        let bytes: [UInt8] = [0x83, 0x2A, 0x04, 0x00, 0x01, 0x00, 0x02, 0x03, 0x00, 0x00, 0x06, 0x00, 0x10]
        #expect(ServerHelloParser.parseAll(bytes) == .notTLS(.sslv2ServerHello))
        var parser = ServerHelloParser()
        parser.feed(bytes[..<6])
        #expect(parser.result == .needMoreData)
        parser.feed(bytes[6...])
        #expect(parser.result == .notTLS(.sslv2ServerHello))
        #expect(ServerHelloParser.parseAll([0x80, 0x03, 0x00, 0x00, 0x01]) == .notTLS(.sslv2Error(code: 1)))
        #expect(ServerHelloParser.parseAll([0x80, 0x03, 0x07, 0x00, 0x01]) == .notTLS(.unknownContentType(0x80)))
    }

    @Test func oversizedRecordLength() {
        #expect(ServerHelloParser.parseAll([22, 3, 3, 0x48, 0x01]) == .notTLS(.recordTooLong(0x4801)))
        #expect(ServerHelloParser.parseAll([22, 3, 3, 0xFF, 0xFF]) == .notTLS(.recordTooLong(0xFFFF)))
        // 2^14 + 2048 itself is allowed.
        #expect(ServerHelloParser.parseAll([22, 3, 3, 0x48, 0x00]) == .needMoreData)
    }

    @Test func recordHeaderChecks() {
        #expect(ServerHelloParser.parseAll([22, 2, 0, 0, 4]) == .notTLS(.invalidRecordVersion(0x0200)))
        #expect(ServerHelloParser.parseAll([22, 3, 3, 0, 0]) == .notTLS(.emptyRecord(contentType: 22)))
        #expect(ServerHelloParser.parseAll(B.record(20, [1])) == .notTLS(.unexpectedRecord(contentType: 20)))
        #expect(ServerHelloParser.parseAll(B.record(23, [1, 2, 3])) == .notTLS(.unexpectedRecord(contentType: 23)))
        #expect(ServerHelloParser.parseAll([0x00, 0x00]) == .notTLS(.unknownContentType(0)))
        #expect(ServerHelloParser.parseAll([0x19, 3, 3, 0, 1, 0]) == .notTLS(.unknownContentType(0x19)))
        // A later record header is checked the same way.
        let message = B.serverHello()
        #expect(ServerHelloParser.parseAll(B.record(22, Array(message[..<10])) + [0x42, 3, 3, 0, 5]) == .notTLS(.unknownContentType(0x42)))
    }

    @Test func firstHandshakeMessageMustBeServerHello() {
        #expect(ServerHelloParser.parseAll(B.record(22, B.certificate(size: 50))) == .notTLS(.unexpectedHandshakeMessage(type: 11)))
        #expect(ServerHelloParser.parseAll(B.record(22, [0, 0, 0, 0])) == .notTLS(.unexpectedHandshakeMessage(type: 0)))
    }

    @Test func messageLongerThanTheCapIsRefusedFromItsHeader() {
        var parser = ServerHelloParser(maximumMessageLength: 1000)
        parser.feed([22, 3, 3, 0x40, 0x00, 2, 0x00, 0x03, 0xE9])  // ServerHello claiming 1001 bytes
        #expect(parser.result == .notTLS(.handshakeMessageTooLong(1001)))
        #expect(ServerHelloParser.parseAll([22, 3, 3, 0x40, 0x00, 2, 0xFF, 0xFF, 0xFF]) == .notTLS(.handshakeMessageTooLong(0xFF_FFFF)))
    }

    static let malformedBodies: [([UInt8], String)] = {
        let bare: [UInt8] = B.serverHelloBody(extensions: nil)
        var rows: [([UInt8], String)] = []
        rows.append((B.serverHelloBody(sessionID: Array(repeating: 1, count: 33)), "session_id of 33 bytes (at most 32)"))
        rows.append((Array(B.serverHelloBody()[..<20]), "random shorter than 32 bytes"))
        rows.append((Array(bare[..<68]), "no cipher_suite"))
        rows.append((Array(bare[..<69]), "no compression_method"))
        rows.append((bare + [0], "extensions length truncated"))
        rows.append((bare + [0, 9, 0, 1], "extensions length 9 but 2 bytes left"))
        rows.append((bare + [0, 3, 0, 1, 0], "extension header truncated"))
        rows.append((bare + [0, 4, 0, 1, 0, 5], "extension 1 truncated"))
        rows.append((B.serverHelloBody(extensions: [B.ext(43, [3])]), "supported_versions of 1 bytes"))
        rows.append(([], "no server_version"))
        return rows
    }()

    @Test(arguments: malformedBodies)
    func malformedServerHello(_ body: [UInt8], _ reason: String) {
        #expect(ServerHelloParser.parseAll(B.record(22, B.handshake(2, body))) == .notTLS(.malformedServerHello(reason)))
    }

    @Test func truncatedThenClosed() {
        let bytes = Self.tls12Answer
        for cut in [1, 3, 5, 9, 40, bytes.count - 1] {
            var parser = ServerHelloParser()
            parser.feed(bytes[..<cut])
            #expect(parser.result == .needMoreData)
            parser.finish()
            #expect(parser.result == .notTLS(.incomplete(bytesReceived: cut)))
            parser.feed(bytes[cut...])
            #expect(parser.result == .notTLS(.incomplete(bytesReceived: cut)), "final results do not change")
        }
        var silent = ServerHelloParser()
        silent.finish()
        #expect(silent.result == .notTLS(.incomplete(bytesReceived: 0)))
    }

    @Test func bytesAfterAFinalResultAreIgnored() throws {
        var parser = ServerHelloParser()
        parser.feed(Self.tls12Answer + Array(repeating: 0xEE, count: 100_000))
        try Self.expectTypicalHello(parser.result)
        #expect(parser.bytesConsumed == Self.tls12Answer.count)
    }

    /// Random bytes, in random chunks, with a small and the default cap: no trap, no buffer
    /// beyond the cap, and a final result after `finish()`.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomGarbageNeverCrashes(_ seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<600 {
            let length = Int.random(in: 0...3000, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the rounds start like TLS so that the deeper states get garbage too.
            if round % 2 == 0, bytes.count >= 6 {
                bytes[0] = [20, 21, 22, 22, 22].randomElement(using: &generator) ?? 22
                bytes[1] = 3
                bytes[5] = round % 4 == 0 ? 2 : bytes[5]
            }
            let cap = round % 3 == 0 ? 64 : ServerHelloParser.defaultMaximumMessageLength
            var parser = ServerHelloParser(maximumMessageLength: cap)
            var index = 0
            while index < bytes.count {
                let step = Int.random(in: 1...200, using: &generator)
                let end = min(bytes.count, index + step)
                parser.feed(bytes[index..<end])
                // Handshake message (4 + cap) + a record header (5) + half an alert (1), or the text sniff.
                #expect(parser.bufferedByteCount <= max(4 + cap + 6, ServerHelloParser.textSniffLength))
                index = end
            }
            parser.finish()
            #expect(parser.result.isFinal)
            #expect(parser.bytesConsumed <= bytes.count)
        }
    }

    /// Valid answers with bytes flipped or cut: whatever comes out, nothing traps, and an
    /// unchanged prefix gives the same result fed in one piece or byte by byte.
    @Test func mutatedServerHellosNeverCrash() {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        let base = B.record(21, [1, 112]) + B.record(22, B.serverHello() + B.certificate(size: 200))
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            var whole = ServerHelloParser()
            whole.feed(bytes)
            whole.finish()
            var single = ServerHelloParser()
            for byte in bytes { single.feed(CollectionOfOne(byte)) }
            single.finish()
            #expect(whole.result == single.result)
        }
    }

    @Test func resultDescriptions() {
        #expect(ServerHelloParser.parseAll(Self.tls12Answer).description
            == "ServerHello version 0x303 suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F)")
        #expect(ServerHelloParser.Result.alert(level: .fatal, description: .protocolVersion).description == "alert: fatal protocol_version(70)")
        #expect(ServerHelloParser.NotTLSReason.incomplete(bytesReceived: 0).description == "the server sent nothing")
    }
}
