/// Reads a server's first answer to a hand-built `ClientHello`, incrementally: feed it the
/// bytes as they arrive, in chunks of any size, and look at `result` after each `feed`.
///
/// It understands exactly what a probe needs: TLS records (RFC 5246 §6.2.1) carrying either
/// a ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3), reassembled across any number of
/// records, or an alert (RFC 5246 §7.2). Anything else ends in `.notTLS` with a reason:
/// HTTP or other text, an SSLv2 server (SSL 2.0, prohibited by RFC 6176), a record
/// that cannot be TLS, a first handshake message that is not a ServerHello.
///
/// The result is final as soon as the ServerHello is complete, even in the middle of a
/// record (the Certificate after it is never read), or as soon as the bytes cannot be TLS;
/// later bytes are ignored. Memory is bounded: the parser holds at most one handshake
/// message (`maximumMessageLength`, 64 KiB by default: a ServerHello body can in theory
/// reach 65,607 bytes, with 65,535 bytes of extensions, but real ones stay under 1 KiB)
/// plus a few header bytes, whatever the input. It never traps and never loops without consuming input.
///
/// Call `finish()` when the peer closed the connection or the read timed out: the result
/// becomes final (`.notTLS(.incomplete(bytesReceived:))` if nothing decisive came).
///
/// Made with `readsKeyExchange: true`, it reads on after an SSLv3–TLS 1.2 ServerHello to the
/// server's ServerKeyExchange (RFC 5246 §7.4.3, RFC 4492 §5.4) or ServerHelloDone, and says
/// what it found in `keyExchange`: the size of a DHE prime, the named group of an ECDHE key.
/// The messages in between (the Certificate above all, which can weigh megabytes) are
/// skipped as they stream by, never held: the memory bound stays the same. `result` is the
/// ServerHello as before; `isComplete` says when both are final.
public struct ServerHelloParser: Sendable {
    /// The state of the answer after the bytes fed so far.
    public enum Result: Sendable, Hashable, CustomStringConvertible {
        /// Nothing decisive yet: feed more bytes or call `finish()`.
        case needMoreData
        /// A complete ServerHello (or HelloRetryRequest: see `ServerHello.kind`).
        case serverHello(ServerHello)
        /// An alert instead of a ServerHello: a fatal one, a `close_notify`, or the last of
        /// the warnings sent when nothing else followed.
        case alert(level: TLSAlert.Level, description: TLSAlert.Description)
        /// The bytes are not a TLS answer to a ClientHello.
        case notTLS(NotTLSReason)

        /// Whether more bytes cannot change it.
        public var isFinal: Bool {
            if case .needMoreData = self { return false }
            return true
        }

        public var description: String {
            switch self {
            case .needMoreData: return "need more data"
            case .serverHello(let hello):
                return "ServerHello version 0x\(String(hello.negotiatedVersion, radix: 16)) suite \(CipherSuite.describing(hello.cipherSuite))"
            case .alert(let level, let description): return "alert: \(level) \(description)"
            case .notTLS(let reason): return "not TLS: \(reason)"
            }
        }
    }

    /// Why an answer is not a usable TLS answer.
    public enum NotTLSReason: Sendable, Hashable, CustomStringConvertible {
        /// The input ended (`finish()`) before a complete answer; 0 bytes means the server
        /// closed the connection, or timed out, without a word, which is how many servers
        /// refuse a version they do not speak.
        case incomplete(bytesReceived: Int)
        /// An SSLv2 record header (2-byte length with the high bit set) holding an SSLv2
        /// SERVER-HELLO (type 4, server_version 0x0002): an SSLv2-only server.
        case sslv2ServerHello
        /// An SSLv2 ERROR message (type 0) with its error code.
        case sslv2Error(code: UInt16)
        /// Plain text starting with `HTTP/`: an HTTP server on a TLS port.
        case httpResponse(statusLine: String)
        /// Other plain text (an SMTP, FTP or SSH banner, an error page without a status line).
        case plaintext(firstLine: String)
        /// A record header whose content type is not one of TLS's (RFC 5246 §6.2.1, §A.1).
        case unknownContentType(UInt8)
        /// A record version whose major byte is not 3 (RFC 5246 §6.2.1).
        case invalidRecordVersion(UInt16)
        /// A record longer than 2^14 + 2048 bytes, the TLSCiphertext limit (RFC 5246 §6.2.3).
        case recordTooLong(Int)
        /// A zero-length handshake or alert record, which RFC 5246 §6.2.1 forbids.
        case emptyRecord(contentType: UInt8)
        /// A ChangeCipherSpec, application data or heartbeat record before any ServerHello.
        case unexpectedRecord(contentType: UInt8)
        /// The first handshake message is not a ServerHello (type 2, RFC 5246 §7.4).
        case unexpectedHandshakeMessage(type: UInt8)
        /// The ServerHello claims more bytes than the parser will hold.
        case handshakeMessageTooLong(Int)
        /// The ServerHello does not decode: the reason says which field.
        case malformedServerHello(String)
        /// Alert bytes that are not an alert (a level other than 1 or 2, or half an alert
        /// followed by another record type).
        case malformedAlert([UInt8])

