import Foundation
import GRDB
import NetauditTestSupport
import Testing

/// The spool as an operator meets it, through the real binary and a real PostgreSQL: an
/// audit while the server is down is kept and said, `store check` shows it, the next audit
/// ships it; `store copy` killed while it ships, then run again, stores every run once.
@Suite(.serialized, .enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct SpoolCommandTests {
    static func count(_ server: PostgresServer, _ url: String, _ sql: String) throws -> Int {
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        return Int(try server.sql(sql, database: database).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func anAuditWhileTheServerIsDownIsSpooledSaidAndShippedByTheNextOne() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase()
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HistoryKillTests.writeInventory(to: folder + "/inventory.yaml")
        let spool = folder + "/spool.sqlite"
        let audit = ["audit", "--db", url, "--spool", spool, "--links-only", "--inventory", folder + "/inventory.yaml"]

        server.halt()
        let down = try CLIRunner.run(audit)
        #expect(down.status == 1, "links down: targets missed, not an error: \(down.stderr)")
        #expect(down.stderr.contains("kept in the spool \(spool)"), "\(down.stderr)")
        #expect(!down.stderr.contains("password"))
        let check = try CLIRunner.run(["store", "check", "--db", url, "--spool", spool])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("1 run waiting to be shipped"), "\(check.stdout)")

        try server.restart()
        let up = try CLIRunner.run(audit)
        #expect(up.status == 1)
        #expect(!up.stderr.contains("kept in the spool"), "\(up.stderr)")
        #expect(up.stderr.contains("of the spool \(spool) is run "), "the user learns the server's run id: \(up.stderr)")
        #expect(try Self.count(server, url, "SELECT count(*) FROM runs") == 2)
        #expect(try Self.count(server, url, "SELECT count(DISTINCT uid) FROM runs WHERE state = 'complete' AND site = '64'") == 2)
        // A run of a subtree belongs to the inventory's site, not to its own top agency.
        let subtree = try CLIRunner.run(audit + ["--only", "610"])
        #expect(subtree.status == 0 || subtree.status == 1, "\(subtree.stderr)")
        #expect(try Self.count(server, url, "SELECT count(*) FROM runs WHERE site = '64'") == 3)
        let clean = try CLIRunner.run(["store", "check", "--db", url, "--spool", spool])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("every ended run shipped"))
    }

    @Test func storeCopyKilledWhileShippingThenRunAgainStoresEveryRunOnce() async throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HistoryKillTests.writeInventory(to: folder + "/inventory.yaml")
        let source = folder + "/province.sqlite"
        let generated = try CLIRunner.run(["bench", "history", "--inventory", folder + "/inventory.yaml", "--db", source, "--days", "2",
                                           "--every", "10m", "--start", "2025-01-01", "--full-audit-daily", "--seed", "5", "--no-measure"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let runs = try await GRDB.DatabaseQueue(path: source).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state != 'running'") ?? 0 }
        #expect(runs > 250)

        // Killed at a moment of its own while it ships, then run again.
        let copying = Process()
        copying.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        copying.arguments = ["store", "copy", "--from", source, "--to", url, "--time-zone", "Asia/Ho_Chi_Minh"]
        copying.standardOutput = FileHandle.nullDevice
        copying.standardError = FileHandle.nullDevice
        try copying.run()
        let threshold = Int.random(in: 5...100)
        let deadline = Date().addingTimeInterval(60)
        while copying.isRunning, Date() < deadline,
              (try? Self.count(server, url, "SELECT count(*) FROM runs")) ?? 0 < threshold {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(copying.isRunning, "the copy ended before the kill")
        kill(copying.processIdentifier, SIGKILL)
        copying.waitUntilExit()
        let partly = try Self.count(server, url, "SELECT count(*) FROM runs")
        #expect(partly > 0 && partly < runs, "\(partly) runs before the kill")

        let again = try CLIRunner.run(["store", "copy", "--from", source, "--to", url, "--time-zone", "Asia/Ho_Chi_Minh"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.count(server, url, "SELECT count(*) FROM runs") == runs)
        #expect(try Self.count(server, url, "SELECT count(DISTINCT uid) FROM runs") == runs)
        #expect(try Self.count(server, url, "SELECT count(*) FROM runs WHERE NOT history_applied AND state = 'complete'") == 0)
        #expect(try Self.count(server, url, "SELECT count(*) FROM (SELECT 1 FROM intervals WHERE open GROUP BY agency_code, url HAVING count(*) > 1) d") == 0)
        let once = try CLIRunner.run(["store", "copy", "--from", source, "--to", url])
        #expect(once.stdout.contains("copied 0 runs from \(source); \(runs) already there"), "\(once.stdout)")

        // The period report of the central store says what the file says.
        let period = ["--from", "2025-01-01", "--to", "2025-01-02", "--time-zone", "Asia/Ho_Chi_Minh", "--format", "json"]
        let fromFile = try CLIRunner.run(["report", "--db", source] + period)
        let fromServer = try CLIRunner.run(["report", "--db", url] + period)
        #expect(fromFile.status == fromServer.status)
        #expect(Self.withoutStore(fromFile.stdout) == Self.withoutStore(fromServer.stdout))
        let check = try CLIRunner.run(["store", "check", "--db", url])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    /// A report's JSON without the lines that name the store (a path or a URL) or the time it was made.
    static func withoutStore(_ json: String) -> [String] {
        json.split(separator: "\n").map(String.init).filter { !$0.contains("\"store\"") && !$0.contains("\"database\"") && !$0.contains("\"now\"") }
    }
}
