@testable import NetauditProbes

/// Byte builders for handcrafted server answers, written from the RFC layouts rather than
/// from the code under test.
enum HelloBytes {
    /// A TLS record: type, version, 2-byte length, payload (RFC 5246 §6.2.1).
    static func record(_ contentType: UInt8, version: UInt16 = 0x0303, _ payload: [UInt8]) -> [UInt8] {
        [contentType, UInt8(version >> 8), UInt8(version & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    /// A handshake message: type, 3-byte length, body (RFC 5246 §7.4).
    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// One extension: type, length, data.
    static func ext(_ type: UInt16, _ data: [UInt8] = []) -> [UInt8] {
        u16(type) + u16(UInt16(data.count)) + data
    }

    /// A ServerHello body (RFC 5246 §7.4.1.3); `extensions` nil means no extensions block.
    static func serverHelloBody(
        version: UInt16 = 0x0303,
        random: [UInt8] = Array(repeating: 0xAB, count: 32),
        sessionID: [UInt8] = Array(repeating: 0x5E, count: 32),
        suite: UInt16 = 0xC02F,
        compression: UInt8 = 0,
        extensions: [[UInt8]]? = [ext(0xFF01, [0]), ext(11, [1, 0])]
    ) -> [UInt8] {
        var body = u16(version) + random + [UInt8(sessionID.count)] + sessionID + u16(suite) + [compression]
        if let extensions {
            let block = extensions.flatMap { $0 }
            body += u16(UInt16(block.count)) + block
        }
        return body
    }

    /// A whole ServerHello handshake message.
    static func serverHello(
        version: UInt16 = 0x0303,
        random: [UInt8] = Array(repeating: 0xAB, count: 32),
        suite: UInt16 = 0xC02F,
        compression: UInt8 = 0,
        extensions: [[UInt8]]? = [ext(0xFF01, [0]), ext(11, [1, 0])]
    ) -> [UInt8] {
        handshake(2, serverHelloBody(version: version, random: random, suite: suite, compression: compression, extensions: extensions))
    }

    /// A fake Certificate message of `size` bytes of body.
    static func certificate(size: Int = 900) -> [UInt8] {
        handshake(11, Array(repeating: 0x30, count: size))
    }

    /// The 32-byte random 00 01 02 … 1F used in the fixtures.
    static let countingRandom: [UInt8] = (0..<32).map { UInt8($0) }

    /// Parses hex digits; whitespace is ignored, and so is everything from `//` to the end of a line.
    static func hex(_ text: String) -> [UInt8] {
        var code = ""
        for line in text.split(separator: "\n") as [Substring] {
            let content: Substring = line.firstRange(of: "//").map { line[..<$0.lowerBound] } ?? line
            code += content + " "
        }
        let digits = code.unicodeScalars.filter { $0.properties.isASCIIHexDigit }.map { Character($0) }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
            bytes.append(UInt8(String(digits[index..<next]), radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}

/// Walks a ClientHello record the way a server would, independently of `ClientHello`, to
/// check the fields the builder wrote.
struct DecodedClientHello {
    var recordVersion: UInt16 = 0
    var recordLength = 0
    var messageLength = 0
    var clientVersion: UInt16 = 0
    var suites: [UInt16] = []
    var compression: [UInt8] = []
    var extensions: [(type: UInt16, data: [UInt8])] = []
    var hasExtensionsBlock = false

    var extensionTypes: [UInt16] { extensions.map(\.type) }

    init?(_ bytes: [UInt8]) {
        var reader = TestReader(bytes)
        guard reader.u8() == 22, let recordVersion = reader.u16(), let recordLength = reader.u16(),
              reader.remaining == Int(recordLength), reader.u8() == 1, let length = reader.u24(),
              reader.remaining == length, let version = reader.u16(), reader.skip(32),
              let sessionLength = reader.u8(), reader.skip(Int(sessionLength)),
              let suitesLength = reader.u16(), suitesLength % 2 == 0 else { return nil }
        self.recordVersion = recordVersion
        self.recordLength = Int(recordLength)
        self.messageLength = 4 + length
        self.clientVersion = version
        for _ in 0..<(suitesLength / 2) {
            guard let suite = reader.u16() else { return nil }
            suites.append(suite)
        }
        guard let compressionCount = reader.u8(), let methods = reader.take(Int(compressionCount)) else { return nil }
        compression = methods
        if reader.remaining > 0 {
            hasExtensionsBlock = true
            guard let total = reader.u16(), Int(total) == reader.remaining else { return nil }
            while reader.remaining > 0 {
                guard let type = reader.u16(), let length = reader.u16(), let data = reader.take(Int(length)) else { return nil }
                extensions.append((type, data))
            }
        }
    }

    func data(of type: UInt16) -> [UInt8]? { extensions.first { $0.type == type }?.data }
}

struct TestReader {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - index }
    mutating func u8() -> UInt8? { take(1)?.first }
    mutating func u16() -> UInt16? { take(2).map { UInt16($0[0]) << 8 | UInt16($0[1]) } }
    mutating func u24() -> Int? { take(3).map { Int($0[0]) << 16 | Int($0[1]) << 8 | Int($0[2]) } }
    mutating func skip(_ count: Int) -> Bool { take(count) != nil }
    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }
}


extension ServerHelloParser {
    /// Parses `bytes` in one go and, if still undecided, as if the connection then closed.
    static func parseAll(_ bytes: [UInt8], finish: Bool = false) -> Result {
        var parser = ServerHelloParser()
        parser.feed(bytes)
        if finish { parser.finish() }
        return parser.result
    }
}
