/// What the lab reads from a client's first record: a ClientHello, parsed by the lab's own
/// small reader so that the crafted servers (``LabCraftedHello``) answer from an independent
/// view of the bytes, and tests can check what another codec (the probe's) put on the wire.
///
/// Two forms are read:
/// - a TLS record (RFC 5246 §6.2.1) of type 22 holding one whole ClientHello
///   (§7.4.1.2): client_version, random, session_id, cipher_suites, compression_methods and,
///   if present, the extensions (§7.4.1.4), of which server_name (RFC 6066 §3) and
///   supported_versions (RFC 8446 §4.2.1) are decoded;
/// - an SSLv2-compatible CLIENT-HELLO (RFC 5246 §E.2), as very old clients send: its
///   3-byte cipher specs whose first byte is 0 are TLS suites and kept as 2-byte codes.
///
/// A ClientHello split over several records is refused (no client the lab meets does that).
public struct LabClientHello: Sendable, Hashable {
    /// Which of the two forms the hello came in.
    public enum Format: Sendable, Hashable {
        case tls
        case sslv2Compatible
    }

    public let format: Format
    /// The record layer's version (0x0002 for the SSLv2-compatible form).
    public let recordVersion: UInt16
    /// The hello's client_version: the highest version the client offers (TLS 1.3 clients say 0x0303).
    public let clientVersion: UInt16
    /// The offered cipher suites, in the client's order (signalling values such as 0x00FF included).
    public let cipherSuites: [UInt16]
    /// The offered compression methods (empty for the SSLv2-compatible form).
    public let compressionMethods: [UInt8]
    /// The extension types, in order.
    public let extensionTypes: [UInt16]
    /// The host_name of a server_name extension, if any.
    public let serverName: String?
    /// The versions of a supported_versions extension, if any.
    public let supportedVersions: [UInt16]

    /// The largest first record the lab reads: a record of 2^14 bytes plus its 5-byte header.
    public static let maximumRecordSize = 5 + 16384

    /// How many bytes the first record takes in all, judged from its first bytes: nil while
    /// fewer than 5 bytes (2 for the SSLv2 form) are known. A result larger than
    /// ``maximumRecordSize`` means a record the lab will not read.
    public static func recordSize(_ prefix: [UInt8]) -> Int? {
        guard let first = prefix.first else { return nil }
        if first & 0x80 != 0 {  // SSLv2 two-byte header without padding (RFC 6101 §E.1)
            guard prefix.count >= 2 else { return nil }
            return 2 + (Int(first & 0x7F) << 8 | Int(prefix[1]))
        }
        guard prefix.count >= 5 else { return nil }
        return 5 + (Int(prefix[3]) << 8 | Int(prefix[4]))
    }

    /// Parses one whole first record (extra bytes after it are ignored).
    public static func parse(_ bytes: [UInt8]) throws(LabClientHelloError) -> LabClientHello {
        guard let first = bytes.first else { throw LabClientHelloError("no bytes", at: 0) }
        if first & 0x80 != 0 { return try parseSSLv2(bytes) }
        var reader = Reader(bytes)
        let type = try reader.byte("record content type")
        guard type == 22 else {
            throw LabClientHelloError("record content type \(type) is not handshake (22)", at: 0)
        }
        let recordVersion = try reader.uint16("record version")
        let recordLength = try reader.uint16("record length")
        var record = try reader.sub(Int(recordLength), "record body")
        let handshakeType = try record.byte("handshake type")
        guard handshakeType == 1 else {
            throw LabClientHelloError("handshake type \(handshakeType) is not client_hello (1)", at: 5)
        }
        let length = try record.uint24("handshake length")
        guard length <= record.remaining else {
            throw LabClientHelloError(
                "ClientHello of \(length) bytes does not fit its record (\(record.remaining) bytes left): fragmented hellos are not read",
                at: 6)
        }
        var hello = try record.sub(length, "ClientHello")
        let clientVersion = try hello.uint16("client_version")
        _ = try hello.sub(32, "random")
        let sessionLength = try hello.byte("session_id length")
        guard sessionLength <= 32 else { throw LabClientHelloError("session_id of \(sessionLength) bytes (at most 32)", at: hello.offset - 1) }
        _ = try hello.sub(Int(sessionLength), "session_id")
        let suitesLength = try hello.uint16("cipher_suites length")
        guard suitesLength >= 2, suitesLength % 2 == 0 else {
            throw LabClientHelloError("cipher_suites length \(suitesLength) is not a positive even number", at: hello.offset - 2)
        }
        var suitesReader = try hello.sub(Int(suitesLength), "cipher_suites")
        var suites: [UInt16] = []
        while suitesReader.remaining > 0 { suites.append(try suitesReader.uint16("cipher suite")) }
        let compressionLength = try hello.byte("compression_methods length")
        guard compressionLength >= 1 else { throw LabClientHelloError("no compression method", at: hello.offset - 1) }
        let compression = try hello.sub(Int(compressionLength), "compression_methods").rest()
        var types: [UInt16] = []
        var serverName: String?
        var supportedVersions: [UInt16] = []
        if hello.remaining > 0 {
            let extensionsLength = try hello.uint16("extensions length")
            var extensions = try hello.sub(Int(extensionsLength), "extensions")
            while extensions.remaining > 0 {
                let type = try extensions.uint16("extension type")
                let size = try extensions.uint16("extension length")
                var body = try extensions.sub(Int(size), "extension \(type)")
                types.append(type)
                switch type {
                case 0: serverName = try hostName(&body)
                case 43: supportedVersions = try versions(&body)
                default: break
                }
            }
            guard hello.remaining == 0 else {
                throw LabClientHelloError("\(hello.remaining) bytes after the extensions", at: hello.offset)
            }
        }
        return LabClientHello(
            format: .tls, recordVersion: recordVersion, clientVersion: clientVersion, cipherSuites: suites,
            compressionMethods: compression, extensionTypes: types, serverName: serverName,
            supportedVersions: supportedVersions)
    }

