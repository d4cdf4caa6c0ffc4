import Foundation
import NetauditCore
import NetauditPolicy
import NetauditStoreSQLite
import Testing

/// The reports of a store written by the previous release (schema v2, commit dfad81a):
/// once this netaudit has opened it for writing (migrated to v3, history built), `netaudit
/// report` renders each run byte for byte as the old binary did (the outputs kept beside
/// the store, Tests/NetauditStoreTests/Fixtures/v2-store/README.md), except that the
/// Vietnamese table now says the findings the old release stored in Vietnamese.
@Suite(.serialized) struct V2StoreReportTests {
    static let fixture = CLIRunner.repository + "/Tests/NetauditStoreTests/Fixtures/v2-store"
    /// Format and language, and the file the old output is in.
    static let formats = [(["--format", "json"], "json"), (["--format", "table"], "txt"), (["--format", "csv"], "csv"),
                          (["--format", "html"], "html"), (["--format", "table", "--lang", "vi"], "vi.txt")]

    @Test func eachRunRendersAsTheOldReleaseRenderedIt() throws {
        let folder = NSTemporaryDirectory() + "netaudit-v2-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/v2.sqlite"
        try FileManager.default.copyItem(atPath: Self.fixture + "/v2.sqlite", toPath: path)

        // Before any writer opened it, the read-only report reads an upgraded copy in memory,
        // and the file stays as the old release left it.
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        try Self.expectOldOutputs(path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "a read-only report changed the file")

        // A writer's open (an audit, the daemon) upgrades it in place; the reports stay the same.
        _ = try SQLiteStore(path: path)
        try Self.expectOldOutputs(path)
    }

    /// Every run in every format, byte for byte as the old binary rendered it.
    static func expectOldOutputs(_ path: String) throws {
        for run in 1...4 {
            for (format, ext) in formats {
                // Bytes, not strings: Foundation drops the CSV's byte-order mark when it decodes a file.
                var expected = try Data(contentsOf: URL(fileURLWithPath: "\(fixture)/report-run\(run).\(ext)"))
                if ext == "vi.txt" { expected = try vietnamese(expected, run: run) }
                let result = try CLIRunner.run(["report", "--db", path, "--run", "\(run)"] + format)
                #expect(result.stderr.isEmpty, "run \(run) \(format): \(result.stderr)")
                #expect(Data(result.stdout.utf8) == expected, "run \(run) \(format) differs")
            }
        }
    }

    /// The old Vietnamese table as this release renders it: each finding's message in
    /// Vietnamese, made from the finding as the old release stored it (its JSON output
    /// holds them: rule id, message, evidence), and no note that messages are in English.
    static func vietnamese(_ old: Data, run: Int) throws -> Data {
        var text = String(decoding: old, as: UTF8.self)
        let note = "  (Nội dung phát hiện ghi bằng tiếng Anh; mã quy tắc xem tại docs/policy.md.)\n"
        #expect(!text.contains("CRITICAL") || text.contains(note), "run \(run): the old table had the note")
        text = text.replacingOccurrences(of: note, with: "")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixture)/report-run\(run).json")))
        let gaps = ((json as? [String: Any])?["summary"] as? [String: Any])?["gaps"] as? [[String: Any]] ?? []
        let findings = gaps.flatMap { $0["findings"] as? [[String: Any]] ?? [] }
        #expect(!findings.isEmpty, "run \(run) has findings")
        for stored in findings {
            let finding = Finding(id: stored["id"] as? String ?? "", severity: .info, message: stored["message"] as? String ?? "",
                                  evidence: stored["evidence"] as? [String: String] ?? [:])
            let said = FindingText.message(finding, language: .vi)
            #expect(!said.isEmpty && said != finding.message && text.contains(": \(finding.message)\n"), "run \(run): \(finding.id)")
            text = text.replacingOccurrences(of: ": \(finding.message)\n", with: ": \(said)\n")
        }
        return Data(text.utf8)
    }
}
