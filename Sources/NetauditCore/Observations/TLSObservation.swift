import Foundation

/// Everything the TLS probe saw of one endpoint: the outcome of a real HTTPS request, the
/// session and the certificate chain as the server sent them, netaudit's own chain
/// verification against public and government trust, which protocol versions and weak
/// cipher classes the server accepts, and what plain HTTP does. Network failures are
/// recorded here, never thrown. The policy reads this and nothing else.
public struct TLSObservation: Sendable, Hashable, Codable {
    public var url: String
    /// The name sent in SNI and checked against the certificate.
    public var serverName: String
    /// The address connected to (pinned, literal, or resolved).
    public var address: IPAddress?
    public var port: Int
    public var started: Date
    /// Seconds the whole check took.
    public var duration: Double
    public var connection: ConnectionOutcome
    public var http: HTTPObservation?
    public var session: TLSSessionObservation?
    /// The chain exactly as the server sent it, leaf first.
    public var certificates: [CertificateObservation]
    public var trust: TrustObservation?
    /// One entry per version tested (SSLv3 … TLS 1.3).
    public var protocols: [ProtocolAcceptance]
    /// One entry per weak class tested (NULL, anonymous, EXPORT, DES, 3DES, RC4).
    public var weakCiphers: [CipherClassAcceptance]
    /// Whether static-RSA key exchange (no forward secrecy) is accepted.
    public var staticRSA: CipherClassAcceptance?
    // Added with issue 11 (TLS depth). Optional and outside `init`, so that observations
    // stored before them still decode (nil: not tested); set them after `init`.
    /// DHE key exchange at the best version ≤ TLS 1.2: accepted, and the size of its group.
    public var dhe: KeyExchangeAcceptance?
    /// ECDHE key exchange at the best version ≤ TLS 1.2: accepted, and the group the server picks.
    public var ecdhe: KeyExchangeAcceptance?
    /// Whether TLS 1.2 CBC suites (non-AEAD, none of the weak classes) are accepted
    /// (`name` "cbc", `detail` the suite chosen).
    public var cbc: CipherClassAcceptance?
    public var plainHTTP: PlainHTTPObservation?
    /// Why the probe could not run at all (address outside the allow-list, …).
    public var problem: String?
    /// Connections of the check that netaudit could not make for want of its own resources
    /// (file descriptors…), even after retrying until the deadline: the check is incomplete
    /// and says nothing about the server (the policy judges nothing from it).
    public var localFailure: LocalFailure?
    /// Whether the chain's certificates are revoked (nil: not checked, e.g. no chain, a
    /// self-signed leaf, or an observation stored before netaudit checked revocation).
    public var revocation: RevocationObservation?

    public init(url: String, serverName: String, address: IPAddress? = nil, port: Int, started: Date = Date(),
                duration: Double = 0, connection: ConnectionOutcome = ConnectionOutcome(), http: HTTPObservation? = nil,
                session: TLSSessionObservation? = nil, certificates: [CertificateObservation] = [],
                trust: TrustObservation? = nil, protocols: [ProtocolAcceptance] = [],
                weakCiphers: [CipherClassAcceptance] = [], staticRSA: CipherClassAcceptance? = nil,
                plainHTTP: PlainHTTPObservation? = nil, problem: String? = nil, localFailure: LocalFailure? = nil) {
        self.url = url
        self.serverName = serverName
        self.address = address
        self.port = port
        self.started = started
        self.duration = duration
        self.connection = connection
        self.http = http
        self.session = session
        self.certificates = certificates
        self.trust = trust
        self.protocols = protocols
        self.weakCiphers = weakCiphers
        self.staticRSA = staticRSA
        self.plainHTTP = plainHTTP
        self.problem = problem
        self.localFailure = localFailure
    }

    /// The answer for one protocol version, if it was tested.
    public func acceptance(of version: TLSProtocolVersion) -> Bool? {
        protocols.first { $0.version == version }?.accepted
    }
}

/// How far the connections got.
public struct ConnectionOutcome: Sendable, Hashable, Codable {
    /// Why a connection failed, as far as the probe can tell.
    public enum Failure: String, Sendable, Hashable, Codable {
        /// Nothing listens: the TCP connect was refused.
        case refused
        /// No TCP connection before the deadline.
        case connectTimeout = "connect_timeout"
        /// TCP connected, but no TLS answer came before the deadline (a tarpit, a trickle).
        case tlsTimeout = "tls_timeout"
        /// The peer reset the connection.
        case reset
        /// The peer answered, but not with TLS (garbage, plain HTTP on the TLS port).
        case notTLS = "not_tls"
        /// A TLS handshake was attempted and failed (alert, no common protocol or cipher…).
        case handshake
        /// No route, address refused by the allow-list, name not resolved…
        case other
    }

