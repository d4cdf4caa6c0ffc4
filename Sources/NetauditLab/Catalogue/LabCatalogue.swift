public import Foundation
import Synchronization
public import NetauditCore

/// The certificate authorities behind the standard cases.
public struct LabAuthorities: Sendable, Hashable {
    /// "netaudit lab root": the stand-in for the public trust store (what a browser trusts).
    public let root: LabCredential
    /// "netaudit lab issuing CA", under ``root``: issues the ordinary leaves.
    public let intermediate: LabCredential
    /// "Government Root CA": the province's own root, which only government clients trust.
    public let governmentRoot: LabCredential
    /// "Government Issuing CA", under ``governmentRoot``.
    public let governmentIntermediate: LabCredential
    /// "Unrelated Root CA": trusted by nobody; issues the `untrusted-root` leaf.
    public let untrustedRoot: LabCredential

    /// The CAs the PKI repository publishes, by the name in its paths (`/ca/NAME.cer`,
    /// `/crl/NAME.crl`): `lab-root`, `lab-intermediate`, `government-root`, `government-intermediate`.
    public var repositoryNames: [(name: String, credential: LabCredential)] {
        [("lab-root", root), ("lab-intermediate", intermediate), ("government-root", governmentRoot),
         ("government-intermediate", governmentIntermediate)]
    }
}

/// The standard lab: one case per way a TLS or HTTP endpoint can be right or wrong, each on
/// an address of its own (127.77.0.N, N the case's place in ``caseIDs``, from 1), with the
/// PKI they need. Build it with ``standard()`` (once per process; later calls return the same
/// certificates) and run it with ``start(only:tlsPort:httpPort:options:)``.
///
/// Leaves of good cases name `<id>.lab.test` and the case's IP in subjectAltName, are
/// RSA-2048 (or P-256), SHA-256, valid from an hour ago for 90 days, served with their
/// intermediate, and answer `200` with `Strict-Transport-Security: max-age=63072000`.
/// Every TLS case has a companion plain HTTP port that redirects to it; the two `http-*`
/// cases are the other way round (plain HTTP main port, TLS companion).
///
/// The leaves of the cases that name the PKI repository (`pki-repository`: OCSP responder,
/// CRLs, CA certificates) in their AIA or CRL distribution point URLs are issued when the lab
/// starts, once the repository's port is known (see ``LabRepositoryLeaf``).
///
/// RSA leaves share the process-wide RSA-2048 key (``LabKeySource/shared``: nothing a case
/// shows depends on the key being unique); the CAs and the RSA-1024 leaf have keys of their own.
public struct LabCatalogue: Sendable {
    /// The CAs.
    public let authorities: LabAuthorities
    /// The cases, in the order of ``caseIDs``.
    public let cases: [LabCase]
    /// When the certificates were made: validity periods count from here.
    public let createdAt: Date
    /// What the PKI repository's OCSP responder knows of the catalogue's own leaves (those
    /// issued by the lab and government intermediates): good, but `ocsp-stapled-revoked`
    /// revoked. A started lab adds the leaves it issues (``LabRepositoryLeaf``).
    public let responder: LabOCSPResponder
    /// The catalogue's own leaves that are revoked, with when: on their issuer's CRL.
    let revocations: [Revocation]

    struct Revocation: Sendable {
        let certificate: LabCredential
        let at: Date
    }

    /// Mozilla's "intermediate" TLS 1.2 suites (server side, v6.0), in OpenSSL's names.
    public static let intermediateCiphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// The ids of the standard cases, in address order (`good-rsa` is 127.77.0.1).
    public static let caseIDs: [String] = [
        "good-rsa", "good-ecdsa", "government-ca",
        "expired", "not-yet-valid", "self-signed", "untrusted-root", "wrong-host", "incomplete-chain",
        "sha1-signed", "rsa-1024", "expiring-5-days", "long-validity",
        "tls1_0-only", "tls1_1-only", "tls1_3-only", "static-rsa-only", "3des",
        "crafted-rc4", "crafted-export", "crafted-ssl3", "crafted-null", "crafted-anon", "crafted-des",
        "hsts-present", "hsts-missing", "hsts-short", "http-redirect", "http-no-redirect",
        "refused", "tarpit", "garbage", "reset", "trickle",
        // Added later, at the end so that the other cases keep their addresses.
        "https-redirect", "http-redirect-elsewhere", "many-headers", "huge-chain", "many-sans", "noise",
        "https-downgrade", "ocsp-stapled-revoked", "ocsp-revoked", "ocsp-good", "ocsp-responder-down", "crl-revoked",
        "aia-incomplete-chain", "pki-repository",
        "dhe-1024", "cbc-only", "crafted-dhe-512",
    ]

