import Foundation
public import NetauditCore
public import NetauditInventory

/// The network lab's design for one inventory and scenario, before anything is built: the
/// namespaces, the veth pairs between them, the addresses, routes, sysctls and nftables
/// rules in each, and the inventory as the auditor sees it inside the lab. Pure: building
/// it runs nothing, so its topology is unit-tested without root.
///
/// The shape follows the dedicated network: the auditor's namespace reaches a backbone
/// router; behind it, one router namespace per network node (an agency other links go
/// `via`: the province core, each district node); behind each router, on a bridge, one
/// namespace per agency host. A node's own address is its router's. Every address is in
/// 198.18.0.0/15 (RFC 2544's benchmarking range) and exists only inside these namespaces;
/// the auditor's one route leads into the lab and nowhere else.
public struct LabNetworkPlan: Sendable {
    /// The only addresses the network lab uses.
    public static let range = IPNetwork("198.18.0.0/15")!

    /// One network namespace.
    public struct Namespace: Sendable, Hashable {
        public enum Role: Sendable, Hashable {
            case auditor
            case backbone
            /// The router of a network node (its agency code).
            case router(String)
            /// An agency's host.
            case host(String)
        }

        /// Its name under /run/netns.
        public let name: String
        public let role: Role
        /// `ip -batch` lines to run inside it, in order.
        public internal(set) var commands: [String] = []
        /// /proc/sys files and values to write inside it.
        public internal(set) var sysctls: [(path: String, value: String)] = []
        /// An nftables script to load inside it, if any.
        public internal(set) var nftables: String?

        public var path: String { "/run/netns/" + name }

        public static func == (lhs: Namespace, rhs: Namespace) -> Bool { lhs.name == rhs.name && lhs.role == rhs.role }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// Where one agency lives in the lab.
    public struct Site: Sendable, Hashable {
        public let code: String
        /// The namespace its address is in (its host, or its router for a node).
        public let namespace: String
        /// Its lab address: the link's, and its first endpoints'.
        public let address: IPAddress
        /// Per endpoint of the agency (in order), the lab address it is served on.
        public let endpointAddresses: [IPAddress]
        /// Every address it has in the lab.
        public var addresses: [IPAddress] { [address] + endpointAddresses.filter { $0 != address }.uniqued() }
        /// The namespace whose routes decide whether the agency is reached: its router, or
        /// for a node the router (or backbone) in front of it.
        public let gate: String
        /// What the gate blackholes to cut the agency off: its own addresses, or for a node
        /// every subnet behind it (the node and all its agencies).
        public let cutPrefixes: [IPNetwork]
        /// Whether it is a network node (a router).
        public let isNode: Bool
    }

    /// An extra TCP port to serve: a link probed with `method: tcp` whose port no endpoint serves.
    public struct TCPPort: Sendable, Hashable {
        public let code: String
        public let namespace: String
        public let address: IPAddress
        public let port: UInt16
    }

    /// Where echo replies are sent late by the lab's responder.
    public struct LateEcho: Sendable, Hashable {
        public let code: String
        public let namespace: String
        public let addresses: [IPAddress]
        public let delay: Duration
        public let jitter: Duration
    }

    /// The prefix of every namespace name (`nalab4711`: the lab's process id).
    public let prefix: String
    /// Every namespace, the auditor's first, routers before the hosts behind them.
    public let namespaces: [Namespace]
    /// `ip -batch` lines run in the lab's own namespace: the namespaces and the veth pairs
    /// (each end created directly in its namespace; nothing stays outside).
    public let rootCommands: [String]
    public let sites: [String: Site]
    public let tcpPorts: [TCPPort]
    public let lateEchoes: [LateEcho]
    /// The inventory inside the lab: the same agencies, with their lab addresses, `allow`
    /// narrowed to the lab's range, and no link for agencies the scenario says have none.
    public let inventory: Inventory
    public let scenario: NetworkScenario
    /// The auditor's namespace.
    public var auditor: Namespace { namespaces[0] }

