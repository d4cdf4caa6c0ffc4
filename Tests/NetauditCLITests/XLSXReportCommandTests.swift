import Foundation
import Testing

/// `--format xlsx` from the command line: a workbook to a redirect or a file, refused on a
/// terminal, refused for a period report.
@Suite(.serialized) struct XLSXReportCommandTests {
    static let hasScript = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

    /// A province "052" whose link answers (TCP to a closed port) and a commune "00001"
    /// without a link, whose name would be a formula.
    static func writeProvince(to folder: String) throws {
        try """
            levels: [province, commune]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "052"
                name: "Gia Lai"
                level: province
                link: {address: 127.2.0.52, method: tcp, port: 9}
                children:
                  - {code: "00001", name: "=HYPERLINK(\\"http://127.0.0.1\\")", level: commune}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
    }

    @Test func aRunReportAsAWorkbookToARedirectAndToAFile() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeProvince(to: folder)
        // The audit writes its report as a workbook with --output.
        let audit = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only",
                                       "--format", "xlsx", "--output", folder + "/audit.xlsx"])
        #expect(audit.status == 1, "\(audit.stderr)")  // the commune has no link
        let written = try #require(FileManager.default.contents(atPath: folder + "/audit.xlsx"))
        #expect(written.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a zip")  // PK\3\4

        // `report` to a redirect: the same workbook on standard output, and no temporary file left.
        let before = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("netaudit-xlsx-") && !$0.contains("test") }
        let report = try CLIRunner.run(["-c", "exec \"$0\" report --db \"$1\" --format xlsx > \"$2\"", CLIRunner.binary,
                                        folder + "/r.sqlite", folder + "/report.xlsx"], executable: "/bin/sh")
        #expect(report.status == 1, "\(report.stderr)")
        let redirected = try #require(FileManager.default.contents(atPath: folder + "/report.xlsx"))
        #expect(redirected.starts(with: [0x50, 0x4B, 0x03, 0x04]) && redirected.count > 3_000)
        let after = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("netaudit-xlsx-") && !$0.contains("test") }
        #expect(Set(after).subtracting(before).isEmpty, "the temporary workbook is removed")

        if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
            let strings = try CLIRunner.run(["-p", folder + "/report.xlsx", "xl/sharedStrings.xml"], executable: "/usr/bin/unzip")
            #expect(strings.stdout.contains("<t>00001</t>") && strings.stdout.contains("<t>052</t>"))
            #expect(strings.stdout.contains("<t>'=HYPERLINK(&quot;http://127.0.0.1&quot;)</t>") || strings.stdout.contains("<t>'=HYPERLINK(\"http://127.0.0.1\")</t>"),
                    "\(strings.stdout)")
        }

        // A period report has no workbook.
        let period = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--format", "xlsx", "--month", "2026-11"])
        #expect(period.status == 2)
        #expect(period.stderr.contains("--format xlsx renders one run"), "\(period.stderr)")
    }

    @Test(.enabled(if: hasScript, "script(1) is not installed (Debian: bsdutils)"))
    func aWorkbookIsRefusedOnATerminal() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeProvince(to: folder)
        _ = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"])
        // script(1) runs the command on a pseudo-terminal: standard output is a tty.
        let command = "'\(CLIRunner.binary)' report --db '\(folder)/r.sqlite' --format xlsx"
        let terminal = try CLIRunner.run(["-qec", command, "/dev/null"], executable: "/usr/bin/script")
        #expect(terminal.status == 2, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("--format xlsx writes a binary workbook, not text for a terminal"), "\(terminal.stdout)")
        #expect(!terminal.stdout.contains("PK"), "nothing binary on the terminal")
        // The audit too, before probing anything.
        let audit = "'\(CLIRunner.binary)' audit --inventory '\(folder)/inventory.yaml' --db '\(folder)/second.sqlite' --format xlsx"
        let refused = try CLIRunner.run(["-qec", audit, "/dev/null"], executable: "/usr/bin/script")
        #expect(refused.status == 2 && refused.stdout.contains("--output FILE"), "\(refused.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/second.sqlite"))
    }
}
