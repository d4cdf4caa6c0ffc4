import Foundation
public import NetauditCore

/// The lab for a whole inventory (the demo province): a TLS server on every endpoint's
/// pinned address and port, with a certificate for its host name issued by a lab
/// "Government CA", and plain HTTP on `httpPort` redirecting to it. A scenario decides
/// which endpoints misbehave, so that an audit of the demo has something to find.
public struct LabInventory: Sendable {
    /// What the endpoints do.
    public enum Scenario: String, Sendable, CaseIterable {
        /// Every endpoint good.
        case good
        /// Mostly good; by position in the inventory: every 7th expired, every 11th TLS 1.0
        /// only, every 13th self-signed, every 17th without HSTS, every 19th refused, every
        /// 23rd certificate expiring in 5 days, every 29th without the HTTP redirect, every 31st
        /// revoked (a stapled "revoked" OCSP response); the others staple a "good" one.
        case demo
    }

    /// One endpoint of the inventory, as served.
    public struct Served: Sendable {
        public let agencyCode: String
        public let host: String
        public let address: IPAddress
        public let port: UInt16
        public let behaviour: String
    }

    public let served: [Served]
    /// The Government CA root and intermediate, the anchor the audit needs (`--ca-file`).
    public let governmentBundle: URL
    let server: LabServer
    let folder: URL

    /// Where and how one endpoint is served.
    public struct Placement: Sendable {
        public var agencyCode: String
        public var agencyName: String
        /// The server name of the certificate.
        public var host: String
        public var address: IPAddress
        public var port: UInt16
        /// good, expired, expiring, self-signed, untrusted, tls1_0-only, no-hsts, no-redirect,
        /// revoked, refused or tarpit.
        public var kind: String
        /// The network lab's namespace (`/run/netns/NAME`), nil on loopback.
        public var namespace: String?

        public init(agencyCode: String, agencyName: String, host: String, address: IPAddress, port: UInt16,
                    kind: String, namespace: String? = nil) {
            self.agencyCode = agencyCode
            self.agencyName = agencyName
            self.host = host
            self.address = address
            self.port = port
            self.kind = kind
            self.namespace = namespace
        }
    }

    /// The behaviours a placement may name.
    public static let kinds = ["good", "expired", "expiring", "not-yet-valid", "wrong-host", "self-signed", "untrusted",
                               "sha1-signed", "rsa-1024", "tls1_0-only", "tls1_3-only", "no-hsts", "hsts-short",
                               "no-redirect", "revoked", "refused", "tarpit", "reset", "garbage", "trickle"]

    /// Starts the servers; only endpoints pinned to a loopback address are served.
    public init(inventory: Inventory, scenario: Scenario, httpPort: UInt16 = 80) throws {
        let loopback = IPNetwork("127.0.0.0/8")!
        var placements: [Placement] = []
        for agency in inventory.allAgencies {
            for endpoint in agency.endpoints {
                guard let address = endpoint.address ?? endpoint.url.hostAddress, loopback.contains(address) else { continue }
                let kind = scenario == .good ? "good" : Self.behaviour(at: placements.count + 1)
                placements.append(Placement(agencyCode: agency.code, agencyName: agency.name, host: endpoint.serverName,
                                            address: address, port: UInt16(endpoint.url.port), kind: kind))
            }
        }
        try self.init(placements: placements, httpPort: httpPort)
    }

