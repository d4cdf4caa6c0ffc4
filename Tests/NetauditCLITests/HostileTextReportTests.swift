import Foundation
import Testing

/// Names (and any text from outside) that carry terminal escapes, C1 controls or
/// right-to-left overrides are shown as `<U+XXXX>` in the table, the CSV and the HTML page:
/// no report can be made to lie on screen.
struct HostileTextReportTests {
    @Test func controlsAndBidiOverridesInNamesAreEscapedInEveryFormat() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #"""
            levels: [province, commune]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "52"
                name: "Gia Lai \u202Eiah\u202C \x1b[2J\x1b[31mFAKE\u009b"
                level: province
                link: {address: 127.2.0.52, method: tcp, port: 9}
                children:
                  - {code: "21583", name: "Xã \u2066Ia\u2069 Ka", level: commune}
            """#.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let audit = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"])
        #expect(audit.status == 1, "\(audit.stderr)")
        let raw: [Character] = ["\u{202E}", "\u{202C}", "\u{1B}", "\u{9B}", "\u{2066}", "\u{2069}"]
        for format in ["table", "csv", "html"] {
            let report = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--format", format])
            #expect(!report.stdout.contains { raw.contains($0) }, "\(format): \(report.stdout)")
            #expect(report.stdout.contains("Gia Lai <U+202E>iah<U+202C> <U+001B>[2J<U+001B>[31mFAKE<U+009B>")
                    || report.stdout.contains("Gia Lai &lt;U+202E&gt;iah&lt;U+202C&gt; &lt;U+001B&gt;[2J"), "\(format): \(report.stdout)")
            #expect(report.stdout.contains("<U+2066>Ia<U+2069>") || report.stdout.contains("&lt;U+2066&gt;Ia&lt;U+2069&gt;"), "\(format)")
        }
        // JSON carries the names as they are (escaped as JSON escapes them), for programs.
        let json = try CLIRunner.run(["report", "--db", folder + "/r.sqlite", "--format", "json"])
        #expect(json.stdout.contains("\\u001b[2J"), "\(json.stdout)")
    }
}
