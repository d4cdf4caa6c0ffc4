import Foundation
import GRDB
import NetauditCore
@testable import NetauditStoreSQLite
import NetauditStore
import Testing

/// The results store on real SQLite files in a temporary folder, and (the seam's contract)
/// on a real PostgreSQL database as well.
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

    @Test func aNewStoreIsOneWALFileThatPassesItsIntegrityCheck() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/nested/results.sqlite")
        #expect(FileManager.default.fileExists(atPath: folder + "/nested/results.sqlite"))
        #expect(try await store.integrityCheck() == "ok")
        let mode = try await store.reader.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(store.recoveredRuns.isEmpty)
    }

    @Test(arguments: StoreBackend.testable)
    func aRunKeepsItsInventoryObservationsAndFindings(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location)
        let id = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "inventory.yaml", inventoryHash: "abc")
        try await store.record(Self.link, in: id)
        try await store.record(LinkResult(agencyCode: "21583", observation: nil, state: nil,
                                    findings: [Finding(id: "link.unconfigured", severity: .high, message: "No link.")]), in: id)
        try await store.record(Self.endpoint, in: id)
        #expect(try await store.run(id)?.state == .running)
        try await store.finishRun(id, state: .complete)

        // Read back through a second connection, as the report command would.
        let reader = try await backend.open(location, readOnly: true)
        let run = try #require(try await reader.run(id))
        #expect(run.state == .complete && run.endedAt != nil && run.kind == .audit)
        #expect(run.inventory == Self.inventory)
        #expect(run.inventoryHash == "abc")
        #expect(run.pid == getpid())
        let links = try await reader.linkResults(run: id)
        #expect(links == [Self.link, LinkResult(agencyCode: "21583", observation: nil, state: nil,
                                               findings: [Finding(id: "link.unconfigured", severity: .high, message: "No link.")])])
        #expect(try await reader.endpointResults(run: id) == [Self.endpoint])
        // A finished run stays as it was.
        try await store.finishRun(id, state: .aborted)
        #expect(try await reader.run(id)?.state == .complete)
    }

    @Test(arguments: StoreBackend.testable)
    func theLatestCompleteRunBeforeAnother(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location)
        func run(_ kind: RunKind, _ state: RunState) async throws -> RunID {
            let id = try await store.beginRun(kind: kind, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
            if state != .running { try await store.finishRun(id, state: state) }
            return id
        }
        let first = try await run(.audit, .complete)
        _ = try await run(.linkSweep, .complete)
        _ = try await run(.audit, .aborted)
        let last = try await run(.audit, .complete)
        #expect(try await store.latestRun(kinds: [.audit])?.id == last)
        #expect(try await store.latestRun(kinds: [.audit], before: last)?.id == first)
        #expect(try await store.latestRun(kinds: [.audit], inventoryPath: "i")?.id == last)
        #expect(try await store.latestRun(kinds: [.audit], inventoryPath: "elsewhere") == nil)
        #expect(try await store.runs(limit: 2).map(\.id) == [last, RunID(last.value - 1)])
        // The same answer without reading the runs' inventories.
        #expect(try await store.latestRunID(kinds: [.audit]) == last)
        #expect(try await store.latestRunID(kinds: [.linkSweep, .tlsOnly]) == RunID(first.value + 1))
        #expect(try await store.latestRunID(kinds: [.audit], state: .aborted) == RunID(last.value - 1))
        #expect(try await store.latestRunID(kinds: [.audit], inventoryPath: "elsewhere") == nil)
        try await store.ping()
    }

    @Test(arguments: StoreBackend.testable)
    func aRunWhoseProcessIsGoneIsAbortedAtTheNextOpenAndOthersAreLeftAlone(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location)
        let mine = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        let orphan = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try await store.record(Self.link, in: orphan, at: Date(timeIntervalSince1970: 1_900_000_000))
        // Hand the orphan to a process that has ended.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try await backend.execute(store, "UPDATE runs SET pid = \(gone.processIdentifier) WHERE id = \(orphan.value)")
        let rebooted = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try await backend.execute(store, "UPDATE runs SET boot_id = 'another-boot' WHERE id = \(rebooted.value)")

        let reopened = try await backend.open(location)
        #expect(Set(reopened.recoveredRuns) == [orphan, rebooted])
        #expect(try await reopened.run(mine)?.state == .running)  // its process (this one) is alive
        let aborted = try #require(try await reopened.run(orphan))
        #expect(aborted.state == .aborted)
        #expect(aborted.endedAt == Date(timeIntervalSince1970: 1_900_000_000))  // when it last wrote
        #expect(aborted.note?.contains("ended without finishing") == true)
        #expect(try await reopened.run(rebooted)?.note?.contains("restarted") == true)
        #expect(try await reopened.linkResults(run: orphan) == [Self.link])  // what it wrote stays
        #expect(try await reopened.integrityCheck() == "ok")
    }

    @Test(arguments: StoreBackend.testable)
    func pruningKeepsRecentAndRunningRuns(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let store = try await backend.open(location, history: HistorySettings(rawDays: 30))
        let now = Date()
        var old: [RunID] = []
        for _ in 0..<45 {
            let id = try await store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h",
                                        startedAt: now.addingTimeInterval(-40 * 86_400))
            try await store.record(Self.link, in: id)
            try await store.finishRun(id, state: .complete, endedAt: now.addingTimeInterval(-40 * 86_400))
            old.append(id)
        }
        let recent = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
        try await store.finishRun(recent, state: .complete)
        let running = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h",
                                         startedAt: now.addingTimeInterval(-90 * 86_400))
        #expect(try await store.prune(now: now).runs == 45)
        #expect(try await store.runs(limit: 100).map(\.id).sorted() == [recent, running])
        let orphans = try await backend.count(store, "SELECT COUNT(*) FROM findings")
        #expect(orphans == 0)  // results and findings go with their run
        // The history those sweeps made stays: one interval, degraded, from the first to the last.
        let history = try await store.intervals(overlapping: DateInterval(start: now.addingTimeInterval(-50 * 86_400), end: now))
        #expect(history.count == 1 && history.first?.state == "degraded")
    }

    @Test(arguments: StoreBackend.testable)
    func twoWritersAtOnceNeverSeeALockedDatabase(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let stores = [try await backend.open(location), try await backend.open(location)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    let id = try await store.beginRun(kind: .audit, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h")
                    for _ in 0..<200 { try await store.record(Self.link, in: id) }
                    try await store.finishRun(id, state: .complete)
                }
            }
            try await group.waitForAll()
        }
        let runs = try await stores[0].runs()
        #expect(runs.count == 2 && runs.allSatisfy { $0.state == .complete })
        var counts: [Int] = []
        for run in runs { counts.append(try await stores[0].linkResults(run: run.id).count) }
        #expect(counts == [200, 200])
    }

    /// Two auditors completing runs at once: each run extends the history once, and no
    /// link ever has two open intervals.
    @Test(arguments: StoreBackend.testable)
    func twoWritersCompletingRunsAtOnceExtendTheHistoryInTurn(backend: StoreBackend) async throws {
        let location = try backend.freshLocation()
        defer { backend.remove(location) }
        let stores = [try await backend.open(location), try await backend.open(location)]
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for sweep in 0..<10 {
                        let at = start.addingTimeInterval(Double(sweep * 2 + index) * 60)
                        let id = try await store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "i", inventoryHash: "h",
                                                          startedAt: at, resuming: nil)
                        var link = Self.link
                        link.state = sweep % 3 == 0 ? .up : .degraded
                        link.findings = link.state == .up ? [] : Self.link.findings
                        try await store.record(links: [link], endpoints: [], in: id, at: at)
                        try await store.finishRun(id, state: .complete, endedAt: at.addingTimeInterval(10))
                    }
                }
            }
            try await group.waitForAll()
        }
        let intervals = try await stores[0].intervals(overlapping: DateInterval(start: start, duration: 86_400))
        #expect(!intervals.isEmpty)
        #expect(intervals.filter(\.open).count == 1)
        #expect(try await backend.count(stores[0], "SELECT COUNT(*) FROM runs WHERE state = 'complete' AND history_applied = 0") == 0)
        #expect(try await stores[0].integrityCheck() == "ok")
    }

    @Test func aFileThatIsNotAStoreIsACleanError() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/not-a-store.sqlite"
        try Data("this is not SQLite, just text long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error.description.hasPrefix("results store \(path): not a netaudit results store, or damaged"))
    }

    @Test func theInventoryFingerprintIsSHA256OfNamesAndBytes() async throws {
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
