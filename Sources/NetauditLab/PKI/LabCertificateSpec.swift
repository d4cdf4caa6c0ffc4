import Foundation
public import NetauditCore

/// One entry of a certificate's subjectAltName extension.
public enum LabSubjectAltName: Sendable, Hashable, CustomStringConvertible {
    /// A dNSName: a host name, or a wildcard such as `*.lab.test`. Written as given (ASCII only).
    case dns(String)
    /// An iPAddress: 4 bytes for IPv4, 16 for IPv6.
    case ip(IPAddress)

    /// The form `openssl x509 -ext subjectAltName` prints: `DNS:x.test`, `IP Address:127.0.0.1`.
    public var description: String {
        switch self {
        case .dns(let name): return "DNS:\(name)"
        case .ip(let address): return "IP Address:\(address)"
        }
    }
}

/// What one lab certificate should say: names, validity, key, signature digest and whether
/// it is a CA. ``LabPKI`` turns it into a ``LabCredential``; everything else (version 3,
/// a random serial, the extensions) follows from these fields.
///
/// Nothing here has to be sensible: dates in the past or the future, weak keys and
/// digests, leaves without subjectAltName are what the lab's failing cases are made of.
/// Only what cannot be encoded is refused (``LabPKIError/Reason/invalidSpec``).
public struct LabCertificateSpec: Sendable, Hashable {
    /// The subject's commonName (1 to 64 characters, UTF-8).
    public var commonName: String
    /// The subject's organizationName, if any.
    public var organization: String?
    /// The subjectAltName entries; none means no subjectAltName extension at all
    /// (a legacy certificate that names its host only in the commonName).
    public var subjectAltNames: [LabSubjectAltName]
    /// Start of validity, kept to the second (fractions are dropped).
    public var notBefore: Date
    /// End of validity, kept to the second; must be later than `notBefore`.
    public var notAfter: Date
    /// The kind of key the certificate certifies.
    public var key: LabKeyKind
    /// Whether that key is generated for this certificate or taken from the process-wide cache.
    public var keySource: LabKeySource
    /// The digest the issuer signs this certificate with.
    public var digest: LabDigest
    /// A CA certificate (basicConstraints CA:TRUE, keyUsage keyCertSign and cRLSign) or a
    /// server leaf (CA:FALSE, digitalSignature (+ keyEncipherment for RSA), serverAuth).
    public var isCA: Bool
    /// basicConstraints pathLenConstraint of a CA; nil for none. Only for CAs.
    public var pathLength: Int?
    /// authorityInfoAccess id-ad-ocsp URIs: where a client asks an OCSP responder (RFC 6960
    /// §4.2.2.1) about this certificate. None (and no ``caIssuersURLs``): no such extension.
    public var ocspURLs: [String]
    /// authorityInfoAccess id-ad-caIssuers URIs: where a client fetches the issuer's
    /// certificate (DER) to complete a chain (RFC 5280 §4.2.2.1).
    public var caIssuersURLs: [String]
    /// cRLDistributionPoints, one DistributionPoint with a fullName URI per URL (RFC 5280
    /// §4.2.1.13): where the issuer's CRL is. None: no such extension.
    public var crlURLs: [String]

    /// A spec whose defaults make a plain server leaf: RSA-2048 signed with SHA-256,
    /// valid from an hour ago (room for clock skew) for 90 days.
    public init(
        commonName: String,
        organization: String? = nil,
        subjectAltNames: [LabSubjectAltName] = [],
        notBefore: Date = Date(timeIntervalSinceNow: -3600),
        notAfter: Date = Date(timeIntervalSinceNow: 90 * 86400),
        key: LabKeyKind = .rsa(bits: 2048),
        keySource: LabKeySource = .fresh,
        digest: LabDigest = .sha256,
        isCA: Bool = false,
        pathLength: Int? = nil,
        ocspURLs: [String] = [],
        caIssuersURLs: [String] = [],
        crlURLs: [String] = []
    ) {
        self.commonName = commonName
        self.organization = organization
        self.subjectAltNames = subjectAltNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.key = key
        self.keySource = keySource
        self.digest = digest
        self.isCA = isCA
        self.pathLength = pathLength
        self.ocspURLs = ocspURLs
        self.caIssuersURLs = caIssuersURLs
        self.crlURLs = crlURLs
    }

    /// A CA spec: ECDSA keys sign fast, but RSA-2048 is the default so that chains look like
    /// the ones the audited agencies have. Valid from an hour ago for ten years.
    public static func certificateAuthority(
        commonName: String,
        organization: String? = nil,
        pathLength: Int? = nil,
        key: LabKeyKind = .rsa(bits: 2048),
        digest: LabDigest = .sha256,
        notBefore: Date = Date(timeIntervalSinceNow: -3600),
        notAfter: Date = Date(timeIntervalSinceNow: 3650 * 86400)
    ) -> LabCertificateSpec {
        LabCertificateSpec(
            commonName: commonName, organization: organization, notBefore: notBefore, notAfter: notAfter,
            key: key, digest: digest, isCA: true, pathLength: pathLength)
    }

    /// Seconds since 1970 of the earliest and latest instants an X.509 time can hold
    /// (1950-01-01T00:00:00Z as UTCTime, 9999-12-31T23:59:59Z as GeneralizedTime).
    static let encodableTimes: ClosedRange<Int> = -631_152_000 ... 253_402_300_799

    /// The validity bounds in whole seconds since 1970, as they are encoded.
    var validitySeconds: (notBefore: Int, notAfter: Int) {
        (Int(notBefore.timeIntervalSince1970.rounded(.down)), Int(notAfter.timeIntervalSince1970.rounded(.down)))
    }

    /// Refuses what cannot be encoded, with a message that names the field.
    func validate() throws(LabPKIError) {
        if commonName.isEmpty {
            throw .invalidSpec("commonName is empty")
        }
        if let organization, organization.isEmpty {
            throw .invalidSpec("organization is empty (use nil for none)")
        }
        if case .rsa(let bits) = key, !LabKeyKind.rsaBits.contains(bits) {
            throw .invalidSpec(
                "RSA key size \(bits) is out of range: \(LabKeyKind.rsaBits.lowerBound)–\(LabKeyKind.rsaBits.upperBound) bits")
        }
        let (start, end) = validitySeconds
        guard notBefore.timeIntervalSince1970.isFinite, notAfter.timeIntervalSince1970.isFinite,
              LabCertificateSpec.encodableTimes.contains(start), LabCertificateSpec.encodableTimes.contains(end) else {
            throw .invalidSpec("validity \(notBefore) – \(notAfter) is outside what X.509 can encode (years 1950–9999)")
        }
        if end <= start {
            throw .invalidSpec("notAfter \(notAfter) is not later than notBefore \(notBefore)")
        }
        if let pathLength {
            if !isCA { throw .invalidSpec("pathLength \(pathLength) is set on a certificate that is not a CA") }
            if pathLength < 0 { throw .invalidSpec("pathLength \(pathLength) is negative") }
        }
        for case .dns(let name) in subjectAltNames {
            if name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) {
                throw .invalidSpec("subjectAltName DNS entry \(name.debugDescription) is not a printable ASCII name")
            }
        }
        for (field, urls) in [("ocspURLs", ocspURLs), ("caIssuersURLs", caIssuersURLs), ("crlURLs", crlURLs)] {
            for url in urls where url.isEmpty || !url.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) {
                throw .invalidSpec("\(field) entry \(url.debugDescription) is not a printable ASCII URI (an IA5String)")
            }
        }
    }
}
