import NetauditCore

/// How one TLS endpoint is checked. (The trust stores are loaded once per run and passed
/// beside these settings: see `TrustStores`.)
public struct TLSProbeSettings: Sendable {
    /// Deadline for the whole check of the endpoint (every connection of it).
    public var timeout: Duration
    /// Port of the plain-HTTP check; nil skips it.
    public var httpPort: Int?
    /// Test protocol versions, weak cipher classes and static RSA with hand-built hellos.
    public var checkProtocolsAndCiphers: Bool
    /// Check revocation (stapled OCSP, the AIA's OCSP responders, CRL distribution points)
    /// and complete a chain missing its issuer from the AIA caIssuers URL. The fetches go to
    /// the URLs the certificates name, inside the allow-list.
    public var checkRevocation: Bool

    public init(timeout: Duration = .seconds(10), httpPort: Int? = 80, checkProtocolsAndCiphers: Bool = true,
                checkRevocation: Bool = true) {
        self.timeout = timeout
        self.httpPort = httpPort
        self.checkProtocolsAndCiphers = checkProtocolsAndCiphers
        self.checkRevocation = checkRevocation
    }

    public init(_ defaults: ProbeDefaults) {
        self.init(timeout: defaults.tlsTimeout, httpPort: defaults.httpPort)
    }
}