    /// Starts a server for every placement (TLS, and plain HTTP on `httpPort` of each
    /// address redirecting to it unless 0), each in its namespace if it has one; `additional`
    /// endpoints (the network lab's TCP link ports) are served beside them.
    public init(placements: [Placement], httpPort: UInt16 = 80, additional: [LabEndpoint] = []) throws {
        let root = try LabPKI.selfSigned(.certificateAuthority(commonName: "Government Root CA (netaudit lab)", organization: "netaudit lab"))
        let intermediate = try LabPKI.issue(.certificateAuthority(commonName: "Government Issuing CA (netaudit lab)",
                                                                  organization: "netaudit lab", pathLength: 0), by: root)
        let otherRoot = try LabPKI.selfSigned(.certificateAuthority(commonName: "Self-made root (netaudit lab)"))
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-lab-inventory-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        governmentBundle = folder.appendingPathComponent("government-bundle.pem")
        try Data((root.certificatePEM + intermediate.certificatePEM).utf8).write(to: governmentBundle)

        var endpoints: [LabEndpoint] = []
        var served: [Served] = []
        var redirected: Set<IPAddress> = []
        let now = Date()
        for placement in placements {
            let kind = placement.kind, host = placement.host, address = placement.address
            var spec = LabCertificateSpec(commonName: host, organization: placement.agencyName,
                                          subjectAltNames: [.dns(host), .ip(address)], notBefore: now.addingTimeInterval(-30 * 86_400),
                                          notAfter: now.addingTimeInterval(60 * 86_400), key: .ecdsa(curve: .p256))
            switch kind {
            case "expired": spec.notBefore = now.addingTimeInterval(-120 * 86_400); spec.notAfter = now.addingTimeInterval(-20 * 86_400)
            case "expiring": spec.notAfter = now.addingTimeInterval(5 * 86_400)
            case "not-yet-valid": spec.notBefore = now.addingTimeInterval(10 * 86_400); spec.notAfter = now.addingTimeInterval(100 * 86_400)
            case "wrong-host":
                spec.commonName = "www.other-agency.test"
                spec.subjectAltNames = [.dns("www.other-agency.test")]
            case "sha1-signed": spec.digest = .sha1
            case "rsa-1024": spec.key = .rsa(bits: 1024); spec.keySource = .fresh
            default: break
            }
            let credential = kind == "self-signed" ? try LabPKI.selfSigned(spec)
                : try LabPKI.issue(spec, by: kind == "untrusted" ? otherRoot : intermediate)
            let hsts: [LabHTTPHeader] = kind == "no-hsts" ? [] : [.hsts(maxAge: kind == "hsts-short" ? 86_400 : 63_072_000)]
            var tls = LabTLS(credential: credential, cipherList: LabCatalogue.intermediateCiphers,
                             response: LabHTTPResponse(headers: hsts,
                                                       body: "netaudit lab: \(placement.agencyCode)\n"))
            if kind != "self-signed" && kind != "untrusted" {
                // The Government CA answers for its certificates, as the real one does: the
                // server staples its response (revoked for a key that was compromised).
                tls.ocspResponse = try LabOCSP.response(
                    for: credential, issuer: intermediate,
                    status: kind == "revoked" ? .revoked(at: now.addingTimeInterval(-3 * 86_400)) : .good)
            }
            switch kind {
            case "tls1_0-only":
                tls.versions = .tls1_0 ... .tls1_0
                tls.cipherList = "DEFAULT:@SECLEVEL=0"
                tls.securityLevel = 0
            case "tls1_3-only": tls.versions = .tls1_3 ... .tls1_3
            case "sha1-signed": tls.securityLevel = 0  // OpenSSL refuses to load a SHA-1 signature above it
            case "rsa-1024": tls.securityLevel = 1
            default: break
            }
            let behaviour: LabBehaviour
            switch kind {
            case "refused": behaviour = .refused
            case "tarpit": behaviour = .tarpit
            case "reset": behaviour = .reset
            case "garbage": behaviour = .garbage
            case "trickle": behaviour = .trickle
            default: behaviour = .tls(tls)
            }
            let main = endpoints.count
            endpoints.append(LabEndpoint(address: address, port: placement.port, behaviour: behaviour, namespace: placement.namespace))
            if httpPort != 0, !redirected.contains(address) {
                redirected.insert(address)
                endpoints.append(LabEndpoint(address: address, port: httpPort,
                                             behaviour: kind == "no-redirect" ? .plainHTTP(status: 200, headers: [])
                                                                              : .httpsRedirect(toEndpoint: main, host: host),
                                             namespace: placement.namespace))
            }
            served.append(Served(agencyCode: placement.agencyCode, host: host, address: address, port: placement.port, behaviour: kind))
        }
        server = try LabServer(endpoints + additional)
        self.served = served
    }

    static func behaviour(at index: Int) -> String {
        for (every, kind) in [(19, "refused"), (13, "self-signed"), (11, "tls1_0-only"), (7, "expired"), (23, "expiring"),
                              (17, "no-hsts"), (29, "no-redirect"), (31, "revoked")] where index % every == 0 {
            return kind
        }
        return "good"
    }

    /// Stops every server and removes the trust folder.
    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
