import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import NetauditTestSupport
import Testing

/// The daemon writing to PostgreSQL while the server stops for a minute in the middle of
/// its sweeps: it keeps sweeping into its spool and says so (`/healthz`, `/status`, STATUS,
/// the metrics), ships every run once the server is back, and the server's reports then say
/// what a single SQLite store of the same runs (the spool) says.
@Suite(.serialized, .enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct DaemonSpoolTests {
    @Test func aMinuteWithoutTheServerIsSpooledSaidAndShippedOnce() async throws {
        let started = Date()
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase()
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let silent = try Blackhole(address: "127.0.0.1")
        try """
            levels: [province, commune]
            probe: {link: {count: 1, timeout: 200ms}}
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                children:
                  - {code: "23", name: "Xã Ia Ka", level: commune, link: {address: 127.0.0.1, method: tcp, port: 9, via: "64"}}
                  - {code: "24", name: "Xã Ia Grai", level: commune, link: {address: 127.0.0.1, method: tcp, port: \(silent.port), via: "64"}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: "\(url)"
            spool: spool.sqlite
            schedules: {link_sweep: {every: 1s, jitter: 0s}, full_audit: {enabled: false}}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try DaemonCommandTests.RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { daemon.stop() }
        #expect(daemon.wait(30) { !daemon.notify.messages(with: "READY=1").isEmpty }, "\(daemon.log)")
        let port = try #require(daemon.port)
        func centralRuns() -> Int { (try? SpoolCommandTests.count(server, url, "SELECT count(*) FROM runs")) ?? -1 }
        #expect(daemon.wait(30) { centralRuns() >= 2 }, "\(daemon.log)")

        server.halt()
        let haltedAt = Date()
        var sawSpooling = false
        while Date().timeIntervalSince(haltedAt) < 60 {
            let (status, body) = try await DaemonCommandTests.get(port, "/healthz")
            #expect(status == 200, "spooling is not ill health: \(body)")
            if body.contains("spooling") { sawSpooling = true }
            try await Task.sleep(for: .seconds(2))
        }
        #expect(sawSpooling, "/healthz said nothing of the spool")
        let (_, statusJSON) = try await DaemonCommandTests.get(port, "/status")
        let spool = try #require((try JSONSerialization.jsonObject(with: Data(statusJSON.utf8)) as? [String: Any])?["spool"] as? [String: Any])
        let pending = spool["pending"] as? Int ?? 0
        #expect(pending >= 20, "a minute of 1 s sweeps waits in the spool: \(spool)")
        #expect(spool["last_error"] != nil, "\(spool)")
        let (_, metrics) = try await DaemonCommandTests.get(port, "/metrics")
        for name in ["netaudit_spool_pending_runs", "netaudit_spool_oldest_pending_timestamp_seconds", "netaudit_spool_shipping_failing"] {
            #expect(metrics.contains("# TYPE \(name) gauge"), "\(name) not served")
        }
        #expect(metrics.contains("netaudit_spool_shipping_failing 1"), "\(metrics.split(separator: "\n").filter { $0.contains("spool") })")
        #expect(daemon.notify.messages.contains { $0.contains("STATUS=") && $0.contains("spooling") }, "\(daemon.notify.messages.suffix(3))")

        try server.restart()
        #expect(await daemon.wait(60) {
            let (_, text) = (try? await DaemonCommandTests.get(port, "/status")) ?? (0, "")
            return text.contains("\"pending\" : 0")
        }, "not shipped a minute after the server came back: \(daemon.log)")
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.wait(20) { !daemon.process.isRunning })
        #expect(!daemon.log.contains("<3>"), "\(daemon.log)")

        // Every ended run of the spool is in the server once.
        let ended = try await DatabaseQueue(path: folder + "/spool.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state != 'running'") ?? 0
        }
        #expect(ended >= pending)
        #expect(centralRuns() == ended)
        #expect(try SpoolCommandTests.count(server, url, "SELECT count(DISTINCT uid) FROM runs") == ended)
        #expect(try SpoolCommandTests.count(server, url, "SELECT count(*) FROM runs WHERE state = 'complete' AND NOT history_applied") == 0)

        // The server's period report is the spool's (a single SQLite store of the same runs).
        let iso = ISO8601DateFormatter()
        let period = ["--from", iso.string(from: started.addingTimeInterval(-60)), "--to", iso.string(from: Date().addingTimeInterval(-1)),
                      "--time-zone", "UTC", "--format", "json"]
        let central = try CLIRunner.run(["report", "--db", url] + period)
        let local = try CLIRunner.run(["report", "--db", folder + "/spool.sqlite"] + period)
        #expect(central.status == local.status, "\(central.stderr)\(local.stderr)")
        #expect(SpoolCommandTests.withoutStore(central.stdout) == SpoolCommandTests.withoutStore(local.stdout))
        #expect(central.stdout.contains("\"outages\""))
        // And so is the national report (the server's one site; the spool is one site too),
        // but for the run ids, which are each store's own, and the ages, read a moment apart.
        let nationalCentral = try CLIRunner.run(["report", "--db", url, "--national", "--format", "json"])
        let nationalLocal = try CLIRunner.run(["report", "--db", folder + "/spool.sqlite", "--national", "--format", "json"])
        #expect(nationalCentral.status == nationalLocal.status, "\(nationalCentral.stderr)\(nationalLocal.stderr)")
        let moving = ["\"id\"", "\"age_seconds\"", "\"generated_at\""]
        func steady(_ json: String) -> [String] { SpoolCommandTests.withoutStore(json).filter { line in !moving.contains { line.contains($0) } } }
        #expect(steady(nationalCentral.stdout) == steady(nationalLocal.stdout))
        #expect(nationalCentral.stdout.contains("\"site\" : \"64\""), "\(nationalCentral.stdout.prefix(400))")
    }

    /// A daemon starting on a spool with a day of runs waiting ships them; killed with SIGKILL
    /// while it ships, and started again, it ships the rest: every run once.
    @Test func killedWhileShippingThenStartedAgainNothingIsLostOrDoubled() async throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HistoryKillTests.writeInventory(to: folder + "/inventory.yaml")
        // A day of sweeps waiting in the spool (as after a day without the server).
        let generated = try CLIRunner.run(["bench", "history", "--inventory", folder + "/inventory.yaml", "--db", folder + "/spool.sqlite",
                                           "--days", "1", "--every", "5m", "--start", "2025-03-01", "--seed", "9", "--no-measure"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let waiting = try await DatabaseQueue(path: folder + "/spool.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state != 'running'") ?? 0
        }
        #expect(waiting >= 280)
        try """
            inventory: inventory.yaml
            database: "\(url)"
            spool: spool.sqlite
            schedules: {link_sweep: {enabled: false}, full_audit: {enabled: false}}
            http: {enabled: false}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        func centralRuns() -> Int { (try? SpoolCommandTests.count(server, url, "SELECT count(*) FROM runs")) ?? -1 }

        let first = try DaemonCommandTests.RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        let threshold = Int.random(in: 10...150)
        #expect(first.wait(60) { centralRuns() >= threshold }, "\(first.log)")
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        first.stop()
        let before = centralRuns()
        #expect(before > 0 && before < waiting, "\(before) of \(waiting) shipped before the kill")

        try? FileManager.default.removeItem(atPath: folder + "/daemon.log")
        let second = try DaemonCommandTests.RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { second.stop() }
        #expect(second.wait(90) { centralRuns() >= waiting }, "\(centralRuns()) of \(waiting): \(second.log)")
        kill(second.process.processIdentifier, SIGTERM)
        #expect(second.wait(20) { !second.process.isRunning })
        #expect(centralRuns() == waiting)
        #expect(try SpoolCommandTests.count(server, url, "SELECT count(DISTINCT uid) FROM runs") == waiting)
        #expect(try SpoolCommandTests.count(server, url, "SELECT count(*) FROM runs WHERE state = 'complete' AND NOT history_applied") == 0)
        let check = try CLIRunner.run(["store", "check", "--db", url, "--spool", folder + "/spool.sqlite"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
