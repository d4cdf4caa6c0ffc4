import Foundation
import NetauditCore
import NetauditInventory
@testable import NetauditLab
import Testing

/// The network lab's design, without root and without running anything: which namespaces
/// a small province gets, where each agency sits, the addresses and routes, and what each
/// scenario behaviour puts where.
struct LabNetworkPlanTests {
    /// A province node with two district nodes and their communes, departments under the
    /// province (one with two endpoints on two addresses, one with a tcp link no endpoint
    /// serves, one without a link) and a commune the scenario gives no link.
    static let inventoryText = """
        levels: [province, district, commune]
        probe: {tls: {http_port: 8080}}
        agencies:
          - code: "64"
            name: "Tỉnh Gia Lai"
            level: province
            link: {address: 127.2.0.64}
            endpoints:
              - {url: "https://64.gialai.test/", address: 127.2.0.64}
            children:
              - code: "SNV"
                name: "Sở Nội vụ"
                level: province
                kind: department
                link: {address: 127.128.0.2, method: tcp, port: 443, via: "64"}
                endpoints:
                  - {url: "https://snv.gialai.test/", address: 127.128.0.2}
              - code: "STC"
                name: "Sở Tài chính"
                level: province
                kind: department
                link: {address: 127.128.0.3, method: tcp, port: 8443, via: "64"}
                endpoints:
                  - {url: "https://stc.gialai.test/", address: 127.128.0.3}
                  - {url: "https://dvc.stc.gialai.test:8443/", address: 127.128.0.4}
                  - {url: "https://www.stc.gialai.test/", address: 127.128.0.3}
              - code: "SKH"
                name: "Sở Kế hoạch và Đầu tư"
                level: province
                kind: department
                link: {address: 127.128.0.5, method: tcp, port: 22, via: "64"}
                endpoints: ["https://127.128.0.5:8443/dich-vu"]
              - code: "SXD"
                name: "Sở Xây dựng"
                level: province
                kind: department
                endpoints: ["https://sxd.gialai.test/"]
              - code: "SGT"
                name: "Sở Giao thông"
                level: province
                kind: department
              - code: "622"
                name: "Thành phố Pleiku"
                level: district
                link: {address: 127.4.2.110, via: "64"}
                children:
                  - {code: "23557", name: "Phường Yên Đỗ", level: commune, link: {address: 127.6.92.5, via: "622"}}
                  - {code: "23558", name: "Phường Diên Hồng", level: commune, link: {address: 127.6.92.6, via: "622"}}
                  - {code: "23559", name: "Phường Ia Kring", level: commune, link: {address: 127.6.92.7, via: "622"}}
              - code: "623"
                name: "Thị xã An Khê"
                level: district
                link: {address: 127.4.2.111, via: "64"}
                children:
                  - code: "23600"
                    name: "Phường An Bình"
                    level: commune
                    link: {address: 127.6.93.1, method: tcp, port: 8080, via: "623"}
                    endpoints:
                      - {url: "https://23600.gialai.test/", address: 127.6.93.1}
        """

    static func inventory() throws -> Inventory {
        let folder = NSTemporaryDirectory() + "netaudit-plan-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try inventoryText.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        return try InventoryLoader().load(path: folder + "/inventory.yaml")
    }

    /// Every behaviour once.
    static let busy = NetworkScenario(agencies: [
        "23557": .init(link: .silent),
        "23558": .init(link: .refused),
        "23559": .init(link: .none),
        "623": .init(link: .down),
        "STC": .init(link: .silent),
        "SNV": .init(link: .icmpFiltered),
        "SKH": .init(lossPercent: 60),
        "622": .init(lossPercent: 30),
        "23600": .init(delay: .milliseconds(300), jitter: .milliseconds(20)),
    ])

    static func plan(_ scenario: NetworkScenario = busy) throws -> LabNetworkPlan {
        try LabNetworkPlan(inventory: inventory(), scenario: scenario, prefix: "nalab1_1")
    }

    /// The namespace with `role`.
    static func namespace(_ plan: LabNetworkPlan, _ role: LabNetworkPlan.Namespace.Role) throws -> LabNetworkPlan.Namespace {
        try #require(plan.namespaces.first { $0.role == role }, "no namespace for \(role)")
    }

