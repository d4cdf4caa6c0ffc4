/// One TLS record holding a minimal ClientHello, built byte by byte so that netaudit can offer
/// what Debian's OpenSSL 3 no longer can (SSLv3, RC4, 3DES, EXPORT, TLS 1.0/1.1 at any
/// security level), the way testssl.sh does with its own sockets. The probe sends `bytes`
/// and reads the first answer with `ServerHelloParser`; it never completes a handshake.
///
/// Layout (all integers big-endian, RFC 5246 §4.4):
///
/// | field                  | bytes | value                                             | RFC              |
/// |------------------------|-------|---------------------------------------------------|------------------|
/// | record content type    | 1     | 22 handshake                                      | 5246 §6.2.1      |
/// | record version         | 2     | 0x0300 for SSLv3, 0x0301 for any TLS hello        | 5246 §6.2.1, §E.1|
/// | record length          | 2     | handshake message length                          | 5246 §6.2.1      |
/// | handshake type         | 1     | 1 client_hello                                    | 5246 §7.4        |
/// | handshake length       | 3     | body length                                       | 5246 §7.4        |
/// | client_version         | 2     | the version probed                                | 5246 §7.4.1.2    |
/// | random                 | 32    | `random`                                          | 5246 §7.4.1.2    |
/// | session_id             | 1     | 0 (empty: no resumption)                          | 5246 §7.4.1.2    |
/// | cipher_suites          | 2+2n  | the offered codes                                 | 5246 §7.4.1.2    |
/// | compression_methods    | 1+1   | null (0) only                                     | 5246 §7.4.1.2    |
/// | extensions             | 2+…   | TLS only: see below                               | 5246 §7.4.1.4    |
///
/// Extensions, in this order, and only for TLS (an SSLv3 hello has none, RFC 6101 §5.6.1.2):
/// - server_name (0), for a DNS name only, never an IP literal (RFC 6066 §3);
/// - supported_groups (10: x25519, secp256r1, secp384r1, secp521r1) and ec_point_formats
///   (11: uncompressed), only when an offered suite uses ECC (RFC 4492 §4, §5.1; RFC 8422 §5.1):
///   some old servers reject ECC extensions they do not expect;
/// - signature_algorithms (13), only for TLS 1.2 (RFC 5246 §7.4.1.4.1: "not meaningful for
///   TLS versions prior to 1.2", and old servers choke on it), with a broad list from SHA-1
///   to RSA-PSS and EdDSA (RFC 8446 §4.2.3 codes);
/// - renegotiation_info (0xFF01), empty (RFC 5746 §3.4): some servers refuse clients that do
///   not signal secure renegotiation;
/// - padding (21, RFC 7685), see `Padding`.
///
/// An SSLv3 hello signals secure renegotiation with TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00FF)
/// appended to the suites instead (RFC 5746 §3.3), for the same reason. TLS_FALLBACK_SCSV
/// (RFC 7507) is never sent: it would turn a server's "yes, I still speak TLS 1.0" into an
/// `inappropriate_fallback` alert.
public struct ClientHello: Sendable, Hashable {
    /// What to do about the F5 BIG-IP bug: some load balancers hang on a ClientHello message
    /// whose length (with its 4-byte handshake header) is 256 to 511 bytes (RFC 7685 §1, §3).
    public enum Padding: Sendable, Hashable {
        /// No padding extension, whatever the length.
        case none
        /// When the message would be 256…511 bytes long, add a padding extension (RFC 7685)
        /// that brings it to 512 bytes exactly (508 bytes of body), as Chrome and NSS did
        /// and OpenSSL does with SSL_OP_TLSEXT_PADDING; shorter and longer hellos are left
        /// alone. With the probes' lists a TLS hello is under 256 bytes, or 512 when padded.
        /// SSLv3 hellos have no extensions and cannot be padded: keep them to at most 105
        /// suites (under 256 bytes), e.g. by dropping suites with `minimumVersion > .ssl3`.
        case avoidF5Range
    }

