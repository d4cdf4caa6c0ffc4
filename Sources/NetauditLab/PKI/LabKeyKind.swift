/// The kind of key a lab certificate certifies: RSA of a given size, or ECDSA on a named curve.
/// Weak kinds (RSA-1024, even RSA-512) are allowed on purpose: the lab serves them to see
/// that the audit flags them.
public enum LabKeyKind: Sendable, Hashable, CustomStringConvertible {
    /// RSA with public exponent 65537; `bits` from 512 (OpenSSL 3's minimum) to 16384.
    case rsa(bits: Int)
    /// ECDSA on a NIST curve, encoded as a named curve.
    case ecdsa(curve: LabCurve)

    public var description: String {
        switch self {
        case .rsa(let bits): return "RSA-\(bits)"
        case .ecdsa(let curve): return "ECDSA \(curve)"
        }
    }

    /// The RSA sizes OpenSSL 3 can generate and that stay fast enough for a test (16384 already takes minutes).
    static let rsaBits = 512...16384
}

/// The named curves of ``LabKeyKind/ecdsa(curve:)``.
public enum LabCurve: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// NIST P-256 (prime256v1, secp256r1).
    case p256
    /// NIST P-384 (secp384r1).
    case p384

    /// The name EVP_EC_gen(3) takes.
    var openSSLName: String {
        switch self {
        case .p256: return "P-256"
        case .p384: return "P-384"
        }
    }

    public var description: String { openSSLName }
}

/// The digest a certificate is signed with, together with its issuer's key
/// (sha256 with an RSA key gives sha256WithRSAEncryption, with an EC key ecdsa-with-SHA256).
///
/// SHA-1 and MD5 are here for the lab's weak cases. OpenSSL 3's default provider still
/// *signs* with both (X509_sign(3)); it is verification that refuses them: at Debian's
/// default security level 2 a TLS client rejects SHA-1 and MD5 signatures
/// ("CA signature digest algorithm too weak"). MD5 exists only for RSA keys (there is no
/// ECDSA-with-MD5 algorithm), so an EC issuer with `.md5` is an invalid spec.
public enum LabDigest: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sha256, sha384, sha1, md5

    public var description: String {
        switch self {
        case .sha256: return "SHA-256"
        case .sha384: return "SHA-384"
        case .sha1: return "SHA-1"
        case .md5: return "MD5"
        }
    }
}

/// Where a certificate's key comes from.
///
/// Generating an RSA-2048 key takes 60–300 ms (median about 130 ms on a busy 2-core
/// machine; RSA-3072 about 0.4 s), so a lab with thirty RSA servers would spend seconds
/// on keys. `.shared` takes the one key of its kind that this process generates on first
/// use and then reuses (about 1 ms per certificate afterwards); use it where several
/// certificates sharing one key changes nothing the test looks at, which is true of nearly
/// every lab leaf: key size, signature, names, dates and chains do not depend on the key
/// being unique. Use `.fresh` (the default) where it matters: a CA whose key must differ
/// from its leaves', a "key does not match the certificate" case, or a test that compares
/// keys. RSA-1024 (about 8 ms) and ECDSA keys (under 2 ms) are cheap either way: for
/// ECDSA, `.shared` saves nothing.
public enum LabKeySource: Sendable, Hashable {
    /// A key generated for this certificate alone.
    case fresh
    /// The process-wide key of the spec's ``LabKeyKind``, generated once.
    case shared
}
