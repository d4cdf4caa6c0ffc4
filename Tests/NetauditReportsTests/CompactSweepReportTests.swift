import Foundation
import GRDB
import NetauditCore
import NetauditHistory
import NetauditReports
import NetauditStore
@testable import NetauditStoreSQLite
import Testing

/// A link sweep whose unchanged links are stored as compact rows reports exactly as the
/// same sweep stored in full: two stores get the same runs, one with the compact rows (its
/// links in the condition of their open intervals), the other without (its intervals
/// cleared before the sweep, so every row is full), and each run's report is compared in
/// every format.
struct CompactSweepReportTests {
    static let inventory = Inventory(title: "Gọn", levels: ["province", "commune"], agencies: [
        Agency(code: "A", name: "Tỉnh A", level: "province", link: Link(address: IPAddress(127, 0, 0, 1), method: .tcp(port: 9)), children: [
            Agency(code: "B", name: "Xã B", level: "commune", link: Link(address: IPAddress(127, 0, 0, 2))),
            Agency(code: "C", name: "Xã C", level: "commune", link: Link(address: IPAddress(127, 0, 0, 3), via: "A")),
            Agency(code: "D", name: "Xã D", level: "commune", link: Link(address: IPAddress(127, 0, 0, 4), via: "B")),
            Agency(code: "E", name: "Xã E", level: "commune"),
        ]),
    ], files: ["inventory.yaml"])

    static func results(at: Date, bLoss: Int) -> [LinkResult] {
        func observation(_ code: String, sent: Int, received: Int, median: Double?) -> LinkObservation {
            let link = inventory.allAgencies.first { $0.code == code }!.link!
            return LinkObservation(address: link.address, method: link.method, transport: link.method == .icmp ? .icmpRaw : .tcp,
                                   sent: sent, received: received,
                                   roundTrip: median.map { RoundTripStatistics(minimum: $0 - 0.5, median: $0, average: $0, maximum: $0 + 1, jitter: 0, samples: received) },
                                   started: at)
        }
        return [
            LinkResult(agencyCode: "A", observation: observation("A", sent: 4, received: 4, median: 1.25), state: .up, findings: []),
            LinkResult(agencyCode: "B", observation: observation("B", sent: 10, received: 10 - bLoss, median: 180.5), state: .degraded,
                       findings: [Finding(id: "link.loss", severity: .medium, message: "\(bLoss * 10)% lost.", evidence: ["link.loss_percent": "\(bLoss * 10).0"])]),
            LinkResult(agencyCode: "C", observation: observation("C", sent: 4, received: 0, median: nil), state: .down,
                       findings: [Finding(id: "link.down", severity: .critical, message: "No answer.")]),
            LinkResult(agencyCode: "D", observation: observation("D", sent: 4, received: 0, median: nil), state: .down,
                       findings: [Finding(id: "link.unreachable", severity: .high, message: "Behind B.", evidence: ["link.via": "B"])]),
            LinkResult(agencyCode: "E", observation: nil, state: nil,
                       findings: [Finding(id: "link.unconfigured", severity: .high, message: "No link.")]),
        ]
    }

    @Test func aCompactSweepReportsAsTheSameSweepStoredInFull() async throws {
        let folder = NSTemporaryDirectory() + "netaudit-compact-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let compact = try SQLiteStore(path: folder + "/compact.sqlite")
        let full = try SQLiteStore(path: folder + "/full.sqlite")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for (index, store) in [compact, full].enumerated() {
            for sweep in 0..<3 {
                let at = t0.addingTimeInterval(Double(sweep) * 300)
                if index == 1 { try await store.pool!.write { try $0.execute(sql: "DELETE FROM intervals") } }
                let id = try await store.beginRun(kind: .linkSweep, inventory: Self.inventory, inventoryPath: "inventory.yaml",
                                                  inventoryHash: "h", startedAt: at, resuming: nil)
                try await store.record(links: Self.results(at: at, bLoss: 3 + sweep), endpoints: [], in: id, at: at.addingTimeInterval(5))
                try await store.finishRun(id, state: .complete, endedAt: at.addingTimeInterval(9))
            }
        }
        let rows = { (store: SQLiteStore) in try await store.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sweep_links") ?? 0 } }
        #expect(try await rows(compact) == 8)  // A, B, C, D of the second and third sweeps
        #expect(try await rows(full) == 0)
        for run in 1...3 {
            let now = t0.addingTimeInterval(3600)
            let a = try await AuditReport.load(from: compact, run: RunID(Int64(run)), now: now)
            let b = try await AuditReport.load(from: full, run: RunID(Int64(run)), now: now)
            #expect(try a.json() == b.json(), "run \(run)")
            #expect(a.table(.english) == b.table(.english), "run \(run)")
            #expect(a.table(.vietnamese) == b.table(.vietnamese), "run \(run)")
            #expect(a.csv() == b.csv(), "run \(run)")
            #expect(a.html() == b.html(), "run \(run)")
        }
    }
}
