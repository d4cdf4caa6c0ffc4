import Foundation
import NetauditCore
@testable import NetauditPolicy
import Testing

/// One branch of one rule's message: the observation that makes the real rule take it,
/// and what its Vietnamese sentence must show (evidence values by key, and other words).
struct VietnameseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let id: String
    let keys: [String]
    let words: [String]
    let finding: @Sendable () -> Finding?

    var testDescription: String { name }

    /// An endpoint rule, on the good observation changed by `change`.
    static func endpoint(_ name: String, _ id: String, keys: [String] = [], words: [String] = [],
                         _ change: @escaping @Sendable (inout TLSObservation) -> Void) -> VietnameseCase {
        VietnameseCase(name: name, id: id, keys: keys, words: words) {
            Policy().evaluateEndpoint(Fixtures.good(change), now: Fixtures.now).findings.first { $0.id == id }
        }
    }

    /// A link rule, for the fixture agency (or one without link) and an observation.
    static func link(_ name: String, _ id: String, keys: [String] = [], words: [String] = [], agency: Agency = Fixtures.agency(),
                     viaState: LinkState? = nil, _ observation: LinkObservation?) -> VietnameseCase {
        VietnameseCase(name: name, id: id, keys: keys, words: words) {
            Policy().evaluateLink(of: agency, observation: observation, viaState: viaState, viaCode: "64").first { $0.id == id }
        }
    }
}

@Suite("Policy: finding messages in Vietnamese")
struct FindingTextTests {
    static let day = Fixtures.day
    static let now = Fixtures.now

    /// The day a message shows for `date` (`yyyy-MM-dd`, UTC).
    static func shown(_ date: Date) -> String { PolicyFormat.day(date) }

    static let linkCases: [VietnameseCase] = [
        .link("link.unconfigured", "link.unconfigured", keys: ["agency.code", "agency.name"], agency: Fixtures.agency(link: nil), nil),
        .link("link.down ICMP", "link.down", keys: ["link.address", "link.sent"], words: ["ICMP echo"],
              Fixtures.linkObservation(received: 0)),
        .link("link.down TCP, unreachable reported", "link.down", keys: ["link.address", "link.icmp_unreachable"],
              words: ["5 lần kết nối TCP tới cổng 443", "bộ định tuyến"],
              LinkObservation(address: IPAddress(127, 64, 0, 1), method: .tcp(port: 443), sent: 5, received: 0, unreachable: 3,
                              started: now, duration: 5)),
        .link("link.unreachable", "link.unreachable", keys: ["link.address", "link.via"], words: ["nguyên nhân"], viaState: .down,
              Fixtures.linkObservation(received: 0)),
        .link("link.loss", "link.loss", keys: ["link.address", "link.loss_percent", "threshold.link_loss_percent"], words: ["Mất gói"],
              Fixtures.linkObservation(sent: 10, received: 7)),
        .link("link.latency", "link.latency", keys: ["link.address", "link.rtt_median_ms", "threshold.link_median_ms"],
              words: ["Độ trễ"], Fixtures.linkObservation(rtts: [140, 160, 170, 180, 190, 200, 210, 220, 230, 240])),
    ]

