import NetauditCore
import Testing

struct SourceLocationTests {
    @Test func description() {
        #expect(SourceLocation(file: "a/inventory.yaml", line: 12, column: 3).description == "a/inventory.yaml:12:3")
        #expect(SourceLocation(file: "a/inventory.yaml", line: 0, column: 0).description == "a/inventory.yaml")
    }

    @Test func ordersByFileThenLineThenColumn() {
        let locations = [
            SourceLocation(file: "b.yaml", line: 1, column: 1),
            SourceLocation(file: "a.yaml", line: 2, column: 1),
            SourceLocation(file: "a.yaml", line: 1, column: 9),
            SourceLocation(file: "a.yaml", line: 1, column: 2),
        ]
        #expect(locations.sorted().map(\.description) == ["a.yaml:1:2", "a.yaml:1:9", "a.yaml:2:1", "b.yaml:1:1"])
    }

    @Test func diagnosticDescription() {
        let diagnostic = Diagnostic(SourceLocation(file: "x.yaml", line: 4, column: 7), "unknown key 'adress'")
        #expect(diagnostic.description == "x.yaml:4:7: unknown key 'adress'")
    }
}
