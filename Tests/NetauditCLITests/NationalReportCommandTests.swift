import Foundation
import NetauditCore
import NetauditStore
import NetauditStores
import NetauditTestSupport
import Testing

/// `netaudit report --national` and `--site` on a real PostgreSQL with three sites of known
/// answer, written through the store with explicit dates: 52 complete (every agency
/// connected, an hour ago), 53 stale (its latest run three days old), 54 with its district
/// down (its two communes unreachable behind it, two hours ago). The report is read by a
/// role of `netaudit_reader` (docs/postgresql-roles.sql), as the national team would.
@Suite(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct NationalReportCommandTests {
    static let docs = CLIRunner.repository + "/docs"
    /// Whole seconds: both stores keep the same instants.
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static func inventory(_ code: String, _ name: String) -> Inventory {
        func link(_ last: UInt8, via: String? = nil) -> Link { Link(address: IPAddress(127, 9, UInt8(code.suffix(2))!, last), via: via) }
        return Inventory(title: name, levels: ["province", "district", "commune"], agencies: [
            Agency(code: code, name: name, level: "province", link: link(1),
                   endpoints: [Endpoint(url: try! EndpointURL.parse("https://\(code).gov.test/").get())], children: [
                Agency(code: code + "1", name: "Huyện \(code)", level: "district", link: link(2, via: code), children: [
                    Agency(code: code + "11", name: "Xã \(code) A", level: "commune", link: link(3, via: code + "1")),
                    Agency(code: code + "12", name: "Xã \(code) B", level: "commune", link: link(4, via: code + "1")),
                ]),
            ]),
        ], files: ["\(code).yaml"])
    }

    static func links(_ code: String, districtDown: Bool) -> [LinkResult] {
        func result(_ agency: String, _ state: LinkState, _ id: String? = nil) -> LinkResult {
            LinkResult(agencyCode: agency, observation: nil, state: state,
                       findings: id.map { [Finding(id: $0, severity: .critical, message: $0, evidence: ["link.via": code + "1"])] } ?? [])
        }
        guard districtDown else { return [code, code + "1", code + "11", code + "12"].map { result($0, .up) } }
        return [result(code, .up), result(code + "1", .down, "link.down"),
                result(code + "11", .down, "link.unreachable"), result(code + "12", .down, "link.unreachable")]
    }

    /// Two complete full audits of site `code`, ten minutes apart, the second starting `ago` before now.
    static func audits(_ store: any ResultStore, _ code: String, _ name: String, ago: TimeInterval, districtDown: Bool = false) async throws {
        for start in [now.addingTimeInterval(-ago - 600), now.addingTimeInterval(-ago)] {
            let id = try await store.beginRun(kind: .audit, inventory: inventory(code, name), inventoryPath: "\(code).yaml",
                                              inventoryHash: "h\(code)", startedAt: start, resuming: nil)
            let endpoint = EndpointResult(agencyCode: code, observation: TLSObservation(url: "https://\(code).gov.test/", serverName: "\(code).gov.test",
                                                                                          port: 443, started: start),
                                          verdict: .compliant, findings: [])
            try await store.record(links: links(code, districtDown: districtDown), endpoints: [endpoint], in: id, at: start)
            try await store.finishRun(id, state: .complete, endedAt: start.addingTimeInterval(30))
        }
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theNationalReportOfThreeSitesAndOneSiteExactlyAsWithSQLite() async throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        // Site 52's runs first, so that its run ids are those of a SQLite file of it alone.
        for (code, name, ago, down) in [("52", "Tỉnh Gia Lai", 3600.0, false), ("53", "Tỉnh Kon Tum", 3 * 86_400.0, false),
                                        ("54", "Tỉnh Phú Yên", 7200.0, true)] {
            let store = try await Stores.open(url, site: code)
            try await Self.audits(store, code, name, ago: ago, districtDown: down)
            try await store.close()
        }
        let reader = "national_\(database.suffix(8))"
        try server.sqlFile(Self.docs + "/postgresql-roles.sql", database: database)
        try server.sql("CREATE ROLE \(reader) LOGIN IN ROLE netaudit_reader", database: database)
        let readerURL = server.url(database: database, user: reader)

        // The latest runs.
        let national = try CLIRunner.run(["report", "--db", readerURL, "--national", "--format", "json"])
        #expect(national.status == 1, "\(national.stderr)")
        let report = try Self.object(national.stdout)
        let sites = try #require(report["sites"] as? [[String: Any]])
        #expect(sites.map { $0["site"] as? String } == ["52", "53", "54"])
        #expect(sites.map { $0["stale"] as? Bool } == [false, true, false])
        #expect(sites.map { ($0["run"] as? [String: Any])?["id"] as? Int } == [2, 4, 6])
        #expect(sites.map { ($0["age_seconds"] as? Double).map { Int($0 / 60) } } == [59, 4319, 119])  // ended 30 s after its start
        #expect(sites.map { ($0["figures"] as? [String: Any])?["connected"] as? Int } == [4, nil, 1])
        #expect(sites.map { ($0["figures"] as? [String: Any])?["compliant"] as? Int } == [1, nil, 1])
        #expect(sites.map { $0["targets_met"] as? Bool } == [true, false, false])
        let gaps = try #require(sites[2]["gaps"] as? [[String: Any]])
        #expect(gaps.map { $0["code"] as? String } == ["541", "5411", "5412"])
        #expect(gaps.map { $0["cause"] as? String } == [nil, "541", "541"])
        #expect(gaps[2]["path"] as? [String] == ["Tỉnh Phú Yên", "Huyện 54", "Xã 54 B"])
        let levels = try #require(report["levels"] as? [[String: Any]])
        #expect(levels.map { $0["level"] as? String } == ["province", "district", "commune"])
        #expect(levels.map { ($0["figures"] as? [String: Any])?["agencies"] as? Int } == [2, 2, 4])
        #expect(levels.map { ($0["figures"] as? [String: Any])?["connected"] as? Int } == [2, 1, 2])
        #expect(levels.map { ($0["figures"] as? [String: Any])?["unreachable"] as? Int } == [0, 0, 2])
        #expect(levels.map { $0["stale_agencies"] as? Int } == [1, 1, 2])
        #expect(levels.map { $0["gap"] as? Int } == [1, 2, 4])
        #expect(report["stale_sites"] as? [String] == ["53"])
        #expect(report["targets_met"] as? Bool == false)

        // The period across sites: 52 up, 54's district down and communes unreachable, 53 nothing in it.
        let period = try CLIRunner.run(["report", "--db", readerURL, "--national", "--from", Self.day(Self.now.addingTimeInterval(-86_400)),
                                        "--to", Self.day(Self.now), "--time-zone", "UTC", "--format", "json"])
        #expect(period.status == 1, "\(period.stderr)")
        let figures = try #require(try Self.object(period.stdout)["period"] as? [String: Any])
        let totals = try #require(figures["levels"] as? [[String: Any]])
        #expect(totals.map { $0["availability_percent"] as? Double } == [100, 50, 50])
        #expect(totals.map { $0["observed_seconds"] as? Double } == [1200, 1200, 2400])
        let periodSites = try #require(figures["sites"] as? [[String: Any]])
        #expect(periodSites.map { $0["availability_percent"] as? Double } == [100, nil, 25])

        // The other formats, in Vietnamese.
        let table = try CLIRunner.run(["report", "--db", readerURL, "--national", "--lang", "vi"])
        #expect(table.status == 1 && table.stdout.contains("KHÔNG CẬP NHẬT") && table.stdout.contains("Tỉnh Phú Yên"))
        let csv = try CLIRunner.run(["report", "--db", readerURL, "--national", "--format", "csv"])
        #expect(csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4)
        let html = try CLIRunner.run(["report", "--db", readerURL, "--national", "--format", "html", "--stale-after", "100h"])
        #expect(html.status == 1 && html.stdout.contains("<!DOCTYPE html>") && !html.stdout.contains("KHÔNG CẬP NHẬT"))

        // One site: the same report as a SQLite file holding the same runs.
        let folder = NSTemporaryDirectory() + "netaudit-national-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/52.sqlite"
        let sqlite = try await Stores.open(file)
        try await Self.audits(sqlite, "52", "Tỉnh Gia Lai", ago: 3600)
        try await sqlite.close()
        // A period over, so that nothing in it depends on when the report is made but `now`.
        let iso = ISO8601DateFormatter()
        let periodOptions = ["--from", iso.string(from: Self.now.addingTimeInterval(-2 * 3600)),
                             "--to", iso.string(from: Self.now.addingTimeInterval(-1800)), "--time-zone", "UTC"]
        func withoutNow(_ text: String) -> String { text.split(separator: "\n").filter { !$0.hasPrefix("  \"now\" :") }.joined(separator: "\n") }
        for options in [["--format", "json"], ["--format", "table"], ["--run", "1", "--format", "json"], periodOptions + ["--format", "json"],
                        periodOptions + ["--format", "csv"]] {
            let fromPostgres = try CLIRunner.run(["report", "--db", readerURL, "--site", "52"] + options)
            let fromFile = try CLIRunner.run(["report", "--db", file] + options)
            #expect(fromPostgres.status == 0 && fromFile.status == 0, "\(options): \(fromPostgres.stderr) \(fromFile.stderr)")
            #expect(withoutNow(fromPostgres.stdout) == withoutNow(fromFile.stdout), "\(options)")
            #expect(withoutNow(try CLIRunner.run(["report", "--db", file, "--site", "52"] + options).stdout) == withoutNow(fromFile.stdout))
        }
        #expect(try CLIRunner.run(["report", "--db", readerURL, "--site", "52"] + periodOptions + ["--format", "json"]).stdout
            .contains("\"availability_percent\" : 100"))
        // Another site's run is not site 52's.
        #expect(try CLIRunner.run(["report", "--db", readerURL, "--site", "52", "--run", "6"]).status == 2)
        let wrongSite = try CLIRunner.run(["report", "--db", file, "--site", "53"])
        #expect(wrongSite.status == 2 && wrongSite.stderr.contains("site 52") && wrongSite.stderr.contains("site 53"), "\(wrongSite.stderr)")
        // A SQLite file is a one-row national report.
        let one = try CLIRunner.run(["report", "--db", file, "--national", "--format", "json"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect((try Self.object(one.stdout)["sites"] as? [[String: Any]])?.map { $0["site"] as? String } == ["52"])
    }

    @Test func optionsThatDoNotGoTogetherAreUsageErrors() throws {
        for arguments in [["--national", "--run", "1"], ["--national", "--site", "52"], ["--stale-after", "2h"],
                          ["--national", "--stale-after", "soon"]] {
            let result = try CLIRunner.run(["report", "--db", "/nonexistent.sqlite"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.status)")
        }
    }
}
