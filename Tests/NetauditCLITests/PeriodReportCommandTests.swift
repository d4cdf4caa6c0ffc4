import Foundation
import NetauditCore
import NetauditPolicy
import NetauditStore
import NetauditStoreSQLite
import Testing

/// `netaudit report --month/--from/--to`: a period report from a history with a known
/// answer, written through the store's writer as the daemon's sweeps would.
@Suite(.serialized) struct PeriodReportCommandTests {
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let inventory = Inventory(title: "Thử nghiệm", levels: ["province", "commune"], agencies: [
        Agency(code: "52", name: "Gia Lai", level: "province", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9)), children: [
            Agency(code: "21583", name: "Xã Ia Ka", level: "commune", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9))),
            Agency(code: "21584", name: "Xã Ia Grai", level: "commune", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9))),
        ]),
    ], files: ["inventory.yaml"])

    /// 1 November 2026, 00:00 in Vietnam.
    static var dayStart: Date {
        HistoryDay.dayInterval("2026-11-01", timeZone: zone)!.start
    }

    /// A day of 5-minute sweeps; Xã Ia Ka (21583) is down from 10:00 to 12:00.
    static func history(at path: String) async throws {
        let store = try SQLiteStore(path: path, history: HistorySettings(timeZone: zone))
        let policy = Policy()
        for sweep in 0..<288 {
            let at = dayStart.addingTimeInterval(Double(sweep) * 300)
            let run = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "inventory.yaml",
                                               inventoryHash: "h", startedAt: at)
            var links: [LinkResult] = []
            for agency in inventory.allAgencies {
                let down = agency.code == "21583" && (120..<144).contains(sweep)
                let observation = LinkObservation(address: agency.link!.address, method: agency.link!.method, transport: .tcp,
                                                  sent: 5, received: down ? 0 : 5,
                                                  roundTrip: down ? nil : RoundTripStatistics(milliseconds: [1, 2, 3, 2, 1]), started: at)
                links.append(LinkResult(agencyCode: agency.code, observation: observation, state: policy.linkState(observation),
                                        findings: policy.evaluateLink(of: agency, observation: observation)))
            }
            try await store.record(links: links, endpoints: [], in: run, at: at)
            try await store.finishRun(run, state: .complete, endedAt: at.addingTimeInterval(2))
        }
        try await store.close()
    }

    @Test func aDayWithATwoHourOutage() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/history.sqlite"
        try await Self.history(at: db)

        let result = try CLIRunner.run(["report", "--db", db, "--from", "2026-11-01", "--to", "2026-11-01",
                                        "--time-zone", "Asia/Ho_Chi_Minh", "--format", "json"])
        #expect(result.status == 1, "a commune was down: the commune level missed its target that day\n\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let outages = try #require(json["outages"] as? [[String: Any]])
        #expect(outages.count == 1)
        #expect(outages.first?["code"] as? String == "21583")
        #expect(outages.first?["duration_seconds"] as? Double == 7200)
        #expect(outages.first?["kind"] as? String == "down")
        #expect((outages.first?["start"] as? String)?.hasPrefix("2026-11-01T10:00:00") == true, "\(outages)")
        // Observed from 00:00 to the last sweep at 23:55; down 2 h of it.
        let agencies = try #require(json["agencies"] as? [[String: Any]])
        let iaKa = try #require(agencies.first { $0["code"] as? String == "21583" })
        let availability = try #require(iaKa["availability_percent"] as? Double)
        #expect(abs(availability - 78_900.0 / 86_100.0 * 100) < 0.001, "\(iaKa)")
        let iaGrai = try #require(agencies.first { $0["code"] as? String == "21584" })
        #expect(iaGrai["availability_percent"] as? Double == 100)

        let table = try CLIRunner.run(["report", "--db", db, "--month", "2026-11", "--time-zone", "Asia/Ho_Chi_Minh"])
        #expect(table.status == 1)
        #expect(table.stdout.contains("Xã Ia Ka") && table.stdout.contains("2026-11-01 10:00"), "\(table.stdout)")
        let csv = try CLIRunner.run(["report", "--db", db, "--from", "2026-11-01", "--to", "2026-11-01", "--time-zone", "Asia/Ho_Chi_Minh",
                                     "--format", "csv"])
        let row = try #require(csv.stdout.components(separatedBy: "\r\n").first { $0.hasPrefix("21583,") }, "\(csv.stdout)")
        #expect(row.hasSuffix(",91.64,86100,1,7200,0,0"), "\(row)")
        let html = try CLIRunner.run(["report", "--db", db, "--month", "2026-11", "--format", "html", "--lang", "vi"])
        #expect(html.status == 1 && html.stdout.contains("<svg"))
        // A run report of the same store still works.
        #expect(try CLIRunner.run(["report", "--db", db]).stdout.contains("link_sweep"))
    }

    @Test func badPeriodsAreUsageErrors() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/empty.sqlite"
        try await SQLiteStore(path: db).close()  // a store, so that only the period can be wrong
        let cases: [([String], String)] = [
            (["--month", "2026-13"], "--month '2026-13'"), (["--year", "26"], "--year '26'"),
            (["--from", "2026-11-02", "--to", "2026-11-01"], "--from '2026-11-02' --to '2026-11-01'"),
            (["--month", "2026-11", "--run", "1"], "--run renders one run"), (["--from", "2026-11-01"], "--from and --to go together"),
            (["--month", "2026-11", "--time-zone", "Mars/Olympus"], "not a time zone"),
            (["--month", "2026-11"], "no complete run before the end of the period"),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(["report", "--db", db] + arguments)
            #expect(result.status == 2 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
