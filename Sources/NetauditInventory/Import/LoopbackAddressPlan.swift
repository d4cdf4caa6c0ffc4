import NetauditCore

/// The lab's addressing plan: one loopback address per agency, derived from its code so
/// that an address reads back to its agency and does not move when others are added.
///
/// - An administrative unit with a numeric GSO code `n` at level index `L` (0 at the top)
///   gets `127.0.0.0 + (L + 1) × 2^17 + n`: the top level lives in 127.2.0.0/15, the
///   next in 127.4.0.0/15, then 127.6.0.0/15… Province 64 is 127.2.0.64, district 622 is
///   127.4.2.110, commune 23557 is 127.6.92.5 (each /15 holds any five-digit code).
/// - Departments, and units whose code is not a number, are numbered in tree order in
///   127.128.0.0/9: the first is 127.128.0.1.
///
/// Documented in `docs/inventory.md`; every address stays inside 127.0.0.0/8.
public struct LoopbackAddressPlan: Sendable {
    public let levels: [String]
    static let departmentBlock: UInt32 = 1 << 23
    static let levelBlockBits: UInt32 = 17

    public init(levels: [String]) {
        self.levels = levels
    }

    /// The address of a numbered unit, nil when the code or level is outside the plan.
    public func unitAddress(code: String, level: String) -> IPAddress? {
        guard code.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt32(code),
              number < 1 << Self.levelBlockBits, let depth = levels.firstIndex(of: level) else { return nil }
        let offset = UInt32(depth + 1) << Self.levelBlockBits + number
        guard offset < Self.departmentBlock else { return nil }
        return .v4(0x7F00_0000 | offset)
    }

    /// Assigns link, endpoint and `via` to every agency of the tree.
    func assign(_ agencies: [Agency], parent: Agency?, via: GSOImport.Via, domain: String?,
                port: Int) throws(InventoryError) -> [Agency] {
        var ordinal: UInt32 = 0
        func visit(_ agency: Agency, parent: Agency?) -> Agency {
            var agency = agency
            var address = agency.kind == .unit ? unitAddress(code: agency.code, level: agency.level) : nil
            if address == nil {
                ordinal += 1
                address = .v4(0x7F00_0000 | Self.departmentBlock | ordinal)
            }
            agency.link = Link(address: address!, method: .icmp, via: via == .parent ? parent?.code : nil)
            if let domain, case .success(let url) = EndpointURL.parse(
                "https://\(agency.code.lowercased()).\(domain)\(port == 443 ? "" : ":\(port)")/") {
                agency.endpoints = [Endpoint(url: url, address: address)]
            }
            agency.children = agency.children.map { visit($0, parent: agency) }
            return agency
        }
        let result = agencies.map { visit($0, parent: parent) }
        guard ordinal < Self.departmentBlock else {
            throw InventoryError(diagnostics: [Diagnostic(SourceLocation(file: "-", line: 0, column: 0),
                "too many agencies without a numeric code for the loopback plan (\(ordinal))")])
        }
        return result
    }
}
