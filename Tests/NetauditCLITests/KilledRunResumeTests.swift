import NetauditCore
import Foundation
import NetauditStore
import NetauditStoreSQLite
import Testing

/// A run killed (SIGKILL) during its link phase keeps the links it had measured, and
/// `netaudit audit --resume` completes it as a new run, probing only what it lacks.
@Suite(.serialized) struct KilledRunResumeTests {
    /// A province and `communes` communes behind it, each an ICMP link on loopback: series of
    /// 10 echoes 100 ms apart, so that the send budget (one echo a millisecond) holds 100
    /// series at once and the sweep takes a few seconds.
    static func writeLongSweep(to folder: String, communes: Int) throws {
        var lines = ["levels: [province, commune]", "probe: {link: {count: 10, interval: 100ms, timeout: 500ms}}", "agencies:",
                     "  - code: \"64\"", "    name: Tỉnh Gia Lai", "    level: province", "    link: {address: 127.1.0.1}", "    children:"]
        for index in 0..<communes {
            lines.append("      - {code: \"\(20_000 + index)\", name: \"Xã \(index)\", level: commune, "
                         + "link: {address: 127.1.\(1 + index / 200).\(1 + index % 200), via: \"64\"}}")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
    }

    /// `netaudit audit --links-only` of the inventory in `folder` into `folder/r.sqlite`, started.
    static func startSweep(_ folder: String) throws -> Process {
        let audit = Process()
        audit.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        audit.arguments = ["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"]
        audit.standardOutput = FileHandle.nullDevice
        audit.standardError = FileHandle.nullDevice
        try audit.run()
        return audit
    }

    @Test(.enabled(if: getuid() == 0))
    func aRunKilledDuringItsLinkPhaseKeepsItsLinksAndResumes() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeLongSweep(to: folder, communes: 300)
        let database = folder + "/r.sqlite"
        let audit = try Self.startSweep(folder)
        defer { if audit.isRunning { kill(audit.processIdentifier, SIGKILL); audit.waitUntilExit() } }

        // Killed 200 ms after the first links are stored: they must come one after another
        // (about one every 10 ms here), not all at the end of the sweep (all 301 within the
        // last round of sends, about 300 ms).
        func stored() async -> Int {
            guard FileManager.default.fileExists(atPath: database), let store = try? SQLiteStore(path: database, readOnly: true),
                  let run = try? await store.runs().first else { return 0 }
            return (try? await store.linkResults(run: run.id).count) ?? 0
        }
        let deadline = Date().addingTimeInterval(30)
        while await stored() == 0 && audit.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(audit.isRunning, "the sweep ended before a single link was stored: they come at the end")
        try await Task.sleep(for: .milliseconds(200))
        kill(audit.processIdentifier, SIGKILL)
        audit.waitUntilExit()

        // A read-only report marks nothing, but says that the run was cut off.
        let report = try CLIRunner.run(["report", "--db", database])
        #expect(report.stdout.contains("(link_sweep, aborted)") && report.stdout.contains("cut off: process \(audit.processIdentifier) ended"),
                "\(report.stdout)")
        let reader = try SQLiteStore(path: database, readOnly: true)
        let killed = try #require(try await reader.runs().first)
        #expect(killed.state == .aborted)
        let kept = try await reader.linkResults(run: killed.id)
        #expect(kept.count > 0 && kept.count <= 100, "\(kept.count) of 301 links stored at the kill")
        #expect(kept.allSatisfy { $0.state == .up })

