import Foundation
import NetauditCore
@testable import NetauditInventory
import Testing

struct CSVTableTests {
    func table(_ text: String) throws -> CSVTable {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/t.csv"))
        return try CSVTable.read(folder + "/t.csv")
    }

    @Test func readsQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let csv = try table("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n")
        #expect(csv.header == ["a", "b"])
        #expect(csv.records.map { $0.fields.map(\.text) } == [["x, y", "say \"hi\""], ["two\nlines", "z"]])
        #expect(csv.records[1].fields[1].location.line == 4)
        #expect(csv.records[1].fields[1].location.column == 8)
    }

    @Test func acceptsCRLFAByteOrderMarkAndNoFinalNewline() throws {
        let csv = try table("\u{FEFF}a,b\r\n1,2\r\n3,")
        #expect(csv.header == ["a", "b"])
        #expect(csv.records.map { $0.fields.map(\.text) } == [["1", "2"], ["3", ""]])
    }

    @Test func skipsBlankLines() throws {
        let csv = try table("a\n\n1\n\n")
        #expect(csv.records.map { $0.fields.map(\.text) } == [["1"]])
        #expect(csv.records[0].location.line == 3)
    }

    @Test func refusesTextAfterAClosingQuote() throws {
        let error = try #require(throws: InventoryError.self) { try table("a\n\"x\"y\n") }
        #expect(error.diagnostics.first?.message == "unexpected character after a closing quote")
        #expect(error.diagnostics.first?.location.line == 2)
        #expect(error.diagnostics.first?.location.column == 4)
    }
}

struct PathTextTests {
    @Test(arguments: [
        ("a/./b/../c.yaml", "a/c.yaml"),
        ("./x.yaml", "x.yaml"),
        ("../x/../y.yaml", "../y.yaml"),
        ("/a/../../b", "/b"),
        ("a//b", "a/b"),
    ])
    func normalizes(_ path: String, _ expected: String) {
        #expect(PathText.normalize(path) == expected)
    }

    @Test func resolvesRelativeToTheIncludingFile() {
        #expect(PathText.resolve("district/622.yaml", from: "Inventory/x/inventory.yaml") == "Inventory/x/district/622.yaml")
        #expect(PathText.resolve("../y.yaml", from: "Inventory/x/inventory.yaml") == "Inventory/y.yaml")
        #expect(PathText.resolve("y.yaml", from: "inventory.yaml") == "y.yaml")
        #expect(PathText.resolve("/etc/z.yaml", from: "a/b.yaml") == "/etc/z.yaml")
    }

    @Test func expandsWildcardsInTheFileNameSorted() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["b.yaml", "a.yaml", "c.yml", ".hidden.yaml", "ab.yaml"] {
            try "".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: folder + "/d.yaml", withIntermediateDirectories: true)
        #expect(PathText.expand(folder + "/*.yaml") == ["a.yaml", "ab.yaml", "b.yaml"].map { folder + "/" + $0 })
        #expect(PathText.expand(folder + "/?.yaml") == ["a.yaml", "b.yaml"].map { folder + "/" + $0 })
        #expect(PathText.expand(folder + "/a*") == ["a.yaml", "ab.yaml"].map { folder + "/" + $0 })
        #expect(PathText.isPattern("x/*.yaml"))
        #expect(!PathText.isPattern("x/a.yaml"))
    }
}

struct SuggestionTests {
    @Test(arguments: [
        ("nmae", "name"), ("Name", "name"), ("childern", "children"), ("endpoint", "endpoints"), ("levle", "level"),
    ])
    func suggestsTheClosestKey(_ typo: String, _ expected: String) {
        #expect(Suggestion.closest(to: typo, in: ["code", "name", "level", "kind", "link", "endpoints", "children"]) == expected)
    }

    @Test func suggestsNothingForUnrelatedWords() {
        #expect(Suggestion.closest(to: "colour", in: ["code", "name", "level"]) == nil)
        #expect(Suggestion.hint(for: "colour", in: ["code", "name"]) == " (expected one of: code, name)")
    }

    @Test func countsATranspositionAsOneEdit() {
        #expect(Suggestion.editDistance("ab", "ba") == 1)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.editDistance("", "abc") == 3)
    }
}
