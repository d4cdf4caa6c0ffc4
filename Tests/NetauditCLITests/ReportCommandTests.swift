import Foundation
import Testing

/// `netaudit report --config FILE`, `--output FILE` and the local times, with the real binary
/// on a store written by a real audit (one agency, a TCP link to the loopback).
@Suite(.serialized) struct ReportCommandTests {
    /// A folder with an inventory, a daemon configuration naming `results.sqlite` beside it,
    /// and that store holding one complete link sweep.
    static func store() throws -> String {
        let folder = try AuditCommandTests.folder()
        try """
            levels: [province]
            agencies:
              - {code: "52", name: "Gia Lai", level: province, link: {address: 127.0.0.1, method: tcp, port: 9}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: results.sqlite
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let audit = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/results.sqlite", "--links-only"])
        #expect(audit.status == 0, "\(audit.stderr)")
        return folder
    }

    @Test func theStoreComesFromTheDaemonsConfiguration() throws {
        let folder = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // From another folder: the configuration's relative database: is beside it.
        let report = try CLIRunner.run(["report", "--config", folder + "/netaudit.yaml"], in: NSTemporaryDirectory())
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("netaudit run 1 (link_sweep, complete)"))

        let both = try CLIRunner.run(["report", "--config", folder + "/netaudit.yaml", "--db", folder + "/results.sqlite"])
        #expect(both.status == 2 && both.stdout.isEmpty)
        #expect(both.stderr.contains("--db and --config both name the store"), "\(both.stderr)")

        let missing = try CLIRunner.run(["report", "--config", folder + "/nowhere.yaml"])
        #expect(missing.status == 2 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains(folder + "/nowhere.yaml"), "\(missing.stderr)")

        try "inventory: inventory.yaml\ndatabse: results.sqlite\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["report", "--config", folder + "/bad.yaml"])
        #expect(bad.status == 2 && bad.stdout.isEmpty)
        #expect(bad.stderr.contains(folder + "/bad.yaml") && bad.stderr.contains("databse"), "\(bad.stderr)")
    }

    @Test func outputWritesTheWholeReportAndNothingElse() throws {
        let folder = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/results.sqlite"
        try "an older report".write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        for (format, file, start) in [("html", "report.html", "<!DOCTYPE html>"), ("json", "report.json", "{"), ("table", "report.txt", "netaudit run 1")] {
            let result = try CLIRunner.run(["report", "--db", db, "--format", format, "--output", folder + "/" + file])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
            let written = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(written.hasPrefix(start), "\(written.prefix(100))")
            #expect(written == (try CLIRunner.run(["report", "--db", db, "--format", format]).stdout), "the same report as on standard output")
        }
        // The national report (a SQLite file is one site) too, and a short -o.
        let national = try CLIRunner.run(["report", "--db", db, "--national", "-o", folder + "/national.txt"])
        #expect(national.status == 0 && national.stdout.isEmpty, "\(national.stderr)")
        #expect(try String(contentsOfFile: folder + "/national.txt", encoding: .utf8).contains("netaudit national report"))
        // No temporary file left beside them.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix("results.sqlite") }.sorted()
        #expect(files == ["inventory.yaml", "national.txt", "netaudit.yaml", "report.html", "report.json", "report.txt"], "\(files)")
    }

    @Test func anUnwritableOutputIsAClearErrorAndWritesNothing() throws {
        let folder = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/results.sqlite"
        let noFolder = try CLIRunner.run(["report", "--db", db, "--output", folder + "/missing/report.txt"])
        #expect(noFolder.status == 2 && noFolder.stdout.isEmpty)
        #expect(noFolder.stderr.contains("cannot write the report to '\(folder)/missing/report.txt'"), "\(noFolder.stderr)")
        let aFolder = try CLIRunner.run(["report", "--db", db, "--output", folder])
        #expect(aFolder.status == 2 && aFolder.stderr.contains("is a folder"), "\(aFolder.stderr)")
        if getuid() != 0 {  // root writes anywhere
            let locked = folder + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
            let refused = try CLIRunner.run(["report", "--db", db, "--output", locked + "/report.txt"])
            #expect(refused.status == 2 && refused.stderr.contains("cannot write the report to '\(locked)/report.txt'"), "\(refused.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
        }
    }

    /// The times of the table and the page in the process's time zone (TZ), with the zone;
    /// dd/mm/yyyy in Vietnamese; the JSON in UTC.
    @Test func timesFollowTZAndTheLanguage() throws {
        let folder = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/results.sqlite"
        let ict: [String: String?] = ["TZ": "Asia/Ho_Chi_Minh"]
        let english = try CLIRunner.run(["report", "--db", db], environment: ict)
        let vietnamese = try CLIRunner.run(["report", "--db", db, "--lang", "vi", "--format", "html"], environment: ict)
        let json = try CLIRunner.run(["report", "--db", db, "--format", "json"], environment: ict)
        let started = try #require(try AuditCommandTests.json(json.stdout)["run"] as? [String: Any])["started_at"] as? String
        let moment = try #require(started.flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(started?.hasSuffix("Z") == true)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: moment)
        let en = String(format: "%04d-%02d-%02d %02d:%02d +07:00", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        let vi = String(format: "%02d/%02d/%04d %02d:%02d (GMT+7)", c.day!, c.month!, c.year!, c.hour!, c.minute!)
        #expect(english.stdout.contains("started \(en)"), "\(english.stdout)")
        #expect(vietnamese.stdout.contains(vi), "\(vietnamese.stdout.prefix(2000))")
        let utc = try CLIRunner.run(["report", "--db", db], environment: ["TZ": "UTC"])
        #expect(utc.stdout.contains(" +00:00"), "\(utc.stdout)")
    }
}
