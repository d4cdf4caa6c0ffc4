/// What one hand-built hello offering a single kind of ephemeral key exchange found: whether
/// the server takes it, with which suite, and the group of its ServerKeyExchange (the size of
/// the DHE prime, or the ECDHE named group).
public struct KeyExchangeAcceptance: Sendable, Hashable, Codable {
    /// The kind of key exchange offered.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Finite-field ephemeral Diffie-Hellman (TLS_DHE_RSA_*, TLS_DHE_DSS_*, their EXPORT forms).
        case dhe
        /// Elliptic-curve ephemeral Diffie-Hellman (TLS_ECDHE_RSA_*, TLS_ECDHE_ECDSA_*).
        case ecdhe
    }

    public var kind: Kind
    /// nil when the test could not conclude (connection failed, garbage, not tested).
    public var accepted: Bool?
    /// The IANA name of the suite chosen, when accepted.
    public var suite: String?
    /// DHE: the bits of the prime p in the ServerKeyExchange; nil when not read.
    public var dhBits: Int?
    /// ECDHE: the named group (`x25519`, `secp256r1`…) in the ServerKeyExchange; nil when not read.
    public var group: String?
    /// Whether the suite chosen is export-grade (`*_EXPORT_*`, `*_EXPORT1024_*`).
    public var export: Bool
    /// The suite and group, or the refusal, or why the group could not be read.
    public var detail: String
    /// The protocol version of the hello that tested it.
    public var testedWith: TLSProtocolVersion?

    public init(kind: Kind, accepted: Bool?, suite: String? = nil, dhBits: Int? = nil, group: String? = nil,
                export: Bool = false, detail: String, testedWith: TLSProtocolVersion? = nil) {
        self.kind = kind
        self.accepted = accepted
        self.suite = suite
        self.dhBits = dhBits
        self.group = group
        self.export = export
        self.detail = detail
        self.testedWith = testedWith
    }
}
