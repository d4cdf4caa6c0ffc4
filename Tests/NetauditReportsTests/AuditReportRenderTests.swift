import Foundation
import NetauditCore
import NetauditReports
import Testing

/// The run report built from loaded data, with no store and no subprocess: every renderer,
/// a link sweep showing the endpoints of the audit before it, and the changes since the
/// previous run.
struct AuditReportRenderTests {
    static let started = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ id: Int64, _ kind: RunKind, at started: Date = started) -> RunRecord {
        RunRecord(id: RunID(id), kind: kind, state: .complete, startedAt: started, endedAt: started.addingTimeInterval(12),
                  inventoryHash: String(repeating: "ab", count: 32), inventoryPath: "inventory.yaml",
                  inventory: AuditSummaryTests.inventory, host: "ops", pid: 1, netauditVersion: "test", note: nil)
    }

    static var sweepLinks: [LinkResult] {
        [AuditSummaryTests.result("64", .up), AuditSummaryTests.result("622", .up), AuditSummaryTests.result("23557", .up),
         AuditSummaryTests.result("23560", nil, ["link.unconfigured"]), AuditSummaryTests.result("623", .down, ["link.down"]),
         AuditSummaryTests.result("23614", .down, ["link.unreachable"]), AuditSummaryTests.result("23617", .down, ["link.unreachable"])]
    }

    static var audit: AuditReport.Source.Compared {
        let endpoint = EndpointResult(agencyCode: "64",
                                      observation: TLSObservation(url: "https://64.gialai.test/", serverName: "64.gialai.test", port: 443),
                                      verdict: .compliant, findings: [])
        return .init(record: record(1, .audit, at: started.addingTimeInterval(-3600)), links: [], endpoints: [endpoint])
    }

    @Test func aSweepShowsTheEndpointsOfTheAuditBeforeItInEveryFormat() throws {
        let previous = AuditReport.Source.Compared(
            record: Self.record(2, .linkSweep, at: Self.started.addingTimeInterval(-300)),
            links: Self.sweepLinks.map { $0.agencyCode == "623" ? AuditSummaryTests.result("623", .up) : $0 })
        let report = AuditReport(AuditReport.Source(record: Self.record(3, .linkSweep), links: Self.sweepLinks, endpoints: [],
                                                    endpointsFrom: Self.audit, previous: previous))
        #expect(report.endpointsFrom?.id == 1)
        #expect(report.summary.tlsChecked)
        #expect(report.changes?.previousRun == 2 && report.changes?.newlyDown == ["623"])

        let table = report.table(ReportLabels.english)
        #expect(table.contains("netaudit run 3 (link_sweep, complete)"), "\(table)")
        #expect(table.contains("TLS endpoints: from audit run 1"), "\(table)")
        #expect(table.contains("Thị xã An Khê"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect((json["run"] as? [String: Any])?["id"] as? Int == 3)
        #expect((json["endpoints_from"] as? [String: Any])?["id"] as? Int == 1)
        #expect((json["changes"] as? [String: Any])?["newly_down"] as? [String] == ["623"])

        let rows = report.csv().components(separatedBy: "\r\n")
        #expect(rows.count == 1 + 7 + 1, "a header, one row per agency, and the last line end")
        #expect(rows.contains { $0.hasPrefix("623,") && $0.contains(",down,") }, "\(rows)")

        let html = report.html(ReportLabels.vietnamese)
        #expect(html.contains("<html") && html.contains("Thị xã An Khê") && html.contains("lần kiểm tra 3"))
    }

    @Test func aSweepWithNoAuditBeforeItSaysTLSWasNotChecked() {
        let report = AuditReport(AuditReport.Source(record: Self.record(1, .linkSweep), links: Self.sweepLinks, endpoints: []))
        #expect(report.endpointsFrom == nil && !report.summary.tlsChecked && report.changes == nil)
        #expect(report.table().contains("TLS not checked in this run, and no complete full audit of this inventory is stored"))
    }
}