    /// The addresses `addr add A/N` gives in a namespace's commands.
    static func assigned(_ namespace: LabNetworkPlan.Namespace) -> [IPAddress] {
        namespace.commands.compactMap { line -> IPAddress? in
            guard line.hasPrefix("addr add ") else { return nil }
            return IPAddress(String(line.split(separator: " ")[2].split(separator: "/")[0]))
        }
    }

    @Test func oneNamespacePerRouterAndPerOtherAgency() throws {
        let plan = try Self.plan()
        #expect(plan.prefix == "nalab1_1")
        #expect(plan.namespaces.allSatisfy { $0.name.hasPrefix("nalab1_1-") })
        #expect(Set(plan.namespaces.map(\.name)).count == plan.namespaces.count, "names are unique")
        #expect(plan.auditor.role == .auditor && plan.namespaces[0].name == "nalab1_1-a")
        let roles = plan.namespaces.map(\.role)
        #expect(roles.filter { $0 == .backbone }.count == 1)
        // The nodes are the agencies others go via: the province and its two districts.
        #expect(Set(roles.compactMap { if case .router(let code) = $0 { code } else { nil } }) == ["64", "622", "623"])
        // A host for every other agency with a link or an endpoint: not SGT (neither), not
        // 23559 (link none, no endpoint).
        let hosts = roles.compactMap { if case .host(let code) = $0 { code } else { nil } }
        #expect(hosts.sorted() == ["23557", "23558", "23600", "SKH", "SNV", "STC", "SXD"])
        #expect(plan.sites["SGT"] == nil && plan.sites["23559"] == nil)
        #expect(plan.sites.count == 10)
        // Nodes live in their routers, other agencies in their hosts.
        for (code, site) in plan.sites {
            let namespace = try Self.namespace(plan, site.isNode ? .router(code) : .host(code))
            #expect(site.namespace == namespace.name, "\(code)")
        }
        // Routers before the hosts behind them; every namespace is created by the root batch.
        let firstHost = try #require(plan.namespaces.firstIndex { if case .host = $0.role { true } else { false } })
        #expect(plan.namespaces[firstHost...].allSatisfy { if case .host = $0.role { true } else { false } })
        #expect(plan.rootCommands.filter { $0.hasPrefix("netns add ") } == plan.namespaces.map { "netns add \($0.name)" })
    }

    @Test func everyAddressIsInsideTheBenchmarkingRangeAndUsedOnce() throws {
        let plan = try Self.plan()
        var seen: [IPAddress: String] = [:]
        for namespace in plan.namespaces {
            let addresses = Self.assigned(namespace)
            #expect(!addresses.isEmpty || namespace.role == .backbone, "\(namespace.name) has no address")
            for address in addresses {
                #expect(LabNetworkPlan.range.contains(address), "\(address) in \(namespace.name)")
                #expect(seen.updateValue(namespace.name, forKey: address) == nil, "\(address) is given twice")
            }
            for line in namespace.commands where line.contains(" via ") {
                let gateway = try #require(IPAddress(String(line.split(separator: " ")[line.split(separator: " ").firstIndex(of: "via")! + 1])))
                #expect(LabNetworkPlan.range.contains(gateway), "\(line) in \(namespace.name)")
            }
        }
        for site in plan.sites.values {
            for address in site.addresses {
                #expect(LabNetworkPlan.range.contains(address))
                #expect(seen[address] == site.namespace, "\(site.code)'s \(address) is assigned in its own namespace")
            }
            #expect(site.cutPrefixes.allSatisfy { LabNetworkPlan.range.contains($0.address) })
        }
        // Nothing is configured outside the namespaces: the root batch only creates them and
        // their veth pairs, each end inside a lab namespace.
        for line in plan.rootCommands where !line.hasPrefix("netns add ") {
            #expect(line.hasPrefix("link add ") && line.contains(" type veth peer name "), "\(line)")
            let words = line.split(separator: " ")
            let namespaces = words.indices.filter { words[$0] == "netns" }.map { String(words[$0 + 1]) }
            #expect(namespaces.count == 2 && namespaces.allSatisfy { $0.hasPrefix("nalab1_1-") }, "\(line)")
        }
    }

    @Test func theAuditorsOnlyRouteLeadsIntoTheLab() throws {
        let plan = try Self.plan()
        let routes = plan.auditor.commands.filter { $0.hasPrefix("route ") }
        #expect(routes.count == 1)
        #expect(routes.first?.hasPrefix("route add 198.18.0.0/15 via 198.") == true, "\(routes)")
        #expect(!plan.auditor.commands.contains { $0.contains("default") })
        #expect(plan.auditor.sysctls.isEmpty && plan.auditor.nftables == nil)
    }

