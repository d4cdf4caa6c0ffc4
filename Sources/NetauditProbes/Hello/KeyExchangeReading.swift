/// What a `ServerHelloParser` made with `readsKeyExchange` found after the ServerHello: the
/// start of the ServerKeyExchange (RFC 5246 §7.4.3, RFC 4492 §5.4), or why there is none.
public enum KeyExchangeReading: Sendable, Hashable, CustomStringConvertible {
    /// The parser was not asked to read on.
    case notRequested
    /// The ServerKeyExchange or ServerHelloDone has not come yet.
    case needMoreData
    /// A finite-field Diffie-Hellman key exchange (DHE, DH_anon) with a prime of this many
    /// bits (dh_p without its leading zeros).
    case finiteField(primeBits: Int)
    /// An elliptic-curve key exchange (ECDHE, ECDH_anon) on this named group (RFC 8422 §5.1.1,
    /// IANA "TLS Supported Groups": 23 secp256r1, 24 secp384r1, 25 secp521r1, 29 x25519…).
    case namedCurve(UInt16)
    /// An elliptic-curve key exchange with explicit curve parameters (curve_type 1 or 2,
    /// deprecated by RFC 8422 §5.4) or an unknown curve_type.
    case otherCurveType(UInt8)
    /// A ServerKeyExchange for a suite that is neither DHE nor ECDHE (an RSA_EXPORT
    /// temporary key, or a suite not catalogued).
    case otherKeyExchange
    /// ServerHelloDone without a ServerKeyExchange (static RSA, or a crafted server).
    case none
    /// No key exchange could be read: TLS 1.3, an alert, the answer cut short, a malformed
    /// or oversized message; the text says which.
    case unreadable(String)

    /// Whether more bytes cannot change it.
    public var isFinal: Bool { self != .needMoreData }

    /// The name of a named group, as IANA's "TLS Supported Groups" registry writes it.
    public static func groupName(_ code: UInt16) -> String {
        switch code {
        case 23: return "secp256r1"
        case 24: return "secp384r1"
        case 25: return "secp521r1"
        case 29: return "x25519"
        case 30: return "x448"
        case 256: return "ffdhe2048"
        case 257: return "ffdhe3072"
        case 258: return "ffdhe4096"
        case 259: return "ffdhe6144"
        case 260: return "ffdhe8192"
        case 1...22: return "legacy curve \(code)"
        default: return "group \(code)"
        }
    }

    public var description: String {
        switch self {
        case .notRequested: return "not requested"
        case .needMoreData: return "need more data"
        case .finiteField(let bits): return "DH \(bits) bits"
        case .namedCurve(let group): return "ECDH \(Self.groupName(group))"
        case .otherCurveType(let type): return "ECDH with curve_type \(type) (not a named curve)"
        case .otherKeyExchange: return "a ServerKeyExchange for neither DHE nor ECDHE"
        case .none: return "no ServerKeyExchange"
        case .unreadable(let reason): return reason
        }
    }
}