    /// The SSLv2-compatible CLIENT-HELLO (RFC 5246 §E.2): msg_type 1, version, the lengths of
    /// cipher_specs (3 bytes each), session_id and challenge, then those fields.
    private static func parseSSLv2(_ bytes: [UInt8]) throws(LabClientHelloError) -> LabClientHello {
        var reader = Reader(bytes)
        let length = try reader.uint16("SSLv2 record length") & 0x7FFF
        var message = try reader.sub(Int(length), "SSLv2 record body")
        let type = try message.byte("SSLv2 message type")
        guard type == 1 else { throw LabClientHelloError("SSLv2 message type \(type) is not CLIENT-HELLO (1)", at: 2) }
        let version = try message.uint16("SSLv2 client version")
        let specsLength = try message.uint16("cipher_spec_length")
        let sessionLength = try message.uint16("session_id_length")
        let challengeLength = try message.uint16("challenge_length")
        guard specsLength > 0, specsLength % 3 == 0 else {
            throw LabClientHelloError("cipher_spec_length \(specsLength) is not a positive multiple of 3", at: 5)
        }
        var specs = try message.sub(Int(specsLength), "cipher_specs")
        _ = try message.sub(Int(sessionLength), "session_id")
        _ = try message.sub(Int(challengeLength), "challenge")
        var suites: [UInt16] = []
        while specs.remaining > 0 {
            let kind = try specs.byte("cipher spec")
            let code = try specs.uint16("cipher spec")
            if kind == 0 { suites.append(code) }
        }
        return LabClientHello(
            format: .sslv2Compatible, recordVersion: 0x0002, clientVersion: version, cipherSuites: suites,
            compressionMethods: [], extensionTypes: [], serverName: nil, supportedVersions: [])
    }

    /// server_name (RFC 6066 §3): a list of (type, name); the first host_name (type 0).
    private static func hostName(_ body: inout Reader) throws(LabClientHelloError) -> String? {
        let listLength = try body.uint16("server_name_list length")
        var list = try body.sub(Int(listLength), "server_name_list")
        while list.remaining > 0 {
            let type = try list.byte("server name type")
            let size = try list.uint16("server name length")
            let name = try list.sub(Int(size), "server name").rest()
            if type == 0 { return String(decoding: name, as: UTF8.self) }
        }
        return nil
    }

    /// supported_versions in a ClientHello (RFC 8446 §4.2.1): a 1-byte length, then versions.
    private static func versions(_ body: inout Reader) throws(LabClientHelloError) -> [UInt16] {
        let size = try body.byte("supported_versions length")
        var list = try body.sub(Int(size), "supported_versions")
        var result: [UInt16] = []
        while list.remaining > 0 { result.append(try list.uint16("supported version")) }
        return result
    }

    /// A bounds-checked big-endian reader over a slice of the record.
    private struct Reader {
        let bytes: [UInt8]
        private(set) var offset: Int
        let end: Int

        init(_ bytes: [UInt8]) { self.init(bytes, from: 0, to: bytes.count) }
        private init(_ bytes: [UInt8], from start: Int, to end: Int) {
            self.bytes = bytes
            self.offset = start
            self.end = end
        }

        var remaining: Int { end - offset }

        mutating func byte(_ field: String) throws(LabClientHelloError) -> UInt8 {
            guard remaining >= 1 else { throw LabClientHelloError("\(field) is cut short", at: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint16(_ field: String) throws(LabClientHelloError) -> UInt16 {
            guard remaining >= 2 else { throw LabClientHelloError("\(field) is cut short", at: offset) }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func uint24(_ field: String) throws(LabClientHelloError) -> Int {
            guard remaining >= 3 else { throw LabClientHelloError("\(field) is cut short", at: offset) }
            defer { offset += 3 }
            return Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
        }

        /// The next `count` bytes as a reader of their own.
        mutating func sub(_ count: Int, _ field: String) throws(LabClientHelloError) -> Reader {
            guard remaining >= count else {
                throw LabClientHelloError("\(field) needs \(count) bytes, \(remaining) left", at: offset)
            }
            defer { offset += count }
            return Reader(bytes, from: offset, to: offset + count)
        }

        func rest() -> [UInt8] { Array(bytes[offset..<end]) }
    }
}

/// Why a first record is not a ClientHello the lab can read.
public struct LabClientHelloError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public let message: String
    /// The offset in the record where it went wrong.
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte \(offset))" }
}