    /// Why a hello could not be built. These are caller errors, never data errors.
    public enum BuildError: Error, Sendable, Hashable, CustomStringConvertible {
        /// This codec speaks SSLv3 to TLS 1.2; TLS 1.3 is OpenSSL's job.
        case unsupportedVersion(TLSVersion)
        /// A ClientHello must offer at least one suite (RFC 5246 §7.4.1.2: `<2..2^16-2>`).
        case noCipherSuites
        /// The random must be exactly 32 bytes (RFC 5246 §7.4.1.2).
        case randomLength(Int)
        /// The hello would not fit one record (2^14 bytes, RFC 5246 §6.2.1).
        case tooLarge(Int)

        public var description: String {
            switch self {
            case .unsupportedVersion(let version): return "a hand-built ClientHello cannot offer \(version)"
            case .noCipherSuites: return "a ClientHello needs at least one cipher suite"
            case .randomLength(let count): return "the ClientHello random must be 32 bytes, not \(count)"
            case .tooLarge(let length): return "a ClientHello of \(length) bytes does not fit one TLS record"
            }
        }
    }

    /// The elliptic-curve groups offered in supported_groups (RFC 8422 §5.1.1, RFC 7748):
    /// x25519 (29), secp256r1 (23), secp384r1 (24), secp521r1 (25).
    public static let supportedGroups: [UInt16] = [0x001D, 0x0017, 0x0018, 0x0019]

