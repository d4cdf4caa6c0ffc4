import Foundation
import NetauditDaemon
import NetauditStore
import NetauditStoreSQLite
import Testing

/// Prometheus' own checker on what netaudit ships: the alert rules (checked, and their unit
/// tests run) and the text of `/metrics`. promtool comes from Debian's prometheus package
/// (scripts/setup-debian extracts it).
struct PrometheusToolTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `promtool ARGUMENTS` in `directory` with `input` on standard input.
    static func promtool(_ arguments: [String], in directory: String = repository, input: String = "") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func theAlertRulesAreValidAndFireWhenTheyShould() async throws {
        let folder = Self.repository + "/docs/prometheus"
        let check = try Self.promtool(["check", "rules", "netaudit.rules.yml"], in: folder)
        #expect(check.0 == 0, "\(check.1)")
        #expect(check.1.contains("SUCCESS: 6 rules found"))
        let test = try Self.promtool(["test", "rules", "netaudit.rules.test.yml"], in: folder)
        #expect(test.0 == 0, "\(test.1)")
    }

    /// `promtool check metrics` lints the exposition: syntax, naming, help texts.
    @Test func theMetricsTextPassesPromtool() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let run = try await store.beginRun(kind: .audit, inventory: Fixtures.inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        for link in [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true)] {
            try await store.record(link, in: run)
        }
        try await store.record(Fixtures.endpoint("52", compliant: false, expiresIn: 10), in: run)
        try await store.finishRun(run, state: .complete)
        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store)
        metrics.runEnded(kind: .audit, state: .complete, duration: .seconds(3))
        metrics.alert(.agencyDown)
        metrics.webhook(delivered: true)
        metrics.reload(accepted: false)
        metrics.spool(SpoolState(path: "/var/lib/netaudit/spool.sqlite", target: "postgresql://a@h/d", pending: 3,
                                 oldestPending: Date(timeIntervalSince1970: 1_800_000_000), lastError: "unavailable"))
        let (status, output) = try Self.promtool(["check", "metrics"], input: metrics.render())
        #expect(status == 0, "\(output)\n\(metrics.render())")
    }
}
