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
        case .server(.plainHTTP), .server(.httpsRedirect), .redirectToCompanion: return "http"
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