    /// The id of the PKI repository case (plain HTTP: OCSP, CRLs, CA certificates).
    public static let repositoryID = "pki-repository"
    /// Where `https-downgrade` sends its clients: a plaintext http:// URL of the same host.
    public static let httpsDowngradeTarget = "http://https-downgrade.lab.test/"

    /// The 1024-bit Diffie-Hellman group `dhe-1024` serves: the MODP group with 160-bit
    /// prime-order subgroup of RFC 5114 §2.1 (`openssl genpkey -genparam -algorithm DH
    /// -pkeyopt group:dh_1024_160`), a standard 1024-bit group of the kind Logjam targets.
    public static let dh1024Parameters = """
        -----BEGIN DH PARAMETERS-----
        MIIBCAKBgQCxC4+WoIDgHd6S3l6uXVTsUsmfvPsGo8aaap3KUtI7YWBz4oZ1oj0Y
        mDjvHi7mUsAT7LSuqQYRIySXXDzUm4O/rMvdfZDEvXCYSI6cIZpzck7/1vrlZEc4
        +qMaT/VbzMChUa9fDci0vUW/N982XBpl5oz9p21NpwjfH7K8LkpDcQKBgQCk0cvV
        w/00EmdlpELvuZkF+BBN0lisUH/WQGz/FCZtMSZv6h5cQVZLd35pD1UE8hMWAhe0
        sBuIal6RVH+eJ0n01/vX07mpLuGQnQ0iY/gKdqaiTAh6CR9THb8KAWm2oorWYqTR
        jnOvoy13nVkY0IvIhY9Nzvl8KiSFXm7rIrOy5Q==
        -----END DH PARAMETERS-----

        """
    /// The TLS 1.2 suites of `cbc-only`: ECDHE-RSA with AES-CBC (SHA-1 and SHA-2 MACs), no AEAD.
    public static let cbcOnlyCiphers = "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"

    /// Where `https-redirect` sends its clients (a `Location` no probe follows).
    public static let httpsRedirectTarget = "https://portal.lab.test/dang-nhap?next=%2F"
    /// Where `http-redirect-elsewhere` sends plain-HTTP clients: https, but another host, which
    /// the case's certificate does not name (a name that never resolves, RFC 6761).
    public static let elsewhereRedirectTarget = "https://portal.elsewhere.test/"
    /// Headers `many-headers` sends before its Strict-Transport-Security header.
    public static let manyHeadersCount = 10_000
    /// Copies of the intermediate `huge-chain` sends after its chain (about a megabyte).
    public static let hugeChainPadding = 1_200
    /// subjectAltNames of the `many-sans` leaf.
    public static let manySANsCount = 10_000

    /// The address of case `id` (127.77.0.N), whether or not the catalogue is built.
    public static func address(of id: String) -> IPAddress? {
        caseIDs.firstIndex(of: id).map { IPAddress(127, 77, 0, UInt8($0 + 1)) }
    }

    /// The case `id`, if there is one.
    public subscript(id: String) -> LabCase? { cases.first { $0.id == id } }

    private static let built = Mutex<LabCatalogue?>(nil)

    /// The standard catalogue, built on first use and kept for the process (about a second:
    /// five CA keys and one shared RSA-2048 leaf key are generated).
    public static func standard() throws(LabPKIError) -> LabCatalogue {
        try built.withLock { (built: inout LabCatalogue?) throws(LabPKIError) -> LabCatalogue in
            if let built { return built }
            let catalogue = try LabCatalogue.build()
            built = catalogue
            return catalogue
        }
    }

    /// Starts the standard catalogue: `LabCatalogue.standard().start(only:)`.
    public static func start(only ids: [String]? = nil) throws -> RunningLab {
        try standard().start(only: ids)
    }

    // MARK: - Building

    private static let twoYears = 63_072_000
    static let day: TimeInterval = 86400

