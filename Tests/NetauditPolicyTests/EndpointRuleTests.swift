import Foundation
import NetauditCore
@testable import NetauditPolicy
import Testing

/// One row per endpoint rule: a change to the good observation that must make exactly that
/// rule fire, with its default severity.
struct EndpointRuleCase: Sendable, CustomTestStringConvertible {
    let id: String
    let severity: Severity
    let change: @Sendable (inout TLSObservation) -> Void

    var testDescription: String { id }
}

struct EndpointRuleTests {
    let policy = Policy()
    let now = Fixtures.now
    let day = Fixtures.day

    static let cases: [EndpointRuleCase] = [
        .init(id: "tls.unreachable", severity: .critical) { $0 = Fixtures.unreachable(.refused) },
        .init(id: "tls.handshake_failed", severity: .critical) {
            $0.connection = ConnectionOutcome(tcpConnected: true, modernHandshake: false, legacyHandshake: true,
                                              failure: .handshake, message: "unsupported protocol")
            $0.session?.legacy = true
        },
        .init(id: "proto.ssl3", severity: .critical) { Fixtures.setProtocol(&$0, .ssl3, true) },
        .init(id: "proto.tls1_0", severity: .high) { Fixtures.setProtocol(&$0, .tls1_0, true) },
        .init(id: "proto.tls1_1", severity: .high) { Fixtures.setProtocol(&$0, .tls1_1, true) },
        .init(id: "proto.tls1_2_missing", severity: .low) { Fixtures.setProtocol(&$0, .tls1_2, false, detail: "alert protocol_version") },
        .init(id: "proto.tls1_3_missing", severity: .medium) { Fixtures.setProtocol(&$0, .tls1_3, false, detail: "chose TLSv1.2") },
        .init(id: "cipher.weak", severity: .high) {
            $0.weakCiphers[5] = CipherClassAcceptance(name: "rc4", accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA", testedWith: .tls1_2)
        },
        .init(id: "cipher.no_forward_secrecy", severity: .medium) {
            $0.staticRSA = CipherClassAcceptance(name: "static_rsa", accepted: true, detail: "TLS_RSA_WITH_AES_128_GCM_SHA256",
                                                 testedWith: .tls1_2)
        },
        .init(id: "cipher.cbc", severity: .low) {
            $0.cbc = CipherClassAcceptance(name: "cbc", accepted: true, detail: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", testedWith: .tls1_2)
        },
        .init(id: "kex.dh_weak", severity: .high) {
            $0.dhe = KeyExchangeAcceptance(kind: .dhe, accepted: true, suite: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", dhBits: 1024,
                                           detail: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, DH 1024 bits", testedWith: .tls1_2)
        },
        .init(id: "cert.expired", severity: .critical) {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 120 * Fixtures.day, notAfter: Fixtures.now - 30 * Fixtures.day)
        },
        .init(id: "cert.not_yet_valid", severity: .critical) {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now + 10 * Fixtures.day, notAfter: Fixtures.now + 100 * Fixtures.day)
        },
        .init(id: "cert.expiring", severity: .high) {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 84 * Fixtures.day, notAfter: Fixtures.now + 6 * Fixtures.day)
        },
        .init(id: "cert.untrusted", severity: .high) {
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot), governmentTrust: nil, hostnameMatches: true)
        },
        .init(id: "cert.self_signed", severity: .high) {
            $0.certificates = [Fixtures.leaf(selfSigned: true)]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.selfSigned, code: 18, message: "self-signed certificate"),
                                        hostnameMatches: true)
        },
        .init(id: "cert.hostname_mismatch", severity: .high) { $0.trust?.hostnameMatches = false },
        .init(id: "cert.chain_incomplete", severity: .medium) {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.incompleteChain), hostnameMatches: true)
        },
        .init(id: "cert.weak_key", severity: .high) { $0.certificates[0] = Fixtures.leaf(keyBits: 1024) },
        .init(id: "cert.weak_signature", severity: .high) { $0.certificates[0] = Fixtures.leaf(signature: "sha1WithRSAEncryption") },
        .init(id: "cert.long_validity", severity: .low) {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 100 * Fixtures.day, notAfter: Fixtures.now + 725 * Fixtures.day)
        },
        .init(id: "http.response_unreadable", severity: .low) {
            $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=63072000", unreadable: "Too large response headers")
        },
        .init(id: "http.hsts_missing", severity: .medium) { $0.http = HTTPObservation(status: 200) },
        .init(id: "http.hsts_short", severity: .low) { $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=86400") },
        .init(id: "http.no_https_redirect", severity: .medium) {
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: 200)
        },
        .init(id: "ocsp.no_stapling", severity: .info) { $0.session?.ocspStapled = false },
        .init(id: "cert.revoked", severity: .critical) { $0.revocation = Fixtures.revocation(.revoked) },
        .init(id: "cert.revocation_unknown", severity: .info) { $0.revocation = Fixtures.revocation(.unknown) },
        .init(id: "http.downgrade_redirect", severity: .high) {
            $0.http = HTTPObservation(status: 301, location: "http://portal.gialai.gov.vn/", strictTransportSecurity: "max-age=63072000")
        },
    ]

    @Test func theGoodEndpointHasNoFinding() {
        let evaluation = policy.evaluateEndpoint(Fixtures.good(), now: now)
        #expect(evaluation.findings.isEmpty, "\(evaluation.findings)")
        #expect(evaluation.findings.allSatisfy { $0.severity <= .info })
        #expect(evaluation.verdict == .compliant)
        #expect(evaluation.anchor == ReachedAnchor(store: .public, subject: Fixtures.rootSubject))
        #expect(evaluation.publicTrust == true && evaluation.governmentTrust == false)
    }

    @Test(arguments: cases)
    func eachRuleFiresWithItsIdAndSeverity(_ row: EndpointRuleCase) throws {
        #expect(!policy.evaluateEndpoint(Fixtures.good(), now: now).findings.contains { $0.id == row.id })
        let evaluation = policy.evaluateEndpoint(Fixtures.good(row.change), now: now)
        let finding = try #require(evaluation.findings.first { $0.id == row.id }, "\(evaluation.findings.map(\.id))")
        #expect(finding.severity == row.severity)
        #expect(evaluation.findings.filter { $0.id == row.id }.count == 1)
        #expect(finding.message.hasSuffix(".") && finding.message.first?.isUppercase == true)
        #expect(!finding.evidence.isEmpty)
        #expect(finding.evidence.keys.allSatisfy { $0.contains(".") && $0 == $0.lowercased() })
    }

    @Test func theTableCoversEveryEndpointRule() {
        let linkRules = Rule.allIDs.filter { $0.hasPrefix("link.") }
        #expect(Set(Self.cases.map(\.id)).union(linkRules) == Set(Rule.allIDs))
    }

    @Test(arguments: [(6.0, Severity.high), (7.0, .high), (7.5, .medium), (20.0, .medium), (30.0, .medium),
                      (0.5, .high), (31.0, nil), (40.0, nil)])
    func expiringIsHighWithinSevenDaysAndMediumWithinThirty(_ days: Double, _ severity: Severity?) {
        let observation = Fixtures.good {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 60 * Fixtures.day, notAfter: Fixtures.now + days * Fixtures.day)
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.first { $0.id == "cert.expiring" }?.severity == severity)
        #expect(!findings.contains { $0.id == "cert.expired" })
    }

    @Test func messagesAndEvidenceCarryTheKeyValues() throws {
        let expired = Fixtures.good {
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 120 * Fixtures.day, notAfter: Fixtures.now - 30 * Fixtures.day)
        }
        let finding = try #require(policy.evaluateEndpoint(expired, now: now).findings.first { $0.id == "cert.expired" })
        #expect(finding.message == "The certificate expired on 2026-08-22 (30 days ago).")
        #expect(finding.evidence["certificate.not_after"] == "2026-08-22T14:13:20Z")
        #expect(finding.evidence["certificate.subject"] == Fixtures.leafSubject)
        #expect(finding.evidence["certificate.position"] == "leaf")

        let tls10 = Fixtures.good { Fixtures.setProtocol(&$0, .tls1_0, true) }
        let protocolFinding = try #require(policy.evaluateEndpoint(tls10, now: now).findings.first)
        #expect(protocolFinding.message == "The server accepts TLS 1.0.")
        #expect(protocolFinding.evidence["protocol.version"] == "TLSv1.0")

        let weak = Fixtures.good {
            $0.weakCiphers[4] = CipherClassAcceptance(name: "triple_des", accepted: true, detail: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                                                      testedWith: .tls1_2)
            $0.weakCiphers[5] = CipherClassAcceptance(name: "rc4", accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA", testedWith: .tls1_2)
        }
        let cipher = try #require(policy.evaluateEndpoint(weak, now: now).findings.first { $0.id == "cipher.weak" })
        #expect(cipher.message == "The server accepts weak cipher suites: 3DES (TLS_RSA_WITH_3DES_EDE_CBC_SHA), RC4 (TLS_RSA_WITH_RC4_128_SHA).")
        #expect(cipher.evidence["cipher.classes"] == "triple_des, rc4")
        #expect(cipher.evidence["cipher.suites"] == "TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA")

        let short = Fixtures.good { $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=86400") }
        let hsts = try #require(policy.evaluateEndpoint(short, now: now).findings.first { $0.id == "http.hsts_short" })
        #expect(hsts.message == "The HSTS max-age is 86400 seconds (1 day), below the 31536000 seconds (365 days) required.")
        #expect(hsts.evidence["http.hsts_max_age"] == "86400")
    }

    // MARK: Connection failures

    @Test(arguments: [ConnectionOutcome.Failure.refused, .connectTimeout, .tlsTimeout, .other])
    func anUnreachableServerGetsOnlyTLSUnreachable(_ failure: ConnectionOutcome.Failure) {
        let evaluation = policy.evaluateEndpoint(Fixtures.unreachable(failure, tcpConnected: failure == .tlsTimeout), now: now)
        #expect(evaluation.findings.map(\.id) == ["tls.unreachable"])
        #expect(evaluation.findings.first?.evidence["connection.failure"] == failure.rawValue)
        #expect(evaluation.verdict == .unreachable)
        #expect(evaluation.anchor == nil && evaluation.publicTrust == nil)
    }

    @Test(arguments: [ConnectionOutcome.Failure.handshake, .notTLS, .reset])
    func aFailedHandshakeWithoutSessionGetsOnlyTLSHandshakeFailed(_ failure: ConnectionOutcome.Failure) {
        let evaluation = policy.evaluateEndpoint(Fixtures.unreachable(failure, tcpConnected: true), now: now)
        #expect(evaluation.findings.map(\.id) == ["tls.handshake_failed"])
        #expect(evaluation.verdict == .noncompliant)
    }

    @Test func anSSLv3OnlyServerIsJudgedOnWhatTheHellosSaw() {
        var observation = Fixtures.unreachable(.handshake, tcpConnected: true)
        observation.connection.legacyHandshake = false
        observation.protocols = [
            ProtocolAcceptance(version: .ssl3, accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA"),
            ProtocolAcceptance(version: .tls1_0, accepted: false, detail: "alert protocol_version"),
            ProtocolAcceptance(version: .tls1_1, accepted: false, detail: "alert protocol_version"),
            ProtocolAcceptance(version: .tls1_2, accepted: false, detail: "alert protocol_version"),
            ProtocolAcceptance(version: .tls1_3, accepted: nil, detail: "no handshake succeeded"),
        ]
        observation.weakCiphers = [CipherClassAcceptance(name: "rc4", accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA",
                                                         testedWith: .ssl3)]
        let evaluation = policy.evaluateEndpoint(observation, now: now)
        #expect(evaluation.findings.map(\.id) == ["proto.ssl3", "tls.handshake_failed", "cipher.weak", "proto.tls1_2_missing"])
        #expect(evaluation.verdict == .noncompliant)
    }

    @Test func aLegacyOnlyServerIsJudgedOnItsLegacySession() {
        // The lab's tls1_0-only: the legacy retry still read the chain and headers.
        let observation = Fixtures.good {
            $0.connection = ConnectionOutcome(tcpConnected: true, modernHandshake: false, legacyHandshake: true, failure: .handshake)
            $0.session = TLSSessionObservation(protocolVersion: .tls1_0, cipher: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                                               ocspStapled: false, legacy: true)
            $0.http = HTTPObservation(status: 200)
            $0.protocols = [
                ProtocolAcceptance(version: .ssl3, accepted: false, detail: "alert"),
                ProtocolAcceptance(version: .tls1_0, accepted: true, detail: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
                ProtocolAcceptance(version: .tls1_1, accepted: false, detail: "alert"),
                ProtocolAcceptance(version: .tls1_2, accepted: false, detail: "alert"),
                ProtocolAcceptance(version: .tls1_3, accepted: false, detail: "the server chose TLSv1.0"),
            ]
        }
        let ids = policy.evaluateEndpoint(observation, now: now).findings.map(\.id)
        #expect(ids == ["tls.handshake_failed", "proto.tls1_0", "http.hsts_missing", "proto.tls1_3_missing",
                        "proto.tls1_2_missing", "ocsp.no_stapling"])
    }

    // MARK: Inconclusive data

    @Test func nothingKnownMeansNoFinding() {
        let observation = TLSObservation(url: "https://portal.gialai.gov.vn/", serverName: "portal.gialai.gov.vn", port: 443)
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    @Test func inconclusiveHellosMakeNoFinding() {
        let observation = Fixtures.good {
            $0.protocols = $0.protocols.map { ProtocolAcceptance(version: $0.version, accepted: nil, detail: "no answer") }
            $0.weakCiphers = $0.weakCiphers.map { CipherClassAcceptance(name: $0.name, accepted: nil, detail: "no answer") }
            $0.staticRSA?.accepted = nil
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: false, message: "Connection refused")
        }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    @Test func untestedPartsMakeNoFinding() {
        let observation = Fixtures.good {
            $0.protocols = []
            $0.weakCiphers = []
            $0.staticRSA = nil
            $0.plainHTTP = nil
            $0.http = nil
            $0.trust = nil
        }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    // MARK: Certificates

    @Test func expiryIsJudgedFromTheDatesWhateverTheVerifierReports() {
        // Self-signed and expired: the verifier says self_signed first; the dates say expired.
        let observation = Fixtures.good {
            $0.certificates = [Fixtures.leaf(notBefore: Fixtures.now - 400 * Fixtures.day, notAfter: Fixtures.now - 35 * Fixtures.day,
                                             selfSigned: true)]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.selfSigned, code: 18, message: "self-signed certificate"),
                                        hostnameMatches: true)
        }
        let ids = policy.evaluateEndpoint(observation, now: now).findings.map(\.id)
        #expect(ids == ["cert.expired", "cert.self_signed"])
    }

    @Test func anExpiredIntermediateIsExpiredToo() throws {
        let observation = Fixtures.good {
            $0.certificates[1] = Fixtures.intermediate(notAfter: Fixtures.now - 2 * Fixtures.day)
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.expired, code: 10, message: "certificate has expired"),
                                        hostnameMatches: true)
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.map(\.id) == ["cert.expired"])  // it reaches an anchor: not untrusted
        let finding = try #require(findings.first)
        #expect(finding.evidence["certificate.position"] == "intermediate 1")
        #expect(finding.message == "The intermediate certificate '\(Fixtures.intermediateSubject)' expired on 2026-09-19 (2 days ago).")
    }

    @Test func aRootSentAlongIsNotJudged() {
        let observation = Fixtures.good { $0.certificates.append(Fixtures.sentRoot()) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    @Test(arguments: [("RSA", 2048, nil as String?, false), ("RSA", 1024, nil, true), ("EC", 256, "prime256v1", false),
                      ("EC", 224, "secp224r1", true), ("DSA", 2048, nil, true), ("Ed25519", 256, nil, false)])
    func weakKeys(_ type: String, _ bits: Int, _ curve: String?, _ weak: Bool) {
        let observation = Fixtures.good { $0.certificates[0] = Fixtures.leaf(keyType: type, keyBits: bits, curve: curve) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.contains { $0.id == "cert.weak_key" } == weak)
    }

    @Test func aWeakIntermediateKeyOrSignatureCounts() {
        let observation = Fixtures.good {
            $0.certificates[1] = Fixtures.intermediate(keyBits: 1024, signature: "md5WithRSAEncryption")
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.map(\.id) == ["cert.weak_key", "cert.weak_signature"])
        #expect(findings.allSatisfy { $0.evidence["certificate.position"] == "intermediate 1" })
    }

    @Test(arguments: ["sha1WithRSAEncryption", "ecdsa-with-SHA1", "md5WithRSAEncryption"])
    func weakSignatures(_ algorithm: String) {
        let observation = Fixtures.good { $0.certificates[0] = Fixtures.leaf(signature: algorithm) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.map(\.id) == ["cert.weak_signature"])
    }

    @Test(arguments: ["sha256WithRSAEncryption", "ecdsa-with-SHA384", "rsassaPss", "ED25519"])
    func strongSignatures(_ algorithm: String) {
        let observation = Fixtures.good { $0.certificates[0] = Fixtures.leaf(signature: algorithm) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    @Test func aGovernmentCAChainMeetsTheBaseline() {
        let observation = Fixtures.good {
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot),
                                        governmentTrust: Fixtures.trusted(anchor: "CN=Vietnam Government CA,C=VN"),
                                        hostnameMatches: true)
        }
        let evaluation = policy.evaluateEndpoint(observation, now: now)
        #expect(evaluation.findings.isEmpty)
        #expect(evaluation.verdict == .compliant)
        #expect(evaluation.anchor == ReachedAnchor(store: .government, subject: "CN=Vietnam Government CA,C=VN"))
        #expect(evaluation.publicTrust == false && evaluation.governmentTrust == true)
    }

    @Test func anIncompleteChainForTheGovernmentCAIsNotUntrusted() {
        let observation = Fixtures.good {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot), governmentTrust: Fixtures.untrusted(.incompleteChain),
                                        hostnameMatches: true)
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.map(\.id) == ["cert.chain_incomplete"])
        #expect(findings.first?.evidence["certificate.issuer"] == Fixtures.intermediateSubject)
    }

    @Test func aStructuralDefectIsUntrusted() {
        let observation = Fixtures.good {
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.other, code: 26, message: "unsuitable certificate purpose"),
                                        hostnameMatches: true)
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.map(\.id) == ["cert.untrusted"])
        #expect(findings.first?.evidence["trust.public.message"] == "unsuitable certificate purpose")
        #expect(findings.first?.evidence["trust.government"] == "not configured")
    }

    @Test func aPinnedSelfSignedCertificateIsTrusted() {
        let observation = Fixtures.good {
            $0.certificates = [Fixtures.leaf(selfSigned: true)]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.selfSigned), governmentTrust: Fixtures.trusted(anchor: Fixtures.leafSubject),
                                        hostnameMatches: true)
        }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.isEmpty)
    }

    // MARK: HTTP

    @Test(arguments: [
        ("max-age=63072000; includeSubDomains", nil as String?),
        ("max-age=31536000", nil),
        ("max-age=31535999", "http.hsts_short"),
        ("max-age=0", "http.hsts_short"),
        ("includeSubDomains", "http.hsts_missing"),
        ("max-age=abc", "http.hsts_missing"),
    ])
    func hstsHeaders(_ header: String, _ expected: String?) {
        let observation = Fixtures.good { $0.http = HTTPObservation(status: 200, strictTransportSecurity: header) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.map(\.id) == (expected.map { [$0] } ?? []))
    }

    @Test func aResponseHeadCutShortIsSaidAndHSTSIsNotJudgedMissing() throws {
        let message = "Too large response headers: 307210 > 307200"
        let cut = Fixtures.good { $0.http = HTTPObservation(status: 200, unreadable: message) }
        let findings = policy.evaluateEndpoint(cut, now: now).findings
        #expect(findings.map(\.id) == ["http.response_unreadable"])
        let finding = try #require(findings.first)
        #expect(finding.severity == .low)
        #expect(finding.evidence == ["http.status": "200", "http.message": message])
        #expect(finding.message.contains(message))
        #expect(policy.evaluateEndpoint(cut, now: now).verdict == .compliant)
        // What was read before the cut is still judged.
        let short = Fixtures.good { $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=60", unreadable: message) }
        #expect(policy.evaluateEndpoint(short, now: now).findings.map(\.id) == ["http.hsts_short", "http.response_unreadable"])
    }

    @Test func aCheckNetauditCouldNotMakeInFullIsNotJudged() {
        let local = LocalFailure(reason: .outOfDescriptors, message: "socket(): Too many open files (EMFILE)", count: 3)
        // Whatever else it holds: a failed connection, a legacy-only handshake.
        let observation = Fixtures.good {
            $0.connection = ConnectionOutcome(tcpConnected: true, modernHandshake: false, legacyHandshake: true, failure: .handshake)
            $0.localFailure = local
        }
        let evaluation = policy.evaluateEndpoint(observation, now: now)
        #expect(evaluation.findings.isEmpty)
        #expect(evaluation.notProbed == local)
        #expect(policy.evaluateEndpoint(Fixtures.good(), now: now).notProbed == nil)
    }

    @Test(arguments: [
        (301, "https://portal.gialai.gov.vn/" as String?, false),
        (308, "HTTPS://portal.gialai.gov.vn/", false),
        (302, "http://portal.gialai.gov.vn/login", true),
        (200, nil, true),
        // https:// is not enough: the same host, or one the certificate names.
        (301, "https://portal.elsewhere.test/", true),
        (301, "https://www.gialai.gov.vn:8443/trang-chu", false),  // in the certificate's subjectAltNames
        (301, "https://user@Portal.GiaLai.gov.vn./", false),
        (302, "https://portal.gialai.gov.vn.elsewhere.test/", true),
        (302, "https://elsewhere.test/?next=https://portal.gialai.gov.vn/", true),
        (302, "/login", true),  // relative: plain HTTP again
    ])
    func plainHTTPRedirects(_ status: Int, _ location: String?, _ fires: Bool) {
        let observation = Fixtures.good { $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: status, location: location) }
        #expect(policy.evaluateEndpoint(observation, now: now).findings.contains { $0.id == "http.no_https_redirect" } == fires)
    }

    @Test(arguments: [
        ("*.gialai.gov.vn", "dich-vu.gialai.gov.vn", true),
        ("*.gialai.gov.vn", "gialai.gov.vn", false),
        ("*.gialai.gov.vn", "a.b.gialai.gov.vn", false),
        ("*.vn", "gialai.vn", false),  // a wildcard needs two labels after it
        ("p*.gialai.gov.vn", "pa.gialai.gov.vn", false),  // no partial wildcards
        ("WWW.GiaLai.gov.vn.", "www.gialai.gov.vn", true),
        ("127.0.0.1", "127.0.0.1", true),
        ("*.0.0.1", "127.0.0.1", false),
        ("::1", "[0:0::1]", true),
    ])
    func redirectTargetsMatchTheCertificateAsHostNameVerificationDoes(_ pattern: String, _ host: String, _ matches: Bool) {
        let observation = Fixtures.good {
            $0.certificates[0].subjectAltNames = [pattern]
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: 301, location: "https://\(host)/")
        }
        let finding = policy.evaluateEndpoint(observation, now: now).findings.first { $0.id == "http.no_https_redirect" }
        #expect((finding == nil) == matches, "\(finding?.message ?? "no finding")")
        if let finding { #expect(finding.evidence["http.plain.location"] == "https://\(host)/") }
    }

    // MARK: Order

    @Test func findingsAreSortedBySeverityThenId() {
        let observation = Fixtures.good {
            Fixtures.setProtocol(&$0, .tls1_1, true)
            Fixtures.setProtocol(&$0, .tls1_0, true)
            Fixtures.setProtocol(&$0, .ssl3, true)
            $0.session?.ocspStapled = false
            $0.http = HTTPObservation(status: 200)
            $0.certificates[0] = Fixtures.leaf(notBefore: Fixtures.now - 800 * Fixtures.day, notAfter: Fixtures.now + 20 * Fixtures.day)
        }
        let findings = policy.evaluateEndpoint(observation, now: now).findings
        #expect(findings.map(\.id) == ["proto.ssl3", "proto.tls1_0", "proto.tls1_1", "cert.expiring", "http.hsts_missing",
                                       "cert.long_validity", "ocsp.no_stapling"])
        #expect(findings.map(\.severity) == findings.map(\.severity).sorted(by: >))
    }
}
