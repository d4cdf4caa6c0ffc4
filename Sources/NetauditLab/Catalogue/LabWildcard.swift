import Foundation
public import NetauditCore

/// The lab of a national benchmark: one TLS listener and one plain-HTTP listener serve every
/// endpoint of an imported inventory (`https://CODE.DOMAIN/` pinned to 127.x.y.z), so that
/// 10,810 endpoints need two descriptors, not 10,810. The certificate names `*.DOMAIN`,
/// issued by a lab Government CA (the audit is given the bundle, `--ca-file`), with a
/// stapled "good" OCSP response and HSTS, as the demo's good endpoints; plain HTTP
/// redirects to `https://www.DOMAIN/`, a host the certificate names. With `tarpitEvery`,
/// one address in N holds its connections without answering (``LabServerOptions/tarpitEvery``).
public struct LabWildcard: Sendable {
    /// The Government CA root and intermediate, the anchor the audit needs (`--ca-file`).
    public let governmentBundle: URL
    /// The two listeners, TLS first.
    public var endpoints: [LabBoundEndpoint] { server.endpoints }
    public let server: LabServer
    let folder: URL

    /// Starts the listeners on `address` (0.0.0.0: only in a namespace whose only
    /// interface is lo; a test gives a loopback address).
    public init(domain: String, address: IPAddress = LabEndpoint.wildcard, tlsPort: UInt16 = 443, httpPort: UInt16 = 80,
                tarpitEvery: Int = 0) throws {
        let root = try LabPKI.selfSigned(.certificateAuthority(commonName: "Government Root CA (netaudit lab)", organization: "netaudit lab"))
        let intermediate = try LabPKI.issue(.certificateAuthority(commonName: "Government Issuing CA (netaudit lab)",
                                                                  organization: "netaudit lab", pathLength: 0), by: root)
        let now = Date()
        let leaf = try LabPKI.issue(LabCertificateSpec(commonName: "*.\(domain)", organization: "netaudit lab",
                                                       subjectAltNames: [.dns("*.\(domain)"), .dns(domain)],
                                                       notBefore: now.addingTimeInterval(-30 * 86_400),
                                                       notAfter: now.addingTimeInterval(60 * 86_400), key: .ecdsa(curve: .p256)),
                                    by: intermediate)
        var tls = LabTLS(credential: leaf, cipherList: LabCatalogue.intermediateCiphers,
                         response: LabHTTPResponse(headers: [.hsts(maxAge: 63_072_000)], body: "netaudit lab\n"))
        tls.ocspResponse = try LabOCSP.response(for: leaf, issuer: intermediate, status: .good)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-lab-wildcard-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        governmentBundle = folder.appendingPathComponent("government-bundle.pem")
        try Data((root.certificatePEM + intermediate.certificatePEM).utf8).write(to: governmentBundle)
        do {
            server = try LabServer([
                LabEndpoint(address: address, port: tlsPort, behaviour: .tls(tls)),
                LabEndpoint(address: address, port: httpPort, behaviour: .plainHTTP(status: 301, headers: [.location("https://www.\(domain)/")])),
            ], options: LabServerOptions(tarpitEvery: tarpitEvery))
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Stops both listeners and removes the trust folder.
    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
