import Foundation
import NetauditCore
import NetauditInventory
import Testing

/// Includes read only regular files under the top file's folder: a symbolic link or a
/// `../` path to a file elsewhere is refused without reading it (and so without quoting
/// it), and a FIFO, a device or a folder is refused for what it is, without opening it.
struct IncludeConfinementTests {
    static let secret = "root:$6$SECRET-HASH-NEVER-PRINTED:19000:0:99999:7:::"

    /// A temporary `inventory/` folder whose top file includes `includes`, and a `secret`
    /// file beside that folder, as /etc/shadow would be.
    static func layout(includes: [String]) throws -> (folder: String, top: String) {
        let folder = try FixturePaths.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/inventory", withIntermediateDirectories: true)
        try (secret + "\n" + "daemon:*:19000:0:99999:7:::\n").write(toFile: folder + "/secret", atomically: true, encoding: .utf8)
        let items = includes.map { "      - include: \($0)\n" }.joined()
        try """
            levels: [province, district]
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                children:

            """.appending(items).write(toFile: folder + "/inventory/inventory.yaml", atomically: true, encoding: .utf8)
        return (folder, folder + "/inventory/inventory.yaml")
    }

    @Test func aSymbolicLinkToAFileOutsideTheFolderIsRefusedUnread() throws {
        let (folder, top) = try Self.layout(includes: ["district.yaml", "../secret"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/inventory/district.yaml", withDestinationPath: folder + "/secret")
        let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: top) }
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(error.diagnostics.map(\.description) == [
            "\(top):7:18: included file '\(folder)/inventory/district.yaml' is outside the folder of the top file (\(real)/inventory): it leads to '\(real)/secret'; only files under that folder are included",
            "\(top):8:18: included file '\(folder)/secret' is outside the folder of the top file (\(real)/inventory): it leads to '\(real)/secret'; only files under that folder are included",
        ])
        #expect(!error.description.contains("SECRET-HASH") && !error.description.contains("daemon:"))
    }

    /// A link that stays inside the folder is an ordinary include.
    @Test func aSymbolicLinkInsideTheFolderIsFollowed() throws {
        let (folder, top) = try Self.layout(includes: ["current.yaml"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/inventory/district", withIntermediateDirectories: true)
        try """
            agencies:
              - {code: "622", name: "Thành phố Pleiku", level: district}
            """.write(toFile: folder + "/inventory/district/622.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/inventory/current.yaml", withDestinationPath: "district/622.yaml")
        let inventory = try InventoryLoader().load(path: top)
        #expect(inventory.allAgencies.map(\.code) == ["64", "622"])
    }

    /// `include_folders` names a further folder includes may read from; a name that is not
    /// a folder is reported, and a file outside both is still refused.
    @Test func includeFoldersAllowsAnotherFolder() throws {
        let (folder, top) = try Self.layout(includes: ["../shared/departments.yaml", "../secret"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/shared", withIntermediateDirectories: true)
        try """
            agencies:
              - {code: "SNV", name: "Sở Nội vụ", level: province, kind: department}
            """.write(toFile: folder + "/shared/departments.yaml", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: top, encoding: .utf8)
        try text.replacingOccurrences(of: "agencies:\n", with: "include_folders: [../shared, ../nowhere]\nagencies:\n")
            .write(toFile: top, atomically: true, encoding: .utf8)
        let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: top) }
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(error.diagnostics.map(\.description) == [
            "\(top):2:30: include folder '../nowhere' is not a folder (looked for \(folder)/nowhere)",
            "\(top):9:18: included file '\(folder)/secret' is outside the folder of the top file (\(real)/inventory): it leads to '\(real)/secret'; only files under that folder or include_folders are included",
        ])
        try text.replacingOccurrences(of: "agencies:\n", with: "include_folders: [../shared]\nagencies:\n")
            .replacingOccurrences(of: "      - include: ../secret\n", with: "")
            .write(toFile: top, atomically: true, encoding: .utf8)
        #expect(try InventoryLoader().load(path: top).allAgencies.map(\.code) == ["64", "SNV"])
    }

    /// A FIFO would block the load until someone writes to it: it is refused from `stat`
    /// alone, and said to be a FIFO (it used to read "permission denied" as root).
    @Test func aFIFOIsRefusedAsAFIFOWithoutBlocking() throws {
        let (folder, top) = try Self.layout(includes: ["pipe.yaml", "/dev/null", "."])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mkfifo = try Process.run(URL(fileURLWithPath: "/usr/bin/mkfifo"), arguments: [folder + "/inventory/pipe.yaml"])
        mkfifo.waitUntilExit()
        #expect(mkfifo.terminationStatus == 0)
        // Were the FIFO opened, the load would wait for a writer: give it one after 5 s so
        // that the test fails instead of hanging.
        let done = Flag(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
            if !done.value { _ = FileHandle(forWritingAtPath: folder + "/inventory/pipe.yaml") }
        }
        let start = ContinuousClock.now
        let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: top) }
        done.value = true
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(error.diagnostics.map(\.description) == [
            "\(top):7:18: cannot read '\(folder)/inventory/pipe.yaml': it is a FIFO (named pipe), not a regular file",
            "\(top):8:18: cannot read '/dev/null': it is a character device, not a regular file",
            "\(top):9:18: cannot read '\(folder)/inventory': it is a folder",
        ])
    }
}

/// A flag shared with a Dispatch block (a class: the block may outlive the test's frame).
final class Flag<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
