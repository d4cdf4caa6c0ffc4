import Foundation
import NetauditCore
import NetauditStore

/// A small province for the daemon's tests: a province with two communes, one of them
/// behind the other's network node (`via`), each with a link; the province has an endpoint.
enum Fixtures {
    static let inventory = Inventory(
        title: "Tỉnh Thử", levels: ["province", "commune"], targets: ["commune": 100],
        agencies: [
            Agency(code: "52", name: "Tỉnh Gia Lai", level: "province",
                   link: Link(address: IPAddress(127, 0, 0, 52), method: .tcp(port: 9)),
                   endpoints: [Endpoint(url: try! EndpointURL.parse("https://gialai.test/").get())],
                   children: [
                       Agency(code: "21583", name: "Xã Ia Ka", level: "commune", link: Link(address: IPAddress(127, 0, 1, 1))),
                       Agency(code: "21584", name: "Xã Ia Grai", level: "commune",
                              link: Link(address: IPAddress(127, 0, 1, 2), via: "21583")),
                   ]),
        ])

    /// Three levels of via nodes: the province's node (64), a department and two districts
    /// behind it, three communes behind district 625. One name holds what the text format
    /// escapes (a quote, a backslash, a line feed).
    static let chain = Inventory(
        title: "Gia Lai", levels: ["province", "district", "commune"], targets: [:],
        agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: Link(address: IPAddress(127, 2, 0, 64)), children: [
                Agency(code: "SNV", name: "Sở Nội vụ", level: "province", kind: .department,
                       link: Link(address: IPAddress(127, 128, 0, 2), via: "64")),
                Agency(code: "625", name: "Huyện KBang", level: "district", link: Link(address: IPAddress(127, 4, 2, 113), via: "64"), children: [
                    Agency(code: "23638", name: "Thị trấn KBang", level: "commune", link: Link(address: IPAddress(127, 6, 92, 86), via: "625")),
                    Agency(code: "23641", name: "Xã Kon Pne", level: "commune", link: Link(address: IPAddress(127, 6, 92, 89), via: "625")),
                    Agency(code: "23644", name: "Xã \"Đăk\" Roong \\ mới\nbản 2", level: "commune",
                           link: Link(address: IPAddress(127, 6, 92, 92), via: "625")),
                ]),
                Agency(code: "622", name: "Huyện Chư Păh", level: "district", link: Link(address: IPAddress(127, 4, 2, 110), via: "64")),
            ]),
        ])

    static func link(_ code: String, up: Bool, loss: Double = 0) -> LinkResult {
        let sent = 5, received = up ? Int((Double(sent) * (1 - loss)).rounded()) : 0
        let observation = LinkObservation(address: IPAddress(127, 0, 1, 1), method: .icmp, sent: sent, received: received,
                                          roundTrip: up ? RoundTripStatistics(milliseconds: [1.5, 2.5, 2.0]) : nil)
        return LinkResult(agencyCode: code, observation: observation, state: up ? .up : .down,
                          findings: up ? [] : [Finding(id: "link.down", severity: .critical, message: "no reply")])
    }

    static func endpoint(_ code: String, compliant: Bool, expiresIn days: Double, now: Date = Date()) -> EndpointResult {
        let certificate = CertificateObservation(
            subject: "CN=gialai.test", issuer: "CN=Lab CA", serialNumber: "01", subjectAltNames: ["gialai.test"],
            notBefore: now.addingTimeInterval(-86_400 * 30), notAfter: now.addingTimeInterval(86_400 * days),
            keyType: "EC", keyBits: 256, signatureAlgorithm: "ecdsa-with-SHA256", sha256Fingerprint: "AA", isCA: false, selfSigned: false)
        let observation = TLSObservation(url: "https://gialai.test/", serverName: "gialai.test", port: 443,
                                         connection: ConnectionOutcome(tcpConnected: true, modernHandshake: true),
                                         session: TLSSessionObservation(protocolVersion: .tls1_3, cipher: "TLS_AES_128_GCM_SHA256"),
                                         certificates: [certificate])
        let findings = compliant ? [] : [Finding(id: "proto.tls1_0", severity: .high, message: "accepts TLS 1.0")]
        return EndpointResult(agencyCode: code, observation: observation, verdict: compliant ? .compliant : .noncompliant, findings: findings)
    }

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-daemon-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
