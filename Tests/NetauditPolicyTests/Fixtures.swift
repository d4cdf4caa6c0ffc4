import Foundation
import NetauditCore
@testable import NetauditPolicy

/// Observations built by hand, like the lab's cases: no network.
enum Fixtures {
    static let day: TimeInterval = 86_400
    /// 2026-09-21T14:13:20Z, the time every test judges at.
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static let leafSubject = "CN=portal.gialai.gov.vn,O=Gia Lai People's Committee,C=VN"
    static let intermediateSubject = "CN=netaudit lab intermediate,O=netaudit lab,C=VN"
    static let rootSubject = "CN=netaudit lab root,O=netaudit lab,C=VN"

    /// A 90-day RSA-2048 SHA-256 leaf, 30 days into its life.
    static func leaf(notBefore: Date = now - 30 * day, notAfter: Date = now + 60 * day, keyType: String = "RSA",
                     keyBits: Int = 2048, curve: String? = nil, signature: String = "sha256WithRSAEncryption",
                     selfSigned: Bool = false) -> CertificateObservation {
        CertificateObservation(subject: leafSubject, issuer: selfSigned ? leafSubject : intermediateSubject,
                               serialNumber: "1001", subjectAltNames: ["portal.gialai.gov.vn", "www.gialai.gov.vn"],
                               notBefore: notBefore, notAfter: notAfter, keyType: keyType, keyBits: keyBits, curve: curve,
                               signatureAlgorithm: signature, sha256Fingerprint: String(repeating: "ab", count: 32),
                               isCA: false, selfSigned: selfSigned)
    }

    /// The intermediate that issued the leaf: RSA-2048, SHA-256, valid for years.
    static func intermediate(notBefore: Date = now - 365 * day, notAfter: Date = now + 5 * 365 * day,
                             keyType: String = "RSA", keyBits: Int = 2048,
                             signature: String = "sha256WithRSAEncryption") -> CertificateObservation {
        CertificateObservation(subject: intermediateSubject, issuer: rootSubject, serialNumber: "10",
                               subjectAltNames: [], notBefore: notBefore, notAfter: notAfter, keyType: keyType,
                               keyBits: keyBits, signatureAlgorithm: signature,
                               sha256Fingerprint: String(repeating: "cd", count: 32), isCA: true, selfSigned: false)
    }

    /// A root sent along with the chain (self-signed, SHA-1, long expired: clients ignore it).
    static func sentRoot() -> CertificateObservation {
        CertificateObservation(subject: rootSubject, issuer: rootSubject, serialNumber: "1", subjectAltNames: [],
                               notBefore: now - 7000 * day, notAfter: now - 10 * day, keyType: "RSA", keyBits: 1024,
                               signatureAlgorithm: "sha1WithRSAEncryption",
                               sha256Fingerprint: String(repeating: "ef", count: 32), isCA: true, selfSigned: true)
    }

    static func trusted(anchor: String = rootSubject) -> ChainVerification {
        ChainVerification(trusted: true, code: 0, message: "ok", anchor: anchor,
                          path: [leafSubject, intermediateSubject, anchor])
    }

    static func untrusted(_ problem: ChainVerification.Problem, code: Int = 20,
                          message: String = "unable to get local issuer certificate") -> ChainVerification {
        ChainVerification(trusted: false, problem: problem, code: code, message: message)
    }

    /// The lab's good-rsa, as the probe sees it: TLS 1.3, TLS 1.2 accepted, SSLv3/1.0/1.1
    /// refused, no weak class, static RSA refused, HSTS two years, redirect, OCSP stapled,
    /// publicly trusted 90-day RSA-2048 SHA-256 leaf.
    static func good() -> TLSObservation {
        TLSObservation(
            url: "https://portal.gialai.gov.vn/", serverName: "portal.gialai.gov.vn",
            address: IPAddress(127, 77, 0, 1), port: 443, started: now, duration: 0.05,
            connection: ConnectionOutcome(tcpConnected: true, modernHandshake: true),
            http: HTTPObservation(status: 200, strictTransportSecurity: "max-age=63072000; includeSubDomains"),
            session: TLSSessionObservation(protocolVersion: .tls1_3, cipher: "TLS_AES_256_GCM_SHA384",
                                           cipherOpenSSLName: "TLS_AES_256_GCM_SHA384", cipherCode: 0x1302,
                                           keyExchange: "x25519", ocspStapled: true),
            certificates: [leaf(), intermediate()],
            trust: TrustObservation(publicTrust: trusted(), governmentTrust: untrusted(.untrustedRoot), hostnameMatches: true),
            protocols: [
                ProtocolAcceptance(version: .ssl3, accepted: false, detail: "alert handshake_failure"),
                ProtocolAcceptance(version: .tls1_0, accepted: false, detail: "alert protocol_version"),
                ProtocolAcceptance(version: .tls1_1, accepted: false, detail: "alert protocol_version"),
                ProtocolAcceptance(version: .tls1_2, accepted: true, detail: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                ProtocolAcceptance(version: .tls1_3, accepted: true, detail: "negotiated by the HTTPS request"),
            ],
            weakCiphers: ["null", "anonymous", "export", "des", "triple_des", "rc4"].map {
                CipherClassAcceptance(name: $0, accepted: false, detail: "alert handshake_failure", testedWith: .tls1_2)
            },
            staticRSA: CipherClassAcceptance(name: "static_rsa", accepted: false, detail: "alert handshake_failure",
                                             testedWith: .tls1_2),
            plainHTTP: PlainHTTPObservation(port: 80, answered: true, status: 301,
                                            location: "https://portal.gialai.gov.vn/"))
    }

    /// `good()` changed by `change`.
    static func good(_ change: (inout TLSObservation) -> Void) -> TLSObservation {
        var observation = good()
        change(&observation)
        return observation
    }

    /// Sets one protocol's answer.
    static func setProtocol(_ observation: inout TLSObservation, _ version: TLSProtocolVersion, _ accepted: Bool?,
                            detail: String = "TLS_RSA_WITH_AES_128_CBC_SHA") {
        observation.protocols.removeAll { $0.version == version }
        observation.protocols.append(ProtocolAcceptance(version: version, accepted: accepted, detail: detail))
    }

    /// An observation of a server that never answered: only the connection outcome.
    static func unreachable(_ failure: ConnectionOutcome.Failure, tcpConnected: Bool = false) -> TLSObservation {
        TLSObservation(url: "https://portal.gialai.gov.vn/", serverName: "portal.gialai.gov.vn",
                       address: IPAddress(127, 77, 0, 9), port: 443, started: now,
                       connection: ConnectionOutcome(tcpConnected: tcpConnected, modernHandshake: false, failure: failure,
                                                     message: "Connection refused"))
    }

    // MARK: Links

    static func agency(link: Link? = Link(address: IPAddress(127, 64, 0, 1), via: "64")) -> Agency {
        Agency(code: "23575", name: "Xã Ia Hrú", level: "commune", link: link)
    }

    static func linkObservation(sent: Int = 10, received: Int = 10, rtts: [Double]? = nil,
                                problem: String? = nil) -> LinkObservation {
        LinkObservation(address: IPAddress(127, 64, 0, 1), method: .icmp, transport: .icmpRaw, sent: sent,
                        received: received,
                        roundTrip: RoundTripStatistics(milliseconds: rtts ?? Array(repeating: 12, count: received)),
                        started: now, duration: 9, problem: problem)
    }
}
