/// One TLS cipher suite as the IANA "TLS Cipher Suites" registry names it (RFC 5246 §A.5,
/// RFC 8447 §8): the two-byte code a ClientHello offers and a ServerHello picks, and the
/// registry's description (`TLS_RSA_WITH_RC4_128_SHA`).
///
/// The key exchange and the weakness are not stored separately but derived from the name,
/// which the registry builds as `TLS_<key exchange>_WITH_<cipher>_<MAC>` (RFC 5246 §A.5):
/// one source of truth, so a catalogue entry cannot say "RC4" in its name and "3DES" in a
/// field. TLS 1.3 suites (`TLS_AES_128_GCM_SHA256`, RFC 8446 §B.4) name no key exchange.
public struct CipherSuite: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How the suite agrees on the premaster secret (RFC 5246 §7.4.3, RFC 4492 §2).
    public enum KeyExchange: String, Sendable, Hashable, Codable, CaseIterable {
        /// RSA key transport (`TLS_RSA_*`, `TLS_RSA_EXPORT*`): the client encrypts the premaster
        /// secret to the server's RSA key, so whoever gets that key later reads every recorded
        /// session: no forward secrecy (RFC 5246 §7.4.7.1).
        case rsa
        /// Ephemeral finite-field Diffie-Hellman signed by the server (`TLS_DHE_RSA_*`, `TLS_DHE_DSS_*`).
        case dhe
        /// Ephemeral elliptic-curve Diffie-Hellman signed by the server (RFC 4492 §2.2, §2.4).
        case ecdhe
        /// Fixed Diffie-Hellman parameters in the server's certificate (`TLS_DH_RSA_*`, `TLS_DH_DSS_*`).
        case staticDH
        /// Fixed ECDH key in the server's certificate (`TLS_ECDH_RSA_*`, `TLS_ECDH_ECDSA_*`, RFC 4492 §2.1, §2.3).
        case staticECDH
        /// Unauthenticated Diffie-Hellman (`TLS_DH_anon_*`, RFC 5246 §F.1.1.1): any man in the middle wins.
        case anonymousDH
        /// Unauthenticated ECDH (`TLS_ECDH_anon_*`, RFC 4492 §2.5).
        case anonymousECDH
        /// A TLS 1.3 suite, which leaves the key exchange to the extensions (RFC 8446 §4.1.1).
        case tls13
        /// Anything else (PSK, SRP, Kerberos, GOST, …): the probes never offer these.
        case other
    }

    /// The registry value, as sent on the wire, big-endian (RFC 5246 §7.4.1.2).
    public let code: UInt16
    /// The registry description, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    public let name: String
    /// The key exchange the name declares.
    public let keyExchange: KeyExchange
    /// Every weakness class the name shows (an anonymous export RC4 suite has three).
    public let weaknesses: Set<WeakCipherClass>

    /// Makes a suite from its registry code and name; the key exchange and the weaknesses
    /// are read from the name. Use the catalogue (`CipherSuite.catalogued(_:)`) for known suites.
    public init(code: UInt16, name: String) {
        self.code = code
        self.name = name
        let parts = Self.split(name)
        self.keyExchange = Self.keyExchange(of: parts.keyExchange)
        self.weaknesses = Self.weaknesses(keyExchange: parts.keyExchange, cipher: parts.cipher)
    }

    /// The one class a suite is reported under when several apply: the first of
    /// `WeakCipherClass.allCases` (null, anonymous, export, des, tripleDES, rc4) that it has.
    /// `TLS_DH_anon_WITH_RC4_128_MD5` is anonymous, `TLS_RSA_EXPORT_WITH_RC4_40_MD5` is export:
    /// see `WeakCipherClass` for why. `nil` for a suite with none of these weaknesses.
    public var weakClass: WeakCipherClass? {
        WeakCipherClass.allCases.first { weaknesses.contains($0) }
    }

    /// Whether the suite uses elliptic-curve cryptography in its key exchange, so that a
    /// ClientHello offering it should carry supported_groups and ec_point_formats (RFC 4492 §4).
    public var usesEllipticCurves: Bool {
        switch keyExchange {
        case .ecdhe, .staticECDH, .anonymousECDH: return true
        case .rsa, .dhe, .staticDH, .anonymousDH, .tls13, .other: return false
        }
    }

    /// Whether a recorded session stays secret when the server's long-term key leaks later:
    /// true for ephemeral (EC)DH, including the anonymous kinds, and for TLS 1.3.
    public var hasForwardSecrecy: Bool {
        switch keyExchange {
        case .dhe, .ecdhe, .anonymousDH, .anonymousECDH, .tls13: return true
        case .rsa, .staticDH, .staticECDH, .other: return false
        }
    }

    /// The earliest protocol version that can negotiate the suite, as its name shows: TLS 1.3
    /// for the TLS 1.3 suites; TLS 1.2 for AEAD ciphers (GCM, CCM, ChaCha20-Poly1305) and
    /// SHA-256/384 MACs, which "MUST NOT be negotiated in older versions" (RFC 5246 §1.2,
    /// RFC 5288 §4, RFC 5289 §3.3); TLS 1.0 for ECC suites (RFC 4492 defines them for TLS, and
    /// their extensions do not exist in SSLv3); SSLv3 for the rest. A hello for an older
    /// version may drop the suites above it (`minimumVersion <= version`): the server ignores
    /// them anyway, and a shorter hello stays out of the F5 range (see `ClientHello.Padding`).
    public var minimumVersion: TLSVersion {
        if keyExchange == .tls13 { return .tls1_3 }
        let aead = ["_GCM_", "_CCM", "_CHACHA20_POLY1305_"].contains { name.contains($0) }
        if aead || name.hasSuffix("_SHA256") || name.hasSuffix("_SHA384") { return .tls1_2 }
        if usesEllipticCurves { return .tls1_0 }
        return .ssl3
    }

    /// Whether the bulk cipher is an AEAD one (AES-GCM, AES-CCM, ChaCha20-Poly1305; every
    /// TLS 1.3 suite), as the name shows.
    public var isAEAD: Bool {
        keyExchange == .tls13 || ["_GCM_", "_CCM", "_CHACHA20_POLY1305_"].contains { name.contains($0) }
    }

    /// Whether the bulk cipher is a block cipher in CBC mode with a separate MAC (`*_CBC_*`):
    /// MAC-then-encrypt, the construction of Lucky Thirteen and the padding oracles
    /// (RFC 7366 §1), which Mozilla's "intermediate" profile no longer allows.
    public var isCBC: Bool { name.contains("_CBC_") }

    /// The code as the registry writes it, e.g. `0x00,0x05` becomes `0x0005`.
    public var hexCode: String {
        let digits = String(code, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    public var description: String { "\(name) (\(hexCode))" }

    // MARK: Reading the name

    /// Splits `TLS_<kx>_WITH_<cipher…>` into its two halves; a TLS 1.3 name has no `_WITH_`.
    private static func split(_ name: String) -> (keyExchange: String?, cipher: String) {
        var body = Substring(name)
        if body.hasPrefix("TLS_") { body = body.dropFirst(4) } else if body.hasPrefix("SSL_") { body = body.dropFirst(4) }
        guard let with = body.firstRange(of: "_WITH_") else { return (nil, String(body)) }
        return (String(body[..<with.lowerBound]), String(body[with.upperBound...]))
    }

    private static func keyExchange(of part: String?) -> KeyExchange {
        guard let part else { return .tls13 }
        // Export variants share the key exchange of their parent (RSA_EXPORT is RSA transport).
        let tokens = part.split(separator: "_").filter { !$0.hasPrefix("EXPORT") }
        switch tokens.joined(separator: "_") {
        case "RSA": return .rsa
        case "DHE_RSA", "DHE_DSS": return .dhe
        case "ECDHE_RSA", "ECDHE_ECDSA": return .ecdhe
        case "DH_RSA", "DH_DSS": return .staticDH
        case "ECDH_RSA", "ECDH_ECDSA": return .staticECDH
        case "DH_anon": return .anonymousDH
        case "ECDH_anon": return .anonymousECDH
        default: return .other
        }
    }

    private static func weaknesses(keyExchange part: String?, cipher: String) -> Set<WeakCipherClass> {
        var found: Set<WeakCipherClass> = []
        if cipher.hasPrefix("NULL") { found.insert(.null) }
        if part?.split(separator: "_").contains("anon") == true { found.insert(.anonymous) }  // DH_anon, DH_anon_EXPORT
        if part?.contains("EXPORT") == true || cipher.contains("EXPORT") { found.insert(.export) }
        if cipher.hasPrefix("DES_") || cipher.hasPrefix("DES40_") { found.insert(.des) }
        if cipher.hasPrefix("3DES_") { found.insert(.tripleDES) }
        if cipher.hasPrefix("RC4_") { found.insert(.rc4) }
        return found
    }
}