    private static func build() throws(LabPKIError) -> LabCatalogue {
        let now = Date()
        let organization = "netaudit lab"
        let root = try LabPKI.selfSigned(.certificateAuthority(commonName: "netaudit lab root", organization: organization))
        let intermediate = try LabPKI.issue(
            .certificateAuthority(commonName: "netaudit lab issuing CA", organization: organization, pathLength: 0,
                                  notAfter: now + 1825 * day),
            by: root)
        let governmentRoot = try LabPKI.selfSigned(
            .certificateAuthority(commonName: "Government Root CA", organization: "Province Government (netaudit lab)"))
        let governmentIntermediate = try LabPKI.issue(
            .certificateAuthority(commonName: "Government Issuing CA", organization: "Province Government (netaudit lab)",
                                  pathLength: 0, notAfter: now + 1825 * day),
            by: governmentRoot)
        let untrustedRoot = try LabPKI.selfSigned(
            .certificateAuthority(commonName: "Unrelated Root CA", organization: "Nobody you trust (netaudit lab)",
                                  key: .ecdsa(curve: .p256)))
        let authorities = LabAuthorities(
            root: root, intermediate: intermediate, governmentRoot: governmentRoot,
            governmentIntermediate: governmentIntermediate, untrustedRoot: untrustedRoot)

        var cases: [LabCase] = []
        let builder = Builder(now: now, organization: organization)

        func add(_ id: String, _ service: LabCaseService, companion: LabCaseCompanion? = nil, _ description: String) {
            guard let address = address(of: id) else { preconditionFailure("case \(id) is not in LabCatalogue.caseIDs") }
            cases.append(LabCase(id: id, address: address, service: service, companion: companion, description: description))
        }
        /// A TLS case with an HTTP companion that redirects to it.
        func tls(_ id: String, _ tls: LabTLS, _ description: String) {
            add(id, .server(.tls(tls)), companion: .httpsRedirect, description)
        }

        // Good.
        let goodRSA = try builder.leaf("good-rsa", by: intermediate)
        tls("good-rsa", builder.serve("good-rsa", goodRSA, ocsp: try LabOCSP.response(for: goodRSA, issuer: intermediate)),
            "RSA-2048 leaf, full chain to the lab root, TLS 1.2–1.3, HSTS two years, stapled OCSP (good)")
        let goodECDSA = try builder.leaf("good-ecdsa", key: .ecdsa(curve: .p256), by: intermediate)
        tls("good-ecdsa", builder.serve("good-ecdsa", goodECDSA, ocsp: try LabOCSP.response(for: goodECDSA, issuer: intermediate)),
            "ECDSA P-256 leaf, full chain to the lab root, TLS 1.2–1.3, HSTS two years, stapled OCSP (good)")
        let government = try builder.leaf("government-ca", by: governmentIntermediate)
        tls("government-ca",
            builder.serve("government-ca", government, ocsp: try LabOCSP.response(for: government, issuer: governmentIntermediate)),
            "good leaf chained to the Government Root CA (trusted by government clients only), full chain")

        // Certificates that fail validation.
        tls("expired", builder.serve("expired", try builder.leaf(
                "expired", notBefore: now - 120 * day, notAfter: now - 30 * day, by: intermediate)),
            "leaf expired 30 days ago (valid 90 days)")
        tls("not-yet-valid", builder.serve("not-yet-valid", try builder.leaf(
                "not-yet-valid", notBefore: now + 30 * day, notAfter: now + 120 * day, by: intermediate)),
            "leaf valid only from 30 days from now")
        tls("self-signed", builder.serve("self-signed", try builder.selfSignedLeaf("self-signed")),
            "self-signed leaf (its own issuer, not a CA)")
        tls("untrusted-root", builder.serve("untrusted-root", try builder.leaf("untrusted-root", by: untrustedRoot)),
            "leaf issued directly by an unrelated root nobody trusts")
        tls("wrong-host", builder.serve("wrong-host", try builder.leaf(
                "wrong-host", commonName: "www.other-agency.test", names: [.dns("www.other-agency.test")], by: intermediate)),
            "valid chain, but the leaf names only www.other-agency.test (no SAN for this host or IP)")
        tls("incomplete-chain", builder.serve("incomplete-chain", try builder.leaf("incomplete-chain", by: intermediate),
                                              sendIntermediates: false),
            "leaf issued by the lab intermediate, served without it (leaf only)")

        // Weak certificates and validity.
        tls("sha1-signed", builder.serve("sha1-signed", try builder.leaf("sha1-signed", digest: .sha1, by: intermediate),
                                         securityLevel: 0),
            "leaf signed with SHA-1 (sha1WithRSAEncryption); server at security level 0")
        tls("rsa-1024", builder.serve("rsa-1024", try builder.leaf("rsa-1024", key: .rsa(bits: 1024), keySource: .fresh, by: intermediate),
                                      securityLevel: 1),
            "RSA-1024 leaf key; server at security level 1")
        tls("expiring-5-days", builder.serve("expiring-5-days", try builder.leaf(
                "expiring-5-days", notBefore: now - 85 * day, notAfter: now + 5 * day, by: intermediate)),
            "valid leaf that expires in 5 days")
        tls("long-validity", builder.serve("long-validity", try builder.leaf(
                "long-validity", notBefore: now - 3600, notAfter: now - 3600 + 825 * day, by: intermediate)),
            "valid leaf with a validity period of 825 days (over the 398-day limit)")

        // Protocols and ciphers.
        tls("tls1_0-only", builder.serve("tls1_0-only", try builder.leaf("tls1_0-only", by: intermediate),
                                         versions: .tls1_0 ... .tls1_0, securityLevel: 0),
            "TLS 1.0 only (security level 0)")
        tls("tls1_1-only", builder.serve("tls1_1-only", try builder.leaf("tls1_1-only", by: intermediate),
                                         versions: .tls1_1 ... .tls1_1, securityLevel: 0),
            "TLS 1.1 only (security level 0)")
        tls("tls1_3-only", builder.serve("tls1_3-only", try builder.leaf("tls1_3-only", by: intermediate),
                                         versions: .tls1_3 ... .tls1_3),
            "TLS 1.3 only")
        tls("static-rsa-only", builder.serve("static-rsa-only", try builder.leaf("static-rsa-only", by: intermediate),
                                             versions: .tls1_2 ... .tls1_2,
                                             cipherList: "AES128-SHA:AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384"),
            "TLS 1.2 only with static RSA key exchange only (kRSA suites: no forward secrecy)")
        add("3des", .lighttpd(LabLighttpd.Configuration(credential: try builder.leaf("3des", by: intermediate))),
            companion: .httpsRedirect,
            "lighttpd + GnuTLS, TLS 1.2, default suites plus 3DES (TLS_RSA_WITH_3DES_EDE_CBC_SHA is accepted)")

        // Hand-made old servers (see LabCraftedHello): what OpenSSL 3 cannot serve.
        func crafted(_ id: String, _ versions: ClosedRange<LabTLSVersion>, _ suites: [UInt16], _ description: String) {
            add(id, .server(.craftedHello(LabCraftedHello(versions: versions, cipherSuites: suites))), description)
        }
        crafted("crafted-rc4", .tls1_0 ... .tls1_2, [0x002F, 0x0035, 0x0005, 0x0004],
                "old server, TLS 1.0–1.2: AES-CBC (0x002F, 0x0035) and RC4 (0x0005, 0x0004); ServerHello only")
        crafted("crafted-export", .ssl3 ... .tls1_0, [0x002F, 0x0003, 0x0006, 0x0008, 0x0014, 0x0062, 0x0064],
                "old server, SSLv3–TLS 1.0: AES128-SHA and EXPORT suites (0x0003, 0x0006, 0x0008, 0x0014, 0x0062, 0x0064)")
        crafted("crafted-ssl3", .ssl3 ... .ssl3, [0x002F, 0x0005, 0x0004],
                "SSLv3 only: TLS_RSA_WITH_AES_128_CBC_SHA and RC4 (0x0005, 0x0004)")
        crafted("crafted-null", .tls1_0 ... .tls1_2, [0x002F, 0x0001, 0x0002, 0x003B],
                "old server, TLS 1.0–1.2: AES128-SHA and NULL-cipher suites (0x0001, 0x0002, 0x003B)")
        crafted("crafted-anon", .tls1_0 ... .tls1_2, [0x002F, 0x0034, 0x003A, 0xC018],
                "old server, TLS 1.0–1.2: AES128-SHA and anonymous DH/ECDH suites (0x0034, 0x003A, 0xC018)")
        crafted("crafted-des", .tls1_0 ... .tls1_2, [0x002F, 0x0009, 0x0015],
                "old server, TLS 1.0–1.2: AES128-SHA and single-DES suites (0x0009, 0x0015)")

        // HTTP.
        tls("hsts-present", builder.serve("hsts-present", try builder.leaf("hsts-present", by: intermediate),
                                          hsts: .hsts(maxAge: twoYears, includeSubDomains: true)),
            "good TLS, Strict-Transport-Security: max-age=63072000; includeSubDomains")
        tls("hsts-missing", builder.serve("hsts-missing", try builder.leaf("hsts-missing", by: intermediate), hsts: nil),
            "good TLS, no Strict-Transport-Security header")
        tls("hsts-short", builder.serve("hsts-short", try builder.leaf("hsts-short", by: intermediate),
                                        hsts: .hsts(maxAge: 86400)),
            "good TLS, Strict-Transport-Security: max-age=86400 (one day)")
        add("http-redirect", .redirectToCompanion,
            companion: .tls(builder.serve("http-redirect", try builder.leaf("http-redirect", by: intermediate))),
            "plain HTTP answering 301 to https://http-redirect.lab.test:PORT/ (its TLS companion)")
        add("http-no-redirect", .server(.plainHTTP(status: 200, headers: [LabHTTPHeader("Content-Type", "text/plain")])),
            companion: .tls(builder.serve("http-no-redirect", try builder.leaf("http-no-redirect", by: intermediate))),
            "plain HTTP answering 200 without a redirect (HTTPS exists on the companion port)")

        // Transport failures.
        add("refused", .server(.refused), "nothing listens: connections are refused (RST)")
        add("tarpit", .server(.tarpit), "accepts and never answers")
        add("garbage", .server(.garbage), "accepts and answers a plain-HTTP 400 text, not TLS, then closes")
        add("reset", .server(.reset), "accepts and resets the connection at once")
        add("trickle", .server(.trickle), "accepts and sends a TLS record header one byte every 500 ms, never completing it")

        // HTTPS that redirects (a portal moved to its login page, say).
        var redirect = builder.serve("https-redirect", try builder.leaf("https-redirect", by: intermediate))
        redirect.response.status = 302
        redirect.response.headers.append(.location(Self.httpsRedirectTarget))
        tls("https-redirect", redirect, "good TLS and HSTS, answering 302 Found to \(Self.httpsRedirectTarget)")

        add("http-redirect-elsewhere", .server(.plainHTTP(status: 301, headers: [.location(Self.elsewhereRedirectTarget)])),
            companion: .tls(builder.serve("http-redirect-elsewhere", try builder.leaf("http-redirect-elsewhere", by: intermediate))),
            "plain HTTP answering 301 to \(Self.elsewhereRedirectTarget): https, but another host (HTTPS on the companion port)")

        // Too much of something: what a probe must survive and still judge sensibly.
        var crowded = builder.serve("many-headers", try builder.leaf("many-headers", by: intermediate), hsts: nil)
        crowded.response.headers = (1...Self.manyHeadersCount).map { LabHTTPHeader("X-Filler-\($0)", String(repeating: "f", count: 40)) }
            + [.hsts(maxAge: twoYears), LabHTTPHeader("Content-Type", "text/plain")]
        tls("many-headers", crowded,
            "good TLS answering with \(Self.manyHeadersCount) headers (about 600 kB, beyond curl's limit), HSTS last")
        var bloated = builder.serve("huge-chain", try builder.leaf("huge-chain", by: intermediate))
        bloated.chainPadding = Self.hugeChainPadding
        tls("huge-chain", bloated,
            "good leaf and intermediate, then the intermediate \(Self.hugeChainPadding) times more: a certificate chain of about 1 MB")
        let crowdedNames = (0..<Self.manySANsCount - 2).map { LabSubjectAltName.ip(IPAddress(127, 90, UInt8($0 / 250), UInt8($0 % 250 + 1))) }
            + builder.names("many-sans")
        tls("many-sans", builder.serve("many-sans", try builder.leaf("many-sans", names: crowdedNames, by: intermediate)),
            "good leaf with \(Self.manySANsCount) subjectAltNames (addresses of 127.90/16, then its own name and address last)")
        add("noise", .server(.noise), "accepts and sends 4 KiB of random bytes instead of a ServerHello, then closes")

        // TLS depth: an HTTPS answer that downgrades to http://, and revocation and chain
        // completion through the PKI repository (OCSP responder, CRLs, CA certificates).
        var downgrade = builder.serve("https-downgrade", try builder.leaf("https-downgrade", by: intermediate))
        downgrade.response.status = 301
        downgrade.response.headers.append(.location(Self.httpsDowngradeTarget))
        tls("https-downgrade", downgrade,
            "good TLS and HSTS, answering 301 Moved Permanently to \(Self.httpsDowngradeTarget) (plaintext http)")

        let revokedAt = now - day
        var revocations: [Revocation] = []
        let stapledRevoked = try builder.leaf("ocsp-stapled-revoked", by: intermediate)
        revocations.append(Revocation(certificate: stapledRevoked, at: revokedAt))
        tls("ocsp-stapled-revoked",
            builder.serve("ocsp-stapled-revoked", stapledRevoked, ocsp: try LabOCSP.response(
                for: stapledRevoked, issuer: intermediate, status: .revoked(at: revokedAt))),
            "good chain, stapled OCSP response: revoked (keyCompromise, a day ago); no AIA or CRL URL (the staple is all there is)")
        func repositoryTLS(
            _ id: String, ocsp: LabRepositoryLeaf.OCSPLink? = nil, caIssuers: Bool = false, crl: Bool = false,
            status: LabOCSP.Status = .good, sendIntermediates: Bool = true, _ description: String
        ) throws(LabPKIError) {
            let spec = builder.spec(id)
            let standIn = try LabPKI.issue(spec, by: intermediate)
            let leaf = LabRepositoryLeaf(
                spec: spec, issuer: intermediate, ocsp: ocsp, caIssuers: caIssuers, crl: crl, status: status,
                tls: builder.serve(id, standIn, sendIntermediates: sendIntermediates))
            add(id, .repositoryTLS(leaf), companion: .httpsRedirect, description)
        }
        try repositoryTLS("ocsp-revoked", ocsp: .repository, status: .revoked(at: revokedAt),
                          "good chain, no staple; the leaf's AIA OCSP URL (the PKI repository) answers revoked (keyCompromise, a day ago)")
        try repositoryTLS("ocsp-good", ocsp: .repository,
                          "good chain, no staple; the leaf's AIA OCSP URL (the PKI repository) answers good")
        try repositoryTLS("ocsp-responder-down", ocsp: .down,
                          "good chain, no staple; the leaf's AIA OCSP URL names a port of the repository's address that refuses connections")
        try repositoryTLS("crl-revoked", crl: true, status: .revoked(at: revokedAt),
                          "good chain, no staple, no AIA; the leaf's CRL distribution point (the PKI repository) lists it (keyCompromise)")
        try repositoryTLS("aia-incomplete-chain", caIssuers: true, sendIntermediates: false,
                          "leaf only, without its intermediate; the leaf's AIA caIssuers URL (the PKI repository) serves the intermediate (DER)")
        add(Self.repositoryID, .pkiRepository,
            "plain HTTP PKI repository: POST /ocsp (and GET /ocsp/BASE64), GET /crl/NAME.crl, GET /ca/NAME.cer (NAME: lab-intermediate, lab-root, government-intermediate, government-root)")

        // What the responder knows of the catalogue's own leaves.
        var responder = LabOCSPResponder(issuers: [intermediate, governmentIntermediate])
        for labCase in cases {
            var served: [LabCredential] = []
            if case .server(.tls(let tls)) = labCase.service { served.append(tls.credential) }
            if case .lighttpd(let configuration) = labCase.service { served.append(configuration.credential) }
            if case .tls(let tls)? = labCase.companion { served.append(tls.credential) }
            for credential in served where credential.issuer == intermediate.subject || credential.issuer == governmentIntermediate.subject {
                responder.record(.good, for: credential)
            }
        }
        for revocation in revocations { responder.record(.revoked(at: revocation.at), for: revocation.certificate) }
        // Key exchange and CBC (issue 11).
        var dhe1024 = builder.serve("dhe-1024", try builder.leaf("dhe-1024", by: intermediate),
                                    cipherList: LabCatalogue.intermediateCiphers + ":DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
                                    securityLevel: 1)
        dhe1024.dhParameters = Self.dh1024Parameters
        tls("dhe-1024", dhe1024,
            "TLS 1.2–1.3, ECDHE AEAD suites plus DHE-RSA-AES-GCM with a 1024-bit DH group (RFC 5114 §2.1); security level 1")
        tls("cbc-only", builder.serve("cbc-only", try builder.leaf("cbc-only", by: intermediate),
                                      versions: .tls1_2 ... .tls1_2, cipherList: Self.cbcOnlyCiphers),
            "TLS 1.2 only, ECDHE-RSA AES-CBC suites only (no AEAD suite)")
        add("crafted-dhe-512", .server(.craftedHello(LabCraftedHello(
                versions: .tls1_0 ... .tls1_2, cipherSuites: [0x002F, 0x0033, 0x0014],
                dhe: LabCraftedDHE(suites: [0x0033, 0x0014], primeBits: 512)))),
            "old server, TLS 1.0–1.2: AES128-SHA, DHE-RSA-AES128-SHA (0x0033) and EXPORT DHE (0x0014), "
            + "its DHE suites answered with a 512-bit group (a ServerKeyExchange only: no real handshake)")

        precondition(cases.map(\.id) == caseIDs, "LabCatalogue.caseIDs and the cases built differ")
        return LabCatalogue(authorities: authorities, cases: cases, createdAt: now, responder: responder, revocations: revocations)
    }