    /// The signature schemes offered in a TLS 1.2 hello (RFC 5246 §7.4.1.4.1 hash/signature
    /// pairs as RFC 8446 §4.2.3 numbers them): ECDSA, EdDSA, RSA-PSS, RSA PKCS#1 v1.5 with
    /// SHA-2, then SHA-224, DSA and SHA-1 for the old servers this probe is looking for.
    public static let signatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603,  // ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ecdsa_secp521r1_sha512
        0x0807, 0x0808,  // ed25519, ed448
        0x0804, 0x0805, 0x0806,  // rsa_pss_rsae_sha256/384/512
        0x0809, 0x080A, 0x080B,  // rsa_pss_pss_sha256/384/512
        0x0401, 0x0501, 0x0601,  // rsa_pkcs1_sha256/384/512
        0x0303, 0x0301, 0x0302,  // ecdsa_sha224, rsa_sha224, dsa_sha224
        0x0402, 0x0502, 0x0602,  // dsa_sha256/384/512
        0x0203, 0x0201, 0x0202,  // ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1
    ]

    /// The code of TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3), appended to SSLv3 hellos.
    public static let emptyRenegotiationInfoSCSV: UInt16 = 0x00FF

    /// The version offered in client_version.
    public let version: TLSVersion
    /// The suites offered, in offer order, without duplicates.
    public let cipherSuites: [CipherSuite]
    /// The 32-byte client random.
    public let random: [UInt8]
    /// The name sent in server_name, or `nil` when none is (no name given, an IP literal, an
    /// invalid name, or SSLv3). See `serverNameIndication(for:)`.
    public let serverName: String?
    /// The padding policy used.
    public let padding: Padding
    /// The complete record: header and handshake message, ready to send.
    public let bytes: [UInt8]

    /// Builds a hello with the given random (32 bytes; tests use a fixed one).
    /// - Parameters:
    ///   - version: SSLv3, TLS 1.0, 1.1 or 1.2.
    ///   - cipherSuites: the suites to offer, in order; duplicates are dropped.
    ///   - serverName: the host name for SNI; IP literals and invalid names are not sent.
    ///   - random: the client random (RFC 5246 §7.4.1.2). Nothing checks it is random: the
    ///     probe never derives keys from it.
    ///   - padding: see `Padding`.
    public init(
        version: TLSVersion,
        cipherSuites: [CipherSuite],
        serverName: String? = nil,
        random: [UInt8],
        padding: Padding = .avoidF5Range
    ) throws(BuildError) {
        guard version != .tls1_3 else { throw .unsupportedVersion(version) }
        guard !cipherSuites.isEmpty else { throw .noCipherSuites }
        guard random.count == 32 else { throw .randomLength(random.count) }
        var seen = Set<UInt16>()
        let suites = cipherSuites.filter { seen.insert($0.code).inserted }
        let sni = version == .ssl3 ? nil : serverName.flatMap(Self.serverNameIndication(for:))

        self.version = version
        self.cipherSuites = suites
        self.random = random
        self.serverName = sni
        self.padding = padding
        self.bytes = try Self.encode(version: version, suites: suites, random: random, serverName: sni, padding: padding)
    }

    /// Builds a hello with a fresh random from `SystemRandomNumberGenerator`.
    public init(
        version: TLSVersion,
        cipherSuites: [CipherSuite],
        serverName: String? = nil,
        padding: Padding = .avoidF5Range
    ) throws(BuildError) {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try self.init(version: version, cipherSuites: cipherSuites, serverName: serverName, random: random, padding: padding)
    }

    /// The record-layer version written in the record header: 0x0300 for SSLv3, else 0x0301,
    /// which every TLS server accepts in a first record (RFC 5246 §E.1: clients "MAY send any
    /// value {03,XX} as the record layer version number"; some old servers reject a higher one).
    public var recordVersion: UInt16 { version == .ssl3 ? 0x0300 : 0x0301 }

    /// The handshake message alone (the record's payload): type, length and body.
    public var handshakeMessage: ArraySlice<UInt8> { bytes[5...] }

    /// The codes offered on the wire, including the SCSV an SSLv3 hello carries.
    public var offeredCodes: [UInt16] {
        var codes = cipherSuites.map(\.code)
        if version == .ssl3, !codes.contains(Self.emptyRenegotiationInfoSCSV) { codes.append(Self.emptyRenegotiationInfoSCSV) }
        return codes
    }

    /// The host name to put in server_name for `name`, or `nil` when none may be sent:
    /// RFC 6066 §3 allows only a DNS host name, "without a trailing dot", and says "literal
    /// IPv4 and IPv6 addresses are not permitted". So: a trailing dot is dropped; the name must
    /// be ASCII letters, digits, hyphens and underscores in dot-separated labels of 1–63 bytes,
    /// 253 bytes at most; and a name with a colon (IPv6) or whose last label is all digits
    /// (IPv4 in any `inet_aton` form: a top-level domain is never numeric, RFC 3696 §2) is an
    /// address. Internationalised names must come already in A-label form (`xn--…`).
    public static func serverNameIndication(for name: String) -> String? {
        var host = Substring(name)
        if host.hasSuffix(".") { host = host.dropLast() }
        let utf8 = Array(host.utf8)
        guard !utf8.isEmpty, utf8.count <= 253 else { return nil }
        let labels = utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count) else { return nil }
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    continue
                default:
                    return nil  // includes ":" (IPv6), "%", spaces, non-ASCII
                }
            }
        }
        if let last = labels.last, last.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return nil
        }
        // Hex IPv4 forms (0x7f.1) end in a numeric label too, so they are already excluded.
        return String(decoding: utf8, as: UTF8.self)
    }

    // MARK: Encoding

    private static func encode(
        version: TLSVersion, suites: [CipherSuite], random: [UInt8], serverName: String?, padding: Padding
    ) throws(BuildError) -> [UInt8] {
        var codes = suites.map(\.code)
        if version == .ssl3, !codes.contains(emptyRenegotiationInfoSCSV) { codes.append(emptyRenegotiationInfoSCSV) }

        var body: [UInt8] = []
        body.appendUInt16(UInt16(version.rawValue))          // client_version, §7.4.1.2
        body.append(contentsOf: random)                       // random, §7.4.1.2
        body.append(0)                                        // session_id: empty
        guard codes.count <= 0x7FFF else { throw .tooLarge(codes.count * 2) }
        body.appendUInt16(UInt16(codes.count * 2))            // cipher_suites<2..2^16-2>
        for code in codes { body.appendUInt16(code) }
        body.append(1)                                        // compression_methods<1..2^8-1>
        body.append(0)                                        // null (RFC 5246 §6.2.2)

        if version != .ssl3 {
            var extensions = makeExtensions(version: version, suites: suites, serverName: serverName)
            if padding == .avoidF5Range {
                // Message length if the extensions block were sent as is: header 4 + body + 2 + extensions.
                let length = 4 + body.count + 2 + extensions.count
                if (256...511).contains(length) {
                    let missing = 512 - length
                    // RFC 7685 §3: padding extension of zero bytes; with fewer than 4 bytes to
                    // go the extension header alone overshoots, so it carries one byte (OpenSSL does the same).
                    let dataLength = missing >= 4 ? missing - 4 : 1
                    extensions.appendExtension(type: 21, data: [UInt8](repeating: 0, count: dataLength))
                }
            }
            body.appendUInt16(UInt16(truncatingIfNeeded: extensions.count))
            body.append(contentsOf: extensions)
        }

        let messageLength = 4 + body.count
        guard messageLength <= 16_384 else { throw .tooLarge(messageLength) }
        var record: [UInt8] = [22]                            // content type handshake, §6.2.1
        record.appendUInt16(version == .ssl3 ? 0x0300 : 0x0301)
        record.appendUInt16(UInt16(messageLength))
        record.append(1)                                      // msg_type client_hello, §7.4
        record.appendUInt24(body.count)
        record.append(contentsOf: body)
        return record
    }

    private static func makeExtensions(version: TLSVersion, suites: [CipherSuite], serverName: String?) -> [UInt8] {
        var extensions: [UInt8] = []
        if let serverName {
            // RFC 6066 §3: ServerNameList { NameType host_name(0); HostName<1..2^16-1> }.
            let name = Array(serverName.utf8)
            var entry: [UInt8] = [0]
            entry.appendUInt16(UInt16(name.count))
            entry.append(contentsOf: name)
            var list: [UInt8] = []
            list.appendUInt16(UInt16(entry.count))
            list.append(contentsOf: entry)
            extensions.appendExtension(type: 0, data: list)
        }
        if suites.contains(where: \.usesEllipticCurves) {
            // RFC 8422 §5.1.1: NamedGroupList<2..2^16-1>.
            var groups: [UInt8] = []
            groups.appendUInt16(UInt16(supportedGroups.count * 2))
            for group in supportedGroups { groups.appendUInt16(group) }
            extensions.appendExtension(type: 10, data: groups)
            // RFC 8422 §5.1.2: ECPointFormatList<1..2^8-1> = { uncompressed(0) }.
            extensions.appendExtension(type: 11, data: [1, 0])
        }
        if version == .tls1_2 {
            // RFC 5246 §7.4.1.4.1: supported_signature_algorithms<2..2^16-2>.
            var schemes: [UInt8] = []
            schemes.appendUInt16(UInt16(signatureAlgorithms.count * 2))
            for scheme in signatureAlgorithms { schemes.appendUInt16(scheme) }
            extensions.appendExtension(type: 13, data: schemes)
        }
        // RFC 5746 §3.4: renegotiated_connection<0..255>, empty on an initial handshake.
        extensions.appendExtension(type: 0xFF01, data: [0])
        return extensions
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    fileprivate mutating func appendUInt24(_ value: Int) {
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends one extension: type, length, data (RFC 5246 §7.4.1.4).
    fileprivate mutating func appendExtension(type: UInt16, data: [UInt8]) {
        appendUInt16(type)
        appendUInt16(UInt16(truncatingIfNeeded: data.count))
        append(contentsOf: data)
    }
}
