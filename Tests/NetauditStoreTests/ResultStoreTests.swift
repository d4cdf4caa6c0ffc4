import Foundation
import GRDB
import NetauditCore
@testable import NetauditStore
import Testing

/// The results store on real SQLite files in a temporary folder.
struct ResultStoreTests {
    static let inventory = Inventory(title: "Thử nghiệm", levels: ["province", "commune"], agencies: [
        Agency(code: "52", name: "Gia Lai", level: "province", link: Link(address: IPAddress(127, 2, 0, 52)), children: [
            Agency(code: "21583", name: "Phường Quy Nhơn", level: "commune"),
        ]),
    ], files: ["inventory.yaml"])

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let link = LinkResult(
        agencyCode: "52",
        observation: LinkObservation(address: IPAddress(127, 2, 0, 52), method: .icmp, transport: .icmpRaw, sent: 5, received: 3,
                                     roundTrip: RoundTripStatistics(milliseconds: [1, 2, 3]), started: Date(timeIntervalSince1970: 1_800_000_000)),
        state: .degraded,
        findings: [Finding(id: "link.loss", severity: .high, message: "40% of the echo requests were lost.",
                           evidence: ["link.loss_percent": "40.0"])])

    static let endpoint = EndpointResult(
        agencyCode: "52",
        observation: TLSObservation(url: "https://52.gialai.test/", serverName: "52.gialai.test", address: IPAddress(127, 2, 0, 52),
                                    port: 443, started: Date(timeIntervalSince1970: 1_800_000_000),
                                    connection: ConnectionOutcome(tcpConnected: true, modernHandshake: true)),
        verdict: .noncompliant,
        findings: [Finding(id: "cert.expired", severity: .critical, message: "The certificate expired.", evidence: ["certificate.not_after": "2026-10-28"]),
                   Finding(id: "ocsp.no_stapling", severity: .info, message: "No stapled OCSP response.")])

