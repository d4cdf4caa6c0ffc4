/// What a server said in its ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3): the fields
/// a probe needs to judge the answer, not the whole message.
public struct ServerHello: Sendable, Hashable {
    /// Which message this is: TLS 1.3 sends a HelloRetryRequest as a ServerHello with a fixed
    /// random (RFC 8446 §4.1.3, §4.1.4).
    public enum Kind: Sendable, Hashable {
        case serverHello
        case helloRetryRequest
    }

    /// The downgrade sentinel a TLS 1.3 server writes into the last 8 bytes of its random
    /// when it negotiates a lower version (RFC 8446 §4.1.3): it tells that the server could
    /// have done TLS 1.3.
    public enum DowngradeSentinel: Sendable, Hashable {
        /// `DOWNGRD\u{01}`: the server negotiated TLS 1.2 but supports TLS 1.3.
        case tls12
        /// `DOWNGRD\u{00}`: the server negotiated TLS 1.1 or lower but supports TLS 1.2 or 1.3.
        case tls11OrBelow
    }

    /// SHA-256("HelloRetryRequest"), the random of every HelloRetryRequest (RFC 8446 §4.1.3).
    public static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    /// The extension type of supported_versions (RFC 8446 §4.2.1).
    public static let supportedVersionsExtension: UInt16 = 43

    /// The version in the header of the record that carried the start of the ServerHello.
    public let recordVersion: UInt16
    /// `server_version` (`legacy_version` in TLS 1.3, always 0x0303 there).
    public let serverVersion: UInt16
    /// The server random (32 bytes).
    public let random: [UInt8]
    /// The length of the session id the server assigned (0–32).
    public let sessionIDLength: Int
    /// The cipher suite the server chose.
    public let cipherSuite: UInt16
    /// The compression method the server chose (0 null; 1 DEFLATE would be CRIME-prone).
    public let compressionMethod: UInt8
    /// The extension types, in the order sent.
    public let extensionTypes: [UInt16]
    /// The version chosen in a supported_versions extension (RFC 8446 §4.2.1), present when
    /// the server chose TLS 1.3 (or sent it anyway).
    public let selectedVersion: UInt16?
    /// Warning alerts the server sent before the ServerHello (e.g. `unrecognized_name`).
    public let precedingWarnings: [TLSAlert]

    /// The version the server actually negotiated: `selectedVersion` when present, else
    /// `serverVersion` (RFC 8446 §4.1.3).
    public var negotiatedVersion: UInt16 { selectedVersion ?? serverVersion }

    /// A ServerHello, or a TLS 1.3 HelloRetryRequest.
    public var kind: Kind {
        random == Self.helloRetryRequestRandom ? .helloRetryRequest : .serverHello
    }

    /// Whether this is a HelloRetryRequest.
    public var isHelloRetryRequest: Bool { kind == .helloRetryRequest }

    /// The TLS 1.3 downgrade sentinel in the random, if any (RFC 8446 §4.1.3).
    public var downgradeSentinel: DowngradeSentinel? {
        guard random.count == 32 else { return nil }
        let tail = random[24..<31]
        guard tail.elementsEqual([0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44]) else { return nil }  // "DOWNGRD"
        switch random[31] {
        case 0x01: return .tls12
        case 0x00: return .tls11OrBelow
        default: return nil
        }
    }

    /// A ServerHello from its fields (the parser decodes them; tests and reports may build one).
    public init(
        recordVersion: UInt16,
        serverVersion: UInt16,
        random: [UInt8],
        sessionIDLength: Int,
        cipherSuite: UInt16,
        compressionMethod: UInt8,
        extensionTypes: [UInt16],
        selectedVersion: UInt16?,
        precedingWarnings: [TLSAlert] = []
    ) {
        self.recordVersion = recordVersion
        self.serverVersion = serverVersion
        self.random = random
        self.sessionIDLength = sessionIDLength
        self.cipherSuite = cipherSuite
        self.compressionMethod = compressionMethod
        self.extensionTypes = extensionTypes
        self.selectedVersion = selectedVersion
        self.precedingWarnings = precedingWarnings
    }

    /// Decodes a ServerHello body (the handshake message without its 4-byte header), or
    /// says what is wrong with it. Every length is checked against what is left, so any
    /// byte sequence gives a value or an error, never a trap.
    static func decode(
        body: ArraySlice<UInt8>, recordVersion: UInt16, precedingWarnings: [TLSAlert]
    ) -> Result<ServerHello, DecodeError> {
        var reader = Reader(body)
        guard let serverVersion = reader.uint16() else { return .failure(.init("no server_version")) }
        guard let random = reader.bytes(32) else { return .failure(.init("random shorter than 32 bytes")) }
        guard let sessionIDLength = reader.uint8() else { return .failure(.init("no session_id length")) }
        guard sessionIDLength <= 32 else { return .failure(.init("session_id of \(sessionIDLength) bytes (at most 32)")) }
        guard reader.bytes(Int(sessionIDLength)) != nil else { return .failure(.init("session_id truncated")) }
        guard let cipherSuite = reader.uint16() else { return .failure(.init("no cipher_suite")) }
        guard let compression = reader.uint8() else { return .failure(.init("no compression_method")) }

        var types: [UInt16] = []
        var selectedVersion: UInt16?
        if !reader.isAtEnd {
            // RFC 5246 §7.4.1.3: the extensions block is present only if there are extensions
            // or at least its two length bytes; it must use up the rest of the message.
            guard let total = reader.uint16() else { return .failure(.init("extensions length truncated")) }
            guard Int(total) == reader.remaining else {
                return .failure(.init("extensions length \(total) but \(reader.remaining) bytes left"))
            }
            while !reader.isAtEnd {
                guard let type = reader.uint16(), let length = reader.uint16() else {
                    return .failure(.init("extension header truncated"))
                }
                guard let data = reader.bytes(Int(length)) else { return .failure(.init("extension \(type) truncated")) }
                types.append(type)
                if type == supportedVersionsExtension {
                    // RFC 8446 §4.2.1: in a ServerHello, selected_version is exactly 2 bytes.
                    guard data.count == 2 else { return .failure(.init("supported_versions of \(data.count) bytes")) }
                    selectedVersion = UInt16(data[data.startIndex]) << 8 | UInt16(data[data.startIndex + 1])
                }
            }
        }
        return .success(ServerHello(
            recordVersion: recordVersion,
            serverVersion: serverVersion,
            random: Array(random),
            sessionIDLength: Int(sessionIDLength),
            cipherSuite: cipherSuite,
            compressionMethod: compression,
            extensionTypes: types,
            selectedVersion: selectedVersion,
            precedingWarnings: precedingWarnings
        ))
    }

    /// Why a ServerHello body did not decode.
    struct DecodeError: Error, Sendable, Hashable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A bounds-checked big-endian reader over a slice.
    private struct Reader {
        private let data: ArraySlice<UInt8>
        private var index: Int

        init(_ data: ArraySlice<UInt8>) {
            self.data = data
            self.index = data.startIndex
        }

        var remaining: Int { data.endIndex - index }
        var isAtEnd: Bool { index >= data.endIndex }

        mutating func uint8() -> UInt8? {
            guard remaining >= 1 else { return nil }
            defer { index += 1 }
            return data[index]
        }

        mutating func uint16() -> UInt16? {
            guard remaining >= 2 else { return nil }
            defer { index += 2 }
            return UInt16(data[index]) << 8 | UInt16(data[index + 1])
        }

        mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, remaining >= count else { return nil }
            defer { index += count }
            return data[index..<(index + count)]
        }
    }
}
