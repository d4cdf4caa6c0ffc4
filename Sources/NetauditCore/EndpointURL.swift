/// An `https://host[:port][/path]` URL, parsed strictly and without Foundation's lenient
/// URL parser, so that an inventory typo is reported instead of guessed at.
public struct EndpointURL: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The host as written: a DNS name (lower-cased), an IPv4 address or an IPv6 address
    /// (without brackets).
    public let host: String
    public let port: Int
    /// The path and query, at least `/`.
    public let path: String
    /// The host when it is an IP literal.
    public let hostAddress: IPAddress?

    /// Why a text is not an endpoint URL; `description` completes "invalid endpoint url '…': ".
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case scheme
        case missingHost
        case userInfo
        case badHost(String)
        case badPort(String)
        case whitespace
        case unbracketedIPv6(String)

        public var description: String {
            switch self {
            case .scheme: return "the scheme must be https://"
            case .missingHost: return "it has no host"
            case .userInfo: return "user names and passwords do not belong in an inventory"
            case .badHost(let host): return "\(QuotedInput.quote(host)) is not a valid host name or IP address"
            case .badPort(let port): return "\(QuotedInput.quote(port)) is not a port between 1 and 65535"
            case .whitespace: return "it contains white space or control characters"
            case .unbracketedIPv6(let address): return "write an IPv6 address in brackets: https://[\(address)]/"
            }
        }
    }

    public static func parse(_ text: String) -> Result<EndpointURL, Problem> {
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { return .failure(.whitespace) }
        let prefix = "https://"
        guard text.lowercased().hasPrefix(prefix) else { return .failure(.scheme) }
        let rest = text.dropFirst(prefix.count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.isEmpty else { return .failure(.missingHost) }
        guard !authority.contains("@") else { return .failure(.userInfo) }

        var hostText: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.badHost(String(authority))) }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return .failure(.badHost(String(authority))) }
                portText = after.dropFirst()
            }
            guard let address = IPAddress(String(hostText)), address.isIPv6 else {
                return .failure(.badHost(String(hostText)))
            }
        } else if authority.filter({ $0 == ":" }).count > 1, IPAddress(String(authority))?.isIPv6 == true {
            return .failure(.unbracketedIPv6(String(authority)))
        } else if let colon = authority.firstIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostText = authority
        }
        guard !hostText.isEmpty else { return .failure(.missingHost) }

        var port = 443
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value) else {
                return .failure(.badPort(String(portText)))
            }
            port = value
        }

        let host = String(hostText).lowercased()
        if let address = IPAddress(host) {
            return .success(EndpointURL(host: address.description, port: port, path: path, hostAddress: address))
        }
        if host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return .failure(.badHost(String(hostText)))  // a malformed IPv4 literal, not a name
        }
        guard isValidHostName(host) else { return .failure(.badHost(String(hostText))) }
        return .success(EndpointURL(host: host, port: port, path: path, hostAddress: nil))
    }

    /// RFC 1123 host name: labels of letters, digits and inner hyphens, 1–63 characters
    /// each, 253 in all; a final dot is allowed.
    public static func isValidHostName(_ name: String) -> Bool {
        var name = Substring(name)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count)
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                && label.first != "-" && label.last != "-"
        }
    }

    /// The canonical text: `https://host[:port]/path`, the port only when not 443.
    public var description: String {
        let hostPart = hostAddress?.isIPv6 == true ? "[\(host)]" : host
        let portPart = port == 443 ? "" : ":\(port)"
        return "https://\(hostPart)\(portPart)\(path)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch EndpointURL.parse(text) {
        case .success(let url): self = url
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private init(host: String, port: Int, path: String, hostAddress: IPAddress?) {
        self.host = host
        self.port = port
        self.path = path
        self.hostAddress = hostAddress
    }
}
