import Foundation
public import NetauditCore

/// One port a ``LabServer`` serves: a loopback address, a port (0: the kernel picks a free one,
/// which ``LabServer/endpoints`` reports) and what the server does with each connection.
public struct LabEndpoint: Sendable, Hashable {
    /// Where to listen: an address of 127.0.0.0/8 or ::1. Anything else is refused
    /// (``LabServerError/Reason/forbiddenAddress``): the lab never listens beyond the machine.
    public var address: IPAddress
    /// The TCP port; 0 lets the kernel choose.
    public var port: UInt16
    /// What the server does on this port.
    public var behaviour: LabBehaviour
    /// The network lab's namespace to listen in (`/run/netns/NAME`), nil for the process's
    /// own. In a namespace the address must be one of the network lab's (198.18.0.0/15).
    public var namespace: String?

    public init(address: IPAddress, port: UInt16 = 0, behaviour: LabBehaviour, namespace: String? = nil) {
        self.address = address
        self.port = port
        self.behaviour = behaviour
        self.namespace = namespace
    }

    /// 0.0.0.0: one listener for every address of 127.0.0.0/8 at once (a national benchmark
    /// serves 10,810 endpoints without a descriptor each). Bound only in a network namespace
    /// whose only interface is lo (``LabNamespace/hasOnlyLoopback()``), where it reaches
    /// nothing beyond loopback either.
    public static let wildcard = IPAddress(0, 0, 0, 0)
}

/// The network namespace the lab runs in.
public enum LabNamespace {
    /// Whether lo is the namespace's only network interface (as after `unshare -n`):
    /// /proc/self/net/dev lists the interfaces of the caller's namespace (/sys/class/net
    /// would show those of the namespace sysfs was mounted in).
    public static func hasOnlyLoopback() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/net/dev", encoding: .utf8) else { return false }
        let names = text.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
        return names == ["lo"]
    }
}

/// A ``LabEndpoint`` once its socket is bound: the port is the one in use.
public struct LabBoundEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The endpoint as asked for (its `port` may be 0).
    public let endpoint: LabEndpoint
    /// The port the socket is bound to.
    public let port: UInt16

    public var address: IPAddress { endpoint.address }
    public var behaviour: LabBehaviour { endpoint.behaviour }

    /// The address as a URL host: IPv6 in brackets (RFC 3986 §3.2.2).
    public var urlHost: String { address.isIPv6 ? "[\(address)]" : "\(address)" }

    /// `address:port`, IPv6 in brackets: the form `openssl s_client -connect` takes.
    public var description: String { "\(urlHost):\(port)" }

    public init(endpoint: LabEndpoint, port: UInt16) {
        self.endpoint = endpoint
        self.port = port
    }
}

/// What a lab port does with a connection: each case models one way a real server behaves
/// (or misbehaves) that the audit has to classify.
public enum LabBehaviour: Sendable, Hashable {
    /// A TLS server (OpenSSL) with the given certificate, protocols and ciphers, answering
    /// one HTTP request after the handshake.
    case tls(LabTLS)
    /// Plain HTTP: reads the request head and answers with `status`, `headers`,
    /// `Content-Length`, `Connection: close` and a one-line body, then closes.
    case plainHTTP(status: Int, headers: [LabHTTPHeader])
    /// Plain HTTP answering `301 Moved Permanently` with
    /// `Location: https://host:PORT/`, where PORT is the port bound for the server's endpoint
    /// number `toEndpoint` (an index into the list the server was given): the HTTP side of a
    /// site whose HTTPS port is only known once bound.
    case httpsRedirect(toEndpoint: Int, host: String)
    /// An old server written by hand: reads the first record (a ClientHello) and answers
    /// with a ServerHello for the suites and versions it has, or a fatal alert; see
    /// ``LabCraftedHello``. It never finishes a handshake.
    case craftedHello(LabCraftedHello)
    /// Accepts and never sends a byte; reads and discards what arrives; holds the
    /// connection until the client closes or the server stops.
    case tarpit
    /// Accepts, sends a short non-TLS answer (an HTTP/1.1 400 text, as a plain HTTP server
    /// on a TLS port would), closes its side and drains the client's bytes.
    case garbage
    /// Accepts, sends 4 KiB of random bytes (from a fixed seed) where a ServerHello should
    /// be, closes its side and drains the client's bytes.
    case noise
    /// Accepts and at once resets the connection (SO_LINGER 0, then close: an RST).
    case reset
    /// Accepts, then sends one byte every ``LabServerOptions/trickleInterval`` of a TLS
    /// record (a handshake record announcing 16 384 bytes) that never completes, until the
    /// client closes or the server stops.
    case trickle
    /// Binds the port but never listens: every connection is refused (an RST to the SYN),
    /// and the port stays reserved, so nothing else takes it while the server runs.
    case refused
    /// A CA's publication point over plain HTTP: OCSP, CRLs and CA certificates (see
    /// ``LabPKIRepository``), one request per connection.
    case pkiRepository(LabPKIRepository)
}