    /// TCP connected.
    public var tcpConnected: Bool
    /// A handshake with a modern client (OpenSSL defaults: TLS 1.2+, security level 2) worked.
    public var modernHandshake: Bool
    /// After a failed modern handshake, whether a legacy one (TLS 1.0+, security level 0) worked.
    public var legacyHandshake: Bool?
    public var failure: Failure?
    /// libcurl's or OpenSSL's message for the failure.
    public var message: String?

    public init(tcpConnected: Bool = false, modernHandshake: Bool = false, legacyHandshake: Bool? = nil,
                failure: Failure? = nil, message: String? = nil) {
        self.tcpConnected = tcpConnected
        self.modernHandshake = modernHandshake
        self.legacyHandshake = legacyHandshake
        self.failure = failure
        self.message = message
    }
}

/// The HTTPS response (redirects are not followed: the first answer is the one judged).
public struct HTTPObservation: Sendable, Hashable, Codable {
    public var status: Int
    /// `Location` of a redirect.
    public var location: String?
    /// The `Strict-Transport-Security` header as sent, nil when absent.
    public var strictTransportSecurity: String?
    /// Its `max-age`, in seconds, when it parses.
    public var hstsMaxAge: Int?
    public var hstsIncludeSubDomains: Bool
    public var timings: PhaseTimings
    /// Set when the response head could not be read to its end (curl's message: headers
    /// beyond its size limit, a connection cut or stalled mid-head): the headers above are
    /// only those read before, and one not among them may still have been sent.
    public var unreadable: String?

    public init(status: Int, location: String? = nil, strictTransportSecurity: String? = nil,
                timings: PhaseTimings = PhaseTimings(), unreadable: String? = nil) {
        self.status = status
        self.location = location
        self.strictTransportSecurity = strictTransportSecurity
        let parsed = strictTransportSecurity.map(HTTPObservation.parseHSTS)
        hstsMaxAge = parsed?.maxAge
        hstsIncludeSubDomains = parsed?.includeSubDomains ?? false
        self.timings = timings
        self.unreadable = unreadable
    }

    /// RFC 6797 §6.1: directives separated by ';', names case-insensitive, values maybe quoted.
    public static func parseHSTS(_ value: String) -> (maxAge: Int?, includeSubDomains: Bool) {
        var maxAge: Int?
        var includeSubDomains = false
        for directive in value.split(separator: ";") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first?.lowercased() else { continue }
            if name == "max-age", parts.count == 2 {
                maxAge = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            } else if name == "includesubdomains" {
                includeSubDomains = true
            }
        }
        return (maxAge, includeSubDomains)
    }
}

/// Seconds from the start of the request to the end of each phase (libcurl's timers).
public struct PhaseTimings: Sendable, Hashable, Codable {
    public var dns: Double?
    public var connect: Double?
    public var tls: Double?
    public var firstByte: Double?
    public var total: Double?

    public init(dns: Double? = nil, connect: Double? = nil, tls: Double? = nil, firstByte: Double? = nil, total: Double? = nil) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
    }
}

/// TLS protocol versions, as the wire numbers them.
public enum TLSProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case ssl3 = "SSLv3"
    case tls1_0 = "TLSv1.0"
    case tls1_1 = "TLSv1.1"
    case tls1_2 = "TLSv1.2"
    case tls1_3 = "TLSv1.3"

    public var wireValue: UInt16 {
        switch self {
        case .ssl3: return 0x0300
        case .tls1_0: return 0x0301
        case .tls1_1: return 0x0302
        case .tls1_2: return 0x0303
        case .tls1_3: return 0x0304
        }
    }

    public init?(wireValue: Int) {
        guard let version = Self.allCases.first(where: { Int($0.wireValue) == wireValue }) else { return nil }
        self = version
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.wireValue < rhs.wireValue }
}

