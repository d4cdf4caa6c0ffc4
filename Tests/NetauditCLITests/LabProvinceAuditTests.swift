import Foundation
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Testing

/// The issue's acceptance case: an audit of a lab province with agencies healthy, down,
/// behind a down `via` node and without a link, and with good and bad TLS endpoints of the
/// lab, gives exactly the expected findings, rates, per-unit figures and gap list.
@Suite(.serialized) struct LabProvinceAuditTests {
    @Test func aLabProvinceGetsExactlyItsFiguresAndGaps() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa", "government-ca", "expired", "self-signed", "tls1_0-only",
                                                           "hsts-missing", "refused"])
        defer { lab.stop() }
        // Links: a closed port answers with a reset (up); a full accept queue answers nothing (down).
        let district = try Blackhole(address: "127.66.0.2")
        let commune1 = try Blackhole(address: "127.66.0.3")
        let commune2 = try Blackhole(address: "127.66.0.4")
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func endpoint(_ id: String) throws -> String {
            let main = try lab.endpoint(for: id)
            return "{url: \"https://\(main.hostName):\(main.port)/\", address: \(main.address)}"
        }
        func up(_ last: Int, via: String? = nil) -> String {
            "{address: 127.66.1.\(last), method: tcp, port: 9\(via.map { ", via: \"\($0)\"" } ?? "")}"
        }
        func down(_ hole: Blackhole, via: String? = nil) -> String {
            "{address: \(hole.address), method: tcp, port: \(hole.port)\(via.map { ", via: \"\($0)\"" } ?? "")}"
        }
        try """
            title: Lab province
            levels: [province, district, commune]
            targets: {commune: 50}
            trust: {anchors: ["\(lab.trust.governmentBundle.path)", "\(lab.trust.publicRoot.path)", "\(lab.trust.labIntermediate.path)"]}
            probe: {link: {count: 2, interval: 20ms, timeout: 300ms}, tls: {timeout: 4s, http_port: 1}}
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                link: \(up(1))
                endpoints: [\(try endpoint("good-ecdsa")), \(try endpoint("government-ca"))]
                children:
                  - code: "622"
                    name: "Thành phố Pleiku"
                    level: district
                    link: \(up(2, via: "64"))
                    endpoints: [\(try endpoint("expired"))]
                    children:
                      - {code: "23557", name: "Phường Yên Đỗ", level: commune, link: \(up(3, via: "622")), endpoints: [\(try endpoint("hsts-missing"))]}
                      - {code: "23560", name: "Phường Diên Hồng", level: commune, endpoints: [\(try endpoint("self-signed"))]}
                  - code: "623"
                    name: "Thị xã An Khê"
                    level: district
                    link: \(down(district, via: "64"))
                    endpoints: [\(try endpoint("tls1_0-only"))]
                    children:
                      - {code: "23614", name: "Phường An Bình", level: commune, link: \(down(commune1, via: "623")), endpoints: [\(try endpoint("refused"))]}
                      - {code: "23617", name: "Phường Tây Sơn", level: commune, link: \(down(commune2, via: "623"))}
                      - {code: "23620", name: "Xã Cửu An", level: commune, link: \(up(4, via: "623"))}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try AuditCommandTests.json(result.stdout)
        #expect((report["run"] as? [String: Any])?["state"] as? String == "complete")
        let summary = try #require(report["summary"] as? [String: Any])

        // Per level: connection figures against the targets, endpoints by verdict and anchor.
        let levels = try #require(summary["levels"] as? [[String: Any]])
        #expect(levels.map { $0["level"] as? String } == ["province", "district", "commune"])
        let figures = levels.map { $0["figures"] as! [String: Any] }
        func column(_ key: String) -> [Int?] { figures.map { $0[key] as? Int } }
        #expect(column("agencies") == [1, 2, 5])
        #expect(column("connected") == [1, 1, 2])
        #expect(column("down") == [0, 1, 0])
        #expect(column("unreachable") == [0, 0, 2])
        #expect(column("unconfigured") == [0, 0, 1])
        #expect(column("not_probed") == [0, 0, 0])
        #expect(figures.map { $0["connection_rate"] as? Double } == [100, 50, 40])
        #expect(levels.map { $0["target_percent"] as? Double } == [100, 100, 50])
        #expect(levels.map { $0["gap"] as? Int } == [0, 1, 1])  // 50% of 5 communes is 3
        #expect(levels.map { $0["meets_target"] as? Bool } == [true, false, false])
        #expect(column("endpoints") == [2, 2, 3])
        #expect(column("compliant") == [2, 0, 1])  // HSTS missing is a medium finding: compliant
        #expect(column("noncompliant") == [0, 2, 1])
        #expect(column("endpoints_unreachable") == [0, 0, 1])
        #expect(column("trusted_government") == [2, 1, 1])  // every lab anchor is an inventory anchor here; expired and self-signed reach none
        #expect(summary["targets_met"] as? Bool == false)

        // Per unit: which district pulls the rate down.
        let parents = try #require(summary["parents"] as? [[String: Any]])
        #expect(parents.map { $0["code"] as? String } == ["64", "622", "623"])
        let unit = parents.map { $0["figures"] as! [String: Any] }
        #expect(unit.map { $0["agencies"] as? Int } == [7, 2, 3])
        #expect(unit.map { $0["connected"] as? Int } == [3, 1, 1])
        #expect(unit.map { $0["unreachable"] as? Int } == [2, 0, 2])
        #expect(parents.map { $0["gap"] as? Int } == [2, 0, 1])  // 64: a district and a commune short; 623: a commune

        // The gap list: paths, findings that break the baseline (and link findings), causes.
        let gaps = try #require(summary["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["code"] as? String } == ["622", "23560", "623", "23614", "23617"])
        let ids = gaps.map { ($0["findings"] as? [[String: Any]])?.map { $0["id"] as? String } }
        #expect(ids[0] == ["cert.expired"])
        #expect(ids[1] == ["cert.self_signed", "link.unconfigured"])
        #expect(ids[2] == ["link.down", "tls.handshake_failed", "proto.tls1_0"])
        #expect(ids[3] == ["tls.unreachable", "link.unreachable"])
        #expect(ids[4] == ["link.unreachable"])
        #expect(gaps[3]["path"] as? [String] == ["Tỉnh Gia Lai", "Thị xã An Khê", "Phường An Bình"])
        #expect(gaps[3]["cause"] as? String == "623" && gaps[3]["cause_name"] as? String == "Thị xã An Khê")
        #expect(gaps.map { $0["connected"] as? Bool } == [true, false, false, false, false])
        #expect(gaps.map { $0["compliant"] as? Bool } == [false, false, false, false, true])
        #expect(summary["causes"] as? [String: [String]] == ["623": ["23614", "23617"]])

        // Certificates: the expired one, counted from the run's start.
        let certificates = try #require(summary["expiring_certificates"] as? [[String: Any]])
        #expect(certificates.map { $0["agency_code"] as? String } == ["622"])
        #expect((certificates.first?["days_left"] as? Int ?? 0) < 0)

        // Each endpoint with the anchor its chain reached.
        let endpoints = try #require(summary["endpoints"] as? [[String: Any]])
        #expect(endpoints.count == 7)
        // In inventory order, whatever order the checks ended in.
        #expect(endpoints.map { ($0["url"] as? String)?.split(separator: ".").first.map { $0.dropFirst(8) } }
                == ["good-ecdsa", "government-ca", "expired", "hsts-missing", "self-signed", "tls1-0-only", "refused"])
        let anchors = Dictionary(uniqueKeysWithValues: endpoints.map {
            ($0["url"] as! String, ($0["anchor"] as? [String: Any])?["store"] as? String) })
        #expect(anchors.filter { $0.key.contains("government-ca") }.values.first == "government")
        #expect(anchors.filter { $0.key.contains("self-signed") }.values.first == .some(nil))

        // docs/results-schema.md documents exactly the fields the report writes.
        let written = Self.keys(of: report), documented = try Self.documentedKeys().subtracting(Self.notInAFirstRun)
        #expect(written == documented, "undocumented: \(written.subtracting(documented).sorted()); not written: \(documented.subtracting(written).sorted())")

        // The same run as a Vietnamese table: the labels translated, the causes named.
        let table = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--lang", "vi"])
        #expect(table.status == 1)
        #expect(table.stdout.contains("netaudit lần kiểm tra 1 (kiểm tra đầy đủ, hoàn tất): Lab province"))
        #expect(table.stdout.contains("đường truyền phụ thuộc Thị xã An Khê (623), đang mất kết nối"))
        #expect(table.stdout.contains("nguyên nhân: Thị xã An Khê (623) mất kết nối, kéo theo 2 cơ quan (23614, 23617)"))
        #expect(!table.stdout.contains("\u{1B}["))  // no colour into a pipe
        withExtendedLifetime((district, commune1, commune2)) {}
    }

    /// The paths of every key of a JSON value (`summary.levels.figures.agencies`), leaving out
    /// the keys that are data: evidence names and the codes of `causes`.
    static func keys(of value: Any, prefix: String = "") -> Set<String> {
        var keys: Set<String> = []
        if let object = value as? [String: Any] {
            for (key, child) in object where key != "…" {
                let path = prefix.isEmpty ? key : prefix + "." + key
                keys.insert(path)
                if key != "evidence" && key != "causes" { keys.formUnion(Self.keys(of: child, prefix: path)) }
            }
        } else if let array = value as? [Any] {
            for child in array { keys.formUnion(Self.keys(of: child, prefix: prefix)) }
        }
        return keys
    }

    /// The keys of the example in docs/results-schema.md.
    static func documentedKeys() throws -> Set<String> {
        let text = try String(contentsOfFile: CLIRunner.repository + "/docs/results-schema.md", encoding: .utf8)
        let json = try #require(text.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "```").first)
        return keys(of: try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    /// Documented keys a first, complete run has no value for.
    static let notInAFirstRun: Set<String> = ["verdicts.tls.from_run", "summary.gaps.link_problem", "summary.gaps.endpoints_not_probed", "changes", "changes.previous_run", "changes.newly_down", "changes.recovered",
                                              "changes.newly_noncompliant", "changes.fixed",
                                              "endpoints_from", "endpoints_from.id", "endpoints_from.kind", "endpoints_from.state",
                                              "endpoints_from.started_at", "endpoints_from.ended_at", "endpoints_from.inventory_path",
                                              "endpoints_from.inventory_hash", "endpoints_from.title", "run.resumed_from"]

    /// `--tls-only` judges no link: the levels are "not probed", not missed, and the exit
    /// status follows the endpoints alone.
    @Test func aTLSOnlyRunJudgesNoLink() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let main = try lab.endpoint(for: "good-ecdsa")
        try """
            levels: [province, commune]
            trust: {anchors: ["\(lab.trust.publicRoot.path)"]}
            probe: {tls: {timeout: 4s, http_port: 1}}
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.66.1.1, method: tcp, port: 9}
                endpoints: [{url: "https://\(main.hostName):\(main.port)/", address: \(main.address)}]
                children:
                  - {code: "23557", name: "Phường Yên Đỗ", level: commune}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--tls-only"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("province         1          -         -     -            -        0     -    100%    -  not probed"))
        #expect(result.stdout.contains("Not connected (0)") && result.stdout.contains("Not compliant (0)"))
        #expect(result.stdout.contains("Connection: not checked in this run\nTLS: 1 of 1 endpoints compliant (100%) — met\n"), "\(result.stdout)")
    }

    /// `--only` a commune behind a district that is down: the district is probed for its
    /// state only, so the commune's silence is `link.unreachable` (the cause is upstream).
    @Test func onlyASubtreeStillKnowsItsViaNodeIsDown() async throws {
        let district = try Blackhole(address: "127.66.0.2")
        let commune = try Blackhole(address: "127.66.0.3")
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district, commune]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.66.1.1, method: tcp, port: 9}
                children:
                  - code: "623"
                    name: "Thị xã An Khê"
                    level: district
                    link: {address: \(district.address), method: tcp, port: \(district.port), via: "64"}
                    children:
                      - {code: "23614", name: "Phường An Bình", level: commune, link: {address: \(commune.address), method: tcp, port: \(commune.port), via: "623"}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                        "--links-only", "--only", "23614", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let summary = try #require(try AuditCommandTests.json(result.stdout)["summary"] as? [String: Any])
        let gaps = try #require(summary["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["code"] as? String } == ["23614"])  // the district is not reported
        #expect((gaps.first?["findings"] as? [[String: Any]])?.map { $0["id"] as? String } == ["link.unreachable"])
        #expect(gaps.first?["cause"] as? String == "623")
        let store = try SQLiteStore(path: folder + "/r.sqlite")
        #expect(try await store.linkResults(run: try #require(try await store.runs().first).id).map(\.agencyCode) == ["23614"])
        withExtendedLifetime((district, commune)) {}
    }

    /// Without the right to send ICMP (an unprivileged user without CAP_NET_RAW, ICMP
    /// datagram sockets not allowed for its group, in a namespace of its own), the audit is
    /// refused before anything is probed: status 2, one message that says what to do, no
    /// store written. It used to store a complete run with every agency "not probed".
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func withoutTheRightToSendICMPTheAuditIsRefusedAndNothingStored() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "64"
                name: Tỉnh Gia Lai
                level: province
                link: {address: 127.0.0.1}
                children:
                  - {code: "622", name: Thành phố Pleiku, level: district, link: {address: 127.0.0.2}}
                  - {code: "623", name: Thị xã An Khê, level: district, link: {address: 127.0.0.3, method: tcp, port: 9}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder)
        func unprivileged(_ arguments: String) throws -> CLIRunner.Result {
            try CLIRunner.run(
                ["-c", "ip link set lo up && sysctl -qw net.ipv4.ping_group_range='1 0' && exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \(CLIRunner.binary) \(arguments)"],
                executable: "/bin/sh", wrapper: ["/usr/bin/unshare", "--net"])
        }
        for kind in ["", "--links-only"] {
            let result = try unprivileged("audit --inventory \(folder)/inventory.yaml --db \(folder)/r.sqlite \(kind)")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("cannot probe the 2 ICMP links of the inventory: no ICMP socket"), "\(result.stderr)")
            for way in ["as root", "setcap cap_net_raw+ep", "net.ipv4.ping_group_range", "method: tcp", "Nothing was probed."] {
                #expect(result.stderr.contains(way), "\(way): \(result.stderr)")
            }
            #expect(result.stderr.components(separatedBy: "no ICMP socket").count == 2, "one message, not one per link")
            #expect(!FileManager.default.fileExists(atPath: folder + "/r.sqlite"), "nothing stored")
        }
        // A TLS-only audit sends no echo: it runs.
        let tls = try unprivileged("audit --inventory \(folder)/inventory.yaml --db \(folder)/r.sqlite --tls-only")
        #expect(tls.status == 0, "\(tls.stderr)")

        // The daemon refuses to start the same way, with the message in its log (the journal).
        try "inventory: inventory.yaml\ndatabase: d.sqlite\nhttp: {listen: \"127.0.0.1:0\"}\n"
            .write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try unprivileged("daemon --config \(folder)/netaudit.yaml")
        #expect(daemon.status == 2, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("<3>cannot probe the 2 ICMP links of the inventory: no ICMP socket"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("nothing started"), "\(daemon.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/d.sqlite"))
    }

    /// The run's deadline stops checks stuck on a tarpit: the run ends aborted, on time.
    @Test func theRunDeadlineAbortsARunStuckOnATarpit() async throws {
        let lab = try LabCatalogue.standard().start(only: ["tarpit"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tarpit = try lab.endpoint(for: "tarpit")
        try AuditCommandTests.writeOneAgency(to: folder, url: "https://\(tarpit.hostName):\(tarpit.port)/", address: "\(tarpit.address)",
                                             probe: "{link: {count: 1, timeout: 200ms}, tls: {timeout: 60s, http_port: 1}, run_timeout: 1s}")
        let begin = Date()
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite"])
        #expect(Date().timeIntervalSince(begin) < 10)
        #expect(result.status == 1)
        #expect(result.stdout.contains("note: the run deadline (probe.run_timeout: 1s) passed"), "\(result.stdout)")
        let store = try SQLiteStore(path: folder + "/r.sqlite")
        let run = try #require(try await store.runs().first)
        #expect(run.state == .aborted)
        #expect(try await store.linkResults(run: run.id).count == 1)  // what it measured before the deadline stays

        // --run-timeout overrides the inventory's.
        let flag = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                      "--run-timeout", "500ms", "--format", "json"])
        #expect(flag.stdout.contains("the run deadline (500ms) passed"))
        // An aborted run meets nothing: the endpoint it did not finish is counted and listed.
        let aborted = try AuditCommandTests.json(flag.stdout)
        let summary = try #require(aborted["summary"] as? [String: Any])
        #expect(summary["targets_met"] as? Bool == false)
        let figures = try #require((summary["levels"] as? [[String: Any]])?.first?["figures"] as? [String: Any])
        #expect(figures["endpoints_not_probed"] as? Int == 1 && figures["endpoints"] as? Int == 0)
        #expect((summary["gaps"] as? [[String: Any]])?.first?["endpoints_not_probed"] as? Int == 1)
        let report = try CLIRunner.run(["report", "--db", folder + "/r.sqlite"])
        #expect(report.status == 1)
        #expect(report.stdout.contains("Result: the run did not complete; its figures are partial."))
        let bad = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--run-timeout", "soon"])
        #expect(bad.status == 2)
    }
}
