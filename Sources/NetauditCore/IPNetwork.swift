/// A network in CIDR notation (`127.0.0.0/8`, `::1/128`): the allow-list of targets that
/// netaudit may send traffic to. A bare address stands for a single host.
public struct IPNetwork: Sendable, Hashable, Codable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// The loopback networks, netaudit's default allow-list (DESIGN.md's safety rule).
    public static let loopback: [IPNetwork] = [
        IPNetwork("127.0.0.0/8")!,
        IPNetwork("::1/128")!,
    ]

    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address. The address must be the network's
    /// first address (`127.0.0.1/8` is refused): a typo in an allow-list must not widen it silently.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.isIPv6 ? 128 : 32
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  parts[1].count <= 3, parts[1].count == 1 || parts[1].first != "0", let value = Int(parts[1]), value <= maximum else { return nil }
            length = value
        }
        guard IPNetwork.masked(address, length) == address else { return nil }
        self.address = address
        self.prefixLength = length
    }

    /// Whether `candidate` lies inside this network (never across address families).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isIPv6 == address.isIPv6 else { return false }
        return IPNetwork.masked(candidate, prefixLength) == address
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << (64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << (128 - length))
            return .v6(high & highMask, low & lowMask)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let network = IPNetwork(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a network: \(text)")
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Array where Element == IPNetwork {
    /// Whether any network of the list holds `address`.
    public func permits(_ address: IPAddress) -> Bool {
        contains { $0.contains(address) }
    }
}

extension IPAddress {
    /// Whether the address is in 127.0.0.0/8 or is ::1.
    public var isLoopback: Bool { IPNetwork.loopback.contains { $0.contains(self) } }
}
