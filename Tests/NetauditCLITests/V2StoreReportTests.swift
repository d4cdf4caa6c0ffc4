import Foundation
import NetauditCore
import NetauditPolicy
import NetauditStoreSQLite
import Testing

/// The reports of a store written by the previous release (schema v2, commit dfad81a):
/// once this netaudit has opened it for writing (migrated to v3, history built), `netaudit
/// report` renders each run as the old binary did (the outputs kept beside the store,
/// Tests/NetauditStoreTests/Fixtures/v2-store/README.md): the CSV's old columns byte for byte (rows gained columns at their end since), the JSON
/// with every old field unchanged (it only gained `verdicts` and `compliance_rate`). The
/// table and the HTML page changed their layout in issue 14 (two verdicts, two lists, local
/// times): they are compared with this release's renders (NetauditStoreTests/Fixtures/v2-store-reports, whose
/// README says how they were made and checked against the old ones).
@Suite(.serialized) struct V2StoreReportTests {
    static let fixture = CLIRunner.repository + "/Tests/NetauditStoreTests/Fixtures/v2-store"
    static let renders = CLIRunner.repository + "/Tests/NetauditStoreTests/Fixtures/v2-store-reports"
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

    /// Every run in every format: the old binary's CSV byte for byte, its JSON field for
    /// field, and this release's table and page byte for byte (times in UTC).
    static func expectOldOutputs(_ path: String) throws {
        for run in 1...4 {
            for (format, ext) in formats {
                let result = try CLIRunner.run(["report", "--db", path, "--run", "\(run)"] + format, environment: ["TZ": "UTC"])
                #expect(result.stderr.isEmpty, "run \(run) \(format): \(result.stderr)")
                let old = try Data(contentsOf: URL(fileURLWithPath: "\(fixture)/report-run\(run).\(ext)"))
                switch ext {
                case "csv":
                    // The CSV gained columns at the end of each row: the old eleven stay, byte for byte.
                    let before = String(decoding: old, as: UTF8.self).components(separatedBy: "\r\n")
                    let now = result.stdout.components(separatedBy: "\r\n")
                    #expect(result.stdout.hasPrefix("\u{FEFF}") && now.count == before.count, "run \(run) csv: \(now.count) lines")
                    for (line, was) in zip(now, before) {
                        #expect(was.isEmpty ? line.isEmpty : line.hasPrefix(was + ","), "run \(run) csv: \(line) after \(was)")
                    }
                case "json":
                    let now = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                    let before = try #require(try JSONSerialization.jsonObject(with: old) as? NSDictionary)
                    #expect(now["verdicts"] is [String: Any], "run \(run): no verdicts")
                    var kept = now
                    kept["verdicts"] = nil
                    #expect(NSDictionary(dictionary: withoutComplianceRate(kept) as! [String: Any]) == before, "run \(run): an old JSON field changed")
                default:
                    let expected = try Data(contentsOf: URL(fileURLWithPath: "\(renders)/report-run\(run).\(ext)"))
                    #expect(Data(result.stdout.utf8) == expected, "run \(run) \(format) differs")
                }
            }
        }
    }

    /// A JSON value with every `compliance_rate` (added in issue 14) taken out.
    static func withoutComplianceRate(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { $0.key != "compliance_rate" }.mapValues(withoutComplianceRate)
        }
        if let array = value as? [Any] { return array.map(withoutComplianceRate) }
        return value
    }
}
