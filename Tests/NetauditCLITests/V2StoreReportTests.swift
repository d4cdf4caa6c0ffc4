import Foundation
import NetauditStoreSQLite
import Testing

/// The reports of a store written by the previous release (schema v2, commit dfad81a):
/// once this netaudit has opened it for writing (migrated to v3, history built), `netaudit
/// report` renders each run byte for byte as the old binary did (the outputs kept beside
/// the store, Tests/NetauditStoreTests/Fixtures/v2-store/README.md); the CSV's rows have
/// columns added at their end since (issue 14), after the old ones unchanged.
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
                let expected = try Data(contentsOf: URL(fileURLWithPath: "\(fixture)/report-run\(run).\(ext)"))
                let result = try CLIRunner.run(["report", "--db", path, "--run", "\(run)"] + format)
                #expect(result.stderr.isEmpty, "run \(run) \(format): \(result.stderr)")
                if ext == "csv" {
                    // The CSV gained columns at the end of each row: the old eleven stay, byte for byte.
                    let old = String(decoding: expected, as: UTF8.self).components(separatedBy: "\r\n")
                    let new = result.stdout.components(separatedBy: "\r\n")
                    #expect(result.stdout.hasPrefix("\u{FEFF}") && new.count == old.count, "run \(run) csv: \(new.count) lines")
                    for (line, was) in zip(new, old) {
                        #expect(was.isEmpty ? line.isEmpty : line.hasPrefix(was + ","), "run \(run) csv: \(line) after \(was)")
                    }
                } else {
                    #expect(Data(result.stdout.utf8) == expected, "run \(run) \(format) differs")
                }
            }
        }
    }
}