        public var description: String {
            switch self {
            case .incomplete(let count) where count == 0: return "the server sent nothing"
            case .incomplete(let count): return "the answer stopped after \(count) bytes"
            case .sslv2ServerHello: return "an SSLv2 SERVER-HELLO (SSLv2-only server)"
            case .sslv2Error(let code): return "an SSLv2 ERROR message, code \(code)"
            case .httpResponse(let line): return "an HTTP response: \(line)"
            case .plaintext(let line): return "plain text: \(line)"
            case .unknownContentType(let type): return "record content type \(type) is not TLS"
            case .invalidRecordVersion(let version): return "record version 0x\(String(version, radix: 16)) is not TLS"
            case .recordTooLong(let length): return "a record of \(length) bytes (at most 18432)"
            case .emptyRecord(let type): return "an empty record of content type \(type)"
            case .unexpectedRecord(let type): return "a record of content type \(type) before the ServerHello"
            case .unexpectedHandshakeMessage(let type): return "handshake message type \(type) instead of ServerHello (2)"
            case .handshakeMessageTooLong(let length): return "a ServerHello of \(length) bytes is too long"
            case .malformedServerHello(let reason): return "malformed ServerHello: \(reason)"
            case .malformedAlert(let bytes): return "malformed alert \(bytes)"
            }
        }
    }

    /// The default bound on the handshake message held (64 KiB).
    public static let defaultMaximumMessageLength = 64 * 1024
    /// The longest record accepted: 2^14 + 2048 (RFC 5246 §6.2.3).
    public static let maximumRecordLength = 16_384 + 2_048
    /// Warning alerts accepted before the ServerHello; one more ends the parse on that alert.
    public static let maximumWarnings = 4
    /// How much plain text is read to quote its first line.
    static let textSniffLength = 128

    /// The bound on the handshake message held, in bytes.
    public let maximumMessageLength: Int
    /// The answer so far.
    public private(set) var result: Result = .needMoreData
    /// The bytes taken from the input so far (bytes fed after a final result are not counted).
    public private(set) var bytesConsumed = 0
    /// What came after the ServerHello (`.notRequested` unless made with `readsKeyExchange`).
    public private(set) var keyExchange: KeyExchangeReading

    /// Whether more bytes cannot change anything: the result is final, and so is
    /// `keyExchange` when it was asked for.
    public var isComplete: Bool { result.isFinal && keyExchange.isFinal }

    private enum Stage: Sendable {
        case sniff
        case recordHeader
        case recordBody(contentType: UInt8, remaining: Int)
        case sslv2
        case text
    }

    private var stage = Stage.sniff
    /// Record header, SSLv2 header or text being read.
    private var scratch: [UInt8] = []
    /// The handshake message being reassembled (never longer than 4 + maximumMessageLength).
    private var handshake: [UInt8] = []
    /// The alert being read (at most 1 byte between calls).
    private var alertBytes: [UInt8] = []
    private var helloRecordVersion: UInt16?
    private var warnings: [TLSAlert] = []
    /// Reading on after the ServerHello (read-on mode only).
    private var afterHello = false
    /// The suite of the ServerHello, which says how to read the ServerKeyExchange.
    private var chosenSuite: UInt16 = 0
    /// Body bytes of the current message still to skip (a Certificate streaming by).
    private var skipRemaining = 0

