@testable import NetauditProbes
import NetauditCore
import Testing

/// The parser in read-on mode: past the ServerHello and the Certificate (skipped, never
/// held) to the ServerKeyExchange or ServerHelloDone.
struct KeyExchangeParserTests {
    typealias B = HelloBytes

    /// A ServerKeyExchange for DHE (RFC 5246 §7.4.3): dh_p, dh_g, dh_Ys, then a signature.
    static func dheKeyExchange(primeBytes: [UInt8]) -> [UInt8] {
        let g: [UInt8] = [2]
        let ys = Array(repeating: UInt8(0x5A), count: primeBytes.count)
        let signature = B.u16(0x0401) + B.u16(256) + Array(repeating: UInt8(0x51), count: 256)
        return B.handshake(12, B.u16(UInt16(primeBytes.count)) + primeBytes + B.u16(1) + g
                           + B.u16(UInt16(ys.count)) + ys + signature)
    }

    /// A prime of `bits` bits: a leading byte with its top bit where `bits` says, then 0xFF.
    static func prime(bits: Int, leadingZeros: Int = 0) -> [UInt8] {
        let bytes = (bits + 7) / 8
        let topBits = bits - (bytes - 1) * 8
        return Array(repeating: 0, count: leadingZeros) + [UInt8((1 << topBits) - 1)] + Array(repeating: 0xFF, count: bytes - 1)
    }

    /// A ServerKeyExchange for ECDHE on a named curve (RFC 8422 §5.4).
    static func ecdheKeyExchange(group: UInt16, curveType: UInt8 = 3) -> [UInt8] {
        let point = [UInt8(32)] + Array(repeating: UInt8(0x77), count: 32)
        return B.handshake(12, [curveType] + B.u16(group) + point + B.u16(0x0403) + B.u16(72) + Array(repeating: 0x30, count: 72))
    }

    static let done = B.handshake(14, [])

    /// ServerHello (DHE suite), Certificate, ServerKeyExchange, ServerHelloDone, as records of
    /// at most `recordSize` bytes each.
    static func flight(suite: UInt16 = 0x009E, certificateSize: Int = 3000, keyExchange: [UInt8],
                       recordSize: Int = 16_384) -> [UInt8] {
        let messages = B.serverHello(suite: suite) + B.certificate(size: certificateSize) + keyExchange + done
        return stride(from: 0, to: messages.count, by: recordSize).flatMap {
            B.record(22, Array(messages[$0..<min(messages.count, $0 + recordSize)]))
        }
    }

    static func parse(_ bytes: [UInt8], finish: Bool = true) -> ServerHelloParser {
        var parser = ServerHelloParser(readsKeyExchange: true)
        parser.feed(bytes)
        if finish { parser.finish() }
        return parser
    }

    @Test(arguments: [512, 768, 1024, 1023, 2048, 3072, 4096])
    func theDHPrimeSizeIsRead(_ bits: Int) {
        let parser = Self.parse(Self.flight(keyExchange: Self.dheKeyExchange(primeBytes: Self.prime(bits: bits))), finish: false)
        #expect(parser.isComplete)
        #expect(parser.keyExchange == .finiteField(primeBits: bits))
        guard case .serverHello(let hello) = parser.result else { Issue.record("\(parser.result)"); return }
        #expect(hello.cipherSuite == 0x009E)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func leadingZerosOfThePrimeDoNotCount() {
        let bytes = Self.flight(keyExchange: Self.dheKeyExchange(primeBytes: Self.prime(bits: 1024, leadingZeros: 1)))
        #expect(Self.parse(bytes).keyExchange == .finiteField(primeBits: 1024))
    }

    @Test func theECDHEGroupIsRead() {
        let bytes = Self.flight(suite: 0xC02F, keyExchange: Self.ecdheKeyExchange(group: 29))
        let parser = Self.parse(bytes, finish: false)
        #expect(parser.keyExchange == .namedCurve(29))
        #expect(parser.keyExchange.description == "ECDH x25519")
        let explicit = Self.flight(suite: 0xC02F, keyExchange: Self.ecdheKeyExchange(group: 0, curveType: 1))
        #expect(Self.parse(explicit).keyExchange == .otherCurveType(1))
    }