    static let connectionCases: [VietnameseCase] = [
        .endpoint("tls.unreachable refused", "tls.unreachable", keys: ["endpoint.target"], words: ["từ chối"]) {
            $0 = Fixtures.unreachable(.refused)
        },
        .endpoint("tls.unreachable connect timeout", "tls.unreachable", keys: ["endpoint.target"], words: ["hết thời gian chờ"]) {
            $0 = Fixtures.unreachable(.connectTimeout)
        },
        .endpoint("tls.unreachable TLS timeout", "tls.unreachable", keys: ["endpoint.target"], words: ["phản hồi TLS"]) {
            $0 = Fixtures.unreachable(.tlsTimeout, tcpConnected: true)
        },
        .endpoint("tls.unreachable other", "tls.unreachable", keys: ["endpoint.target", "probe.problem"]) {
            $0 = Fixtures.unreachable(.other)
            $0.problem = "No route to host"
        },
        .endpoint("tls.handshake_failed not TLS", "tls.handshake_failed", keys: ["endpoint.target"], words: ["không dùng giao thức TLS"]) {
            $0 = Fixtures.unreachable(.notTLS, tcpConnected: true)
        },
        .endpoint("tls.handshake_failed reset", "tls.handshake_failed", keys: ["endpoint.target"], words: ["reset"]) {
            $0 = Fixtures.unreachable(.reset, tcpConnected: true)
        },
        .endpoint("tls.handshake_failed legacy only", "tls.handshake_failed", keys: ["endpoint.target"], words: ["chỉ máy khách cũ"]) {
            $0 = Fixtures.unreachable(.handshake, tcpConnected: true)
            $0.connection.legacyHandshake = true
        },
        .endpoint("tls.handshake_failed neither", "tls.handshake_failed", keys: ["endpoint.target"], words: ["Cả máy khách hiện đại lẫn máy khách cũ"]) {
            $0 = Fixtures.unreachable(.handshake, tcpConnected: true)
            $0.connection.legacyHandshake = false
        },
        .endpoint("tls.handshake_failed legacy not tried", "tls.handshake_failed", keys: ["endpoint.target"], words: ["TLS 1.2 trở lên"]) {
            $0 = Fixtures.unreachable(.handshake, tcpConnected: true)
        },
    ]

