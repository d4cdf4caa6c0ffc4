/// The catalogue: every IANA-registered cipher suite with RSA, DH, DHE or ECDH(E) key exchange
/// for TLS 1.2 and earlier, plus the deployed but unregistered EXPORT1024 suites and the five
/// TLS 1.3 suites; and the lists that the version and weak-cipher probes offer.
///
/// Codes and names come from the IANA "TLS Cipher Suites" registry (tls-parameters-4) and the
/// RFCs it cites; `HelloCipherCatalogueTests` checks them again against what the installed
/// `openssl ciphers -stdname` says. Deliberately left out:
/// - `TLS_NULL_WITH_NULL_NULL` (0x0000): the initial state, which "MUST NOT be negotiated"
///   (RFC 5246 §A.5), so offering it tests nothing;
/// - the Kerberos (RFC 2712), PSK (RFC 4279, 4785, 5487, 5489) and SRP (RFC 5054) families:
///   a server picks them only for clients with a ticket, a pre-shared key or a password,
///   which an anonymous probe never has, and the e-government servers audited use none;
/// - the signalling values TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00FF, RFC 5746) and
///   TLS_FALLBACK_SCSV (0x5600, RFC 7507), which are not suites (see `ClientHello`);
/// - GOST, SM4, ECCPWD and other national or niche suites.
extension CipherSuite {
    /// Every suite known here, in code order.
    public static let catalogue: [CipherSuite] = entries.map { CipherSuite(code: $0.code, name: $0.name) }

    /// The catalogued suite with this code, or `nil` (PSK, SRP, Kerberos, unassigned, GREASE…).
    public static func catalogued(_ code: UInt16) -> CipherSuite? { byCode[code] }

    /// The catalogued suite with this IANA name, or `nil`.
    public static func catalogued(named name: String) -> CipherSuite? { byName[name] }

    /// The catalogued suite, or an unnamed one (`UNKNOWN_0xABCD`) for a code not catalogued,
    /// so that a report can always show what a server picked.
    public static func describing(_ code: UInt16) -> CipherSuite {
        byCode[code] ?? CipherSuite(code: code, name: "UNKNOWN_" + CipherSuite(code: code, name: "").hexCode)
    }

    /// The suites with RSA key transport (`TLS_RSA_WITH_*`, RFC 5246 §7.4.7.1), which have no
    /// forward secrecy: a probe offering only these finds whether the server still accepts
    /// them. Every cipher is included (NULL, RC4, 3DES too), so that any server that has
    /// static RSA at all answers with one; the RSA_EXPORT suites are left to `.export`.
    public static let staticRSA: [CipherSuite] =
        catalogue.filter { $0.keyExchange == .rsa && !$0.weaknesses.contains(.export) }

    /// A broad list for "does the server accept TLS 1.x at all": forward-secret AEAD first
    /// (ECDHE then DHE, GCM and ChaCha20-Poly1305), then CBC, then static RSA, then the
    /// national ciphers (Camellia, ARIA, SEED) and AES-CCM that some embedded or government
    /// servers are limited to, then 3DES, and RC4 last: RC4-only servers were common while
    /// RC4 was the BEAST workaround (2011–2013), and leaving RC4 out would report such a
    /// server as refusing the version itself. For TLS 1.0/1.1 hellos the SHA-256/384 and
    /// AEAD suites are just ignored by the server (RFC 5246 §7.4.1.2: unknown suites are ignored).
    /// No NULL, anonymous or EXPORT suite: those would make a protocol probe "succeed" on a
    /// suite that no real client would use.
    public static let broadTLS12: [CipherSuite] = broadTLS12Codes.compactMap { byCode[$0] }

    /// The codes of `broadTLS12`, in offer order.
    static let broadTLS12Codes: [UInt16] = [
        // ECDHE AEAD (RFC 5289, RFC 7905)
        0xC02C, 0xC02B, 0xC030, 0xC02F, 0xCCA9, 0xCCA8,
        // ECDHE CBC (RFC 5289, RFC 4492)
        0xC024, 0xC023, 0xC028, 0xC027, 0xC00A, 0xC009, 0xC014, 0xC013,
        // DHE (RFC 5288, RFC 7905, RFC 5246)
        0x009F, 0x009E, 0xCCAA, 0x00A3, 0x00A2, 0x006B, 0x0067, 0x006A, 0x0040,
        0x0039, 0x0033, 0x0038, 0x0032,
        // Static RSA (RFC 5288, RFC 5246)
        0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F,
        // AES-CCM (RFC 7251, RFC 6655), Camellia (RFC 5932), ARIA (RFC 6209), SEED (RFC 4162)
        0xC0AD, 0xC0AC, 0xC09F, 0xC09E, 0xC09D, 0xC09C,
        0x0088, 0x0045, 0x0084, 0x0041,
        0xC061, 0xC060, 0xC053, 0xC052, 0xC051, 0xC050,
        0x009A, 0x0096,
        // 3DES and RC4, last
        0xC012, 0xC008, 0x0016, 0x0013, 0x000A,
        0xC011, 0xC007, 0x0005, 0x0004,
    ]

