import Foundation
import NetauditCore
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Synchronization
import Testing

/// `netaudit audit` and `netaudit report` end to end: a small province, real probes, a real
/// SQLite file, the report as JSON.
@Suite(.serialized) struct AuditCommandTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-audit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A province whose link answers (TCP to a closed port) and a commune without a link.
    static func writeSmallProvince(to folder: String, communeName: String) throws {
        try """
            levels: [province, commune]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "52"
                name: "Gia Lai"
                level: province
                link: {address: 127.2.0.52, method: tcp, port: 9}
                children:
                  - {code: "21583", name: "\(communeName)", level: commune}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
    }

    /// One agency whose link answers (TCP to a closed port) and whose one endpoint is `url`
    /// pinned to `address` (a lab case), with the probe settings `probe` (YAML flow mapping).
    static func writeOneAgency(to folder: String, url: String, address: String, probe: String) throws {
        try """
            levels: [province]
            probe: \(probe)
            agencies:
              - code: "52"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                endpoints: [{url: "\(url)", address: \(address)}]
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Links only, in a private network namespace where the kernel ignores echo requests:
    /// ICMP links are down, TCP links to a closed port answer (RST) and are up.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func linksUpDownUnreachableAndUnconfigured() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district, commune]
            targets: {commune: 50}
            probe: {link: {count: 2, interval: 20ms, timeout: 300ms}}
            agencies:
              - {code: "64", name: "Tỉnh Gia Lai", level: province, link: {address: 127.2.0.64, method: tcp, port: 9}}
              - code: "622"
                name: "Thành phố Pleiku"
                level: district
                link: {address: 127.4.2.110, method: tcp, port: 9, via: "64"}
                children:
                  - {code: "23557", name: "Phường Yên Đỗ", level: commune, link: {address: 127.6.92.5, method: tcp, port: 9, via: "622"}}
                  - {code: "23560", name: "Phường Diên Hồng", level: commune}
              - code: "623"
                name: "Thị xã An Khê"
                level: district
                link: {address: 127.4.2.111, via: "64"}
                children:
                  - {code: "23614", name: "Phường An Bình", level: commune, link: {address: 127.6.92.62, via: "623"}}
                  - {code: "23617", name: "Phường Tây Sơn", level: commune, link: {address: 127.6.92.65, method: tcp, port: 9, via: "623"}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(
            ["-c", "ip link set lo up && sysctl -q -w net.ipv4.icmp_echo_ignore_all=1 && \(CLIRunner.binary) audit --inventory \(folder)/inventory.yaml --db \(folder)/results.sqlite --format json"],
            executable: "/bin/sh", wrapper: ["/usr/bin/unshare", "--net"])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try Self.json(result.stdout)
        #expect((report["run"] as? [String: Any])?["state"] as? String == "complete")
        let summary = try #require(report["summary"] as? [String: Any])
        let levels = try #require(summary["levels"] as? [[String: Any]])
        let figures = levels.map { $0["figures"] as! [String: Any] }
        #expect(figures.map { $0["agencies"] as? Int } == [1, 2, 4])
        #expect(figures.map { $0["connected"] as? Int } == [1, 1, 2])
        #expect(figures[1]["down"] as? Int == 1)
        #expect(figures[2]["unreachable"] as? Int == 1 && figures[2]["unconfigured"] as? Int == 1)
        #expect(levels.map { $0["meets_target"] as? Bool } == [true, false, true])  // communes: 2 of 4 = 50%
        #expect(summary["causes"] as? [String: [String]] == ["623": ["23614"]])
        let gaps = try #require(summary["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["code"] as? String } == ["23560", "623", "23614"])
        let unreachable = gaps[2]
        #expect(unreachable["cause"] as? String == "623")
        #expect((unreachable["findings"] as? [[String: Any]])?.map { $0["id"] as? String } == ["link.unreachable"])
        #expect((gaps[0]["findings"] as? [[String: Any]])?.first?["id"] as? String == "link.unconfigured")
        #expect((gaps[1]["findings"] as? [[String: Any]])?.first?["id"] as? String == "link.down")

        // The stored run renders again without probing, to the same summary.
        let again = try CLIRunner.run(["report", "--db", folder + "/results.sqlite", "--format", "json"])
        #expect(again.status == 1)
        #expect(again.stdout == result.stdout)
    }

    /// Endpoints of lab cases: compliant, non-compliant and unreachable, with their findings stored.
    @Test func endpointsAreJudgedAndStored() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa", "expired", "refused"])
        defer { lab.stop() }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func endpoint(_ id: String) throws -> String {
            let main = try lab.endpoint(for: id)
            return "{url: \"https://\(main.hostName):\(main.port)/\", address: \(main.address)}"
        }
        try """
            levels: [province]
            trust: {anchors: ["\(lab.trust.publicRoot.path)"]}
            probe: {tls: {timeout: 5s, http_port: 1}}
            agencies:
              - code: "A"
                name: "Sở Nội vụ"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                endpoints: [\(try endpoint("good-ecdsa")), \(try endpoint("expired")), \(try endpoint("refused"))]
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/results.sqlite"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("TLS endpoints, per level"))
        // The connection met, TLS not: each verdict apart, and the last line says which failed.
        #expect(result.stdout.contains("Connection: 100% of 1 agencies connected — met\n"), "\(result.stdout)")
        #expect(result.stdout.contains("TLS: 1 of 3 endpoints compliant (33.3%; 1 not compliant, 1 unreachable) — MISSED\n"))
        #expect(result.stdout.hasSuffix("Result: every level meets its connection target; endpoints not compliant.\n"))

        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let run = try #require(try await store.runs().first)
        #expect(run.state == .complete && run.kind == .audit)
        let endpoints = Dictionary(uniqueKeysWithValues: try await store.endpointResults(run: run.id).map {
            ($0.observation.serverName, $0) })
        #expect(endpoints["good-ecdsa.lab.test"]?.verdict == .compliant)
        #expect(endpoints["expired.lab.test"]?.verdict == .noncompliant)
        #expect(endpoints["expired.lab.test"]?.findings.map(\.id).contains("cert.expired") == true)
        #expect(endpoints["refused.lab.test"]?.verdict == .unreachable)
        #expect(endpoints["refused.lab.test"]?.findings.first?.id == "tls.unreachable")
        #expect(try await store.integrityCheck() == "ok")
    }

    /// A complete run, then SIGKILL in the middle of a second, then a third: the killed run is
    /// aborted with what it stored kept, the third complete, the first unchanged, the file sound.
    @Test func aRunKilledMidwayIsAbortedAndTheNextOneCompletes() async throws {
        let lab = try LabCatalogue.standard().start(only: ["tarpit"])
        defer { lab.stop() }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tarpit = try lab.endpoint(for: "tarpit")
        try Self.writeOneAgency(to: folder, url: "https://\(tarpit.hostName):\(tarpit.port)/", address: "\(tarpit.address)",
                                probe: "{link: {count: 1, timeout: 200ms}, tls: {timeout: 20s, http_port: 1}}")
        // Run 1: complete, before anything goes wrong. What it stored must never change.
        let arguments = ["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/results.sqlite"]
        let first = try CLIRunner.run(arguments + ["--links-only"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstStore = try SQLiteStore(path: folder + "/results.sqlite")
        let firstRun = try #require(try await firstStore.runs().first)
        let firstLinks = try await firstStore.linkResults(run: firstRun.id)
        try await firstStore.close()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until run 2's link result is stored (the endpoint then hangs on the tarpit), then kill.
        let deadline = Date().addingTimeInterval(10)
        var stored = false
        while !stored && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            if let store = try? SQLiteStore(path: folder + "/results.sqlite"), let run = try? await store.runs().first, run.id.value == 2 {
                stored = ((try? await store.linkResults(run: run.id).count) ?? 0) == 1
            }
        }
        #expect(stored)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let third = try CLIRunner.run(arguments + ["--links-only"])
        #expect(third.stderr.contains("run 2 was cut off earlier; it is now marked aborted"))
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let runs = try await store.runs()
        #expect(runs.map(\.id.value) == [3, 2, 1])
        #expect(runs.map(\.state) == [.complete, .aborted, .complete])
        #expect(runs[1].note?.contains("ended without finishing") == true)
        #expect(try await store.linkResults(run: runs[1].id).count == 1)  // what the killed run stored stays
        #expect(runs[2] == firstRun)  // the earlier run, unchanged
        #expect(try await store.linkResults(run: runs[2].id) == firstLinks)
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test func anInvalidInventoryProbesNothingAndExitsWith2() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLIRunner.run(["audit", "--inventory", "Tests/NetauditInventoryTests/Fixtures/invalid/via-cycle.yaml",
                                        "--db", folder + "/results.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("link via forms a cycle"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/results.sqlite"))
    }
}

/// Report formats, languages and the changes since the previous run.
@Suite(.serialized) struct ReportFormatTests {
    @Test func csvVietnameseLabelsAndChangesSinceThePreviousRun() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditCommandTests.writeSmallProvince(to: folder, communeName: #"Phường \"Quy Nhơn\", mới"#)
        let arguments = ["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"]
        let first = try CLIRunner.run(arguments + ["--lang", "vi"])
        #expect(first.status == 1)  // a commune without link: 0 of 1 connected
        #expect(first.stdout.contains("Kết nối mạng truyền số liệu chuyên dùng, theo cấp"))
        #expect(first.stdout.contains("CHƯA ĐẠT"))
        #expect(!first.stdout.contains("Changes since run"))

        let second = try CLIRunner.run(arguments)
        #expect(second.stdout.contains("Changes since run 1\n  newly down: -\n  recovered: -"))

        let csv = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("\u{FEFF}code,name,level,path,link,loss %,median ms,endpoints,compliant endpoints,findings,trust,"))
        // The first eleven columns as ever; then parent, district (none in two levels), run id.
        #expect(csv.stdout.contains("\r\n21583,\"Phường \"\"Quy Nhơn\"\", mới\",commune,\"Gia Lai › Phường \"\"Quy Nhơn\"\", mới\",unconfigured,,,0,0,link.unconfigured,,52,,2,"))
        let first2 = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--run", "1", "--format", "json"])
        #expect(first2.stdout.contains("\"id\" : 1"))
        let missing = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--run", "9"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no run 9"))
    }
}

/// The HTML report opens in a real browser: Debian's Chromium, headless, takes a screenshot.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")))
struct HTMLReportTests {
    @Test func theHTMLReportRendersInHeadlessChromium() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditCommandTests.writeSmallProvince(to: folder, communeName: "Phường Quy Nhơn <b>")
        _ = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"])
        let html = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--format", "html", "--lang", "vi"])
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(html.stdout.contains("Phường Quy Nhơn &lt;b&gt;"))  // names are escaped
        #expect(!html.stdout.contains("src=\"http") && !html.stdout.contains("href=\"http"))  // self-contained
        try html.stdout.write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        let shot = try CLIRunner.run(["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                      "--screenshot=\(folder)/report.png", "--window-size=1000,800", "file://\(folder)/report.html"],
                                     executable: "/usr/bin/chromium")
        #expect(shot.status == 0, "\(shot.stderr.suffix(500))")
        let png = try #require(FileManager.default.contents(atPath: folder + "/report.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))  // a PNG
        #expect(png.count > 10_000)  // more than a blank page
    }
}

/// An audit of a province whose agencies each serve one lab case: every case gets exactly
/// the findings it deserves (above info), and the good ones none.
@Suite(.serialized) struct AuditOfEveryLabCaseTests {
    static let expected: [String: [String]] = [
        "good-rsa": [], "good-ecdsa": [], "government-ca": [],
        "expired": ["cert.expired"], "not-yet-valid": ["cert.not_yet_valid"], "self-signed": ["cert.self_signed"],
        // Leaf only, straight from an unknown root: no client can tell that from an omitted
        // intermediate, so the chain is also said to be incomplete (with the fix).
        "untrusted-root": ["cert.untrusted", "cert.chain_incomplete"], "wrong-host": ["cert.hostname_mismatch"], "incomplete-chain": ["cert.chain_incomplete"],
        "sha1-signed": ["cert.weak_signature"], "rsa-1024": ["cert.weak_key"], "expiring-5-days": ["cert.expiring"],
        "long-validity": ["cert.long_validity"],
        // Old-protocol servers at security level 0 also take static-RSA suites.
        "tls1_0-only": ["tls.handshake_failed", "proto.tls1_0", "proto.tls1_2_missing", "proto.tls1_3_missing",
                        "cipher.no_forward_secrecy"],
        "tls1_1-only": ["tls.handshake_failed", "proto.tls1_1", "proto.tls1_2_missing", "proto.tls1_3_missing",
                        "cipher.no_forward_secrecy"],
        "tls1_3-only": ["proto.tls1_2_missing"],
        "static-rsa-only": ["cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_3_missing"],
        // lighttpd with GnuTLS: TLS 1.2 only, static RSA too, no HSTS header.
        "3des": ["cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_3_missing", "http.hsts_missing"],
        // Crafted servers only say hello (no handshake completes: TLS 1.3 stays unjudged) and
        // all take TLS_RSA_WITH_AES_128_CBC_SHA besides their weak suites (CBC is judged at
        // TLS 1.2 only: crafted-export and crafted-ssl3 do not speak it). Their DHE suites
        // (crafted-export, crafted-des) come without a ServerKeyExchange: no group, no kex.dh_weak.
        "crafted-rc4": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_0", "proto.tls1_1"],
        "crafted-export": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "proto.ssl3", "proto.tls1_0",
                           "proto.tls1_2_missing"],
        "crafted-ssl3": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "proto.ssl3", "proto.tls1_2_missing"],
        "crafted-null": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_0", "proto.tls1_1"],
        "crafted-anon": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_0", "proto.tls1_1"],
        "crafted-des": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "proto.tls1_0", "proto.tls1_1"],
        "hsts-present": [], "hsts-missing": ["http.hsts_missing"], "hsts-short": ["http.hsts_short"],
        // http-no-redirect is left out: its plain-HTTP port is its own, and an inventory has one
        // http_port for all (the probe and policy tests cover it).
        "refused": ["tls.unreachable"], "tarpit": ["tls.unreachable"], "garbage": ["tls.handshake_failed"],
        "reset": ["tls.handshake_failed"], "trickle": ["tls.unreachable"],
        "https-redirect": [],  // a 302 with HSTS is fine
        // Too much of something: judged on what can be judged, nothing made up.
        "many-headers": ["http.response_unreadable"], "huge-chain": ["tls.handshake_failed"], "many-sans": [],
        "noise": ["tls.handshake_failed"],
        // TLS depth: revocation from each source (a responder that is down is only info), a
        // chain completed from caIssuers (the lab intermediate is known here too), a downgrade.
        "https-downgrade": ["http.downgrade_redirect"], "ocsp-stapled-revoked": ["cert.revoked"],
        "ocsp-revoked": ["cert.revoked"], "ocsp-good": [], "ocsp-responder-down": [], "crl-revoked": ["cert.revoked"],
        "aia-incomplete-chain": ["cert.chain_incomplete"],
        // Key exchange and CBC (issue 11).
        "dhe-1024": ["kex.dh_weak"], "cbc-only": ["cipher.cbc", "proto.tls1_3_missing"],
        "crafted-dhe-512": ["tls.handshake_failed", "cipher.weak", "cipher.no_forward_secrecy", "cipher.cbc", "kex.dh_weak",
                            "proto.tls1_0", "proto.tls1_1"],
    ]

    @Test func everyCaseGetsItsFindings() async throws {
        let lab = try LabCatalogue.standard().start()
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var agencies: [String] = []
        for (index, id) in Self.expected.keys.sorted().enumerated() where lab.unavailable[id] == nil {
            let main = try lab.endpoint(for: id)
            let tls = main.scheme == "https" ? main : try #require(try lab.companion(for: id))
            agencies.append("""
                  - code: "C\(index)"
                    name: "\(id)"
                    level: province
                    link: {address: 127.0.0.1, method: tcp, port: 9}
                    endpoints: [{url: "https://\(tls.hostName):\(tls.port)/", address: \(tls.address)}]
                """)
        }
        // Government trust: the lab's Government CA, and the lab root (standing in for a
        // public root); the lab intermediate is a known intermediate, so that a missing
        // intermediate is recognised.
        try """
            levels: [province]
            trust: {anchors: ["\(lab.trust.governmentBundle.path)", "\(lab.trust.publicRoot.path)"],
                    intermediates: ["\(lab.trust.labIntermediate.path)"]}
            probe: {link: {count: 1, timeout: 300ms}, tls: {timeout: 4s, http_port: 1}}
            agencies:
            \(agencies.joined(separator: "\n"))
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--tls-only"])
        #expect(result.status == 1, "\(result.stderr)")
        let store = try SQLiteStore(path: folder + "/r.sqlite")
        let run = try #require(try await store.runs().first)
        let byCase = Dictionary(uniqueKeysWithValues: try await store.endpointResults(run: run.id).map {
            (String($0.observation.serverName.dropLast(".lab.test".count)).replacingOccurrences(of: "tls1-", with: "tls1_"), $0)
        })
        for (id, ids) in Self.expected where lab.unavailable[id] == nil {
            let endpoint = try #require(byCase[id], "no result for \(id)")
            let found = Set(endpoint.findings.filter { $0.severity != .info }.map(\.id))
            #expect(found == Set(ids), "\(id): expected \(ids.sorted()), found \(found.sorted())")
            if ids.isEmpty { #expect(endpoint.verdict == .compliant, "\(id)") }
        }
        #expect(byCase["refused"]?.verdict == .unreachable)
        #expect(byCase["expired"]?.verdict == .noncompliant)
    }
}

