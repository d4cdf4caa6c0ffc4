import NetauditCore

/// How one TLS endpoint is checked.
public struct TLSProbeSettings: Sendable {
    /// Deadline for the whole check of the endpoint (every connection of it).
    public var timeout: Duration
    /// Port of the plain-HTTP check; nil skips it.
    public var httpPort: Int?
    /// Extra trust anchors (PEM files): the government trust store. Certificates in them
    /// that are not self-signed serve as known intermediates.
    public var governmentAnchors: [String]
    /// The public trust store: Debian's bundle by default.
    public var publicBundle: String
    /// Test protocol versions, weak cipher classes and static RSA with hand-built hellos.
    public var checkProtocolsAndCiphers: Bool

    public init(timeout: Duration = .seconds(10), httpPort: Int? = 80, governmentAnchors: [String] = [],
                publicBundle: String = "/etc/ssl/certs/ca-certificates.crt", checkProtocolsAndCiphers: Bool = true) {
        self.timeout = timeout
        self.httpPort = httpPort
        self.governmentAnchors = governmentAnchors
        self.publicBundle = publicBundle
        self.checkProtocolsAndCiphers = checkProtocolsAndCiphers
    }

    public init(_ defaults: ProbeDefaults, governmentAnchors: [String] = []) {
        self.init(timeout: defaults.tlsTimeout, httpPort: defaults.httpPort, governmentAnchors: governmentAnchors)
    }
}