    /// The primary weak class of each weak suite, grouped (see `WeakCipherClass.suites`).
    static let byWeakClass: [WeakCipherClass: [CipherSuite]] =
        Dictionary(grouping: catalogue.filter { $0.weakClass != nil }, by: { $0.weakClass ?? .null })

    private static let byCode: [UInt16: CipherSuite] =
        Dictionary(catalogue.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    private static let byName: [String: CipherSuite] =
        Dictionary(catalogue.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The registry rows, in code order, grouped by the document that registered them.
    static let entries: [(code: UInt16, name: String)] = [
        // RFC 5246 §A.5, RFC 4346 §A.5 (EXPORT), RFC 5469 (DES, IDEA): the original SSLv3/TLS 1.0 suites
        (0x0001, "TLS_RSA_WITH_NULL_MD5"),
        (0x0002, "TLS_RSA_WITH_NULL_SHA"),
        (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
        (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
        (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
        (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
        (0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"),
        (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        (0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
        (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"),
        (0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA"),
        (0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"),
        (0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        (0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA"),
        (0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"),
        (0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"),
        (0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"),
        (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
        (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
        (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"),
        (0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"),
        (0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"),
        (0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"),

        // RFC 5246 §A.5: AES-CBC and SHA-256 suites (RFC 3268 first registered AES)
        (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
        (0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"),
        (0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"),
        (0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
        (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
        (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
        (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
        (0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"),
        (0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"),
        (0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
        (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
        (0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"),
        (0x003B, "TLS_RSA_WITH_NULL_SHA256"),
        (0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
        (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
        (0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256"),
        (0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256"),
        (0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"),

        // RFC 5932: Camellia-CBC
        (0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
        (0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA"),
        (0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA"),
        (0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"),
        (0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
        (0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"),

        // Never registered (IANA: 0x0060–0x0066 "reserved to avoid conflicts with widely deployed implementations"): draft-ietf-tls-56-bit-ciphersuites-00/-01, shipped by old SChannel and OpenSSL 0.9.x
        (0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5"),
        (0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5"),
        (0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA"),
        (0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA"),
        (0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA"),
        (0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA"),
        (0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA"),

        // RFC 5246 §A.5: the rest of the SHA-256 suites
        (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
        (0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256"),
        (0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256"),
        (0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"),
        (0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
        (0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"),
        (0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"),

        // RFC 5932: Camellia-256-CBC
        (0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        (0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA"),
        (0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        (0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"),
        (0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        (0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"),

        // RFC 4162: SEED
        (0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"),
        (0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA"),
        (0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA"),
        (0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"),
        (0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"),
        (0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA"),

        // RFC 5288: AES-GCM
        (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        (0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
        (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        (0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
        (0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"),
        (0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384"),
        (0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"),
        (0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"),
        (0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256"),
        (0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384"),
        (0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"),
        (0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"),

        // RFC 5932: Camellia-CBC with SHA-256
        (0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"),
        (0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
        (0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
        (0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
        (0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
        (0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
        (0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),

        // RFC 8446 §B.4: TLS 1.3 (named here so that a TLS 1.3 answer can be reported; never offered)
        (0x1301, "TLS_AES_128_GCM_SHA256"),
        (0x1302, "TLS_AES_256_GCM_SHA384"),
        (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
        (0x1304, "TLS_AES_128_CCM_SHA256"),
        (0x1305, "TLS_AES_128_CCM_8_SHA256"),

        // RFC 4492 §6 (updated by RFC 8422): ECC
        (0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"),
        (0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"),
        (0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"),
        (0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"),
        (0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"),
        (0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
        (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
        (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
        (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
        (0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA"),
        (0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"),
        (0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"),
        (0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"),
        (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
        (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
        (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        (0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"),
        (0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"),
        (0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"),
        (0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
        (0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),

        // RFC 5289: ECC with SHA-256/384 and AES-GCM
        (0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
        (0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
        (0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"),
        (0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"),
        (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
        (0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
        (0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"),
        (0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"),
        (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        (0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        (0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"),
        (0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"),
        (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        (0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"),
        (0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"),

        // RFC 6209: ARIA
        (0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256"),
        (0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384"),
        (0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256"),
        (0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384"),
        (0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256"),
        (0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384"),
        (0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256"),
        (0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384"),
        (0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"),
        (0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"),
        (0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256"),
        (0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384"),
        (0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256"),
        (0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384"),
        (0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"),
        (0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384"),

        // RFC 6367: Camellia for ECC and GCM
        (0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
        (0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
        (0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
        (0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        (0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
        (0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
        (0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
        (0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384"),

        // RFC 6655, RFC 7251: AES-CCM
        (0xC09C, "TLS_RSA_WITH_AES_128_CCM"),
        (0xC09D, "TLS_RSA_WITH_AES_256_CCM"),
        (0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"),
        (0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"),
        (0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"),
        (0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"),
        (0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"),
        (0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"),
        (0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
        (0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"),
        (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
        (0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"),

        // RFC 7905: ChaCha20-Poly1305
        (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        (0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    ]
}