    @Test func aCommuneSitsBehindItsDistrictsRouter() throws {
        let plan = try Self.plan()
        let district = try #require(plan.sites["622"]), commune = try #require(plan.sites["23557"])
        let router = try Self.namespace(plan, .router("622"))
        let host = try Self.namespace(plan, .host("23557"))
        #expect(district.isNode && !commune.isNode)
        #expect(commune.gate == router.name)
        #expect(district.namespace == router.name)
        // Its host's veth ends in the district's router, its default route is the district's address.
        #expect(plan.rootCommands.contains { $0.hasPrefix("link add eth0 netns \(host.name) type veth peer name ") && $0.hasSuffix(" netns \(router.name)") })
        #expect(host.commands.contains("route add default via \(district.address)"))
        #expect(host.commands.contains("addr add \(commune.address)/24 dev eth0"))
        #expect(Self.assigned(router).contains(district.address))
        // The commune's cut is its own address, in front of it.
        #expect(commune.cutPrefixes == [IPNetwork("\(commune.address)/32")!])
        // A department under the province sits behind the province's router.
        #expect(try #require(plan.sites["SNV"]).gate == (try Self.namespace(plan, .router("64"))).name)
    }

    @Test func aNodesCutCoversEveryoneBehindIt() throws {
        let plan = try Self.plan()
        let province = try #require(plan.sites["64"]), pleiku = try #require(plan.sites["622"]), anKhe = try #require(plan.sites["623"])
        // A district's gate is the router in front of it: the province's.
        #expect(pleiku.gate == (try Self.namespace(plan, .router("64"))).name)
        #expect(anKhe.gate == pleiku.gate)
        // The province's gate is the backbone.
        #expect(province.gate == (try Self.namespace(plan, .backbone)).name)
        func covered(_ site: LabNetworkPlan.Site, _ address: IPAddress) -> Bool { site.cutPrefixes.contains { $0.contains(address) } }
        for code in ["622", "23557", "23558"] {
            #expect(covered(pleiku, try #require(plan.sites[code]).address), "622's cut covers \(code)")
        }
        for code in ["623", "23600", "64", "SNV"] {
            #expect(!covered(pleiku, try #require(plan.sites[code]).address), "622's cut leaves \(code) alone")
        }
        for site in plan.sites.values {
            #expect(site.addresses.allSatisfy { covered(province, $0) }, "the province's cut covers \(site.code)")
        }
        // The router in front routes each subnet behind a child to it (metric 100, under the cuts' 5).
        let provinceRouter = try Self.namespace(plan, .router("64"))
        for prefix in pleiku.cutPrefixes {
            #expect(provinceRouter.commands.contains { $0.hasPrefix("route add \(prefix) via ") && $0.hasSuffix(" metric 100") }, "\(prefix)")
        }
        #expect(LabNetworkPlan.cutCommands(pleiku, cut: true) == pleiku.cutPrefixes.map { "route add blackhole \($0) metric 5" })
        #expect(LabNetworkPlan.cutCommands(pleiku, cut: false) == pleiku.cutPrefixes.map { "route del blackhole \($0) metric 5" })
    }

