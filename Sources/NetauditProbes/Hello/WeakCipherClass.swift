/// The classes of cipher suites a compliance audit must find refused, one probe each: the
/// engine offers exactly `suites` of a class and reads whether the server picks one.
///
/// A suite can show several weaknesses (`TLS_DH_anon_EXPORT_WITH_RC4_40_MD5` is anonymous,
/// export and RC4). It is *offered and reported* under one class only, the first of the
/// declaration order below that applies (`CipherSuite.weakClass`), so that the six lists are
/// disjoint, a full scan offers each weak suite once, and a finding is never counted twice.
/// The order goes from the weakness that makes the others irrelevant to the mildest:
///
/// 1. `null`: no encryption at all: nothing else matters (ECDH_anon + NULL is NULL).
/// 2. `anonymous`: no server authentication, so any man in the middle reads the traffic
///    whatever the cipher strength (DH_anon + RC4, DH_anon + EXPORT are anonymous).
/// 3. `export`: deliberately crippled keys (40/56-bit ciphers, 512-bit RSA/DH; FREAK, Logjam),
///    so EXPORT + RC4_40, EXPORT + DES40 and EXPORT1024 + RC4_56 are export, not RC4/DES.
/// 4. `des`, 5. `tripleDES`, 6. `rc4`: weaknesses of the bulk cipher alone; they never
///    overlap with each other.
///
/// `CipherSuite.weaknesses` still lists every class a suite has, for the report.
public enum WeakCipherClass: String, CaseIterable, Codable, Sendable {
    /// No encryption (`*_WITH_NULL_*`, RFC 5246 §A.5): traffic in clear, only MACed.
    case null
    /// Anonymous (EC)DH (`TLS_DH_anon_*`, `TLS_ECDH_anon_*`; RFC 5246 §A.5, RFC 4492 §2.5):
    /// RFC 5246 §F.1.1.1 says these are "vulnerable to man-in-the-middle attacks".
    case anonymous
    /// US export-grade suites (`*_EXPORT_*`, RFC 2246 §A.5, removed by RFC 4346 §A.5, which
    /// forbids negotiating them in TLS 1.1), plus the never-registered EXPORT1024 suites
    /// 0x0060–0x0065 that old SChannel and OpenSSL shipped.
    case export
    /// Single DES (`*_WITH_DES_CBC_SHA`, removed from TLS 1.2 by RFC 5246 §1.2, RFC 5469): 56-bit key.
    case des
    /// Triple DES (`*_WITH_3DES_EDE_CBC_SHA`): 64-bit blocks, so Sweet32 (CVE-2016-2183).
    case tripleDES
    /// RC4 (`*_WITH_RC4_128_*`), prohibited in every TLS version by RFC 7465 §2.
    case rc4

    /// The suites a probe for this class offers, in code order: every catalogued suite whose
    /// primary class (`CipherSuite.weakClass`) is this one; see the type's comment. Each list
    /// is short enough (at most 26 suites) for a TLS 1.2 ClientHello under 256 bytes with an
    /// SNI name of up to 72 bytes (a longer name gets the hello padded to 512 bytes).
    public var suites: [CipherSuite] {
        CipherSuite.byWeakClass[self] ?? []
    }
}