    @Test func splitAtEveryPositionAndAcrossRecords() {
        let keyExchange = Self.dheKeyExchange(primeBytes: Self.prime(bits: 1024))
        for recordSize in [7, 100, 16_384] {
            let bytes = Self.flight(certificateSize: 300, keyExchange: keyExchange, recordSize: recordSize)
            for cut in stride(from: 0, through: bytes.count, by: recordSize == 7 ? 13 : 1) {
                var parser = ServerHelloParser(readsKeyExchange: true)
                parser.feed(bytes[..<cut])
                parser.feed(bytes[cut...])
                #expect(parser.keyExchange == .finiteField(primeBits: 1024), "records of \(recordSize), cut at \(cut)")
            }
            var single = ServerHelloParser(readsKeyExchange: true)
            for byte in bytes { single.feed(CollectionOfOne(byte)) }
            #expect(single.keyExchange == .finiteField(primeBits: 1024))
        }
    }

    /// A Certificate of 16 MB minus one, in records: streamed past with the parser holding no
    /// more than a record header and a message header at a time.
    @Test func aHugeCertificateIsSkippedWithoutBeingHeld() {
        let size = 0xFF_FFFF
        let hello = B.serverHello(suite: 0xC02F)
        var parser = ServerHelloParser(readsKeyExchange: true)
        parser.feed(B.record(22, hello + [11, 0xFF, 0xFF, 0xFF]))
        var left = size
        let chunk = [UInt8](repeating: 0x30, count: 16_384)
        var largest = 0
        while left > 0 {
            let count = min(left, chunk.count)
            parser.feed(B.record(22, Array(chunk[..<count])))
            largest = max(largest, parser.bufferedByteCount)
            left -= count
        }
        #expect(largest <= 16, "held \(largest) bytes")
        #expect(parser.keyExchange == .needMoreData)
        parser.feed(B.record(22, Self.ecdheKeyExchange(group: 23) + Self.done))
        #expect(parser.keyExchange == .namedCurve(23))
    }

    @Test func serverHelloDoneWithoutKeyExchangeIsNone() {
        let bytes = B.record(22, B.serverHello(suite: 0x002F) + B.certificate(size: 500) + Self.done)
        #expect(Self.parse(bytes, finish: false).keyExchange == KeyExchangeReading.none)
        // CertificateRequest before the ServerHelloDone is skipped too.
        let request = B.record(22, B.serverHello(suite: 0x002F) + B.certificate(size: 500) + B.handshake(13, [1, 1, 0, 0]) + Self.done)
        #expect(Self.parse(request, finish: false).keyExchange == KeyExchangeReading.none)
    }

    @Test func withoutReadingOnNothingChanges() {
        var parser = ServerHelloParser()
        let bytes = Self.flight(keyExchange: Self.dheKeyExchange(primeBytes: Self.prime(bits: 1024)))
        parser.feed(bytes)
        #expect(parser.keyExchange == .notRequested && parser.isComplete)
        #expect(parser.bytesConsumed < 100, "stops at the ServerHello")
    }

    @Test func tls13AndRefusalsEndTheReadAtOnce() {
        let tls13 = B.record(22, B.serverHello(suite: 0x1301, extensions: [B.ext(43, [3, 4])]))
        let parser = Self.parse(tls13, finish: false)
        #expect(parser.isComplete)
        #expect(parser.keyExchange == .unreadable("TLS 1.3 encrypts the key exchange"))
        let alert = Self.parse(B.record(21, [2, 40]), finish: false)
        #expect(alert.isComplete && alert.result == .alert(level: .fatal, description: .handshakeFailure))
        #expect(alert.keyExchange == .unreadable("no ServerHello"))
    }

