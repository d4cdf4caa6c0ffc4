import Foundation
import NetauditCore
import NetauditInventory
import Testing

/// The network lab's scenario files: one with every key, and one invalid file per reason
/// (Fixtures/scenarios/invalid/) with the exact `FILE:LINE:COLUMN: message` lines it gets.
struct NetworkScenarioLoaderTests {
    static let folder = FixturePaths.fixture("scenarios")

    struct InvalidCase: CustomStringConvertible, Sendable {
        let file: String
        /// Without the `FILE:` before each.
        let messages: [String]
        var description: String { file }
    }

    static let invalid: [InvalidCase] = [
        InvalidCase(file: "unknown-key.yaml", messages: [
            "2:1: unknown key 'agencis' in the scenario (did you mean 'agencies'?)",
        ]),
        InvalidCase(file: "unknown-conduct-key.yaml", messages: [
            "2:23: unknown key 'dealy' in agency '23557' (did you mean 'delay'?)",
        ]),
        InvalidCase(file: "bad-loss.yaml", messages: [
            "2:19: agency '23557': invalid loss '150': expected a whole percentage from 0 to 100, e.g. 60 or 60%",
        ]),
        InvalidCase(file: "jitter-over-delay.yaml", messages: [
            "2:35: agency '23557': jitter 150ms is larger than the delay (100ms): a reply cannot come before its request",
        ]),
        InvalidCase(file: "bad-delay-with-jitter.yaml", messages: [
            "2:20: invalid agency '23557': delay '3': write a positive number and a unit, e.g. 200ms, 1s, 5m",
        ]),
        InvalidCase(file: "unknown-link.yaml", messages: [
            "2:12: agency '23557': unknown link behaviour 'silnet' (did you mean 'silent'?); expected up, silent, down, refused, icmp-filtered or none",
            "3:19: agency '23558': unknown link behaviour 'blackhole'; expected up, silent, down, refused, icmp-filtered or none",
        ]),
        InvalidCase(file: "unknown-tls.yaml", messages: [
            "2:18: agency '23557': unknown tls behaviour 'expird' (did you mean 'expired'?); expected good, expired, expiring, not-yet-valid, revoked, untrusted, self-signed, wrong-host, sha1-signed, rsa-1024, tls1_0-only, tls1_3-only, no-hsts, hsts-short, no-redirect, refused, tarpit, reset, garbage or trickle",
        ]),
        // YAML itself refuses a key written twice alike (at the first); the same code quoted
        // and not is one agency too.
        InvalidCase(file: "duplicate-agency.yaml", messages: [
            "2:3: key '23557' appears more than once in this mapping",
        ]),
        InvalidCase(file: "duplicate-agency-quoted.yaml", messages: [
            "3:3: agency '622' is listed twice",
        ]),
        InvalidCase(file: "version-2.yaml", messages: [
            "1:10: unsupported scenario version '2': this netaudit reads version 1",
        ]),
        InvalidCase(file: "outage-without-for.yaml", messages: [
            "2:21: missing required key 'for' in agency '23557': outage",
        ]),
        InvalidCase(file: "short-flap.yaml", messages: [
            "2:19: agency '23557': flap must be at least 100ms",
        ]),
        InvalidCase(file: "flap-without-unit.yaml", messages: [
            "2:19: invalid agency '23557': flap '4': write a positive number and a unit, e.g. 200ms, 1s, 5m",
        ]),
        InvalidCase(file: "none-with-loss.yaml", messages: [
            "2:12: agency '23557': link none (no link yet) takes no loss, delay, flap or outage",
        ]),
    ]

    @Test(arguments: invalid)
    func reportsEveryProblemWithItsLocation(_ testCase: InvalidCase) throws {
        let path = Self.folder + "/invalid/" + testCase.file
        let error = try #require(throws: ConfigurationError.self) { try NetworkScenarioLoader().load(path: path) }
        #expect(error.diagnostics.map(\.description) == testCase.messages.map { path + ":" + $0 })
    }