    /// The route commands (for `ip -batch` in `site.gate`) that cut an agency off (`cut`
    /// true) or restore it. Cuts use metric 5, static silences metric 10: both may be set.
    public static func cutCommands(_ site: Site, cut: Bool) -> [String] {
        site.cutPrefixes.map { "route \(cut ? "add" : "del") blackhole \($0) metric 5" }
    }

    /// The static route commands in `site.gate` for a silent or refused agency's own addresses.
    static func staticCommands(_ site: Site, behaviour: NetworkScenario.LinkBehaviour) -> [String] {
        switch behaviour {
        case .silent: return site.addresses.map { "route add blackhole \($0)/32 metric 10" }
        case .refused: return site.addresses.map { "route add unreachable \($0)/32 metric 10" }
        case .up, .down, .icmpFiltered, .none: return []
        }
    }

    public init(inventory source: Inventory, scenario: NetworkScenario, prefix: String) throws(LabNetworkError) {
        self.prefix = prefix
        self.scenario = scenario
        let unknown = scenario.unknownAgencies(in: source)
        guard unknown.isEmpty else { throw LabNetworkError(unknown.map(\.description).joined(separator: "\n")) }
        let all = source.allAgenciesWithParent
        let parentOf = Dictionary(all.map { ($0.agency.code, $0.parent) }, uniquingKeysWith: { first, _ in first })
        var links: [String: Link] = [:]
        for (agency, _) in all {
            if let link = agency.link, scenario.conduct(of: agency.code).link != .none { links[agency.code] = link }
        }
        // Network nodes: agencies that other links go via.
        var nodeCodes = Set<String>()
        for (agency, _) in all {
            guard let via = links[agency.code]?.via, via != agency.code else { continue }
            guard links[via] != nil else {
                if scenario.conduct(of: via).link == .none {
                    throw LabNetworkError("\(scenario.conduct(of: via).location.map { "\($0): " } ?? "")agency \(via) has link none, "
                                          + "but it is the network node that \(agency.code) goes via: a node needs a link")
                }
                continue  // the inventory's checker reports a via without a link
            }
            nodeCodes.insert(via)
        }
        // The router an agency sits behind: the node its link goes via, else its nearest
        // ancestor that is a node, else the backbone (nil).
        func routerAbove(_ code: String) -> String? {
            if let via = links[code]?.via, via != code, nodeCodes.contains(via) { return via }
            var visited: Set<String> = [code]
            var current = parentOf[code] ?? nil
            while let ancestor = current, visited.insert(ancestor).inserted {
                if nodeCodes.contains(ancestor) { return ancestor }
                current = parentOf[ancestor] ?? nil
            }
            return nil
        }
        // A via chain that loops would make a node its own router's router: refused.
        for code in nodeCodes {
            var seen: Set<String> = [code]
            var current = routerAbove(code)
            while let next = current {
                guard seen.insert(next).inserted else {
                    throw LabNetworkError("the via links of \(seen.sorted().joined(separator: ", ")) form a loop: the lab cannot place them")
                }
                current = routerAbove(next)
            }
        }

        var pool = AddressPool()
        // Routers: the backbone, then the nodes in inventory order.
        struct Router {
            let key: String?  // nil: the backbone
            let namespace: String
            var subnets: [IPNetwork]
            var nextHost: Int = 2
            var uplinkTransit: Int
            var children: [Int] = []  // router indices
            var hostLinks: [String] = []  // interface names of host veths
            var extraAddresses: [IPAddress] = []
        }
        var routers: [Router] = []
        var routerIndex: [String: Int] = [:]
        routers.append(Router(key: nil, namespace: "\(prefix)-b", subnets: [try pool.subnet()], uplinkTransit: pool.transit()))
        let orderedNodes = all.map(\.agency.code).filter { nodeCodes.contains($0) }
        for code in orderedNodes {
            routerIndex[code] = routers.count
            routers.append(Router(key: code, namespace: "\(prefix)-r\(routers.count)", subnets: [try pool.subnet()], uplinkTransit: pool.transit()))
        }
        for (index, router) in routers.enumerated() where router.key != nil {
            let parent = routerAbove(router.key!).flatMap { routerIndex[$0] } ?? 0
            routers[parent].children.append(index)
        }
        func allocate(in router: Int) throws(LabNetworkError) -> IPAddress {
            if routers[router].nextHost > 254 {
                routers[router].subnets.append(try pool.subnet())
                routers[router].nextHost = 2
            }
            let subnet = routers[router].subnets.last!
            guard case .v4(let base) = subnet.address else { fatalError("the lab's subnets are IPv4") }
            defer { routers[router].nextHost += 1 }
            return .v4(base + UInt32(routers[router].nextHost))
        }
        func gatewayAddress(_ subnet: IPNetwork) -> IPAddress {
            guard case .v4(let base) = subnet.address else { fatalError("the lab's subnets are IPv4") }
            return .v4(base + 1)
        }

        // Sites: every agency with a link or an endpoint.
        var sites: [String: Site] = [:]
        var hosts: [(code: String, namespace: String, router: Int, interface: String, addresses: [IPAddress])] = []
        var pendingSites: [(agency: Agency, namespace: String, address: IPAddress, endpoints: [IPAddress], isNode: Bool, router: Int)] = []
        for (agency, _) in all {
            let link = links[agency.code]
            guard link != nil || !agency.endpoints.isEmpty else { continue }
            // Endpoints pinned to the link's address (or naming it) are served on the site's
            // address; each other address or host name gets an address of its own.
            let original = link?.address
            var keys: [String] = []
            for endpoint in agency.endpoints {
                let key = (endpoint.address ?? endpoint.url.hostAddress).map(\.description) ?? endpoint.url.host
                keys.append(key)
            }
            let primaryKey = original?.description ?? keys.first
            // Each endpoint's lab address: the site's own, or one more of its router's.
            func endpointAddresses(_ address: IPAddress, router: Int) throws(LabNetworkError) -> (all: [IPAddress], extra: [IPAddress]) {
                var extra: [String: IPAddress] = [:]
                var all: [IPAddress] = []
                for key in keys {
                    if key == primaryKey { all.append(address); continue }
                    if let known = extra[key] { all.append(known); continue }
                    let added = try allocate(in: router)
                    extra[key] = added
                    all.append(added)
                }
                return (all, all.filter { $0 != address }.uniqued())
            }
            if let router = routerIndex[agency.code] {
                let address = gatewayAddress(routers[router].subnets[0])
                let (all, extra) = try endpointAddresses(address, router: router)
                routers[router].extraAddresses += extra
                pendingSites.append((agency, routers[router].namespace, address, all, true, router))
            } else {
                let router = routerAbove(agency.code).flatMap { routerIndex[$0] } ?? 0
                let address = try allocate(in: router)
                let (all, extra) = try endpointAddresses(address, router: router)
                let number = hosts.count + 1
                let namespace = "\(prefix)-h\(number)"
                let interface = "h\(number)"
                routers[router].hostLinks.append(interface)
                hosts.append((agency.code, namespace, router, interface, [address] + extra))
                pendingSites.append((agency, namespace, address, all, false, router))
            }
        }
        // Every subnet behind a router (its own and its descendants').
        func subtreeSubnets(_ router: Int) -> [IPNetwork] {
            routers[router].subnets + routers[router].children.flatMap(subtreeSubnets)
        }
        var routerParent: [Int: Int] = [:]
        for (index, router) in routers.enumerated() { for child in router.children { routerParent[child] = index } }
        for pending in pendingSites {
            let gate: String, prefixes: [IPNetwork]
            if pending.isNode {
                gate = routers[routerParent[pending.router] ?? 0].namespace
                prefixes = subtreeSubnets(pending.router)
            } else {
                gate = routers[pending.router].namespace
                prefixes = ([pending.address] + pending.endpoints).uniqued().map { IPNetwork("\($0)/32")! }
            }
            sites[pending.agency.code] = Site(code: pending.agency.code, namespace: pending.namespace, address: pending.address,
                                              endpointAddresses: pending.endpoints, gate: gate, cutPrefixes: prefixes, isNode: pending.isNode)
        }

        // Namespaces and their commands.
        let auditorName = "\(prefix)-a"
        var root: [String] = ["netns add \(auditorName)"] + routers.map { "netns add \($0.namespace)" } + hosts.map { "netns add \($0.namespace)" }
        var auditor = Namespace(name: auditorName, role: .auditor)
        let (auditorSide, backboneSide) = AddressPool.transitPair(routers[0].uplinkTransit)
        root.append("link add lab0 netns \(auditorName) type veth peer name uplink netns \(routers[0].namespace)")
        auditor.commands = ["link set dev lo up", "addr add \(auditorSide)/30 dev lab0", "link set dev lab0 up",
                            "route add \(Self.range) via \(backboneSide)"]
        var namespaces = [auditor]
        for router in routers {
            var namespace = Namespace(name: router.namespace, role: router.key.map { .router($0) } ?? .backbone)
            let (parentSide, ownSide) = AddressPool.transitPair(router.uplinkTransit)
            var commands = ["link set dev lo up", "link add br0 type bridge", "link set dev br0 up"]
            for subnet in router.subnets { commands.append("addr add \(gatewayAddress(subnet))/24 dev br0") }
            for extra in router.extraAddresses { commands.append("addr add \(extra)/24 dev br0") }
            commands += ["addr add \(ownSide)/30 dev uplink", "link set dev uplink up", "route add default via \(parentSide)"]
            for child in router.children {
                let (childParentSide, childSide) = AddressPool.transitPair(routers[child].uplinkTransit)
                let interface = "r\(child)"
                root.append("link add \(interface) netns \(router.namespace) type veth peer name uplink netns \(routers[child].namespace)")
                commands += ["addr add \(childParentSide)/30 dev \(interface)", "link set dev \(interface) up"]
                for subnet in subtreeSubnets(child) { commands.append("route add \(subnet) via \(childSide) metric 100") }
            }
            for interface in router.hostLinks { commands += ["link set dev \(interface) master br0", "link set dev \(interface) up"] }
            namespace.commands = commands
            // A router answers every packet it refuses with "host unreachable": the kernel's
            // ICMP rate limit (one a second per host, after a small burst) would leave most of a
            // `refused` agency's echoes and TCP connects unanswered until their timeouts.
            namespace.sysctls = [("/proc/sys/net/ipv4/ip_forward", "1"), ("/proc/sys/net/ipv4/icmp_ratelimit", "0")]
            namespaces.append(namespace)
        }
        for host in hosts {
            root.append("link add eth0 netns \(host.namespace) type veth peer name \(host.interface) netns \(routers[host.router].namespace)")
            var namespace = Namespace(name: host.namespace, role: .host(host.code))
            let gateway = routers[host.router].subnets.first { $0.contains(host.addresses[0]) }.map(gatewayAddress)!
            namespace.commands = ["link set dev lo up"] + host.addresses.map { "addr add \($0)/24 dev eth0" }
                + ["link set dev eth0 up", "route add default via \(gateway)"]
            namespaces.append(namespace)
        }
        // Static behaviours: routes in the gates, nftables and sysctls in the sites' own namespaces.
        var indexOf = Dictionary(uniqueKeysWithValues: namespaces.enumerated().map { ($1.name, $0) })
        var tcpPorts: [TCPPort] = []
        var lateEchoes: [LateEcho] = []
        for (agency, _) in all {
            guard let site = sites[agency.code] else { continue }
            let conduct = scenario.conduct(of: agency.code)
            if let gate = indexOf[site.gate] {
                namespaces[gate].commands += Self.staticCommands(site, behaviour: conduct.link)
                if conduct.link == .down || conduct.isCut(at: .zero) { namespaces[gate].commands += Self.cutCommands(site, cut: true) }
            }
            let own = indexOf[site.namespace]!
            var rules: [String] = []
            if conduct.link == .icmpFiltered { rules.append("meta l4proto icmp drop") }
            if conduct.lossPercent > 0 { rules.append("numgen random mod 100 < \(conduct.lossPercent) drop") }
            if !rules.isEmpty {
                // Only what is addressed to the agency itself: a router forwards the rest untouched.
                let destinations = site.addresses.map(\.description).joined(separator: ", ")
                namespaces[own].nftables = """
                    table ip netaudit_lab {
                        chain input {
                            type filter hook input priority 0; policy accept;
                    \(rules.map { "            ip daddr { \(destinations) } \($0)" }.joined(separator: "\n"))
                        }
                    }

                    """
            }
            if conduct.delay > .zero {
                namespaces[own].sysctls.append(("/proc/sys/net/ipv4/icmp_echo_ignore_all", "1"))
                lateEchoes.append(LateEcho(code: agency.code, namespace: site.namespace, addresses: site.addresses,
                                           delay: conduct.delay, jitter: conduct.jitter))
            }
            if let link = links[agency.code], case .tcp(let port) = link.method {
                // Served already on the site's address: its endpoints' ports and, beside them,
                // the plain-HTTP companion port.
                let onAddress = agency.endpoints.indices.filter { site.endpointAddresses[$0] == site.address }
                var served = Set(onAddress.map { agency.endpoints[$0].url.port })
                if !onAddress.isEmpty && source.probe.httpPort != 0 { served.insert(Int(source.probe.httpPort)) }
                if !served.contains(port) {
                    tcpPorts.append(TCPPort(code: agency.code, namespace: site.namespace, address: site.address, port: UInt16(port)))
                }
            }
        }
        indexOf = [:]
        self.namespaces = namespaces
        self.rootCommands = root
        self.sites = sites
        self.tcpPorts = tcpPorts
        self.lateEchoes = lateEchoes
        self.inventory = Self.translate(source, sites: sites, links: links)
    }