/// The negotiated session of the HTTPS request.
public struct TLSSessionObservation: Sendable, Hashable, Codable {
    public var protocolVersion: TLSProtocolVersion?
    /// IANA name, e.g. TLS_AES_128_GCM_SHA256.
    public var cipher: String
    /// OpenSSL's name, e.g. ECDHE-RSA-AES128-GCM-SHA256.
    public var cipherOpenSSLName: String?
    public var cipherCode: Int?
    /// The key-exchange group (x25519, secp256r1, ffdhe2048…) or the ephemeral key, e.g. "DH 2048".
    public var keyExchange: String?
    public var ocspStapled: Bool
    /// Whether it came from the legacy retry (the modern client failed).
    public var legacy: Bool

    public init(protocolVersion: TLSProtocolVersion?, cipher: String, cipherOpenSSLName: String? = nil,
                cipherCode: Int? = nil, keyExchange: String? = nil, ocspStapled: Bool = false, legacy: Bool = false) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.cipherOpenSSLName = cipherOpenSSLName
        self.cipherCode = cipherCode
        self.keyExchange = keyExchange
        self.ocspStapled = ocspStapled
        self.legacy = legacy
    }
}

/// One certificate as the server sent it.
public struct CertificateObservation: Sendable, Hashable, Codable {
    /// RFC 2253 one-line names.
    public var subject: String
    public var issuer: String
    public var serialNumber: String
    /// DNS names and IP addresses of subjectAltName.
    public var subjectAltNames: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// RSA, EC, DSA, Ed25519, Ed448.
    public var keyType: String
    public var keyBits: Int
    /// For EC keys: the curve (prime256v1, secp384r1…).
    public var curve: String?
    /// e.g. sha256WithRSAEncryption, ecdsa-with-SHA256, sha1WithRSAEncryption.
    public var signatureAlgorithm: String
    /// Lower-case hex, no separators.
    public var sha256Fingerprint: String
    public var isCA: Bool
    public var selfSigned: Bool
    /// Authority Information Access: the OCSP responders and the caIssuers URLs; and the
    /// CRL distribution points (URIs). Nil in observations stored before they were read.
    public var ocspURLs: [String]?
    public var caIssuersURLs: [String]?
    public var crlURLs: [String]?

    public init(subject: String, issuer: String, serialNumber: String, subjectAltNames: [String], notBefore: Date,
                notAfter: Date, keyType: String, keyBits: Int, curve: String? = nil, signatureAlgorithm: String,
                sha256Fingerprint: String, isCA: Bool, selfSigned: Bool) {
        self.subject = subject
        self.issuer = issuer
        self.serialNumber = serialNumber
        self.subjectAltNames = subjectAltNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.keyType = keyType
        self.keyBits = keyBits
        self.curve = curve
        self.signatureAlgorithm = signatureAlgorithm
        self.sha256Fingerprint = sha256Fingerprint
        self.isCA = isCA
        self.selfSigned = selfSigned
    }
}

/// netaudit's own verification of the chain, per trust store, and of the host name.
public struct TrustObservation: Sendable, Hashable, Codable {
    /// Against the system bundle (Debian's ca-certificates).
    public var publicTrust: ChainVerification
    /// Against the inventory's extra anchors (the Government CA); nil when there are none.
    public var governmentTrust: ChainVerification?
    /// Whether a subjectAltName (or, failing SANs, nothing: CN is not used) matches the server name.
    public var hostnameMatches: Bool
    /// OpenSSL's code for the host name check, as for the chain: 0 (`X509_V_OK`) when it
    /// matches, 62 (`X509_V_ERR_HOSTNAME_MISMATCH`) for a DNS name, 64
    /// (`X509_V_ERR_IP_ADDRESS_MISMATCH`) for an IP address.
    public var hostnameCode: Int
    /// OpenSSL's text for `hostnameCode` (X509_verify_cert_error_string: `ok`, `hostname
    /// mismatch`, `IP address mismatch`).
    public var hostnameMessage: String
    /// Set when the chain as sent ends at a certificate that is not self-issued and whose
    /// issuer is no anchor and no known intermediate: what the AIA caIssuers URL gave.
    public var chainCompletion: ChainCompletion?

    /// X509_V_ERR_HOSTNAME_MISMATCH and its text, for observations made without the code
    /// (stored by an earlier netaudit, or built by hand).
    public static let hostnameMismatch = (code: 62, message: "hostname mismatch")

