import NetauditCore
import Foundation
import NetauditStore
import NetauditStoreSQLite
import Testing

/// `netaudit report` writes nothing: it reads a store it may not write (another user's, a
/// read-only folder) and a store on a full disk, and leaves no file behind.
@Suite(.serialized) struct ReportReadOnlyTests {
    static func storeWithOneRun() throws -> String {
        let folder = try AuditCommandTests.folder()
        try AuditCommandTests.writeSmallProvince(to: folder, communeName: "Xã Ia Ka")
        let audit = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite", "--links-only"])
        #expect(audit.status == 1, "\(audit.stderr)")  // the commune has no link
        return folder
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aStoreThisUserMayNotWrite() throws {
        let folder = try Self.storeWithOneRun()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/r.sqlite")
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let result = try CLIRunner.run(
            ["--reuid=65534", "--regid=65534", "--clear-groups", CLIRunner.binary, "report", "--db", folder + "/r.sqlite"],
            executable: "/usr/bin/setpriv")
        #expect(result.status == 1, "the commune has no link: \(result.stderr)")
        #expect(result.stdout.contains("netaudit run 1 (link_sweep, complete)"), "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before)
    }

    /// Results still in the write-ahead log, and no way to set up the shared memory that
    /// reads them (another user's store, its -shm gone after a crash): refused, never a
    /// report of the older runs as if they were the latest.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func resultsLeftInTheWriteAheadLogAreNotSilentlyMissed() async throws {
        let folder = try Self.storeWithOneRun()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        do {
            let writer = try SQLiteStore(path: folder + "/r.sqlite")  // a second run, left in the WAL while open
            _ = try await writer.beginRun(kind: .linkSweep, inventory: try #require(try await writer.run(RunID(1))).inventory,
                                    inventoryPath: "inventory.yaml", inventoryHash: "x")
            try FileManager.default.copyItem(atPath: folder + "/r.sqlite", toPath: copy + "/r.sqlite")
            try FileManager.default.copyItem(atPath: folder + "/r.sqlite-wal", toPath: copy + "/r.sqlite-wal")
            try await writer.close()
        }
        let result = try CLIRunner.run(
            ["--reuid=65534", "--regid=65534", "--clear-groups", CLIRunner.binary, "report", "--db", copy + "/r.sqlite"],
            executable: "/usr/bin/setpriv")
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stderr.contains("the latest results are still in \(copy)/r.sqlite-wal"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func aStoreOnAFullDisk() throws {
        let folder = try Self.storeWithOneRun()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A private mount namespace: a 2 MB tmpfs, the store copied in, the rest filled.
        try FileManager.default.createDirectory(atPath: folder + "/full", withIntermediateDirectories: true)
        let result = try CLIRunner.run(
            ["-c", """
                mount -t tmpfs -o size=2m tmpfs \(folder)/full && cp \(folder)/r.sqlite \(folder)/full/ \
                && { dd if=/dev/zero of=\(folder)/full/filler bs=4k 2>/dev/null; true; } \
                && exec \(CLIRunner.binary) report --db \(folder)/full/r.sqlite --format json
                """],
            executable: "/bin/sh", wrapper: ["/usr/bin/unshare", "--mount"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect((try AuditCommandTests.json(result.stdout)["run"] as? [String: Any])?["id"] as? Int == 1, "\(result.stderr)")
    }
}