    @Test func staticBehavioursAreRoutesInTheGate() throws {
        let plan = try Self.plan()
        let districtRouter = try Self.namespace(plan, .router("622")), provinceRouter = try Self.namespace(plan, .router("64"))
        let silent = try #require(plan.sites["23557"]), refused = try #require(plan.sites["23558"])
        #expect(districtRouter.commands.contains("route add blackhole \(silent.address)/32 metric 10"))
        #expect(districtRouter.commands.contains("route add unreachable \(refused.address)/32 metric 10"))
        // Silent covers every address of the agency (STC serves on two).
        let stc = try #require(plan.sites["STC"])
        #expect(stc.addresses.count == 2)
        for address in stc.addresses { #expect(provinceRouter.commands.contains("route add blackhole \(address)/32 metric 10")) }
        // Down: the node's whole subtree blackholed in front of it from the start, at the cut's metric.
        let down = try #require(plan.sites["623"])
        for prefix in down.cutPrefixes { #expect(provinceRouter.commands.contains("route add blackhole \(prefix) metric 5")) }
        // Nobody else is cut or silenced.
        let blackholes = plan.namespaces.flatMap(\.commands).filter { $0.contains("blackhole") || $0.contains("unreachable") }
        #expect(blackholes.count == 1 + 1 + 2 + down.cutPrefixes.count, "\(blackholes)")
        // The static routes come after the routes they override are set.
        let lastRoute = try #require(districtRouter.commands.lastIndex { $0.hasPrefix("route add default") })
        let blackhole = try #require(districtRouter.commands.firstIndex { $0.contains("blackhole") })
        #expect(lastRoute < blackhole)
        #expect(LabNetworkPlan.staticCommands(silent, behaviour: .up).isEmpty && LabNetworkPlan.staticCommands(silent, behaviour: .icmpFiltered).isEmpty)
    }

    @Test func lossAndICMPFilterAreRulesInTheAgencysOwnNamespace() throws {
        let plan = try Self.plan()
        let snv = try #require(plan.sites["SNV"]), skh = try #require(plan.sites["SKH"]), pleiku = try #require(plan.sites["622"])
        let filtered = try #require(try Self.namespace(plan, .host("SNV")).nftables)
        #expect(filtered.contains("type filter hook input priority 0; policy accept;"))
        #expect(filtered.contains("ip daddr { \(snv.address) } meta l4proto icmp drop"), "\(filtered)")
        #expect(!filtered.contains("numgen"))
        let lossy = try #require(try Self.namespace(plan, .host("SKH")).nftables)
        #expect(lossy.contains("ip daddr { \(skh.address) } numgen random mod 100 < 60 drop"), "\(lossy)")
        #expect(!lossy.contains("l4proto"))
        // A lossy node drops only what is addressed to itself, not what it forwards.
        let node = try #require(try Self.namespace(plan, .router("622")).nftables)
        #expect(node.contains("hook input") && !node.contains("hook forward"))
        #expect(node.contains("ip daddr { \(pleiku.address) } numgen random mod 100 < 30 drop"), "\(node)")
        // Nobody else has rules.
        #expect(plan.namespaces.filter { $0.nftables != nil }.map(\.role).count == 3)
    }

    @Test func delayIsALateEchoWithTheKernelsEchoOff() throws {
        let plan = try Self.plan()
        let site = try #require(plan.sites["23600"])
        #expect(plan.lateEchoes == [LabNetworkPlan.LateEcho(code: "23600", namespace: site.namespace, addresses: site.addresses,
                                                            delay: .milliseconds(300), jitter: .milliseconds(20))])
        let host = try Self.namespace(plan, .host("23600"))
        #expect(host.sysctls.contains { $0.path == "/proc/sys/net/ipv4/icmp_echo_ignore_all" && $0.value == "1" })
        let others = plan.namespaces.filter { $0.name != host.name }
        #expect(!others.contains { $0.sysctls.contains { $0.path.hasSuffix("icmp_echo_ignore_all") } })
        // Routers forward, and refuse without a rate limit.
        for namespace in plan.namespaces where namespace.role == .backbone || { if case .router = namespace.role { true } else { false } }() {
            #expect(namespace.sysctls.contains { $0.path == "/proc/sys/net/ipv4/ip_forward" && $0.value == "1" }, "\(namespace.name)")
            #expect(namespace.sysctls.contains { $0.path == "/proc/sys/net/ipv4/icmp_ratelimit" && $0.value == "0" }, "\(namespace.name)")
        }
    }

    @Test func theLabsInventoryHasLabAddressesAndNoLinkWhereTheScenarioSaysNone() throws {
        let plan = try Self.plan()
        let source = try Self.inventory()
        let lab = plan.inventory
        #expect(lab.allow == [LabNetworkPlan.range])
        #expect(lab.allAgencies.map(\.code) == source.allAgencies.map(\.code), "the same agencies, in the same order")
        let agencies = Dictionary(uniqueKeysWithValues: lab.allAgencies.map { ($0.code, $0) })
        #expect(agencies["23559"]?.link == nil, "link none")
        #expect(agencies["SXD"]?.link == nil && agencies["SGT"]?.link == nil)
        for (code, site) in plan.sites {
            let agency = try #require(agencies[code])
            let original = try #require(source.allAgencies.first { $0.code == code })
            if let link = agency.link {
                #expect(link.address == site.address)
                #expect(link.method == original.link?.method && link.via == original.link?.via)
            }
            #expect(agency.endpoints.map(\.address) == site.endpointAddresses.map { Optional($0) })
            for (moved, endpoint) in zip(agency.endpoints, original.endpoints) where endpoint.url.hostAddress == nil {
                #expect(moved.url == endpoint.url)
            }
        }
        // Endpoints on the link's address stay on the site's address; another address gets its own.
        let stc = try #require(plan.sites["STC"])
        #expect(stc.endpointAddresses[0] == stc.address && stc.endpointAddresses[2] == stc.address)
        #expect(stc.endpointAddresses[1] != stc.address)
        // An address as the URL's host is the lab's (the agency's own is outside the lab's range).
        #expect(agencies["SKH"]?.endpoints.first?.url.description == "https://\(plan.sites["SKH"]!.address):8443/dich-vu")
        #expect(agencies["SKH"]?.endpoints.first?.address == plan.sites["SKH"]?.address)
        // A host-name endpoint without an address (SXD's, without a link) is pinned to its site.
        #expect(agencies["SXD"]?.endpoints.first?.address == plan.sites["SXD"]?.address)
    }

    /// The lab writes its inventory and the auditor loads it: it must be valid as written.
    @Test func theLabsInventoryLoadsBack() throws {
        let plan = try Self.plan()
        let folder = NSTemporaryDirectory() + "netaudit-plan-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in InventoryWriter(split: true).render(plan.inventory, mainName: "inventory.yaml") {
            let path = folder + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let loaded = try InventoryLoader().load(path: folder + "/inventory.yaml")
        #expect(loaded.allAgencies.map(\.link?.address) == plan.inventory.allAgencies.map(\.link?.address))
        #expect(loaded.allow == [LabNetworkPlan.range])
        #expect(loaded.allAgencies.flatMap(\.endpoints).map(\.url) == plan.inventory.allAgencies.flatMap(\.endpoints).map(\.url))
    }

    @Test func tcpPortsAreServedOnlyWhereNoEndpointServesThem() throws {
        let plan = try Self.plan()
        // SNV: 443 is its endpoint's; 23600: 8080 is the plain-HTTP companion beside its
        // endpoint; STC: 8443 is served, but on its other address; SKH: 22, nothing.
        let ports = plan.tcpPorts.map { "\($0.code) \($0.port)" }.sorted()
        #expect(ports == ["SKH 22", "STC 8443"])
        for port in plan.tcpPorts {
            let site = try #require(plan.sites[port.code])
            #expect(port.address == site.address && port.namespace == site.namespace)
        }
    }

    @Test func unknownAgenciesInTheScenarioAreRefused() throws {
        let scenario = NetworkScenario(agencies: [
            "23575": .init(link: .silent, location: NetauditCore.SourceLocation(file: "lab.yaml", line: 4, column: 3)),
            "SKH": .init(link: .silent),
        ], file: "lab.yaml")
        #expect {
            try LabNetworkPlan(inventory: try Self.inventory(), scenario: scenario, prefix: "nalab1_1")
        } throws: { error in
            "\(error)" == "lab.yaml:4:3: no agency '23575' in the inventory (did you mean '23557'?)"
        }
    }

    @Test func aNodeWithoutALinkIsRefused() throws {
        let scenario = NetworkScenario(agencies: [
            "622": .init(link: .none, location: NetauditCore.SourceLocation(file: "lab.yaml", line: 7, column: 3)),
        ], file: "lab.yaml")
        #expect {
            try LabNetworkPlan(inventory: try Self.inventory(), scenario: scenario, prefix: "nalab1_1")
        } throws: { error in
            "\(error)" == "lab.yaml:7:3: agency 622 has link none, but it is the network node that 23557 goes via: a node needs a link"
        }
    }

    /// More agencies behind one router than a /24 holds: the router gets a second subnet,
    /// each host its own subnet's gateway, and the routes and cuts cover both.
    @Test func aRouterWithMoreThan253HostsGetsASecondSubnet() throws {
        let communes = (0..<300).map { index in
            Agency(code: "C\(index)", name: "Xã \(index)", level: "commune",
                   link: Link(address: IPAddress(127, 6, UInt8(index / 250), UInt8(index % 250 + 1)), via: "622"))
        }
        let inventory = Inventory(levels: ["province", "district", "commune"], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: Link(address: IPAddress(127, 2, 0, 64)), children: [
                Agency(code: "622", name: "Thành phố Pleiku", level: "district", link: Link(address: IPAddress(127, 4, 2, 110), via: "64"),
                       children: communes),
            ]),
        ])
        let plan = try LabNetworkPlan(inventory: inventory, scenario: NetworkScenario(), prefix: "nalab1_1")
        let district = try #require(plan.sites["622"])
        #expect(district.cutPrefixes.count == 2, "\(district.cutPrefixes)")
        let addresses = communes.map { plan.sites[$0.code]!.address }
        #expect(Set(addresses).count == 300)
        for (index, commune) in communes.enumerated() {
            let site = try #require(plan.sites[commune.code])
            #expect(district.cutPrefixes.contains { $0.contains(site.address) })
            let subnet = try #require(district.cutPrefixes.first { $0.contains(site.address) })
            guard case .v4(let base) = subnet.address else { Issue.record("IPv4 only"); return }
            let host = try Self.namespace(plan, .host(commune.code))
            #expect(host.commands.contains("route add default via \(IPAddress.v4(base + 1))"), "commune \(index)")
        }
        let router = try Self.namespace(plan, .router("622"))
        for subnet in district.cutPrefixes {
            guard case .v4(let base) = subnet.address else { continue }
            #expect(router.commands.contains("addr add \(IPAddress.v4(base + 1))/24 dev br0"))
            #expect(try Self.namespace(plan, .router("64")).commands.contains { $0.hasPrefix("route add \(subnet) via ") })
            #expect(try Self.namespace(plan, .backbone).commands.contains { $0.hasPrefix("route add \(subnet) via ") })
        }
    }

    /// An outage from the start is set as a cut from the start; a flap starts up.
    @Test func linksThatChangeStartInTheirStateAtTimeZero() throws {
        let plan = try Self.plan(NetworkScenario(agencies: [
            "23557": .init(outage: .init(after: .zero, length: .seconds(5))),
            "23558": .init(flap: .seconds(4)),
        ]))
        let router = try Self.namespace(plan, .router("622"))
        let starting = try #require(plan.sites["23557"]), flapping = try #require(plan.sites["23558"])
        #expect(router.commands.contains("route add blackhole \(starting.address)/32 metric 5"))
        #expect(!router.commands.contains { $0.contains("\(flapping.address)/32") })
    }
}