    /// Makes leaves and TLS configurations with the catalogue's defaults.
    private struct Builder {
        let now: Date
        let organization: String

        func names(_ id: String) -> [LabSubjectAltName] {
            [.dns(LabCase.hostName(for: id)), .ip(LabCatalogue.address(of: id)!)]
        }

        /// The spec of a good leaf for case `id` (what ``leaf(_:by:)`` issues by default).
        func spec(_ id: String) -> LabCertificateSpec {
            LabCertificateSpec(
                commonName: LabCase.hostName(for: id), organization: organization, subjectAltNames: names(id),
                notBefore: now - 3600, notAfter: now + 90 * LabCatalogue.day, keySource: .shared)
        }

        func leaf(
            _ id: String, commonName: String? = nil, names: [LabSubjectAltName]? = nil, key: LabKeyKind = .rsa(bits: 2048),
            keySource: LabKeySource = .shared, digest: LabDigest = .sha256, notBefore: Date? = nil, notAfter: Date? = nil,
            by issuer: LabCredential
        ) throws(LabPKIError) -> LabCredential {
            try LabPKI.issue(
                LabCertificateSpec(
                    commonName: commonName ?? LabCase.hostName(for: id), organization: organization,
                    subjectAltNames: names ?? self.names(id), notBefore: notBefore ?? now - 3600,
                    notAfter: notAfter ?? now + 90 * LabCatalogue.day, key: key, keySource: keySource, digest: digest),
                by: issuer)
        }

