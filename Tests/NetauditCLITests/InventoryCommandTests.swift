import Foundation
import NetauditTestSupport
import Testing

/// `netaudit inventory …` and the root command, run as the operator runs them.
@Suite(.serialized) struct InventoryCommandTests {
    static let gialai2019 = "Inventory/gia-lai-2019/inventory.yaml"
    static let fixtures = "Tests/NetauditInventoryTests/Fixtures"
    static let invalid = fixtures + "/invalid"

    @Test func versionNamesTheLinkedLibraries() throws {
        let result = try CLIRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0.3.0 (libcurl "))
        #expect(result.stdout.contains("OpenSSL"))
    }

    @Test func helpDocumentsTheExitStatuses() throws {
        let result = try CLIRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("EXIT STATUS:"))
        #expect(result.stdout.contains("2  usage error or invalid input"))
    }

    @Test(arguments: [["inventory", "bogus"], ["inventory", "stats", gialai2019, "--format", "xml"],
                      ["inventory", "check"], ["--no-such-flag"],
                      ["inventory", "import", "x.csv", "--split"]])
    func usageErrorsExitWith2(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error:"))
        #expect(result.stdout.isEmpty)
    }

    @Test func checkAcceptsTheShippedInventory() throws {
        let result = try CLIRunner.run(["inventory", "check", Self.gialai2019])
        #expect(result.status == 0)
        #expect(result.stdout == "\(Self.gialai2019): valid, 255 agencies in 18 files (levels: province > district > commune)\n")
        #expect(try CLIRunner.run(["inventory", "check", "--quiet", Self.gialai2019]).stdout.isEmpty)
    }