/// The late echo responder's replies carry a correct Internet checksum.
struct LabEchoResponderTests {
    /// RFC 1071's worked example (section 3): the bytes 00 01 f2 03 f4 f5 f6 f7 sum to
    /// ddf2 (folded), so the checksum is its complement, 220d.
    @Test func theRFC1071Example() {
        #expect(LabEchoResponder.checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == 0x220d)
    }

    /// An echo reply as ping sends it back: type 0, code 0, identifier 0x1c46, sequence 1,
    /// payload "abcdefghi" (odd: the last byte is padded with a zero). Its checksum, by
    /// hand: 0000 + 0000 + 1c46 + 0001 + 6162 + 6364 + 6566 + 6768 + 6900 = 2 16db, folded
    /// 16dd, complemented e922. A message carrying it sums to ffff: its checksum is 0.
    @Test func anEchoReply() {
        var reply: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x1c, 0x46, 0x00, 0x01] + Array("abcdefghi".utf8)
        #expect(LabEchoResponder.checksum(reply) == 0xe922)
        reply[2] = 0xe9
        reply[3] = 0x22
        #expect(LabEchoResponder.checksum(reply) == 0)
    }
}

/// Which namespaces are a dead lab's leftovers: those whose process has ended, reaped or not.
struct LabNetworkLeftoverTests {
    @Test func aNamespaceNamesItsLabsProcess() {
        #expect(LabNetwork.owner(of: "nalab4711_2-h17") == 4711)
        #expect(LabNetwork.owner(of: "nalab4711_2-a") == 4711)
        #expect(LabNetwork.owner(of: "other-ns") == nil)
        #expect(LabNetwork.owner(of: "nalabX_1-a") == nil)
    }

    /// A child that has exited and is not yet waited for is a zombie: ended all the same.
    @Test func aZombieHasEnded() throws {
        #expect(!LabNetwork.hasEnded(getpid()))
        var pid: pid_t = 0
        let arguments = ["/bin/true"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        // Until it has exited (it stays a zombie: nobody waits for it yet).
        let deadline = Date().addingTimeInterval(10)
        while !LabNetwork.hasEnded(pid) && Date() < deadline { usleep(10_000) }
        #expect(LabNetwork.hasEnded(pid), "a zombie counts as ended")
        #expect(kill(pid, 0) == 0, "it is still there, unreaped")
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(LabNetwork.hasEnded(pid))
    }
}