/// A full disk mid-run: a clear message, exit status 2, and what was stored stays readable.
@Suite(.serialized, .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
struct FullDiskTests {
    @Test func aFullDiskEndsTheAuditWithAClearMessage() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disk = folder + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        // A 480 KiB file system, in a private mount namespace: the run and its first results
        // fit, the 255 agencies' results do not.
        let inventory = CLIRunner.repository + "/Inventory/gia-lai-2019"
        let result = try CLIRunner.run(
            ["-c", "mount -t tmpfs -o size=480k tmpfs \(disk) && \(CLIRunner.binary) audit --inventory \(inventory) --db \(disk)/r.sqlite --links-only; echo status=$?; cp \(disk)/r.sqlite* \(folder)/"],
            executable: "/bin/sh", wrapper: ["/usr/bin/unshare", "--mount"])
        #expect(result.stderr.contains("netaudit: results store \(disk)/r.sqlite: the disk is full (nothing already stored is lost)"), "\(result.stderr)")
        #expect(result.stdout.contains("status=2"))
        // With room again, the store opens: the cut-off run is aborted, its results kept, the file sound.
        let store = try SQLiteStore(path: folder + "/r.sqlite")
        let run = try #require(try await store.runs().first)
        #expect(run.state == .aborted)
        #expect(try await store.linkResults(run: run.id).count > 0)
        #expect(try await store.integrityCheck() == "ok")
    }
}

