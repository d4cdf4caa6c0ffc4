import Foundation

/// Whether the certificates of a chain are revoked, as the probe found out: from the OCSP
/// response the server stapled, from the OCSP responder the certificate's Authority
/// Information Access names, or from the CRL of its CRL distribution point, in that order
/// (the first source that answers with a verified, current response decides). One entry
/// per certificate checked, leaf first; the anchor is never checked.
public struct RevocationObservation: Sendable, Hashable, Codable {
    public var certificates: [CertificateRevocation]

    public init(certificates: [CertificateRevocation]) {
        self.certificates = certificates
    }

    /// The leaf's entry, if the leaf was checked.
    public var leaf: CertificateRevocation? { certificates.first { $0.position == 0 } }
}

/// The revocation status of one certificate of the chain, and how it was learned.
public struct CertificateRevocation: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// A verified, current response says the certificate is not revoked.
        case good
        /// A verified, current response says the certificate is revoked.
        case revoked
        /// No source could answer (no URL, responder unreachable or outside the allow-list,
        /// response unverifiable or stale, responder does not know the certificate).
        case unknown
    }

    /// Where a status came from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// The OCSP response the server stapled to its handshake.
        case stapled
        /// An OCSP responder named in the certificate's Authority Information Access.
        case ocsp
        /// The CRL of the certificate's CRL distribution point.
        case crl
    }

    /// 0 for the leaf, 1 for the certificate that issued it, and so on.
    public var position: Int
    public var subject: String
    public var issuer: String
    /// Upper-case hexadecimal, as in ``CertificateObservation/serialNumber``.
    public var serialNumber: String
    public var status: Status
    /// The source that decided `status` (nil when unknown).
    public var source: Source?
    /// The CRLReason of a revocation (RFC 5280 §5.3.1), e.g. `keyCompromise`, `unspecified`.
    public var reason: String?
    public var revokedAt: Date?
    /// Who answered: the OCSP responder's URL (or, stapled, its responder id), or the CRL's URL.
    public var responder: String?
    /// The validity of the answer that decided (OCSP thisUpdate/nextUpdate, or the CRL's).
    public var thisUpdate: Date?
    public var nextUpdate: Date?
    /// Why the status is unknown: every source's problem, in the order tried.
    public var problem: String?
    /// Every source tried, in order, with what it said.
    public var attempts: [RevocationAttempt]

    public init(position: Int, subject: String, issuer: String, serialNumber: String, status: Status,
                source: Source? = nil, reason: String? = nil, revokedAt: Date? = nil, responder: String? = nil,
                thisUpdate: Date? = nil, nextUpdate: Date? = nil, problem: String? = nil, attempts: [RevocationAttempt] = []) {
        self.position = position
        self.subject = subject
        self.issuer = issuer
        self.serialNumber = serialNumber
        self.status = status
        self.source = source
        self.reason = reason
        self.revokedAt = revokedAt
        self.responder = responder
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.problem = problem
        self.attempts = attempts
    }
}

/// One source asked about one certificate, and what came of it. What was fetched is kept
/// (the OCSP response itself; a CRL's summary), so a report can show it without probing again.
public struct RevocationAttempt: Sendable, Hashable, Codable {
    public var source: CertificateRevocation.Source
    /// The URL asked (nil for a stapled response).
    public var url: String?
    /// `good`, `revoked`, or nil when this source could not answer.
    public var status: CertificateRevocation.Status?
    /// Why this source could not answer, or what it said.
    public var detail: String
    /// The OCSP response, DER in base64 (stapled or fetched), when one came.
    public var ocspResponse: String?
    /// The CRL that was read: its number, dates, entries and size.
    public var crl: CRLSummary?

    public init(source: CertificateRevocation.Source, url: String? = nil, status: CertificateRevocation.Status? = nil,
                detail: String, ocspResponse: String? = nil, crl: CRLSummary? = nil) {
        self.source = source
        self.url = url
        self.status = status
        self.detail = detail
        self.ocspResponse = ocspResponse
        self.crl = crl
    }
}

/// What a fetched CRL held (its bytes are not kept: a CRL can be megabytes).
public struct CRLSummary: Sendable, Hashable, Codable {
    public var issuer: String
    /// The cRLNumber extension, in hexadecimal, if present.
    public var number: String?
    public var thisUpdate: Date?
    public var nextUpdate: Date?
    /// Revoked entries listed.
    public var entries: Int
    public var bytes: Int
    /// SHA-256 of the CRL as fetched, lower-case hex.
    public var sha256: String

    public init(issuer: String, number: String? = nil, thisUpdate: Date? = nil, nextUpdate: Date? = nil,
                entries: Int, bytes: Int, sha256: String) {
        self.issuer = issuer
        self.number = number
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.entries = entries
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A chain whose last certificate, as sent, is not self-issued and whose issuer the probe
/// does not know (no anchor, no known intermediate): the server omits the intermediate.
/// Browsers fetch it from the certificate's AIA caIssuers URL, or report an incomplete
/// chain; netaudit does the first and records what came of it.
public struct ChainCompletion: Sendable, Hashable, Codable {
    /// The issuer the chain as sent lacks (RFC 2253).
    public var missingIssuer: String
    /// The caIssuers URLs of the last certificate sent.
    public var caIssuersURLs: [String]
    /// What each fetch gave: the subjects of the certificates found, or why none.
    public var fetches: [CAIssuersFetch]
    /// Whether the certificates fetched complete the chain to an anchor of some trust store.
    public var completedByAIA: Bool

    public init(missingIssuer: String, caIssuersURLs: [String], fetches: [CAIssuersFetch] = [], completedByAIA: Bool = false) {
        self.missingIssuer = missingIssuer
        self.caIssuersURLs = caIssuersURLs
        self.fetches = fetches
        self.completedByAIA = completedByAIA
    }
}

/// One caIssuers URL fetched.
public struct CAIssuersFetch: Sendable, Hashable, Codable {
    public var url: String
    /// Subjects of the certificates it held (DER, PEM or a PKCS#7 bundle).
    public var certificates: [String]
    /// Why nothing usable came, if so.
    public var problem: String?

    public init(url: String, certificates: [String] = [], problem: String? = nil) {
        self.url = url
        self.certificates = certificates
        self.problem = problem
    }
}
