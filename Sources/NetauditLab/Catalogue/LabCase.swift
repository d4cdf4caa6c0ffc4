public import Foundation
public import NetauditCore

/// One standard lab case: a host name, a loopback address of its own, what serves its main
/// port, an optional companion port on the same address, and a line saying what it models.
///
/// The ``id`` is a contract: tests, the demo and reports name cases by it, so ids never change
/// meaning. The host name is `<id>.lab.test` (the `.test` TLD never resolves, RFC 6761 §6.2:
/// clients map it to ``address`` themselves, e.g. with curl's `--resolve`).
public struct LabCase: Sendable, Hashable, Identifiable {
    /// The stable id, e.g. `good-rsa`.
    public let id: String
    /// The address of this case alone (127.77.0.N); every port of the case is on it.
    public let address: IPAddress
    /// The main port asked for; 0: chosen when the lab starts (see ``RunningLab/endpoint(for:)``).
    public let port: UInt16
    /// What serves the main port.
    public let service: LabCaseService
    /// A second port on the same address, if the case has one.
    public let companion: LabCaseCompanion?
    /// What the case models, in one line.
    public let description: String

    public init(
        id: String, address: IPAddress, port: UInt16 = 0, service: LabCaseService, companion: LabCaseCompanion? = nil,
        description: String
    ) {
        self.id = id
        self.address = address
        self.port = port
        self.service = service
        self.companion = companion
        self.description = description
    }

    /// `<id>.lab.test`.
    public var hostName: String { LabCase.hostName(for: id) }

    /// `<id>.lab.test`, with '_' written '-': a host name has no underscore (RFC 1123), and
    /// netaudit refuses one in an endpoint URL (`tls1_0-only` is `tls1-0-only.lab.test`).
    public static func hostName(for id: String) -> String {
        id.replacingOccurrences(of: "_", with: "-") + ".lab.test"
    }

    /// The URL scheme of the main port: `http` for the plain HTTP cases, `https` for the rest
    /// (the misbehaving ports stand where an HTTPS server should be).
    public var scheme: String {
        switch service {
        case .server(.plainHTTP), .server(.httpsRedirect), .server(.pkiRepository), .redirectToCompanion, .pkiRepository: return "http"
        default: return "https"
        }
    }

    /// The scheme of the companion port, if any.
    public var companionScheme: String? {
        switch companion {
        case .httpsRedirect: return "http"
        case .tls: return "https"
        case nil: return nil
        }
    }
}

/// What serves a case's main port.
public enum LabCaseService: Sendable, Hashable {
    /// An endpoint of the lab's ``LabServer``.
    case server(LabBehaviour)
    /// Plain HTTP answering `301` with `Location: https://<host>:<companion port>/`: the HTTP
    /// side of a site whose HTTPS side is the companion.
    case redirectToCompanion
    /// A ``LabLighttpd`` process (for what OpenSSL 3 cannot serve, such as 3DES).
    case lighttpd(LabLighttpd.Configuration)
    /// A TLS server whose leaf names the lab's PKI repository (its OCSP responder, CRL or CA
    /// certificate URLs), issued when the lab starts, once the repository's port is known.
    case repositoryTLS(LabRepositoryLeaf)
    /// The lab's PKI repository (plain HTTP; see ``LabPKIRepository``), started with any
    /// case whose leaf names it.
    case pkiRepository
}

/// A leaf that names the lab's PKI repository, and how it is served. The lab issues it at
/// start from ``spec`` plus the URLs (which carry the port the repository was bound to),
/// records ``status`` in the repository (its OCSP responder and the CRL of ``issuer``), and
/// serves it as ``tls`` says, with the new leaf in place of ``tls``'s credential (a stand-in
/// made from ``spec`` without URLs when the catalogue was built).
public struct LabRepositoryLeaf: Sendable, Hashable {
    /// Where the leaf's authorityInfoAccess sends OCSP clients.
    public enum OCSPLink: Sendable, Hashable {
        /// `http://ADDRESS:PORT/ocsp`: the repository's responder.
        case repository
        /// `http://ADDRESS:PORT/ocsp` on the repository's address and a port that is bound but
        /// never listens, held while the lab runs: every connection is refused.
        case down
    }

    /// The leaf, without the URLs.
    public var spec: LabCertificateSpec
    /// The CA that issues it (a CA the repository publishes: the lab or government intermediate).
    public var issuer: LabCredential
    /// The id-ad-ocsp URL, if any.
    public var ocsp: OCSPLink?
    /// An id-ad-caIssuers URL to the issuer's certificate in the repository.
    public var caIssuers: Bool
    /// A cRLDistributionPoints URL to the issuer's CRL in the repository.
    public var crl: Bool
    /// What the repository says of the leaf (OCSP; a revoked leaf is also on the CRL).
    public var status: LabOCSP.Status
    /// How the leaf is served.
    public var tls: LabTLS

    public init(
        spec: LabCertificateSpec, issuer: LabCredential, ocsp: OCSPLink? = nil, caIssuers: Bool = false, crl: Bool = false,
        status: LabOCSP.Status = .good, tls: LabTLS
    ) {
        self.spec = spec
        self.issuer = issuer
        self.ocsp = ocsp
        self.caIssuers = caIssuers
        self.crl = crl
        self.status = status
        self.tls = tls
    }
}

/// A case's second port, on the same address.
public enum LabCaseCompanion: Sendable, Hashable {
    /// Plain HTTP answering `301` with `Location: https://<host>:<main port>/`.
    case httpsRedirect
    /// A TLS port: the HTTPS side of a plain HTTP case.
    case tls(LabTLS)
}

/// Where one port of a started case listens.
public struct LabCaseEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The case's host name.
    public let hostName: String
    public let address: IPAddress
    public let port: UInt16
    /// `https` or `http`.
    public let scheme: String

    public init(hostName: String, address: IPAddress, port: UInt16, scheme: String) {
        self.hostName = hostName
        self.address = address
        self.port = port
        self.scheme = scheme
    }

    /// `address:port` (IPv6 in brackets): the form `openssl s_client -connect` takes.
    public var description: String { (address.isIPv6 ? "[\(address)]" : "\(address)") + ":\(port)" }

    /// `scheme://host:port/` with the case's host name.
    public var url: URL { URL(string: "\(scheme)://\(hostName):\(port)/")! }

    /// `host:port:address`, the form of curl's `--resolve` and CURLOPT_RESOLVE.
    public var resolveEntry: String { "\(hostName):\(port):\(address)" }
}
