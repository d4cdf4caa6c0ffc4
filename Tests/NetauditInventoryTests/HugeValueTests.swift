import Foundation
import NetauditInventory
import Testing

/// Values of megabytes (a level name, an include path) are refused at their place with a
/// short quote: never compared character by character against every candidate for a "did
/// you mean" (an 8 MB level took 23 s), never echoed whole.
struct HugeValueTests {
    static func load(_ text: String) throws -> [String] {
        let folder = NSTemporaryDirectory() + "netaudit-huge-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try text.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try InventoryLoader().load(path: folder + "/inventory.yaml")
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: folder + "/", with: "") }
        }
    }

    @Test func anEightMegabyteLevelIsRefusedWithAShortQuote() throws {
        let problems = try Self.load("levels: [province]\nagencies:\n  - {code: \"52\", name: X, level: \""
                                     + String(repeating: "ab ", count: 2_666_666) + "\"}\n")
        #expect(problems == ["inventory.yaml:3:34: unknown level '" + String(repeating: "ab ", count: 13) + "a…' (expected one of: province)"])
    }

    @Test func aCloseTypoIsStillSuggested() throws {
        let problems = try Self.load("levels: [province, commune]\nagencies:\n  - {code: \"52\", name: X, level: provnice}\n")
        #expect(problems == ["inventory.yaml:3:34: unknown level 'provnice' (did you mean 'province'?)"])
    }

    @Test func aHugeIncludePathIsQuotedShort() throws {
        let problems = try Self.load("levels: [province]\nagencies:\n  - include: \"" + String(repeating: "A", count: 10_000) + "\"\n")
        let message = try #require(problems.first)
        #expect(message.hasPrefix("inventory.yaml:3:14: included file '" + String(repeating: "A", count: 60) + "…' does not exist"), "\(message)")
        #expect(message.count < 200)
    }
}