    @Test func aNewStoreIsOneWALFileThatPassesItsIntegrityCheck() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ResultStore(path: folder + "/nested/results.sqlite")
        #expect(FileManager.default.fileExists(atPath: folder + "/nested/results.sqlite"))
        #expect(try store.integrityCheck() == "ok")
        let mode = try store.reader.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(store.recoveredRuns.isEmpty)
    }

    @Test func aRunKeepsItsInventoryObservationsAndFindings() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ResultStore(path: folder + "/results.sqlite")
        let id = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "inventory.yaml", inventoryHash: "abc")
        try store.record(Self.link, in: id)
        try store.record(LinkResult(agencyCode: "21583", observation: nil, state: nil,
                                    findings: [Finding(id: "link.unconfigured", severity: .high, message: "No link.")]), in: id)
        try store.record(Self.endpoint, in: id)
        #expect(try store.run(id)?.state == .running)
        try store.finishRun(id, state: .complete)

        // Read back through a second connection, as the report command would.
        let reader = try ResultStore(path: folder + "/results.sqlite")
        let run = try #require(try reader.run(id))
        #expect(run.state == .complete && run.endedAt != nil && run.kind == .audit)
        #expect(run.inventory == Self.inventory)
        #expect(run.inventoryHash == "abc")
        #expect(run.pid == getpid())
        let links = try reader.linkResults(run: id)
        #expect(links == [Self.link, LinkResult(agencyCode: "21583", observation: nil, state: nil,
                                               findings: [Finding(id: "link.unconfigured", severity: .high, message: "No link.")])])
        #expect(try reader.endpointResults(run: id) == [Self.endpoint])
        // A finished run stays as it was.
        try store.finishRun(id, state: .aborted)
        #expect(try reader.run(id)?.state == .complete)
    }

    @Test func theLatestCompleteRunBeforeAnother() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ResultStore(path: folder + "/results.sqlite")
        func run(_ kind: RunKind, _ state: RunState) throws -> RunID {
            let id = try store.beginRun(kind: kind, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
            if state != .running { try store.finishRun(id, state: state) }
            return id
        }
        let first = try run(.audit, .complete)
        _ = try run(.linkSweep, .complete)
        _ = try run(.audit, .aborted)
        let last = try run(.audit, .complete)
        #expect(try store.latestRun(kinds: [.audit])?.id == last)
        #expect(try store.latestRun(kinds: [.audit], before: last)?.id == first)
        #expect(try store.latestRun(kinds: [.audit], inventoryPath: "i")?.id == last)
        #expect(try store.latestRun(kinds: [.audit], inventoryPath: "elsewhere") == nil)
        #expect(try store.runs(limit: 2).map(\.id) == [last, RunID(last.value - 1)])
        // The same answer without reading the runs' inventories.
        #expect(try store.latestRunID(kinds: [.audit]) == last)
        #expect(try store.latestRunID(kinds: [.linkSweep, .tlsOnly]) == RunID(first.value + 1))
        #expect(try store.latestRunID(kinds: [.audit], state: .aborted) == RunID(last.value - 1))
        #expect(try store.latestRunID(kinds: [.audit], inventoryPath: "elsewhere") == nil)
        try store.ping()
    }

    @Test func aRunWhoseProcessIsGoneIsAbortedAtTheNextOpenAndOthersAreLeftAlone() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.sqlite"
        let store = try ResultStore(path: path)
        let mine = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        let orphan = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try store.record(Self.link, in: orphan, at: Date(timeIntervalSince1970: 1_900_000_000))
        // Hand the orphan to a process that has ended.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try store.pool!.write { try $0.execute(sql: "UPDATE runs SET pid = ? WHERE id = ?", arguments: [gone.processIdentifier, orphan.value]) }
        let rebooted = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try store.pool!.write { try $0.execute(sql: "UPDATE runs SET boot_id = 'another-boot' WHERE id = ?", arguments: [rebooted.value]) }

        let reopened = try ResultStore(path: path)
        #expect(Set(reopened.recoveredRuns) == [orphan, rebooted])
        #expect(try reopened.run(mine)?.state == .running)  // its process (this one) is alive
        let aborted = try #require(try reopened.run(orphan))
        #expect(aborted.state == .aborted)
        #expect(aborted.endedAt == Date(timeIntervalSince1970: 1_900_000_000))  // when it last wrote
        #expect(aborted.note?.contains("ended without finishing") == true)
        #expect(try reopened.run(rebooted)?.note?.contains("restarted") == true)
        #expect(try reopened.linkResults(run: orphan) == [Self.link])  // what it wrote stays
        #expect(try reopened.integrityCheck() == "ok")
    }

    @Test func pruningKeepsRecentAndRunningRuns() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ResultStore(path: folder + "/results.sqlite")
        let now = Date()
        var old: [RunID] = []
        for _ in 0..<45 {
            let id = try store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h",
                                        startedAt: now.addingTimeInterval(-40 * 86_400))
            try store.record(Self.link, in: id)
            try store.finishRun(id, state: .complete, endedAt: now.addingTimeInterval(-40 * 86_400))
            old.append(id)
        }
        let recent = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try store.finishRun(recent, state: .complete)
        let running = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h",
                                         startedAt: now.addingTimeInterval(-90 * 86_400))
        #expect(try store.prune(keepingDays: 30, now: now) == 45)
        #expect(try store.runs(limit: 100).map(\.id).sorted() == [recent, running])
        let orphans = try store.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM findings") }
        #expect(orphans == 0)  // results and findings go with their run
    }

    @Test func twoWritersAtOnceNeverSeeALockedDatabase() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.sqlite"
        let stores = [try ResultStore(path: path), try ResultStore(path: path)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    let id = try store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
                    for _ in 0..<200 { try store.record(Self.link, in: id) }
                    try store.finishRun(id, state: .complete)
                }
            }
            try await group.waitForAll()
        }
        let runs = try stores[0].runs()
        #expect(runs.count == 2 && runs.allSatisfy { $0.state == .complete })
        #expect(try runs.map { try stores[0].linkResults(run: $0.id).count } == [200, 200])
    }

    @Test func aFileThatIsNotAStoreIsACleanError() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/not-a-store.sqlite"
        try Data("this is not SQLite, just text long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: StoreError.self) { try ResultStore(path: path) }
        #expect(error.description.hasPrefix("results store \(path): not a netaudit results store, or damaged"))
    }

    @Test func theInventoryFingerprintIsSHA256OfNamesAndBytes() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "levels: [a]\n".write(toFile: folder + "/a.yaml", atomically: true, encoding: .utf8)
        let first = InventoryFingerprint.sha256(files: [folder + "/a.yaml"])
        #expect(first.count == 64)
        #expect(InventoryFingerprint.sha256(files: [folder + "/a.yaml"]) == first)
        try "levels: [b]\n".write(toFile: folder + "/a.yaml", atomically: true, encoding: .utf8)
        #expect(InventoryFingerprint.sha256(files: [folder + "/a.yaml"]) != first)
    }
}