    static let protocolCases: [VietnameseCase] = [
        .endpoint("proto.ssl3", "proto.ssl3", words: ["SSL 3.0", "chấp nhận"]) { Fixtures.setProtocol(&$0, .ssl3, true) },
        .endpoint("proto.tls1_0", "proto.tls1_0", words: ["TLS 1.0", "chấp nhận"]) { Fixtures.setProtocol(&$0, .tls1_0, true) },
        .endpoint("proto.tls1_1", "proto.tls1_1", words: ["TLS 1.1", "chấp nhận"]) { Fixtures.setProtocol(&$0, .tls1_1, true) },
        .endpoint("proto.tls1_2_missing", "proto.tls1_2_missing", words: ["không hỗ trợ giao thức TLS 1.2", "TLS 1.3"]) {
            Fixtures.setProtocol(&$0, .tls1_2, false, detail: "alert protocol_version")
        },
        .endpoint("proto.tls1_3_missing", "proto.tls1_3_missing", words: ["không hỗ trợ giao thức TLS 1.3", "chấp nhận: TLS 1.2"]) {
            Fixtures.setProtocol(&$0, .tls1_3, false, detail: "chose TLSv1.2")
        },
        .endpoint("cipher.weak one class", "cipher.weak", keys: ["cipher.suites"], words: ["RC4", "bộ mã hóa yếu"]) {
            $0.weakCiphers[5] = CipherClassAcceptance(name: "rc4", accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA", testedWith: .tls1_2)
        },
        .endpoint("cipher.weak two classes", "cipher.weak", words: ["3DES (TLS_RSA_WITH_3DES_EDE_CBC_SHA)", "RC4 (TLS_RSA_WITH_RC4_128_SHA)", "các bộ mã hóa yếu"]) {
            $0.weakCiphers[4] = CipherClassAcceptance(name: "triple_des", accepted: true, detail: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", testedWith: .tls1_2)
            $0.weakCiphers[5] = CipherClassAcceptance(name: "rc4", accepted: true, detail: "TLS_RSA_WITH_RC4_128_SHA", testedWith: .tls1_2)
        },
        .endpoint("cipher.no_forward_secrecy", "cipher.no_forward_secrecy", keys: ["cipher.suites"], words: ["RSA tĩnh"]) {
            $0.staticRSA = CipherClassAcceptance(name: "static_rsa", accepted: true, detail: "TLS_RSA_WITH_AES_128_GCM_SHA256", testedWith: .tls1_2)
        },
        .endpoint("cipher.cbc", "cipher.cbc", keys: ["cipher.suites"], words: ["CBC", "AEAD"]) {
            $0.cbc = CipherClassAcceptance(name: "cbc", accepted: true, detail: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", testedWith: .tls1_2)
        },
        .endpoint("kex.dh_weak", "kex.dh_weak", keys: ["kex.dh_bits", "cipher.suites", "threshold.dh_min_bits"], words: ["DHE"]) {
            $0.dhe = KeyExchangeAcceptance(kind: .dhe, accepted: true, suite: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", dhBits: 1024,
                                           detail: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, DH 1024 bits", testedWith: .tls1_2)
        },
        .endpoint("kex.dh_weak export", "kex.dh_weak", keys: ["kex.dh_bits", "cipher.suites"], words: ["export-grade"]) {
            $0.dhe = KeyExchangeAcceptance(kind: .dhe, accepted: true, suite: "EXP-EDH-RSA-DES-CBC-SHA", dhBits: 512, export: true,
                                           detail: "EXP-EDH-RSA-DES-CBC-SHA, DH 512 bits", testedWith: .tls1_0)
        },
    ]

    static let certificateCases: [VietnameseCase] = [
        .endpoint("cert.expired leaf", "cert.expired", words: [shown(now - 30 * day), "30 ngày trước", "đã hết hạn"]) {
            $0.certificates[0] = Fixtures.leaf(notBefore: now - 120 * day, notAfter: now - 30 * day)
        },
        .endpoint("cert.expired intermediate", "cert.expired", keys: ["certificate.subject"], words: ["trung gian", shown(now - 2 * day)]) {
            $0.certificates[1] = Fixtures.intermediate(notAfter: now - 2 * day)
        },
        .endpoint("cert.expired both", "cert.expired", words: ["và 1 chứng thư số khác trong chuỗi"]) {
            $0.certificates[0] = Fixtures.leaf(notBefore: now - 120 * day, notAfter: now - 30 * day)
            $0.certificates[1] = Fixtures.intermediate(notAfter: now - 2 * day)
        },
        .endpoint("cert.not_yet_valid", "cert.not_yet_valid", words: [shown(now + 10 * day), "còn 10 ngày", "chưa có hiệu lực"]) {
            $0.certificates[0] = Fixtures.leaf(notBefore: now + 10 * day, notAfter: now + 100 * day)
        },
        .endpoint("cert.expiring", "cert.expiring", keys: ["certificate.days_left"], words: [shown(now + 6 * day), "sắp hết hạn"]) {
            $0.certificates[0] = Fixtures.leaf(notBefore: now - 84 * day, notAfter: now + 6 * day)
        },
        .endpoint("cert.untrusted", "cert.untrusted", keys: ["certificate.issuer", "trust.public.message"],
                  words: ["không được tin cậy", "chưa cấu hình CA Chính phủ"]) {
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot), governmentTrust: nil, hostnameMatches: true)
        },
        .endpoint("cert.self_signed", "cert.self_signed", keys: ["certificate.subject"], words: ["tự ký"]) {
            $0.certificates = [Fixtures.leaf(selfSigned: true)]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.selfSigned, code: 18, message: "self-signed certificate"),
                                        hostnameMatches: true)
        },
        .endpoint("cert.hostname_mismatch", "cert.hostname_mismatch", keys: ["endpoint.server_name", "certificate.subject_alt_names"],
                  words: ["Tên miền không khớp"]) { $0.trust?.hostnameMatches = false },
        .endpoint("cert.hostname_mismatch without SAN", "cert.hostname_mismatch", keys: ["endpoint.server_name"],
                  words: ["không có subjectAltName"]) {
            $0.certificates[0].subjectAltNames = []
            $0.trust?.hostnameMatches = false
        },
        .endpoint("cert.chain_incomplete by the verifier", "cert.chain_incomplete", keys: ["chain.missing_issuer"],
                  words: ["chứng thư số gốc công cộng", "tệp chuỗi chứng thư số"]) {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.incompleteChain), hostnameMatches: true)
        },
        .endpoint("cert.chain_incomplete completed by AIA", "cert.chain_incomplete", keys: ["chain.missing_issuer", "chain.aia_ca_issuers"],
                  words: ["AIA caIssuers", "đã tải được"]) {
            let url = "http://ca.gialai.gov.vn/issuing.cer"
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.incompleteChain), hostnameMatches: true)
            $0.trust?.chainCompletion = ChainCompletion(missingIssuer: Fixtures.intermediateSubject, caIssuersURLs: [url],
                                                        fetches: [CAIssuersFetch(url: url, certificates: [Fixtures.intermediateSubject])],
                                                        completedByAIA: true)
        },
        .endpoint("cert.chain_incomplete unknown issuer", "cert.chain_incomplete", keys: ["chain.missing_issuer", "chain.last_subject"],
                  words: ["không ghi URL AIA caIssuers"]) {
            $0.certificates = [Fixtures.leaf()]
            $0.trust = TrustObservation(publicTrust: Fixtures.untrusted(.untrustedRoot), hostnameMatches: true)
            $0.trust?.chainCompletion = ChainCompletion(missingIssuer: Fixtures.intermediateSubject, caIssuersURLs: [])
        },
        .endpoint("cert.weak_key RSA", "cert.weak_key", keys: ["certificate.key_bits", "threshold.rsa_min_bits"], words: ["khóa RSA"]) {
            $0.certificates[0] = Fixtures.leaf(keyBits: 1024)
        },
        .endpoint("cert.weak_key EC", "cert.weak_key", keys: ["certificate.key_bits", "threshold.ec_min_bits"], words: ["khóa EC"]) {
            $0.certificates[0] = Fixtures.leaf(keyType: "EC", keyBits: 192, curve: "prime192v1")
        },
        .endpoint("cert.weak_key DSA", "cert.weak_key", words: ["khóa DSA", "không được phép"]) {
            $0.certificates[0] = Fixtures.leaf(keyType: "DSA", keyBits: 2048)
        },
        .endpoint("cert.weak_signature", "cert.weak_signature", keys: ["certificate.signature_algorithm"], words: ["SHA-1"]) {
            $0.certificates[0] = Fixtures.leaf(signature: "sha1WithRSAEncryption")
        },
        .endpoint("cert.long_validity", "cert.long_validity", keys: ["certificate.lifetime_days", "threshold.certificate_max_lifetime_days"],
                  words: [shown(now - 100 * day), shown(now + 725 * day)]) {
            $0.certificates[0] = Fixtures.leaf(notBefore: now - 100 * day, notAfter: now + 725 * day)
        },
        .endpoint("cert.revoked stapled", "cert.revoked", keys: ["revocation.reason"], words: ["OCSP stapling", shown(now - 10 * day), "thu hồi"]) {
            $0.revocation = Fixtures.revocation(.revoked, source: .stapled)
        },
        .endpoint("cert.revoked OCSP", "cert.revoked", keys: ["revocation.reason", "revocation.responder"], words: ["máy chủ OCSP"]) {
            $0.revocation = Fixtures.revocation(.revoked, source: .ocsp)
        },
        .endpoint("cert.revoked CRL", "cert.revoked", keys: ["revocation.reason", "revocation.responder"], words: ["CRL"]) {
            $0.revocation = Fixtures.revocation(.revoked, source: .crl)
        },
        .endpoint("cert.revoked intermediate", "cert.revoked", keys: ["certificate.subject"], words: ["trung gian"]) {
            var revocation = Fixtures.revocation(.good)
            revocation.certificates += Fixtures.revocation(.revoked, source: .crl, position: 1).certificates
            $0.revocation = revocation
        },
        .endpoint("cert.revocation_unknown", "cert.revocation_unknown", keys: ["revocation.problem"], words: ["thu hồi"]) {
            $0.revocation = Fixtures.revocation(.unknown)
        },
    ]

    static let httpCases: [VietnameseCase] = [
        .endpoint("http.response_unreadable", "http.response_unreadable", keys: ["http.status", "http.message"]) {
            $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=63072000", unreadable: "Too large response headers")
        },
        .endpoint("http.hsts_missing no header", "http.hsts_missing", keys: ["http.status"], words: ["Strict-Transport-Security"]) {
            $0.http = HTTPObservation(status: 200)
        },
        .endpoint("http.hsts_missing no max-age", "http.hsts_missing", keys: ["http.strict_transport_security"], words: ["max-age"]) {
            $0.http = HTTPObservation(status: 200, strictTransportSecurity: "includeSubDomains")
        },
        .endpoint("http.hsts_short", "http.hsts_short", keys: ["http.hsts_max_age", "threshold.hsts_min_max_age"], words: ["1 ngày", "365 ngày"]) {
            $0.http = HTTPObservation(status: 200, strictTransportSecurity: "max-age=86400")
        },
        .endpoint("http.no_https_redirect status", "http.no_https_redirect", keys: ["http.plain.port", "http.plain.status"],
                  words: ["thay vì chuyển hướng"]) {
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: 200)
        },
        .endpoint("http.no_https_redirect to plain HTTP", "http.no_https_redirect", keys: ["http.plain.port", "http.plain.location"],
                  words: ["không phải tới https://"]) {
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: 302, location: "http://portal.gialai.gov.vn/login")
        },
        .endpoint("http.no_https_redirect to another site", "http.no_https_redirect",
                  keys: ["http.plain.location", "http.plain.redirect_host", "endpoint.server_name"], words: ["chứng thư số"]) {
            $0.plainHTTP = PlainHTTPObservation(port: 80, answered: true, status: 301, location: "https://quangcao.example.test/")
        },
        .endpoint("http.downgrade_redirect", "http.downgrade_redirect", keys: ["http.status", "http.location"], words: ["không mã hóa"]) {
            $0.http = HTTPObservation(status: 301, location: "http://portal.gialai.gov.vn/", strictTransportSecurity: "max-age=63072000")
        },
        .endpoint("ocsp.no_stapling", "ocsp.no_stapling", words: ["OCSP"]) { $0.session?.ocspStapled = false },
    ]

    /// The rules whose one sentence needs no value (their English message shows none).
    static let sayNoValue: Set<Rule> = [.protoSSL3, .protoTLS1_0, .protoTLS1_1, .ocspNoStapling]

    static let cases = linkCases + connectionCases + protocolCases + certificateCases + httpCases

    @Test(arguments: cases)
    func eachBranchReadsInVietnameseWithItsValues(_ row: VietnameseCase) throws {
        let finding = try #require(row.finding(), "\(row.id) did not fire")
        let text = FindingText.message(finding, language: .vi)
        #expect(!text.isEmpty && text != finding.message, "\(text)")
        #expect(text.range(of: #"\{[A-Za-z_.]+\}"#, options: .regularExpression) == nil, "a placeholder is left: \(text)")
        // The full sentence of its branch, not the generic one of a finding stored without evidence.
        let rule = try #require(finding.rule)
        if !Self.sayNoValue.contains(rule) {
            #expect(text != FindingText.genericVietnamese(rule), "\(text)")
        }
        for key in row.keys {
            let value = try #require(finding.evidence[key], "no evidence \(key): \(finding.evidence)")
            #expect(text.contains(value), "\(key) = \(value) missing from: \(text)")
        }
        for word in row.words { #expect(text.contains(word), "'\(word)' missing from: \(text)") }
        #expect(!text.contains(" the ") && !text.contains("The "), "English left in: \(text)")
        #expect(text.hasSuffix("."), "\(text)")
        // English stays the rule's own message.
        #expect(FindingText.message(finding, language: .en) == finding.message)
    }

    @Test func everyRuleHasACase() {
        #expect(Set(Self.cases.map(\.id)) == Set(Rule.allIDs))
    }

    /// A new rule without Vietnamese words fails here (and `genericVietnamese` has no
    /// `default:`, so it does not compile either).
    @Test(arguments: Rule.allCases)
    func everyRuleHasAVietnameseSentence(_ rule: Rule) {
        let generic = FindingText.genericVietnamese(rule)
        #expect(!generic.isEmpty && generic.hasSuffix("."))
        #expect(!generic.contains("{") && !generic.contains(" the "))
        let others = Rule.allCases.filter { $0 != rule }.map(FindingText.genericVietnamese)
        #expect(!others.contains(generic), "\(rule.id) shares its sentence with another rule")
    }

    /// A finding stored without evidence (or with less than today's) still reads in
    /// Vietnamese: the rule's generic sentence, never the English one, never a blank.
    @Test(arguments: Rule.allCases)
    func aFindingWithoutEvidenceStillReadsInVietnamese(_ rule: Rule) {
        let finding = Finding(id: rule.id, severity: .high, message: "An English message of an older version.")
        let text = FindingText.message(finding, language: .vi)
        #expect(!text.isEmpty && text != finding.message && !text.contains("{"))
        #expect(text == FindingText.genericVietnamese(rule))
    }

    /// Findings of the evidence older versions stored: the sentences they can still make.
    @Test func olderEvidenceFallsBackToWhatItCanSay() {
        // cert.chain_incomplete before `chain.case`: AIA told apart, the other two not.
        let aia = Finding(id: "cert.chain_incomplete", severity: .medium, message: "…", evidence: [
            "chain.missing_issuer": Fixtures.intermediateSubject, "chain.completed_by_aia": "true",
            "chain.aia_ca_issuers": "http://ca.gialai.gov.vn/issuing.cer"])
        #expect(FindingText.message(aia, language: .vi).contains("http://ca.gialai.gov.vn/issuing.cer"))
        let unknown = Finding(id: "cert.chain_incomplete", severity: .medium, message: "…", evidence: [
            "chain.missing_issuer": Fixtures.intermediateSubject, "chain.completed_by_aia": "false"])
        let text = FindingText.message(unknown, language: .vi)
        #expect(text.hasPrefix("Chuỗi chứng thư số không đầy đủ") && text.contains(Fixtures.intermediateSubject), "\(text)")
        // link.unconfigured before `agency.name`; cert.expired before `certificate.days_expired`.
        let unconfigured = Finding(id: "link.unconfigured", severity: .high, message: "…", evidence: ["agency.code": "23575"])
        #expect(FindingText.message(unconfigured, language: .vi).hasPrefix("Cơ quan 23575 chưa có đường truyền"))
        let expired = Finding(id: "cert.expired", severity: .critical, message: "…", evidence: [
            "certificate.not_after": "2026-08-22T14:13:20Z", "certificate.position": "leaf"])
        #expect(FindingText.message(expired, language: .vi) == "Chứng thư số đã hết hạn ngày 2026-08-22.")
        // An off-site redirect stored before `http.plain.redirect_host`: the host from the URL.
        let redirect = Finding(id: "http.no_https_redirect", severity: .medium, message: "…", evidence: [
            "http.plain.port": "80", "http.plain.status": "301", "http.plain.location": "https://quangcao.example.test/x"])
        #expect(FindingText.message(redirect, language: .vi).contains("thuộc máy chủ quangcao.example.test"))
    }

    @Test func anUnknownRuleKeepsItsStoredMessage() {
        let finding = Finding(id: "cert.from_a_newer_version", severity: .low, message: "Something new.", evidence: ["x.y": "z"])
        #expect(FindingText.message(finding, language: .vi) == "Something new.")
    }
}