/// A protocol version as records and hellos carry it (RFC 5246 §6.2.1, §E.1; RFC 8446 §4.1.2).
public enum LabTLSVersion: UInt16, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case ssl3 = 0x0300
    case tls1_0 = 0x0301
    case tls1_1 = 0x0302
    case tls1_2 = 0x0303
    case tls1_3 = 0x0304

    public static func < (left: LabTLSVersion, right: LabTLSVersion) -> Bool { left.rawValue < right.rawValue }

    /// The name `openssl s_client` prints after "Protocol  :" (`TLSv1`, `TLSv1.2`, `SSLv3`).
    public var description: String {
        switch self {
        case .ssl3: return "SSLv3"
        case .tls1_0: return "TLSv1"
        case .tls1_1: return "TLSv1.1"
        case .tls1_2: return "TLSv1.2"
        case .tls1_3: return "TLSv1.3"
        }
    }
}

/// How a ``LabBehaviour/tls(_:)`` port serves TLS. The defaults make a good modern server:
/// the full chain, TLS 1.2 and 1.3, OpenSSL's (Debian's) default ciphers and security level.
///
/// Debian's OpenSSL 3 runs at security level 2, which refuses to *load* weak material, so
/// weak cases must lower ``securityLevel``: a certificate signed with SHA-1 or MD5 needs
/// level 0, an RSA-1024 key level 1 or less, TLS 1.0 and 1.1 level 0 (plus ``versions``).
/// A static-RSA-only server lists only `kRSA` suites in ``cipherList`` and stops at TLS 1.2
/// (TLS 1.3 has forward secrecy whatever the configuration).
public struct LabTLS: Sendable, Hashable {
    /// The certificate and key served.
    public var credential: LabCredential
    /// Whether the intermediates of ``credential`` follow the leaf in the Certificate message;
    /// false serves the leaf alone (an incomplete chain). Roots are never sent.
    public var sendIntermediates: Bool
    /// The protocol versions accepted (TLS 1.0 to 1.3: OpenSSL 3 has no SSLv3).
    public var versions: ClosedRange<LabTLSVersion>
    /// An OpenSSL cipher list for TLS 1.2 and below (ciphers(1) syntax, e.g.
    /// `AES128-SHA:AES256-SHA`); nil keeps the default.
    public var cipherList: String?
    /// The TLS 1.3 ciphersuites (`TLS_AES_128_GCM_SHA256:…`); nil keeps the default.
    public var cipherSuites: String?
    /// OpenSSL's security level (SSL_CTX_set_security_level(3)); nil keeps the default (2 on Debian).
    public var securityLevel: Int?
    /// The HTTP answer to the request that follows the handshake.
    public var response: LabHTTPResponse
    /// A DER-encoded OCSPResponse to staple when a client asks for one (status_request);
    /// see ``LabOCSP/response(for:issuer:status:validity:signer:)``. nil staples nothing.
    public var ocspResponse: Data?
    /// Copies of the first intermediate sent again after the chain: a server whose chain
    /// file is bloated (1,200 copies of an RSA-2048 intermediate make a megabyte).
    public var chainPadding: Int
    /// PEM Diffie-Hellman parameters ("BEGIN DH PARAMETERS") for the DHE suites of
    /// ``cipherList`` (SSL_CTX_set0_tmp_dh_pkey(3)); nil leaves OpenSSL's automatic choice,
    /// a group as strong as the certificate's key. Groups under 2048 bits need a
    /// ``securityLevel`` of 1 or less.
    public var dhParameters: String?

    public init(
        credential: LabCredential,
        sendIntermediates: Bool = true,
        versions: ClosedRange<LabTLSVersion> = .tls1_2 ... .tls1_3,
        cipherList: String? = nil,
        cipherSuites: String? = nil,
        securityLevel: Int? = nil,
        response: LabHTTPResponse = LabHTTPResponse(),
        ocspResponse: Data? = nil,
        chainPadding: Int = 0,
        dhParameters: String? = nil
    ) {
        self.credential = credential
        self.sendIntermediates = sendIntermediates
        self.versions = versions
        self.cipherList = cipherList
        self.cipherSuites = cipherSuites
        self.securityLevel = securityLevel
        self.response = response
        self.ocspResponse = ocspResponse
        self.chainPadding = chainPadding
        self.dhParameters = dhParameters
    }
}

/// One HTTP header line, sent as `name: value`.
public struct LabHTTPHeader: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }

    /// `Strict-Transport-Security: max-age=N[; includeSubDomains]` (RFC 6797 §6.1).
    public static func hsts(maxAge: Int, includeSubDomains: Bool = false) -> LabHTTPHeader {
        LabHTTPHeader("Strict-Transport-Security", "max-age=\(maxAge)" + (includeSubDomains ? "; includeSubDomains" : ""))
    }

    /// `Location: url`.
    public static func location(_ url: String) -> LabHTTPHeader { LabHTTPHeader("Location", url) }
}

/// The HTTP/1.1 answer of a lab port: a status line, the headers, `Content-Length`,
/// `Connection: close`, and a short body (left out for HEAD requests).
public struct LabHTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [LabHTTPHeader]
    public var body: String

    /// A response; the body defaults to one line, `<status> <reason>`.
    public init(status: Int = 200, headers: [LabHTTPHeader] = [], body: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body ?? "\(status) \(LabHTTPResponse.reason(for: status))\n"
    }

    /// The standard reason phrase of `status` (RFC 9110 §15), or "Status" for others.
    public static func reason(for status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    /// The response as sent: `withBody` false for HEAD.
    func bytes(withBody: Bool) -> [UInt8] {
        let body = Array(self.body.utf8)
        var head = "HTTP/1.1 \(status) \(LabHTTPResponse.reason(for: status))\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (withBody ? body : [])
    }
}