    @Test func everyInvalidFixtureHasACase() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder + "/invalid")
        #expect(Set(names) == Set(Self.invalid.map(\.file)))
    }

    @Test func aFileWithEveryKey() throws {
        let path = Self.folder + "/every-key.yaml"
        let scenario = try NetworkScenarioLoader().load(path: path)
        #expect(scenario.file == path)
        #expect(scenario.title == "Gia Lai: every behaviour")
        #expect(scenario.inventory == Self.folder + "/../valid/split/inventory.yaml"
                    || scenario.inventory == FixturePaths.fixture("valid/split/inventory.yaml"), "\(scenario.inventory ?? "nil")")
        #expect(scenario.tlsPattern == .demo)
        #expect(scenario.defaults == NetworkScenario.Conduct(link: .up, tls: .good))
        func at(_ line: Int) -> NetauditCore.SourceLocation { NetauditCore.SourceLocation(file: path, line: line, column: 3) }
        typealias Conduct = NetworkScenario.Conduct
        let expected: [String: Conduct] = [
            "23557": Conduct(link: .silent, location: at(8)),
            "23558": Conduct(link: .refused, location: at(9)),
            "623": Conduct(link: .down, location: at(10)),
            "SNV": Conduct(link: .icmpFiltered, tls: .expired, location: at(11)),
            "SKH": Conduct(lossPercent: 60, location: at(12)),
            "STC": Conduct(lossPercent: 5, location: at(13)),
            "23600": Conduct(delay: .milliseconds(300), jitter: .milliseconds(50), location: at(14)),
            "622": Conduct(flap: .seconds(4), location: at(15)),
            "23559": Conduct(outage: .init(after: .seconds(30), length: .seconds(120)), location: at(16)),
            "SXD": Conduct(link: NetworkScenario.LinkBehaviour.none, tls: .selfSigned, location: at(17)),
            "64": Conduct(link: .up, lossPercent: 10, delay: .milliseconds(100), jitter: .milliseconds(10), flap: .seconds(60),
                          outage: .init(after: .seconds(300), length: .seconds(10)), tls: .tls1_0Only, location: at(18)),
        ]
        #expect(scenario.agencies.count == expected.count)
        for (code, conduct) in expected {
            #expect(scenario.agencies[code] == conduct, "\(code)")
        }
        #expect(scenario.conduct(of: "nobody") == scenario.defaults)
        #expect(scenario.conduct(of: "SKH").changesOverTime == false && scenario.conduct(of: "64").changesOverTime)
    }

    @Test func anEmptyFileIsEveryAgencyUp() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "# nothing\n".write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let scenario = try NetworkScenarioLoader().load(path: folder + "/lab.yaml")
        #expect(scenario.agencies.isEmpty && scenario.defaults == NetworkScenario.Conduct() && scenario.tlsPattern == .good)
        #expect(scenario.inventory == nil)
    }

    /// An outage from the lab's start, and a jitter written as zero.
    @Test func zeroIsAllowedWhereItMeansSomething() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            agencies:
              "23557": {outage: {after: 0s, for: 10s}}
              "23558": {delay: 200ms, jitter: 0s}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let scenario = try NetworkScenarioLoader().load(path: folder + "/lab.yaml")
        #expect(scenario.agencies["23557"]?.outage == NetworkScenario.Outage(after: .zero, length: .seconds(10)))
        #expect(scenario.agencies["23557"]?.isCut(at: .zero) == true)
        #expect(scenario.agencies["23558"]?.jitter == .zero)
    }

    /// The scenario names agencies; those the inventory lacks are refused with their place.
    @Test func unknownAgenciesAreFoundAgainstTheInventory() throws {
        let path = Self.folder + "/every-key.yaml"
        let scenario = try NetworkScenarioLoader().load(path: path)
        let inventory = Inventory(levels: ["province", "district", "commune"], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", children: [
                Agency(code: "23557", name: "Phường Yên Đỗ", level: "commune"),
            ]),
        ])
        let unknown = scenario.unknownAgencies(in: inventory).map(\.description)
        #expect(unknown.count == 9)
        #expect(unknown.contains("\(path):9:3: no agency '23558' in the inventory (did you mean '23557'?)"), "\(unknown)")
        // No likely typo: no list of every code either (a national inventory has 10,000).
        #expect(unknown.contains("\(path):11:3: no agency 'SNV' in the inventory"), "\(unknown)")
        #expect(!unknown.contains { $0.contains("'64'") || $0.contains("'23557'") && !$0.contains("did you mean") })
    }
}