    /// Every invalid fixture of the library's tests, through the binary: status 2, nothing on
    /// standard output, and on standard error exactly its FILE:LINE:COLUMN lines and the summary.
    @Test(arguments: InvalidInventoryCases.all)
    func checkPrintsEveryProblemAndExitsWith2(_ testCase: InvalidInventoryCase) throws {
        let path = Self.invalid + "/" + testCase.file
        let result = try CLIRunner.run(["inventory", "check", path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = testCase.expectedMessages(fixtures: Self.fixtures)
        let summary = "netaudit: \(lines.count) problem\(lines.count == 1 ? "" : "s") in the inventory \(path)"
        #expect(result.stderr == (lines + [summary]).map { $0 + "\n" }.joined())
    }

    /// `inventory check` in a child killed (by its PID) after `seconds`: a load that hangs
    /// or explodes fails the test instead of holding it.
    static func checkWithin(_ seconds: Double, _ path: String) throws -> (status: Int32, stderr: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["inventory", "check", path]
        process.currentDirectoryURL = URL(fileURLWithPath: CLIRunner.repository)
        let errPath = NSTemporaryDirectory() + "netaudit-check-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        while process.isRunning && Date().timeIntervalSince(start) < seconds { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "", Date().timeIntervalSince(start))
    }

    /// A 3 kB billion-laughs file (each agency's children alias the previous one nine
    /// times, 24 deep) is refused at once, at its place, instead of growing for minutes.
    @Test func anAliasBombIsRefusedAtOnce() throws {
        let result = try Self.checkWithin(10, Self.invalid + "/alias-bomb.yaml")
        #expect(result.seconds < 3, "took \(result.seconds) s")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix(Self.invalid + "/alias-bomb.yaml:4:40: excessive aliasing: "), "\(result.stderr.prefix(300))")
        // An alias of such a collection as a key: refused before the composer compares keys.
        let key = try Self.checkWithin(10, Self.invalid + "/alias-key.yaml")
        #expect(key.seconds < 3, "took \(key.seconds) s")
        #expect(key.stderr.hasPrefix(Self.invalid + "/alias-key.yaml:30:57: the alias '*a24' of a list or mapping is used as a mapping key"), "\(key.stderr.prefix(300))")
    }

    /// A symbolic link from the inventory's folder to a file elsewhere (a stand-in for
    /// /etc/shadow) and a FIFO: both refused, neither opened, nothing of the secret printed.
    @Test func anIncludeOutsideTheFolderOrOfAFIFOPrintsNothingOfIt() throws {
        let folder = NSTemporaryDirectory() + "netaudit-include-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/inventory", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "root:$6$SECRET-HASH:19000:0:99999:7:::\nagencies: x\n".write(toFile: folder + "/shadow", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/inventory/district.yaml", withDestinationPath: folder + "/shadow")
        let mkfifo = try Process.run(URL(fileURLWithPath: "/usr/bin/mkfifo"), arguments: [folder + "/inventory/pipe.yaml"])
        mkfifo.waitUntilExit()
        try """
            levels: [province]
            agencies:
              - include: district.yaml
              - include: pipe.yaml
            """.write(toFile: folder + "/inventory/inventory.yaml", atomically: true, encoding: .utf8)
        let result = try Self.checkWithin(10, folder + "/inventory")
        #expect(result.seconds < 3, "took \(result.seconds) s")
        #expect(result.status == 2)
        #expect(!result.stderr.contains("SECRET") && !result.stderr.contains("root:"), "\(result.stderr)")
        #expect(result.stderr.contains("inventory.yaml:3:14: included file '\(folder)/inventory/district.yaml' is outside the folder of the top file"))
        #expect(result.stderr.contains("inventory.yaml:4:14: cannot read '\(folder)/inventory/pipe.yaml': it is a FIFO (named pipe), not a regular file"))
    }

    @Test func statsCountsPerLevelAsTableAndJSON() throws {
        let table = try CLIRunner.run(["inventory", "stats", Self.gialai2019])
        #expect(table.status == 0)
        #expect(table.stdout.contains("province        20      1           19"))
        #expect(table.stdout.contains("commune        218    218            0"))

        let json = try CLIRunner.run(["inventory", "stats", Self.gialai2019, "--format", "json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let levels = try #require(object["levels"] as? [[String: Any]])
        #expect(levels.map { $0["level"] as? String } == ["province", "district", "commune"])
        #expect(levels.map { $0["units"] as? Int } == [1, 17, 218])
        #expect(levels.map { $0["departments"] as? Int } == [19, 0, 0])
        #expect((object["total"] as? [String: Any])?["agencies"] as? Int == 255)
    }

    @Test func statsOfAnInvalidInventoryExitsWith2() throws {
        let result = try CLIRunner.run(["inventory", "stats", Self.invalid + "/level-unknown.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("level-unknown.yaml:6:12: unknown level 'provnice' (did you mean 'province'?)"))
    }

    @Test func importWritesAnInventoryThatChecksAndRefusesToOverwrite() throws {
        let folder = NSTemporaryDirectory() + "netaudit-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = CLIRunner.repository + "/Tests/NetauditInventoryTests/Fixtures/csv"
        let arguments = ["inventory", "import", csv + "/two-provinces.csv", "--departments", csv + "/departments.csv",
                         "--via", "parent", "--endpoint-domain", "lab.test", "--split", "--output", folder + "/out"]
        let first = try CLIRunner.run(arguments)
        #expect(first.status == 0)
        #expect(first.stderr == "netaudit: wrote \(folder)/out/inventory.yaml and 2 included files: 11 agencies\n")
        let check = try CLIRunner.run(["inventory", "check", folder + "/out/inventory.yaml"])
        #expect(check.status == 0)

        let before = try String(contentsOfFile: folder + "/out/inventory.yaml", encoding: .utf8)
        let second = try CLIRunner.run(arguments)
        #expect(second.status == 2)
        #expect(second.stderr == "netaudit: '\(folder)/out/inventory.yaml' already exists; use --force to replace it\n")
        #expect(try String(contentsOfFile: folder + "/out/inventory.yaml", encoding: .utf8) == before)
        #expect(try CLIRunner.run(arguments + ["--force"]).status == 0)
    }

    @Test func importToStandardOutput() throws {
        let csv = CLIRunner.repository + "/Tests/NetauditInventoryTests/Fixtures/csv/two-provinces.csv"
        let result = try CLIRunner.run(["inventory", "import", csv, "--root", "64", "--addresses", "none"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  - code: \"64\"\n    name: \"Tỉnh Gia Lai\"\n    level: province\n    children:\n"))
        #expect(!result.stdout.contains("link: {"))
    }

    @Test func importOfABadCSVExitsWith2() throws {
        let csv = "Tests/NetauditInventoryTests/Fixtures/csv/missing-column.csv"
        let result = try CLIRunner.run(["inventory", "import", csv])
        #expect(result.status == 2)
        #expect(result.stderr == "\(csv):1:1: missing column 'parent_code' (the header has: level, code, name, division_type)"
                + "; or the GSO's headers: Mã, Tên, Cấp and Mã cấp trên (or Mã TP / Mã QH), or Mã TP, Tỉnh Thành Phố, Mã QH, Quận Huyện, Mã PX, Phường Xã, Cấp\n")
    }

    /// The GSO's lists as they come, and the real addresses from a CSV: the written inventory
    /// checks, and a bad address is reported at its line and column with nothing written.
    @Test func importOfTheGSOListsWithRealAddresses() throws {
        let folder = NSTemporaryDirectory() + "netaudit-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gso = CLIRunner.repository + "/Tests/NetauditInventoryTests/Fixtures/csv/gso"
        let arguments = ["inventory", "import", gso + "/tinh.csv", gso + "/huyen.csv", gso + "/xa.csv", "--via", "parent",
                         "--addresses-file", gso + "/addresses.csv", "--allow", "198.18.0.0/15", "--allow", "::1/128"]
        let result = try CLIRunner.run(arguments + ["--output", folder + "/inventory.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "netaudit: wrote \(folder)/inventory.yaml: 6 agencies\n")
        let written = try String(contentsOfFile: folder + "/inventory.yaml", encoding: .utf8)
        #expect(written.contains("from tinh.csv, huyen.csv, xa.csv, addresses.csv."))
        #expect(written.contains("198.18.0.0/15"))
        #expect(!written.contains("loopback plan"))
        let check = try CLIRunner.run(["inventory", "check", folder + "/inventory.yaml"])
        #expect(check.status == 0, "\(check.stderr)")

        let bad = try CLIRunner.run(["inventory", "import", gso + "/combined.csv", "--addresses-file", gso + "/bad-addresses.csv",
                                     "--allow", "198.18.0.0/15", "--output", folder + "/bad.yaml"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad-addresses.csv:3:5: link address 127.0.0.5 is outside the allowed target networks (198.18.0.0/15)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad.yaml"))

        let conflicting = try CLIRunner.run(["inventory", "import", gso + "/combined.csv", "--addresses", "loopback",
                                             "--addresses-file", gso + "/addresses.csv"])
        #expect(conflicting.status == 2)
        #expect(conflicting.stderr.contains("cannot be combined with --addresses loopback"))
        let badNetwork = try CLIRunner.run(["inventory", "import", gso + "/combined.csv", "--addresses-file", gso + "/addresses.csv",
                                            "--allow", "198.18.0.0/99"])
        #expect(badNetwork.status == 2)
        #expect(badNetwork.stderr.contains("--allow '198.18.0.0/99' is not a network"))
    }

    /// A mistyped subcommand or option is named, with the closest name, before anything else.
    @Test(arguments: [
        (["reprot", "--run", "1"], "Error: unknown subcommand 'reprot' of 'netaudit' (did you mean 'report'?)"),
        (["inventory", "improt", "x.csv"], "Error: unknown subcommand 'improt' of 'netaudit inventory' (did you mean 'import'?)"),
        (["inventory", "zzz"], "Error: unknown subcommand 'zzz' of 'netaudit inventory' (expected one of: check, stats, import)"),
        (["audit", "--invenotry", "x"], "Error: unknown option '--invenotry' (did you mean '--inventory'?)"),
        (["report", "--formt=json"], "Error: unknown option '--formt' (did you mean '--format'?)"),
        (["store", "--no-such-thing"], "Error: unknown option '--no-such-thing'"),
    ])
    func mistypedWordsGetADidYouMean(_ arguments: [String], _ expected: String) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == expected)
    }

    @Test func anEndpointDomainNeedsLoopbackAddresses() throws {
        let result = try CLIRunner.run(["inventory", "import", "x.csv", "--addresses", "none", "--endpoint-domain", "a.test"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--endpoint-domain needs --addresses loopback"))
    }
}

/// `netaudit probe --link`, run as the operator runs it.
@Suite(.serialized) struct ProbeLinkCommandTests {
    @Test func aLoopbackLinkIsUp() throws {
        let result = try CLIRunner.run(["probe", "--link", "127.6.92.5", "--count", "3", "--interval", "20ms"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("link 127.6.92.5 (icmp, "))
        #expect(result.stdout.contains("  sent 3, answered 3, loss 0.0%\n"))
        #expect(result.stdout.contains("  state: up\n"))
    }

    @Test func jsonHasTheDocumentedFields() throws {
        let result = try CLIRunner.run(["probe", "--link", "::1", "--count", "2", "--interval", "10ms", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "up")
        #expect(object["loss_percent"] as? Double == 0)
        let link = try #require(object["link"] as? [String: Any])
        #expect(link["address"] as? String == "::1")
        #expect(link["method"] as? String == "icmp")
        #expect(link["sent"] as? Int == 2)
        #expect(link["received"] as? Int == 2)
        #expect((link["round_trip"] as? [String: Any])?["median"] is Double)
    }

    @Test func aClosedPortAnswersWithRefusals() throws {
        let result = try CLIRunner.run(["probe", "--link", "127.0.0.1", "--method", "tcp", "--port", "9", "--count", "2", "--interval", "10ms"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  sent 2, answered 2 (2 refused), loss 0.0%\n"))
    }

    @Test func anAddressOutsideTheAllowListIsRefusedBeforeAnythingIsSent() throws {
        // In an empty network namespace of its own: even a broken allow-list sends nothing out.
        let result = try CLIRunner.run(["probe", "--link", "192.0.2.1"], wrapper: ["/usr/bin/unshare", "--net"])
        #expect(result.status == 2)
        #expect(result.stderr == "netaudit: 192.0.2.1 is outside the allowed target networks (127.0.0.0/8, ::1/128); see --allow\n")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [["probe", "--link", "127.0.0.300"], ["probe", "--link", "127.0.0.1", "--method", "tcp"],
                      ["probe", "--link", "127.0.0.1", "--interval", "5"], ["probe", "--link", "127.0.0.1", "--port", "80"]])
    func badOptionsExitWith2(_ arguments: [String]) throws {
        #expect(try CLIRunner.run(arguments).status == 2)
    }
}

/// Which ICMP socket the link probe uses, and what it says when it has none. Each case runs
/// `netaudit probe --link` in a private network namespace (only `lo`), as root.
@Suite(.serialized, .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
struct ICMPSocketTests {
    static func inNamespace(_ script: String) throws -> CLIRunner.Result {
        try CLIRunner.run(["-c", "ip link set lo up && " + script], executable: "/bin/sh", wrapper: ["/usr/bin/unshare", "--net"])
    }

    @Test func anUnprivilegedDatagramSocketWhenPingGroupRangeAllowsIt() throws {
        let result = try Self.inNamespace(
            "sysctl -q -w net.ipv4.ping_group_range='0 2147483647' && \(CLIRunner.binary) probe --link 127.0.0.1 --count 2 --interval 10ms --format json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"transport\" : \"icmp-datagram\""))
    }

    @Test func aRawSocketWhenItDoesNot() throws {
        let result = try Self.inNamespace("\(CLIRunner.binary) probe --link 127.0.0.1 --count 2 --interval 10ms --format json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"transport\" : \"icmp-raw\""))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func neitherSocketIsExplained() throws {
        let result = try Self.inNamespace(
            "exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \(CLIRunner.binary) probe --link 127.0.0.1 --count 1")
        #expect(result.status == 1)
        #expect(result.stdout.contains("problem: no ICMP socket: an unprivileged datagram socket was refused"))
        #expect(result.stdout.contains("a raw socket needs CAP_NET_RAW"))
        #expect(result.stdout.contains("or probe this link with method: tcp"))
        #expect(result.stdout.contains("state: not probed"))
    }
}

/// `netaudit probe URL` against lab servers started by the test.
@Suite(.serialized) struct ProbeEndpointCommandTests {
    @Test func aGoodEndpointPrintsEveryObservation() throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa"])
        defer { lab.stop() }
        let main = try lab.endpoint(for: "good-ecdsa")
        let companion = try #require(try lab.companion(for: "good-ecdsa"))
        let result = try CLIRunner.run(["probe", "https://\(main.hostName):\(main.port)/", "--address", "\(main.address)",
                                        "--ca-file", lab.trust.governmentBundle.path, "--http-port", "\(companion.port)"])
        #expect(result.status == 0, "\(result.stderr)")
        for line in ["  handshake: ok (modern client)", "  status: 200", "  protocol: TLSv1.3", "  ocsp stapled: yes",
                     "  public: not trusted: untrusted_root", "  host name: matches good-ecdsa.lab.test",
                     "  TLSv1.2  accepted", "  rc4         refused", "(redirects to https on this site)"] {
            #expect(result.stdout.contains(line), "missing \(line)")
        }
        #expect(result.stdout.contains("HIGH     cert.untrusted: "))  // the lab root is in no public store
        #expect(result.stdout.hasSuffix("verdict: noncompliant\n"))

        // With the lab root as an extra anchor: trusted through it, and compliant.
        let json = try CLIRunner.run(["probe", "https://\(main.hostName):\(main.port)/", "--address", "\(main.address)",
                                      "--http-port", "\(companion.port)", "--ca-file", lab.trust.publicRoot.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let endpoint = try #require(object["endpoint"] as? [String: Any])
        #expect((endpoint["connection"] as? [String: Any])?["modern_handshake"] as? Bool == true)
        #expect((endpoint["certificates"] as? [Any])?.count == 2)
        #expect((endpoint["session"] as? [String: Any])?["protocol_version"] as? String == "TLSv1.3")
        #expect(object["verdict"] as? String == "compliant")
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.allSatisfy { $0["id"] is String && $0["severity"] as? String == "info" }, "\(findings)")
        #expect((object["anchor"] as? [String: Any])?["store"] as? String == "government")
    }

    @Test func aRefusedEndpointExitsWith1() throws {
        let lab = try LabCatalogue.standard().start(only: ["refused"])
        defer { lab.stop() }
        let main = try lab.endpoint(for: "refused")
        let result = try CLIRunner.run(["probe", "https://\(main.hostName):\(main.port)/", "--address", "\(main.address)",
                                        "--http-port", "0", "--timeout", "2s"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  failure: refused"))
    }

    @Test func anEndpointOutsideTheAllowListIsRefused() throws {
        let result = try CLIRunner.run(["probe", "https://portal.example.test/", "--address", "192.0.2.10"],
                                       wrapper: ["/usr/bin/unshare", "--net"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("192.0.2.10 is outside the allowed target networks"))
    }
}

import NetauditLab
