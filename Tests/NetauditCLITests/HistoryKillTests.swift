import Foundation
import GRDB
import NetauditCore
import NetauditStore
@testable import NetauditStoreSQLite
import Testing

/// `netaudit bench history` killed (SIGKILL) at random moments while it writes days of
/// 5-minute sweeps with a one-day raw tier (retention after every day, intervals extended
/// by every run), then continued on the same store: the store stays sound and its history
/// consistent.
@Suite(.serialized) struct HistoryKillTests {
    /// A province, 3 districts behind it and 5 communes behind each district (19 agencies),
    /// plus one department without a link: 20. Links are TCP to 127.0.0.1:9; the generator
    /// never probes them.
    static func writeInventory(to path: String) throws {
        var lines = ["levels: [province, district, commune]", "agencies:",
                     "  - code: \"64\"", "    name: Tỉnh Thử", "    level: province",
                     "    link: {address: 127.0.0.1, method: tcp, port: 9}",
                     "    endpoints:", "      - {url: \"https://64.history.test/\", address: 127.0.0.1}",
                     "    children:",
                     "      - {code: \"SO-1\", name: \"Sở Một\", level: province, kind: department}"]
        for district in 0..<3 {
            let code = "6\(district + 1)0"
            lines += ["      - code: \"\(code)\"", "        name: \"Huyện \(district)\"", "        level: district",
                      "        link: {address: 127.0.0.1, method: tcp, port: 9, via: \"64\"}",
                      "        endpoints:", "          - {url: \"https://\(code).history.test/\", address: 127.0.0.1}",
                      "        children:"]
            for commune in 0..<5 {
                lines.append("          - {code: \"\(code)\(commune)\", name: \"Xã \(district)-\(commune)\", level: commune, "
                             + "link: {address: 127.0.0.1, method: tcp, port: 9, via: \"\(code)\"}}")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func generator(_ folder: String, continuing: Bool) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["bench", "history", "--inventory", folder + "/inventory.yaml", "--db", folder + "/h.sqlite",
                             "--days", "400", "--every", "5m", "--start", "2025-01-01", "--full-audit-daily", "--raw-days", "1",
                             "--seed", "11", "--batch", "7", "--no-measure"] + (continuing ? ["--continue"] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The store read as it is on disk, without the recovery a writer's open does.
    static func runIDs(_ database: String, state: String) throws -> [Int64] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE state = ?", arguments: [state]) }
    }

    static func runCount(_ database: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: database) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM runs") ?? 0 }
    }

    @Test func killedAtRandomMomentsTheHistoryStaysConsistent() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeInventory(to: folder + "/inventory.yaml")
        let database = folder + "/h.sqlite"
        var rng = SystemRandomNumberGenerator()
        var kills = 0, cutOff = 0
        for _ in 0..<6 {
            let continuing = FileManager.default.fileExists(atPath: database)
            let process = try Self.generator(folder, continuing: continuing)
            // The kill window opens once the generator writes (a cold start can take longer
            // than the window itself), so most kills land inside a run.
            let before = continuing ? try Self.runCount(database) : 0
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline,
                  (try? Self.runCount(database)) ?? 0 <= before {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500, using: &rng)))
            #expect(process.isRunning, "the generator ended before the kill (status \(process.terminationStatus))")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }

            // The runs the kill cut off, read without recovering them; then one open for
            // writing recovers them: each is aborted, none is left running.
            let running = try Self.runIDs(database, state: "running")
            cutOff += running.count
            let recovering = try SQLiteStore(path: database)
            try await recovering.close()
            let aborted = Set(try Self.runIDs(database, state: "aborted"))
            #expect(Set(running).isSubset(of: aborted), "runs \(running) cut off by the kill are not all aborted")
            #expect(try Self.runIDs(database, state: "running").isEmpty)
        }
        #expect(kills == 6)
        #expect(cutOff >= 1, "no kill landed inside a run")

        // One more open for writing: runs cut off recovered, pending history applied.
        let store = try SQLiteStore(path: database)
        #expect(try await store.integrityCheck() == "ok")
        let counts = try await store.reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state = 'complete'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state = 'complete' AND history_applied = 0") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE state = 'running'") ?? -1)
        }
        #expect(counts.0 > 50, "\(counts.0) complete runs: the generator barely ran")
        #expect(counts.1 == 0, "\(counts.1) complete runs without their history")
        #expect(counts.2 == 0)

        let rows = try await store.reader.read { db in
            try Row.fetchAll(db, sql: #"SELECT agency, COALESCE(url, '') AS url, state, start, "end", open FROM intervals ORDER BY agency, url, start"#)
                .map { row -> (subject: String, state: String, start: Double, end: Double, open: Bool) in
                    ("\(row["agency"] as Int64) \(row["url"] as String)", row["state"], row["start"], row["end"], (row["open"] as Int64) == 1)
                }
        }
        #expect(!rows.isEmpty)
        let span = try await store.reader.read { db in
            (try Double.fetchOne(db, sql: "SELECT min(start) FROM intervals") ?? 0,
             try Double.fetchOne(db, sql: #"SELECT max("end") FROM intervals"#) ?? 0)
        }
        let wall = span.1 - span.0
        for (subject, intervals) in Dictionary(grouping: rows, by: \.subject) {
            #expect(intervals.filter(\.open).count <= 1, "\(subject): \(intervals.filter(\.open).count) open intervals")
            #expect(Set(intervals.map(\.start)).count == intervals.count, "\(subject): duplicate intervals")
            for (a, b) in zip(intervals, intervals.dropFirst()) {
                #expect(a.end <= b.start + 1e-6, "\(subject): [\(a.start), \(a.end)) \(a.state) overlaps [\(b.start), \(b.end)) \(b.state)")
                #expect(!a.open, "\(subject): an open interval before another")
            }
            for interval in intervals { #expect(interval.end >= interval.start) }
            let observed = intervals.filter { $0.state != "not_observed" }.reduce(0) { $0 + ($1.end - $1.start) }
            #expect(observed <= wall + 1e-6, "\(subject): \(observed) s observed in \(wall) s")
        }
        // Each day's roll-up accounts for at most the day's length.
        let days = try await store.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT day, agency, up_s + degraded_s + down_s + unreachable_s + not_observed_s AS total FROM rollups")
                .map { ($0["day"] as String, $0["total"] as Int64) }
        }
        for (day, total) in days { #expect(total <= 86_400, "\(day): \(total) s in a day") }
        try await store.close()
    }
}
