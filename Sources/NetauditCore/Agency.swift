/// A state agency: an administrative unit's People's Committee (GSO code) or a
/// specialised agency such as a provincial department (the operator's own id), with its
/// link to the dedicated network, its TLS endpoints and the agencies below it.
public struct Agency: Sendable, Hashable, Codable {
    /// What kind of agency this is; reports count departments beside the units of a level.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The People's Committee of an administrative unit, identified by its GSO code.
        case unit
        /// A specialised agency (Sở, Ban, Phòng…) identified by the operator's own id.
        case department
    }

    public var code: String
    /// The name in Unicode NFC, exactly as the inventory spells it.
    public var name: String
    /// One of the inventory's level names.
    public var level: String
    public var kind: Kind
    /// The link to the dedicated network; nil counts as "not connected".
    public var link: Link?
    public var endpoints: [Endpoint]
    public var children: [Agency]
    /// Where the agency was declared.
    public var location: SourceLocation?

    public init(code: String, name: String, level: String, kind: Kind = .unit, link: Link? = nil,
                endpoints: [Endpoint] = [], children: [Agency] = [], location: SourceLocation? = nil) {
        self.code = code
        self.name = name
        self.level = level
        self.kind = kind
        self.link = link
        self.endpoints = endpoints
        self.children = children
        self.location = location
    }

    /// This agency and every agency below it, depth first, parents before children.
    public var subtree: [Agency] {
        var result: [Agency] = []
        func visit(_ agency: Agency) {
            result.append(agency)
            agency.children.forEach(visit)
        }
        visit(self)
        return result
    }
}

/// An agency's link to the dedicated network of Party and State agencies.
public struct Link: Sendable, Hashable, Codable {
    /// How the link is probed; in JSON `"icmp"` or `"tcp:PORT"`.
    public enum Method: Sendable, Hashable, Codable, CustomStringConvertible {
        /// ICMP echo series.
        case icmp
        /// TCP connect to a port, for links where ICMP is filtered.
        case tcp(port: Int)

        public var description: String {
            switch self {
            case .icmp: return "icmp"
            case .tcp(let port): return "tcp:\(port)"
            }
        }

        /// Reads `icmp` or `tcp:PORT`.
        public init?(text: String) {
            if text == "icmp" { self = .icmp; return }
            guard text.hasPrefix("tcp:"), let port = Int(text.dropFirst(4)), (1...65535).contains(port) else { return nil }
            self = .tcp(port: port)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let method = Method(text: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a link method: \(text)")
            }
            self = method
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    /// The gateway address probed.
    public var address: IPAddress
    public var method: Method
    /// The code of the agency whose network node this link depends on.
    public var via: String?
    public var location: SourceLocation?

    public init(address: IPAddress, method: Method = .icmp, via: String? = nil, location: SourceLocation? = nil) {
        self.address = address
        self.method = method
        self.via = via
        self.location = location
    }
}

/// A TLS endpoint of an agency (its portal, its document-management system…).
public struct Endpoint: Sendable, Hashable, Codable {
    public var url: EndpointURL
    /// Connect here instead of resolving the host, like curl's `--resolve`.
    public var address: IPAddress?
    /// The server name to send in the TLS handshake, when it differs from the URL's host.
    public var sni: String?
    public var location: SourceLocation?

    public init(url: EndpointURL, address: IPAddress? = nil, sni: String? = nil, location: SourceLocation? = nil) {
        self.url = url
        self.address = address
        self.sni = sni
        self.location = location
    }

    /// The name the certificate must match: the SNI override, else the URL's host.
    public var serverName: String { sni ?? url.host }
}