        func selfSignedLeaf(_ id: String) throws(LabPKIError) -> LabCredential {
            try LabPKI.selfSigned(
                LabCertificateSpec(
                    commonName: LabCase.hostName(for: id), organization: organization, subjectAltNames: names(id),
                    notBefore: now - 3600, notAfter: now + 90 * LabCatalogue.day, keySource: .shared))
        }

        func serve(
            _ id: String, _ credential: LabCredential, sendIntermediates: Bool = true,
            versions: ClosedRange<LabTLSVersion> = .tls1_2 ... .tls1_3, cipherList: String? = nil, securityLevel: Int? = nil,
            hsts: LabHTTPHeader? = .hsts(maxAge: LabCatalogue.twoYears), ocsp: Data? = nil
        ) -> LabTLS {
            let headers = (hsts.map { [$0] } ?? []) + [LabHTTPHeader("Content-Type", "text/plain")]
            // TLS 1.2+ servers offer what Mozilla's "intermediate" profile allows (ECDHE with
            // AES-GCM or ChaCha20), so a good case is good for the baseline policy too.
            let ciphers = cipherList ?? (versions.lowerBound >= .tls1_2 ? LabCatalogue.intermediateCiphers : nil)
            return LabTLS(
                credential: credential, sendIntermediates: sendIntermediates, versions: versions, cipherList: ciphers,
                securityLevel: securityLevel,
                response: LabHTTPResponse(status: 200, headers: headers, body: "netaudit lab: \(id)\n"),
                ocspResponse: ocsp)
        }
    }
}