    /// The inventory with lab addresses.
    static func translate(_ source: Inventory, sites: [String: Site], links: [String: Link]) -> Inventory {
        func map(_ agency: Agency) -> Agency {
            var copy = agency
            if let site = sites[agency.code] {
                copy.link = links[agency.code].map { link in
                    var moved = link
                    moved.address = site.address
                    return moved
                }
                copy.endpoints = agency.endpoints.enumerated().map { index, endpoint in
                    var moved = endpoint
                    moved.address = site.endpointAddresses[index]
                    // An address as the URL's host is the agency's real one, outside the lab's
                    // range (the inventory would be refused): the lab address takes its place.
                    if endpoint.url.hostAddress != nil, case .success(let url) = EndpointURL.parse(
                        "https://\(site.endpointAddresses[index])\(endpoint.url.port == 443 ? "" : ":\(endpoint.url.port)")\(endpoint.url.path)") {
                        moved.url = url
                    }
                    return moved
                }
            } else {
                copy.link = nil
            }
            copy.children = agency.children.map(map)
            return copy
        }
        var inventory = source
        inventory.agencies = source.agencies.map(map)
        inventory.allow = [range]
        return inventory
    }
}

/// The lab's address plan: /24 subnets for routers from 198.18.0.0 up (384 of them), /30
/// transit links from 198.19.128.0 up.
struct AddressPool {
    private var nextSubnet = 0
    private var nextTransit = 0

    mutating func subnet() throws(LabNetworkError) -> IPNetwork {
        guard nextSubnet < 384 else { throw LabNetworkError("the inventory needs more than 384 subnets of 254 addresses: too large for the network lab") }
        defer { nextSubnet += 1 }
        let second: UInt8 = nextSubnet < 256 ? 18 : 19
        return IPNetwork("198.\(second).\(nextSubnet % 256).0/24")!
    }

    mutating func transit() -> Int {
        defer { nextTransit += 1 }
        return nextTransit
    }

    /// The two ends of transit link `index`: the parent's (.1) and the child's (.2).
    static func transitPair(_ index: Int) -> (parent: IPAddress, child: IPAddress) {
        let third = UInt8(128 + index / 64), fourth = UInt8(4 * (index % 64))
        return (IPAddress(198, 19, third, fourth + 1), IPAddress(198, 19, third, fourth + 2))
    }
}

/// What went wrong designing, building or running the network lab.
public struct LabNetworkError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