/// `--only CODE` judges the subtree it audited and nothing else.
@Suite(.serialized) struct AuditOnlyTests {
    @Test func onlyASubtreeIsReported() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "P"
                name: "Tỉnh"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                children:
                  - {code: "D1", name: "Huyện 1", level: district, link: {address: 127.0.0.1, method: tcp, port: 9}}
                  - {code: "D2", name: "Huyện 2", level: district}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                        "--links-only", "--only", "D1", "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)")  // D2 (no link) was not audited
        let summary = try #require(try AuditCommandTests.json(result.stdout)["summary"] as? [String: Any])
        let levels = try #require(summary["levels"] as? [[String: Any]])
        #expect(levels.map { $0["level"] as? String } == ["district"])
        #expect((summary["gaps"] as? [Any])?.isEmpty == true)
        // A gap below the subtree keeps its whole path from the top.
        let d2 = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                    "--links-only", "--only", "D2", "--format", "json"])
        #expect(d2.status == 1)
        let gaps = try #require((try AuditCommandTests.json(d2.stdout)["summary"] as? [String: Any])?["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["path"] as? [String] } == [["Tỉnh", "Huyện 2"]])
        let unknown = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--only", "D9"])
        #expect(unknown.status == 2)
    }
}

/// `--output` to something that is not a regular file (`/dev/null`, a FIFO) writes into
/// it; it never renames a file over it (which once replaced /dev/null with a regular file).
@Suite(.serialized) struct ReportOutputTests {
    @Test func aFIFOIsWrittenIntoAndStaysAFIFO() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province]
            agencies:
              - {code: "52", name: "Gia Lai", level: province, link: {address: 127.0.0.1, method: tcp, port: 9}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let fifo = folder + "/report.fifo"
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/mkfifo")
        made.arguments = [fifo]
        try made.run()
        made.waitUntilExit()
        let received = Mutex<String?>(nil)
        let reader = Thread {
            let handle = FileHandle(forReadingAtPath: fifo)
            let text = handle.map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }
            received.withLock { $0 = text }
        }
        reader.start()
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                        "--links-only", "--output", fifo])
        #expect(result.status == 0, "\(result.stderr)")
        let deadline = Date().addingTimeInterval(5)
        while received.withLock({ $0 }) == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if received.withLock({ $0 }) == nil { _ = FileHandle(forWritingAtPath: fifo) }  // release the reader: the test fails below
        let text = received.withLock { $0 }
        #expect(text?.contains("netaudit run 1 (link_sweep, complete)") == true, "\(text ?? "nothing")")
        let type = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
        #expect(type != nil && type != .typeRegular, "the FIFO was replaced: \(String(describing: type))")
    }
}