        // Resumed straight after the kill, before anything else opened the store for writing.
        let resumed = try CLIRunner.run(["audit", "--resume", "\(killed.id)", "--db", database, "--format", "json"])
        let store = try SQLiteStore(path: database)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let run = try #require(try AuditCommandTests.json(resumed.stdout)["run"] as? [String: Any])
        #expect(run["resumed_from"] as? Int == Int(killed.id.value) && run["state"] as? String == "complete")
        let completedID = try #require(run["id"] as? Int)
        let completed = try #require(try await store.run(RunID(Int64(completedID))))
        #expect(completed.kind == .linkSweep && completed.resumedFrom == killed.id)
        let links = try await store.linkResults(run: completed.id)
        #expect(links.count == 301 && Set(links.map(\.agencyCode)).count == 301)
        // What the killed run measured was taken over as it was (same observations), not probed again.
        let before = Dictionary(uniqueKeysWithValues: kept.map { ($0.agencyCode, $0.observation) })
        // (A second probe would differ: its round-trip times, its start.)
        #expect(links.filter { before[$0.agencyCode] != nil }.count == kept.count)
        #expect(links.filter { before[$0.agencyCode] != nil }.allSatisfy { before[$0.agencyCode] == $0.observation })

        // The completed run cannot be resumed, nor the killed one a second time.
        let again = try CLIRunner.run(["audit", "--resume", "\(completed.id)", "--db", database])
        #expect(again.status == 2 && again.stderr.contains("is complete; there is nothing to resume"), "\(again.stderr)")
        let twice = try CLIRunner.run(["audit", "--resume", "\(killed.id)", "--db", database])
        #expect(twice.status == 2 && twice.stderr.contains("run \(completed.id) resumes it already"), "\(twice.stderr)")
        #expect(try await store.integrityCheck() == "ok")
    }
}

extension KilledRunResumeTests {
    /// Ctrl-C (SIGINT) cuts the series in flight short: the aborted run stores what they
    /// measured, but a series cut short is no result, and `--resume` probes it again.
    @Test(.enabled(if: getuid() == 0))
    func aResumeProbesAgainTheSeriesAnInterruptionCutShort() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeLongSweep(to: folder, communes: 300)
        let database = folder + "/r.sqlite"
        let audit = try Self.startSweep(folder)
        defer { if audit.isRunning { kill(audit.processIdentifier, SIGKILL); audit.waitUntilExit() } }
        try await Task.sleep(for: .milliseconds(1500))  // the first series have ended, the next are half way
        kill(audit.processIdentifier, SIGINT)
        audit.waitUntilExit()

        let store = try SQLiteStore(path: database)
        let interrupted = try #require(try await store.runs().first)
        #expect(interrupted.state == .aborted && interrupted.note == "interrupted", "\(interrupted)")
        let stored = try await store.linkResults(run: interrupted.id)
        let cut = stored.filter { ($0.observation?.sent ?? 0) < 10 && $0.state != nil }
        #expect(!cut.isEmpty, "no series was cut short with a state: the test proves nothing")
        // Not over an inventory changed since.
        let original = try String(contentsOfFile: folder + "/inventory.yaml", encoding: .utf8)
        try "\n# edited\n".appendLine(to: folder + "/inventory.yaml")
        let changed = try CLIRunner.run(["audit", "--resume", "\(interrupted.id)", "--db", database])
        #expect(changed.status == 2 && changed.stderr.contains("has changed since run \(interrupted.id)"), "\(changed.stderr)")
        try original.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let resumed = try CLIRunner.run(["audit", "--resume", "\(interrupted.id)", "--db", database])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let completed = try #require(try await store.runs().first)
        #expect(completed.resumedFrom == interrupted.id && completed.state == .complete)
        let links = try await store.linkResults(run: completed.id)
        #expect(links.count == 301)
        #expect(links.allSatisfy { ($0.observation?.sent ?? 0) == 10 }, "every link of the completed run is a whole series")
        let cutCodes = Set(cut.map(\.agencyCode))
        let before = Dictionary(uniqueKeysWithValues: stored.map { ($0.agencyCode, $0.observation) })
        #expect(links.filter { cutCodes.contains($0.agencyCode) }.allSatisfy { before[$0.agencyCode] != $0.observation },
                "the series cut short were probed again")
    }
}

private extension String {
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