    public init(publicTrust: ChainVerification, governmentTrust: ChainVerification? = nil, hostnameMatches: Bool,
                hostnameCode: Int? = nil, hostnameMessage: String? = nil) {
        self.publicTrust = publicTrust
        self.governmentTrust = governmentTrust
        self.hostnameMatches = hostnameMatches
        self.hostnameCode = hostnameCode ?? (hostnameMatches ? 0 : Self.hostnameMismatch.code)
        self.hostnameMessage = hostnameMessage ?? (hostnameMatches ? "ok" : Self.hostnameMismatch.message)
    }

    private enum CodingKeys: String, CodingKey {
        case publicTrust, governmentTrust, hostnameMatches, hostnameCode, hostnameMessage, chainCompletion
    }

    /// Reads observations stored before the host name had its code and message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(publicTrust: try container.decode(ChainVerification.self, forKey: .publicTrust),
                  governmentTrust: try container.decodeIfPresent(ChainVerification.self, forKey: .governmentTrust),
                  hostnameMatches: try container.decode(Bool.self, forKey: .hostnameMatches),
                  hostnameCode: try container.decodeIfPresent(Int.self, forKey: .hostnameCode),
                  hostnameMessage: try container.decodeIfPresent(String.self, forKey: .hostnameMessage))
        chainCompletion = try container.decodeIfPresent(ChainCompletion.self, forKey: .chainCompletion)
    }
}

/// The outcome of verifying the chain against one trust store.
public struct ChainVerification: Sendable, Hashable, Codable {
    /// What went wrong, in the terms of the policy.
    public enum Problem: String, Sendable, Hashable, Codable {
        case expired
        case notYetValid = "not_yet_valid"
        case selfSigned = "self_signed"
        case untrustedRoot = "untrusted_root"
        /// The server omits an intermediate: the chain verifies only once a known intermediate is added.
        case incompleteChain = "incomplete_chain"
        case weakSignature = "weak_signature"
        case weakKey = "weak_key"
        case other
    }

    public var trusted: Bool
    public var problem: Problem?
    /// OpenSSL's X509_V_* code and its text (X509_verify_cert_error_string).
    public var code: Int
    public var message: String
    /// Subject of the anchor the chain reached, when trusted.
    public var anchor: String?
    /// The verified chain, leaf to anchor, when trusted (subjects).
    public var path: [String]

    public init(trusted: Bool, problem: Problem? = nil, code: Int, message: String, anchor: String? = nil, path: [String] = []) {
        self.trusted = trusted
        self.problem = problem
        self.code = code
        self.message = message
        self.anchor = anchor
        self.path = path
    }
}

/// Whether the server accepts one protocol version.
public struct ProtocolAcceptance: Sendable, Hashable, Codable {
    public var version: TLSProtocolVersion
    /// nil when the test could not conclude (connection failed, garbage).
    public var accepted: Bool?
    /// The suite it chose, or the alert or failure it answered with.
    public var detail: String

    public init(version: TLSProtocolVersion, accepted: Bool?, detail: String) {
        self.version = version
        self.accepted = accepted
        self.detail = detail
    }
}

/// Whether the server accepts a class of cipher suites.
public struct CipherClassAcceptance: Sendable, Hashable, Codable {
    /// null, anonymous, export, des, triple_des, rc4, static_rsa.
    public var name: String
    public var accepted: Bool?
    /// The IANA name of the suite it chose, or why the test could not conclude.
    public var detail: String
    /// The protocol version of the hello that tested it.
    public var testedWith: TLSProtocolVersion?

    public init(name: String, accepted: Bool?, detail: String, testedWith: TLSProtocolVersion? = nil) {
        self.name = name
        self.accepted = accepted
        self.detail = detail
        self.testedWith = testedWith
    }
}

/// What plain HTTP on the endpoint's host does.
public struct PlainHTTPObservation: Sendable, Hashable, Codable {
    public var port: Int
    /// Whether anything answered on the port.
    public var answered: Bool
    public var status: Int?
    public var location: String?
    /// A 3xx to an https:// URL (to any host: the policy also wants the endpoint's own site,
    /// see `http.no_https_redirect`).
    public var redirectsToHTTPS: Bool
    public var message: String?

    public init(port: Int, answered: Bool, status: Int? = nil, location: String? = nil, message: String? = nil) {
        self.port = port
        self.answered = answered
        self.status = status
        self.location = location
        let redirect = (300...399).contains(status ?? 0)
        redirectsToHTTPS = redirect && (location?.lowercased().hasPrefix("https://") ?? false)
        self.message = message
    }
}