    /// A parser holding at most `maximumMessageLength` bytes of handshake message
    /// (clamped to 38…2^24-1: the shortest ServerHello and the longest handshake length).
    /// With `readsKeyExchange`, the parse goes on after the ServerHello (see the type's comment).
    public init(maximumMessageLength: Int = ServerHelloParser.defaultMaximumMessageLength, readsKeyExchange: Bool = false) {
        self.maximumMessageLength = min(max(maximumMessageLength, 38), 0xFF_FFFF)
        self.keyExchange = readsKeyExchange ? .needMoreData : .notRequested
    }

    /// The bytes held right now, for tests of the memory bound.
    public var bufferedByteCount: Int { scratch.count + handshake.count + alertBytes.count }

    /// Takes the next bytes of the server's answer. Does nothing once `isComplete`.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        var index = bytes.startIndex
        while index != bytes.endIndex, !isComplete {
            let available = bytes.distance(from: index, to: bytes.endIndex)
            let count = min(wanted, available)
            let end = bytes.index(index, offsetBy: count)
            bytesConsumed += count
            take(bytes[index..<end])
            index = end
        }
    }

    /// Says that no more bytes will come (the peer closed, or the read timed out), which
    /// makes the result final.
    public mutating func finish() {
        guard !isComplete else { return }
        if result.isFinal {
            // The ServerHello came, but not the rest of the flight.
            keyExchange = .unreadable("the answer stopped after \(bytesConsumed) bytes, before a ServerKeyExchange or ServerHelloDone")
        } else if case .text = stage, !scratch.isEmpty {
            finishText()
        } else if let last = warnings.last, handshake.isEmpty {
            result = .alert(level: last.level, description: last.alertDescription)
        } else {
            result = .notTLS(.incomplete(bytesReceived: bytesConsumed))
        }
        release()
    }

    // MARK: Stages

    /// How many bytes the current stage can use now (always at least 1 while not final).
    private var wanted: Int {
        switch stage {
        case .sniff:
            return 1
        case .recordHeader:
            return 5 - scratch.count
        case .recordBody(let contentType, let remaining):
            if contentType == 21 { return min(remaining, 2 - alertBytes.count) }
            if skipRemaining > 0 { return min(remaining, skipRemaining) }
            let need = handshake.count < 4 ? 4 - handshake.count : 4 + messageLength - handshake.count
            return min(remaining, max(need, 1))
        case .sslv2:
            return max(sslv2Length - scratch.count, 1)
        case .text:
            return Self.textSniffLength - scratch.count
        }
    }

    private mutating func take(_ chunk: some Collection<UInt8>) {
        switch stage {
        case .sniff:
            guard let first = chunk.first else { return }
            scratch.append(first)
            switch first {
            case 20...24:
                stage = .recordHeader
            case 0x80...:
                stage = .sslv2
            case 0x20...0x7E, 0x09, 0x0A, 0x0D:
                stage = .text
                if first == 0x0A { finishText() }
            default:
                finish(.unknownContentType(first))
            }
        case .recordHeader:
            scratch.append(contentsOf: chunk)
            if scratch.count == 5 { readRecordHeader() }
        case .recordBody(let contentType, let remaining):
            let left = remaining - chunk.count
            stage = .recordBody(contentType: contentType, remaining: left)
            if contentType == 21 {
                alertBytes.append(contentsOf: chunk)
                if alertBytes.count == 2 { readAlert() }
            } else if afterHello {
                takeAfterHello(chunk)
            } else {
                handshake.append(contentsOf: chunk)
                readHandshake()
            }
            if !isComplete, left == 0 {
                stage = .recordHeader
                scratch.removeAll(keepingCapacity: true)
            }
        case .sslv2:
            scratch.append(contentsOf: chunk)
            readSSLv2()
        case .text:
            scratch.append(contentsOf: chunk)
            if chunk.contains(0x0A) || scratch.count >= Self.textSniffLength { finishText() }
        }
    }

    private mutating func readRecordHeader() {
        let contentType = scratch[0]
        let version = UInt16(scratch[1]) << 8 | UInt16(scratch[2])
        let length = Int(scratch[3]) << 8 | Int(scratch[4])
        guard (20...24).contains(contentType) else { return finish(.unknownContentType(contentType)) }
        guard scratch[1] == 3 else { return finish(.invalidRecordVersion(version)) }
        guard length <= Self.maximumRecordLength else { return finish(.recordTooLong(length)) }
        switch contentType {
        case 21:
            break
        case 22:
            guard alertBytes.isEmpty else { return finish(.malformedAlert(alertBytes)) }
            if helloRecordVersion == nil { helloRecordVersion = version }
        default:
            return finish(.unexpectedRecord(contentType: contentType))
        }
        guard length > 0 else { return finish(.emptyRecord(contentType: contentType)) }
        stage = .recordBody(contentType: contentType, remaining: length)
        scratch.removeAll(keepingCapacity: true)
    }

    /// The declared length of the handshake message (valid once 4 bytes are in).
    private var messageLength: Int {
        guard handshake.count >= 4 else { return 0 }
        return Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
    }

    private mutating func readHandshake() {
        guard handshake.count >= 4 else { return }
        guard handshake[0] == 2 else { return finish(.unexpectedHandshakeMessage(type: handshake[0])) }
        let length = messageLength
        guard length <= maximumMessageLength else { return finish(.handshakeMessageTooLong(length)) }
        guard handshake.count >= 4 + length else { return }
        let decoded = ServerHello.decode(
            body: handshake[4..<(4 + length)],
            recordVersion: helloRecordVersion ?? 0,
            precedingWarnings: warnings
        )
        switch decoded {
        case .success(let hello):
            result = .serverHello(hello)
            if keyExchange == .needMoreData {
                if hello.isHelloRetryRequest || hello.negotiatedVersion >= 0x0304 {
                    keyExchange = .unreadable("TLS 1.3 encrypts the key exchange")
                } else {
                    // Read on: the ServerHello is exactly what the buffer holds.
                    afterHello = true
                    chosenSuite = hello.cipherSuite
                    handshake.removeAll(keepingCapacity: true)
                    return
                }
            }
            release()
        case .failure(let error):
            finish(.malformedServerHello(error.reason))
        }
    }

    private mutating func readAlert() {
        let level = TLSAlert.Level(rawValue: alertBytes[0])
        let description = TLSAlert.Description(rawValue: alertBytes[1])
        guard level == .warning || level == .fatal else { return finish(.malformedAlert(alertBytes)) }
        alertBytes.removeAll(keepingCapacity: true)
        if afterHello {
            keyExchange = .unreadable("alert: \(level) \(description) after the ServerHello")
            return release()
        }
        if level == .warning, description != .closeNotify, warnings.count < Self.maximumWarnings {
            // RFC 5246 §7.2: a warning does not end the connection; go on to the ServerHello.
            warnings.append(TLSAlert(level: level, description: description))
            return
        }
        result = .alert(level: level, description: description)
        release()
    }

    /// The bytes of the SSLv2 prefix needed to decide: 3 (header and message type), then 5
    /// for an ERROR (code) or 7 for a SERVER-HELLO (up to server_version), as laid out by
    /// the SSL 2.0 specification (draft-hickman-netscape-ssl-00).
    private var sslv2Length: Int {
        guard scratch.count >= 3 else { return 3 }
        switch scratch[2] {
        case 0: return 5
        case 4: return 7
        default: return 3
        }
    }

    private mutating func readSSLv2() {
        guard scratch.count >= sslv2Length else { return }
        let recordLength = Int(scratch[0] & 0x7F) << 8 | Int(scratch[1])
        switch scratch[2] {
        case 4 where scratch[5] == 0x00 && scratch[6] == 0x02:
            finish(.sslv2ServerHello)
        case 0 where recordLength == 3:
            finish(.sslv2Error(code: UInt16(scratch[3]) << 8 | UInt16(scratch[4])))
        default:
            finish(.unknownContentType(scratch[0]))
        }
    }

    private mutating func finishText() {
        var line = Array(scratch.prefix { $0 != 0x0A })
        if line.last == 0x0D { line.removeLast() }
        let printable = line.map { (0x20...0x7E).contains($0) || $0 == 0x09 ? $0 : UInt8(ascii: "?") }
        let text = String(decoding: printable, as: UTF8.self)
        finish(text.hasPrefix("HTTP/") ? .httpResponse(statusLine: text) : .plaintext(firstLine: text))
    }

    private mutating func finish(_ reason: NotTLSReason) {
        if afterHello {
            keyExchange = .unreadable("after the ServerHello: \(reason)")
        } else {
            result = .notTLS(reason)
        }
        release()
    }

    // MARK: After the ServerHello (read-on mode)

    /// The handshake messages that may come between the ServerHello and the
    /// ServerKeyExchange or ServerHelloDone, skipped unread: Certificate (11),
    /// CertificateStatus (22, RFC 6066 §8), and CertificateRequest (13), which a server with
    /// static-RSA key exchange sends right before its ServerHelloDone (RFC 5246 §7.3).
    static let skippedMessages: Set<UInt8> = [11, 13, 22]

    /// The next bytes of a handshake record after the ServerHello: a message header, the
    /// ServerKeyExchange (held, up to `maximumMessageLength`), or bytes of a message skipped.
    private mutating func takeAfterHello(_ chunk: some Collection<UInt8>) {
        if skipRemaining > 0 {
            skipRemaining -= chunk.count
            return
        }
        handshake.append(contentsOf: chunk)
        guard handshake.count >= 4 else { return }
        let type = handshake[0]
        let length = messageLength
        switch type {
        case 12:
            guard length <= maximumMessageLength else {
                keyExchange = .unreadable("a ServerKeyExchange of \(length) bytes (at most \(maximumMessageLength))")
                return release()
            }
            guard handshake.count >= 4 + length else { return }
            keyExchange = Self.decodeKeyExchange(handshake[4..<(4 + length)], suite: chosenSuite)
            release()
        case 14:
            keyExchange = .none
            release()
        case let skipped where Self.skippedMessages.contains(skipped):
            skipRemaining = length
            handshake.removeAll(keepingCapacity: true)
        default:
            keyExchange = .unreadable("handshake message type \(type) before the ServerKeyExchange")
            release()
        }
    }

    /// Reads the start of a ServerKeyExchange body: for (EC)DHE what the suite's key
    /// exchange puts first. DHE (RFC 5246 §7.4.3): `ServerDHParams { dh_p<1..2^16-1>; dh_g;
    /// dh_Ys }`, whose prime size is the bits of dh_p without leading zeros. ECDHE (RFC 4492
    /// §5.4, RFC 8422 §5.4): `ECParameters { curve_type; named_curve (when 3) }`.
    static func decodeKeyExchange(_ body: ArraySlice<UInt8>, suite: UInt16) -> KeyExchangeReading {
        let start = body.startIndex
        switch CipherSuite.describing(suite).keyExchange {
        case .dhe, .anonymousDH:
            guard body.count >= 2 else { return .unreadable("ServerKeyExchange too short for dh_p") }
            let length = Int(body[start]) << 8 | Int(body[start + 1])
            guard length > 0 else { return .unreadable("ServerKeyExchange with an empty dh_p") }
            guard body.count >= 2 + length else { return .unreadable("dh_p of \(length) bytes, truncated") }
            let prime = body[(start + 2)..<(start + 2 + length)]
            guard let first = prime.firstIndex(where: { $0 != 0 }) else { return .unreadable("dh_p is zero") }
            let bits = (prime.endIndex - first - 1) * 8 + (8 - prime[first].leadingZeroBitCount)
            return .finiteField(primeBits: bits)
        case .ecdhe, .anonymousECDH:
            guard let curveType = body.first else { return .unreadable("empty ServerKeyExchange") }
            guard curveType == 3 else { return .otherCurveType(curveType) }
            guard body.count >= 3 else { return .unreadable("named_curve truncated") }
            return .namedCurve(UInt16(body[start + 1]) << 8 | UInt16(body[start + 2]))
        case .rsa, .staticDH, .staticECDH, .tls13, .other:
            return .otherKeyExchange
        }
    }

    /// Drops every buffer once the result is final.
    private mutating func release() {
        if keyExchange == .needMoreData { keyExchange = .unreadable("no ServerHello") }
        scratch = []
        handshake = []
        alertBytes = []
        skipRemaining = 0
    }
}