    @Test func truncatedAndMalformedInputSaysWhy() {
        let full = Self.flight(keyExchange: Self.dheKeyExchange(primeBytes: Self.prime(bits: 2048)))
        // Cut in the certificate: the ServerHello stands, the key exchange is unreadable.
        let cut = Self.parse(Array(full.prefix(1000)))
        #expect(cut.result.isFinal && cut.isComplete)
        guard case .unreadable(let reason) = cut.keyExchange else { Issue.record("\(cut.keyExchange)"); return }
        #expect(reason.contains("stopped after 1000 bytes"))
        // An alert after the ServerHello.
        let alert = Self.parse(B.record(22, B.serverHello(suite: 0x009E)) + B.record(21, [2, 80]))
        #expect(alert.keyExchange.description.hasPrefix("alert: "))
        // An empty, a zero and a cut prime; an unexpected message; an oversized key exchange.
        let hello = B.serverHello(suite: 0x009E)
        for (body, expected) in [
            (B.handshake(12, B.u16(0)), "ServerKeyExchange with an empty dh_p"),
            (B.handshake(12, B.u16(2) + [0, 0]), "dh_p is zero"),
            (B.handshake(12, B.u16(200) + [1, 2, 3]), "dh_p of 200 bytes, truncated"),
            (B.handshake(12, [1]), "ServerKeyExchange too short for dh_p"),
            (B.handshake(2, B.serverHelloBody()), "handshake message type 2 before the ServerKeyExchange"),
        ] {
            #expect(Self.parse(B.record(22, hello + body)).keyExchange == .unreadable(expected))
        }
        var small = ServerHelloParser(maximumMessageLength: 100, readsKeyExchange: true)
        small.feed(B.record(22, hello + [12, 0, 1, 0]))
        #expect(small.keyExchange == .unreadable("a ServerKeyExchange of 256 bytes (at most 100)"))
        // A change_cipher_spec record instead of the rest of the flight.
        #expect(Self.parse(B.record(22, hello) + B.record(20, [1])).keyExchange.description.hasPrefix("after the ServerHello:"))
        // A suite that is neither DHE nor ECDHE (RSA_EXPORT's temporary key).
        let rsaExport = B.record(22, B.serverHello(suite: 0x0003) + B.handshake(12, [0, 1, 1]))
        #expect(Self.parse(rsaExport).keyExchange == .otherKeyExchange)
    }

    /// Random bytes after a valid ServerHello, in random chunks: no trap, memory bounded,
    /// complete after `finish()`; and whole or byte by byte give the same.
    @Test(arguments: [UInt64(7), 8, 9])
    func garbageAfterTheServerHelloNeverCrashes(_ seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let base = Self.flight(keyExchange: Self.dheKeyExchange(primeBytes: Self.prime(bits: 1024)), recordSize: 500)
        for round in 0..<400 {
            var bytes = base
            if round % 2 == 0 {
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let position = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[position] = UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                let length = Int.random(in: 0...2000, using: &generator)
                bytes = B.record(22, B.serverHello(suite: [0x009E, 0xC02F, 0x002F].randomElement(using: &generator)!))
                    + (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if bytes.count > 120 { bytes[bytes.count > 140 ? 100 : 90] = 22 }
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            let cap = round % 3 == 0 ? 64 : ServerHelloParser.defaultMaximumMessageLength
            var parser = ServerHelloParser(maximumMessageLength: cap, readsKeyExchange: true)
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + Int.random(in: 1...300, using: &generator))
                parser.feed(bytes[index..<end])
                #expect(parser.bufferedByteCount <= max(4 + cap + 6, ServerHelloParser.textSniffLength))
                index = end
            }
            parser.finish()
            #expect(parser.isComplete)
            var single = ServerHelloParser(maximumMessageLength: cap, readsKeyExchange: true)
            for byte in bytes { single.feed(CollectionOfOne(byte)) }
            single.finish()
            #expect(single.keyExchange == parser.keyExchange && single.result == parser.result)
        }
    }
}
