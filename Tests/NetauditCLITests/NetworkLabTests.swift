import Foundation
import NetauditCore
import NetauditInventory
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Testing

/// Whether this machine can build the network lab: root, iproute2 and nftables.
let networkLabAvailable = getuid() == 0 && ["/usr/sbin/ip", "/usr/sbin/nft"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

/// The audit against the network lab: real silent, lossy, slow, refused, filtered and cut
/// links, in namespaces the tests build (198.18.0.0/15 inside them only). As root, with
/// iproute2 and nftables; skipped otherwise.
@Suite(.serialized, .enabled(if: networkLabAvailable, "needs root, ip (iproute2) and nft (nftables): the network lab creates network namespaces"))
struct NetworkLabTests {
    /// A province node "P", two district nodes "D1" and "D2" behind it, and the given communes
    /// (`code: extra YAML of the agency`), with loopback addresses that the lab replaces.
    static func inventory(probe: String, d1: [(String, String)], d2: [(String, String)] = []) -> String {
        func communes(_ list: [(String, String)], district: Int, via: String) -> String {
            list.enumerated().map { index, item in
                let (code, extra) = item
                return "          - {code: \"\(code)\", name: \"Xã \(code)\", level: commune, link: {address: 127.9.\(district).\(index + 2), via: \"\(via)\"\(extra.contains("method:") ? "" : ", method: icmp")\(extra)}}"
            }.joined(separator: "\n")
        }
        return """
            version: 1
            levels: [province, district, commune]
            probe:
              \(probe)
            agencies:
              - code: "P"
                name: "Tỉnh Thử"
                level: province
                link: {address: 127.9.0.1, method: icmp}
                children:
                  - code: "D1"
                    name: "Huyện Một"
                    level: district
                    link: {address: 127.9.1.1, method: icmp, via: "P"}
                    children:
            \(communes(d1, district: 1, via: "D1"))
                  - code: "D2"
                    name: "Huyện Hai"
                    level: district
                    link: {address: 127.9.2.1, method: icmp, via: "P"}
            """ + (d2.isEmpty ? "\n" : "\n        children:\n" + communes(d2, district: 2, via: "D2") + "\n")
    }

    /// A lab for `inventory` and `scenario` (YAML texts), in a temporary folder.
    struct Lab {
        let folder: String
        let network: LabNetwork

        init(inventory: String, scenario: String) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-netlab-" + UUID().uuidString).path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try inventory.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
            try ("version: 1\ninventory: inventory.yaml\n" + scenario).write(toFile: folder + "/scenario.yaml", atomically: true, encoding: .utf8)
            let loaded = try NetworkScenarioLoader().load(path: folder + "/scenario.yaml")
            let source = try InventoryLoader().load(path: folder + "/inventory.yaml")
            network = try LabNetwork(inventory: source, scenario: loaded)
        }

        /// `netaudit audit` inside the auditor's namespace, into `results.sqlite`.
        func audit(_ extra: [String] = []) throws -> CLIRunner.Result {
            try CLIRunner.run(["audit", "--inventory", network.inventoryPath, "--ca-file", network.governmentBundle.path,
                               "--db", folder + "/results.sqlite"] + extra,
                              wrapper: ["/usr/sbin/ip", "netns", "exec", network.auditorNamespace])
        }

        /// The links of the newest run, by agency code.
        func links() async throws -> [String: LinkResult] {
            let store = try SQLiteStore(path: folder + "/results.sqlite")
            let run = try #require(try await store.runs().first)
            return Dictionary(uniqueKeysWithValues: try await store.linkResults(run: run.id).map { ($0.agencyCode, $0) })
        }

        func stop() {
            network.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    static func ids(_ result: LinkResult?) -> [String] { result?.findings.map(\.id) ?? [] }

    /// 60% of the packets towards a commune dropped at random, 30 echoes: `link.loss`, and
    /// the commune degraded but connected; its neighbour without loss loses nothing.
    @Test func lossyLinkIsDegradedButConnected() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 30, interval: 20ms, timeout: 500ms}",
                                                    d1: [("C1", ""), ("C2", "")]),
                          scenario: "agencies:\n  \"C1\": {loss: 60}\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        let lossy = try #require(links["C1"]?.observation)
        #expect(lossy.sent == 30)
        // 30 draws at 60%: 18 lost on average, 2.7 standard deviation; 9 to 27 is more than ±3.
        #expect((9...27).contains(lossy.sent - lossy.received), "lost \(lossy.sent - lossy.received) of 30")
        #expect(links["C1"]?.state == .degraded)
        #expect(Self.ids(links["C1"]).contains("link.loss"))
        #expect(links["C2"]?.observation?.received == 30)
        #expect(links["C2"]?.state == .up)
    }

    /// Echo replies 300 ms late (±20 ms jitter): `link.latency`, the median within ±10%.
    @Test func slowLinkHasItsLatency() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 7, interval: 200ms, timeout: 1s}", d1: [("C1", ""), ("C2", "")]),
                          scenario: "agencies:\n  \"C1\": {delay: 300ms, jitter: 20ms}\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        let slow = try #require(links["C1"]?.observation)
        #expect(slow.received == 7)
        let median = try #require(slow.roundTrip?.median)
        #expect((270...330).contains(median), "median \(median) ms")
        #expect(links["C1"]?.state == .degraded)
        #expect(Self.ids(links["C1"]).contains("link.latency"))
        #expect(lab.network.lateReplies >= 7)
        // Its neighbour answers at once (the kernel's own echo, across three routers).
        #expect(try #require(links["C2"]?.observation?.roundTrip?.median) < 50)
    }

    /// A silent commune (a blackhole in its district's router): `link.down`, decided within
    /// count × interval + timeout of the first request, no later.
    @Test func silentLinkIsDownInTime() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 5, interval: 200ms, timeout: 1s}", d1: [("C1", ""), ("C2", "")]),
                          scenario: "agencies:\n  \"C1\": silent\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only"])
        #expect(result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        let silent = try #require(links["C1"]?.observation)
        #expect(silent.sent == 5 && silent.received == 0 && silent.unreachable == 0)
        #expect(Self.ids(links["C1"]) == ["link.down"])
        // 5 × 200 ms + 1 s: the last request goes out at 0.8 s, its wait ends at 1.8 s.
        #expect(silent.duration <= 2.0 + 0.15, "took \(silent.duration) s")
        #expect(silent.duration >= 1.0, "took \(silent.duration) s: did it wait for the replies?")
        #expect(links["C2"]?.state == .up)
    }

    /// A district node whose own address is silent: its silent communes are
    /// `link.unreachable` with the district as their one cause; a commune behind it that
    /// still answers stays connected.
    @Test func silentDistrictIsTheCauseOfItsSilentCommunes() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 3, interval: 100ms, timeout: 500ms}",
                                                    d1: [("C1", ""), ("C2", ""), ("C3", "")], d2: [("C4", "")]),
                          scenario: "agencies:\n  \"D1\": silent\n  \"C1\": silent\n  \"C2\": silent\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        #expect(Self.ids(links["D1"]) == ["link.down"])
        #expect(Self.ids(links["C1"]) == ["link.unreachable"] && Self.ids(links["C2"]) == ["link.unreachable"])
        #expect(links["C3"]?.state == .up && links["C4"]?.state == .up && links["D2"]?.state == .up)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["causes"] as? [String: [String]] == ["D1": ["C1", "C2"]])
    }

    /// A district node cut off (`down`): it and every commune behind it fall silent; the
    /// communes are unreachable behind it, the other district's are untouched.
    @Test func districtDownTakesItsCommunesWithIt() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 3, interval: 100ms, timeout: 500ms}",
                                                    d1: [("C1", ""), ("C2", "")], d2: [("C3", "")]),
                          scenario: "agencies:\n  \"D1\": down\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only"])
        #expect(result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        #expect(Self.ids(links["D1"]) == ["link.down"])
        #expect(Self.ids(links["C1"]) == ["link.unreachable"] && Self.ids(links["C2"]) == ["link.unreachable"])
        #expect(links["C3"]?.state == .up && links["P"]?.state == .up)
    }

    /// ICMP filtered on the way, TCP open: down probed with `icmp`, up probed with `tcp`
    /// (to the endpoint's port 443, and to port 22, which only the lab's link listener serves).
    /// A refused commune (its router answers "host unreachable") is down with the ICMP errors counted.
    @Test func icmpFilteredAndRefused() async throws {
        let inventory = Self.inventory(probe: "link: {count: 3, interval: 100ms, timeout: 500ms}",
                                       d1: [("C1", ""), ("C2", ", method: tcp, port: 22"), ("C3", "")])
        let lab = try Lab(inventory: inventory, scenario: "agencies:\n  \"C1\": icmp-filtered\n  \"C2\": icmp-filtered\n  \"C3\": refused\n")
        defer { lab.stop() }
        let result = try lab.audit(["--links-only"])
        #expect(result.status == 1, "\(result.stderr)")
        let links = try await lab.links()
        #expect(links["C1"]?.observation?.method == .icmp && Self.ids(links["C1"]) == ["link.down"])
        #expect(links["C2"]?.observation?.method == .tcp(port: 22) && links["C2"]?.state == .up)
        #expect(links["C2"]?.observation?.refused == 0)  // connects that completed, not RSTs
        let refused = try #require(links["C3"]?.observation)
        #expect(Self.ids(links["C3"]) == ["link.down"] && refused.received == 0 && refused.unreachable >= 1)
    }

    /// Every TLS behaviour a scenario may give an agency, served inside the lab on its own
    /// host: the audit finds what each one is.
    @Test func everyTLSBehaviourIsServedAndJudged() async throws {
        let expected: [NetworkScenario.TLSBehaviour: String?] = [
            .good: nil, .expired: "cert.expired", .expiring: "cert.expiring", .notYetValid: "cert.not_yet_valid",
            .revoked: "cert.revoked", .untrusted: "cert.untrusted", .selfSigned: "cert.self_signed",
            .wrongHost: "cert.hostname_mismatch", .sha1Signed: "cert.weak_signature", .rsa1024: "cert.weak_key",
            .tls1_0Only: "proto.tls1_0", .tls1_3Only: "proto.tls1_2_missing", .noHSTS: "http.hsts_missing",
            .shortHSTS: "http.hsts_short", .noRedirect: "http.no_https_redirect", .refused: "tls.unreachable",
            .tarpit: "tls.unreachable", .reset: nil, .garbage: nil, .trickle: nil,
        ]
        let kinds = NetworkScenario.TLSBehaviour.allCases
        #expect(Set(kinds) == Set(expected.keys))
        let agencies = kinds.enumerated().map { index, kind in
            "  - {code: \"A\(index)\", name: \"Sở \(kind.rawValue)\", level: province, link: {address: 127.9.0.\(index + 2), via: \"P\"}, "
                + "endpoints: [{url: \"https://a\(index).lab.test/\", address: 127.9.0.\(index + 2)}]}"
        }.joined(separator: "\n")
        let inventory = """
            version: 1
            levels: [province]
            probe: {link: {count: 1, interval: 100ms, timeout: 300ms}, tls: {timeout: 3s}}
            agencies:
              - {code: "P", name: "Tỉnh Thử", level: province, link: {address: 127.9.0.1}}
            \(agencies)
            """
        let scenario = "agencies:\n" + kinds.enumerated().map { "  \"A\($0.offset)\": {tls: \($0.element.rawValue)}" }.joined(separator: "\n") + "\n"
        let lab = try Lab(inventory: inventory, scenario: scenario)
        defer { lab.stop() }
        let result = try lab.audit(["--tls-only"])
        #expect(result.status == 1, "\(result.stderr)")
        let store = try SQLiteStore(path: lab.folder + "/results.sqlite")
        let run = try #require(try await store.runs().first)
        let endpoints = Dictionary(uniqueKeysWithValues: try await store.endpointResults(run: run.id).map { ($0.agencyCode, $0) })
        for (index, kind) in kinds.enumerated() {
            let endpoint = try #require(endpoints["A\(index)"], "\(kind.rawValue)")
            let ids = endpoint.findings.map(\.id)
            switch expected[kind] {
            case .some(.some(let id)): #expect(ids.contains(id), "\(kind.rawValue): \(ids)")
            case .some(.none) where kind == .good: #expect(endpoint.verdict == .compliant, "good: \(ids)")
            default: #expect(endpoint.verdict != .compliant, "\(kind.rawValue): \(ids)")
            }
        }
    }

    /// What the auditor's namespace can reach: only the lab (no default route).
    @Test func auditorRoutesLeadOnlyIntoTheLab() async throws {
        let lab = try Lab(inventory: Self.inventory(probe: "link: {count: 1, interval: 100ms, timeout: 300ms}", d1: [("C1", "")]),
                          scenario: "")
        defer { lab.stop() }
        let routes = try CLIRunner.run(["-4", "route", "show"], executable: "/usr/sbin/ip",
                                       wrapper: ["/usr/sbin/ip", "netns", "exec", lab.network.auditorNamespace])
        let lines = routes.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("198.18.0.0/15 via ") })
        #expect(!lines.contains { $0.hasPrefix("default") })
        #expect(lab.network.plan.sites.values.allSatisfy { LabNetworkPlan.range.contains($0.address) })
    }

    /// `netaudit lab --network` killed with SIGKILL leaves its namespaces; the next lab
    /// removes them before it builds. SIGINT tears a lab down; a command after `--` runs
    /// inside the auditor's namespace, and its exit status is the lab's.
    @Test func leftoversOfAKilledLabAreRemovedAndSignalsTearDown() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-netlab-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.inventory(probe: "link: {count: 1, interval: 100ms, timeout: 300ms}", d1: [("C1", "")])
            .write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try "version: 1\ninventory: inventory.yaml\nagencies:\n  \"C1\": {loss: 10}\n".write(toFile: folder + "/scenario.yaml", atomically: true, encoding: .utf8)

        func started() throws -> (Process, Pipe) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["lab", "--network", folder + "/scenario.yaml"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            for _ in 0..<200 where !text.contains("Ctrl-C") {
                text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            }
            #expect(text.contains("ready: network lab"), "\(text)")
            return (process, out)
        }
        func namespaces(of pid: Int32) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix("nalab\(pid)_") }
        }

        let (killed, _) = try started()
        let pid = killed.processIdentifier
        #expect(namespaces(of: pid).count == 6)  // auditor, backbone, P, D1, D2, C1
        kill(pid, SIGKILL)
        killed.waitUntilExit()
        #expect(namespaces(of: pid).count == 6)
        let (next, _) = try started()
        #expect(namespaces(of: pid).isEmpty, "the second lab removes the first one's leftovers")
        #expect(namespaces(of: next.processIdentifier).count == 6)
        kill(next.processIdentifier, SIGINT)
        next.waitUntilExit()
        #expect(next.terminationStatus == 0)
        #expect(namespaces(of: next.processIdentifier).isEmpty)

        let command = try CLIRunner.run(["lab", "--network", folder + "/scenario.yaml", "--",
                                         "/bin/sh", "-c", "test -f \"$NETAUDIT_LAB_INVENTORY\" && ip -4 route show && exit 3"])
        #expect(command.status == 3, "\(command.stderr)")
        #expect(command.stdout.contains("198.18.0.0/15 via"))
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).contains { $0.hasPrefix("nalab") })
    }
}
