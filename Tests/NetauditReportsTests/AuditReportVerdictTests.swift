import Foundation
import NetauditCore
import NetauditReports
import Testing

/// The run report a director reads: the connection and TLS verdicts apart, the agencies not
/// connected and not compliant in two lists, the compliance per level, the per-unit note and
/// the times in local time. Built from hand-made results, no store, no subprocess.
struct AuditReportVerdictTests {
    typealias S = AuditSummaryTests
    static let ict = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    static func record(_ id: Int64, _ kind: RunKind, state: RunState = .complete, inventory: Inventory = S.inventory,
                       at started: Date = AuditReportRenderTests.started) -> RunRecord {
        RunRecord(id: RunID(id), kind: kind, state: state, startedAt: started, endedAt: started.addingTimeInterval(12),
                  inventoryHash: String(repeating: "ab", count: 32), inventoryPath: "inventory.yaml",
                  inventory: inventory, host: "ops", pid: 1, netauditVersion: "test", note: nil)
    }

    static var allUp: [LinkResult] {
        ["64", "622", "23557", "623", "23614", "23617"].map { S.result($0, .up) } + [S.result("23560", nil, ["link.unconfigured"])]
    }

    static func endpoint(_ verdict: EndpointVerdict, code: String = "64", findings: [Finding] = []) -> EndpointResult {
        EndpointResult(agencyCode: code, observation: TLSObservation(url: "https://\(code).gialai.test/", serverName: "\(code).gialai.test", port: 443),
                       verdict: verdict, findings: findings)
    }

    /// An inventory whose every level has a link for every agency: all up meets every target.
    static let connectedInventory: Inventory = {
        var inventory = S.inventory
        inventory.targets["commune"] = 75
        return inventory
    }()

    static func report(_ kind: RunKind = .audit, state: RunState = .complete, links: [LinkResult], endpoints: [EndpointResult],
                       inventory: Inventory = connectedInventory, endpointsFrom: AuditReport.Source.Compared? = nil) -> AuditReport {
        AuditReport(AuditReport.Source(record: record(3, kind, state: state, inventory: inventory), links: links, endpoints: endpoints,
                                       endpointsFrom: endpointsFrom))
    }

    static func json(_ report: AuditReport) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
    }

    static func lastLines(_ table: String, _ count: Int) -> [String] {
        Array(table.split(separator: "\n", omittingEmptySubsequences: false).dropLast().suffix(count)).map(String.init)
    }

    @Test func bothMetSaysSoInTwoVerdictsAndTheLastLine() throws {
        let report = Self.report(links: Self.allUp, endpoints: [Self.endpoint(.compliant)])
        #expect(report.verdicts.connection.met == true && report.verdicts.tls.met == true)
        #expect(Self.lastLines(report.table(), 3) == [
            "Connection: 85.7% of 7 agencies connected — met",
            "TLS: 1 of 1 endpoints compliant (100%) — met",
            "Result: every level meets its target and every endpoint is compliant.",
        ])
        let verdicts = try #require(try Self.json(report)["verdicts"] as? [String: Any])
        let connection = try #require(verdicts["connection"] as? [String: Any])
        let tls = try #require(verdicts["tls"] as? [String: Any])
        #expect(verdicts["complete"] as? Bool == true)
        #expect(connection["checked"] as? Bool == true && connection["met"] as? Bool == true)
        #expect(connection["agencies"] as? Int == 7 && connection["connected"] as? Int == 6 && connection["connection_rate"] as? Double == 85.7)
        #expect((connection["levels_missed"] as? [Any])?.isEmpty == true)
        #expect(tls["checked"] as? Bool == true && tls["met"] as? Bool == true && tls["endpoints"] as? Int == 1)
        #expect(tls["compliance_rate"] as? Double == 100 && tls["from_run"] == nil)
    }

    @Test func onlyTLSFailingIsNamedAsSuch() throws {
        let report = Self.report(links: Self.allUp, endpoints: [Self.endpoint(.noncompliant, findings: [Finding(id: "cert.expired", severity: .critical, message: "expired")])])
        let lines = Self.lastLines(report.table(), 3)
        #expect(lines[0] == "Connection: 85.7% of 7 agencies connected — met")
        #expect(lines[1] == "TLS: 0 of 1 endpoints compliant (0%; 1 not compliant) — MISSED")
        #expect(lines[2] == "Result: every level meets its connection target; endpoints not compliant.")
        let tls = try #require((try Self.json(report)["verdicts"] as? [String: Any])?["tls"] as? [String: Any])
        #expect(tls["met"] as? Bool == false && tls["noncompliant"] as? Int == 1 && tls["compliant"] as? Int == 0)
        let html = report.html()
        #expect(html.contains("<li class=\"connection ok\">Connection: 85.7% of 7 agencies connected — met</li>"))
        #expect(html.contains("<li class=\"tls bad\">TLS: 0 of 1 endpoints compliant (0%; 1 not compliant) — MISSED</li>"))
    }

    @Test func onlyTheConnectionFailingNamesTheLevelsThatMiss() throws {
        // 623 down, its two communes unreachable behind it.
        let links = Self.allUp.map { ["623"].contains($0.agencyCode) ? S.result("623", .down, ["link.down"]) : $0 }
            .map { ["23614", "23617"].contains($0.agencyCode) ? S.result($0.agencyCode, .down, ["link.unreachable"]) : $0 }
        let report = Self.report(links: links, endpoints: [Self.endpoint(.compliant)])
        let lines = Self.lastLines(report.table(), 3)
        #expect(lines[0] == "Connection: 42.9% of 7 agencies connected — MISSED: district 50% (target 100%, 1 to connect), commune 25% (target 75%, 2 to connect)")
        #expect(lines[1] == "TLS: 1 of 1 endpoints compliant (100%) — met")
        #expect(lines[2] == "Result: a level misses its connection target; every endpoint is compliant.")
        let connection = try #require((try Self.json(report)["verdicts"] as? [String: Any])?["connection"] as? [String: Any])
        let missed = try #require(connection["levels_missed"] as? [[String: Any]])
        #expect(missed.map { $0["level"] as? String } == ["district", "commune"])
        #expect(missed.map { $0["gap"] as? Int } == [1, 2] && missed.map { $0["target_percent"] as? Double } == [100, 75])
        #expect(report.html().contains("<p class=\"verdict bad\">Result: a level misses its connection target; every endpoint is compliant.</p>"))
        // Vietnamese, both lines.
        let vi = Self.lastLines(report.table(ReportLabels.vietnamese), 3)
        #expect(vi[0].hasPrefix("Kết nối: 42.9% trong 7 cơ quan đã kết nối — CHƯA ĐẠT: district 50% (chỉ tiêu 100%, còn thiếu 1)"), "\(vi)")
        #expect(vi[1] == "TLS: 1 trong 1 dịch vụ đạt chuẩn (100%) — đạt")
    }

    @Test func aTLSOnlyRunDoesNotJudgeTheConnection() throws {
        let report = Self.report(.tlsOnly, links: [], endpoints: [Self.endpoint(.compliant)])
        #expect(!report.verdicts.connection.checked && report.verdicts.connection.met == nil)
        let lines = Self.lastLines(report.table(), 3)
        #expect(lines == ["Connection: not checked in this run", "TLS: 1 of 1 endpoints compliant (100%) — met",
                          "Result: links not checked in this run; every endpoint is compliant."])
        let connection = try #require((try Self.json(report)["verdicts"] as? [String: Any])?["connection"] as? [String: Any])
        #expect(connection["checked"] as? Bool == false && connection["met"] == nil && connection["connection_rate"] == nil)
    }

    @Test func aSweepNamesTheRunItsTLSComesFrom() throws {
        let report = Self.report(.linkSweep, links: Self.allUp, endpoints: [], endpointsFrom: AuditReportRenderTests.audit)
        #expect(report.verdicts.tls.fromRun == 1)
        let lines = Self.lastLines(report.table(), 3)
        #expect(lines[1] == "TLS: 1 of 1 endpoints compliant (100%) — met (TLS as of run 1, 1.0 h before this one)")
        #expect(lines[2] == "Result: every level meets its connection target; every endpoint is compliant (TLS as of run 1, 1.0 h before this one).")
        let tls = try #require((try Self.json(report)["verdicts"] as? [String: Any])?["tls"] as? [String: Any])
        #expect(tls["from_run"] as? Int == 1)

        let alone = Self.report(.linkSweep, links: Self.allUp, endpoints: [])
        #expect(!alone.verdicts.tls.checked && alone.verdicts.tls.met == nil)
        #expect(Self.lastLines(alone.table(), 2) == ["TLS: not checked in this run",
                                                     "Result: every level meets its connection target; TLS not checked in this run."])
    }

    @Test func aRunThatDidNotCompleteJudgesNothing() throws {
        let report = Self.report(state: .aborted, links: Self.allUp, endpoints: [])
        #expect(!report.verdicts.complete && report.verdicts.connection.met == false && report.verdicts.tls.met == false)
        let lines = Self.lastLines(report.table(), 3)
        #expect(lines[0] == "Connection: 85.7% of 7 agencies connected — not judged: the run did not complete")
        #expect(lines[1] == "TLS: 0 of 1 endpoints compliant (0%; 1 not checked) — not judged: the run did not complete")
        #expect(lines[2] == "Result: the run did not complete; its figures are partial.")
        #expect(report.html().contains("<li class=\"connection na\">"))
    }

    /// An agency not connected and not compliant is in both lists, each with its own findings;
    /// the cause stays with the not-connected list.
    @Test func notConnectedAndNotCompliantAreTwoLists() throws {
        let links = Self.allUp.map { link -> LinkResult in
            switch link.agencyCode {
            case "64": return S.result("64", .down, ["link.down"])
            case "623": return S.result("623", .down, ["link.down"])
            case "23614", "23617": return S.result(link.agencyCode, .down, ["link.unreachable"])
            default: return link
            }
        }
        let report = Self.report(links: links, endpoints: [Self.endpoint(.noncompliant, findings: [Finding(id: "cert.expired", severity: .critical, message: "the certificate expired")])])
        #expect(report.summary.gaps.count == 5, "JSON gaps unchanged: one entry per agency")
        let table = report.table()
        let notConnected = try #require(table.range(of: "Not connected (5)\n"))
        let notCompliant = try #require(table.range(of: "Not compliant (1)\n"))
        let connectedPart = String(table[notConnected.upperBound..<notCompliant.lowerBound])
        let compliantPart = String(table[notCompliant.upperBound...]).components(separatedBy: "\n\n")[0]
        #expect(connectedPart.contains("  64 Tỉnh Gia Lai\n      CRITICAL link.down: link.down"), "\(connectedPart)")
        #expect(!connectedPart.contains("cert.expired"))
        #expect(connectedPart.contains("23614 Tỉnh Gia Lai › Thị xã An Khê › Phường An Bình (its link depends on Thị xã An Khê (623), which is down)"))
        #expect(connectedPart.contains("cause: Thị xã An Khê (623) is down: 2 agencies behind it (23614, 23617)"))
        #expect(compliantPart == "  64 Tỉnh Gia Lai\n      CRITICAL cert.expired: the certificate expired", "\(compliantPart)")
        #expect(!table.contains("Gaps ("))

        let html = report.html()
        #expect(html.contains("<h2 class=\"not-connected\">Not connected (5)</h2>") && html.contains("<h2 class=\"not-compliant\">Not compliant (1)</h2>"))
        let htmlConnected = html.components(separatedBy: "<h2 class=\"not-connected\">")[1].components(separatedBy: "<h2")[0]
        let htmlCompliant = html.components(separatedBy: "<h2 class=\"not-compliant\">")[1].components(separatedBy: "<h2")[0]
        #expect(htmlConnected.contains("link.down") && !htmlConnected.contains("cert.expired"))
        #expect(htmlCompliant.contains("cert.expired") && !htmlCompliant.contains("link.down"))
        #expect(htmlConnected.contains("<p class=\"cause\">cause: Thị xã An Khê (623) is down"))
        let vi = report.table(ReportLabels.vietnamese)
        #expect(vi.contains("Chưa kết nối (5)") && vi.contains("Chưa đạt chuẩn (1)"))
    }

    @Test func tlsCompliancePerLevelInTableHTMLAndJSON() throws {
        let inventory: Inventory = {
            var inventory = Self.connectedInventory
            inventory.agencies[0].endpoints.append(Endpoint(url: try! EndpointURL.parse("https://www.gialai.test/").get()))
            inventory.agencies[0].endpoints.append(Endpoint(url: try! EndpointURL.parse("https://mail.gialai.test/").get()))
            return inventory
        }()
        func result(_ url: String, _ verdict: EndpointVerdict) -> EndpointResult {
            EndpointResult(agencyCode: "64", observation: TLSObservation(url: url, serverName: "x", port: 443), verdict: verdict, findings: [])
        }
        let report = Self.report(links: Self.allUp, endpoints: [result("https://64.gialai.test/", .compliant),
                                                                result("https://www.gialai.test/", .compliant),
                                                                result("https://mail.gialai.test/", .noncompliant)],
                                 inventory: inventory)
        let table = report.table()
        #expect(table.contains("level     endpoints  compliant  compliance  noncompliant"), "\(table)")
        #expect(table.contains("province          3          2       66.7%             1"), "\(table)")
        #expect(report.html().contains("<td>66.7%</td><td>2</td><td>1</td>"))
        let levels = try #require((try Self.json(report)["summary"] as? [String: Any])?["levels"] as? [[String: Any]])
        #expect((levels[0]["figures"] as? [String: Any])?["compliance_rate"] as? Double == 66.7)
        #expect((levels[1]["figures"] as? [String: Any])?["compliance_rate"] == nil, "no endpoint, no rate")
        #expect(report.verdicts.tls.endpoints == 3 && report.verdicts.tls.complianceRate == 66.7)
    }

    /// The province's row counts the 6 agencies below it; the levels add up to 7: the note says why.
    @Test func thePerUnitTableSaysWhatItCounts() {
        let report = Self.report(links: Self.allUp, endpoints: [])
        #expect(report.summary.parents.first { $0.code == "64" }?.figures.agencies == 6)
        #expect(report.summary.levels.map(\.figures.agencies).reduce(0, +) == 7)
        let table = report.table()
        #expect(table.contains("Per unit (the agencies below it)"))
        #expect(table.contains("  (a unit's row counts the agencies below it; the unit's own agency is counted in its level, not in its own row)"))
        let html = report.html()
        #expect(html.contains("<h2>Per unit (the agencies below it)</h2>"))
        #expect(html.contains("</table></div>\n<p class=\"note\">a unit's row counts the agencies below it"))
        #expect(report.table(ReportLabels.vietnamese).contains("cơ quan của chính đơn vị được tính vào cấp của nó"))
    }

    @Test func timesAreLocalWithTheZoneAndTheJSONStaysUTC() throws {
        let report = Self.report(.linkSweep, links: Self.allUp, endpoints: [], endpointsFrom: AuditReportRenderTests.audit)
        let english = report.table(ReportLabels.english.inTimeZone(Self.ict))
        #expect(english.contains("started 2027-01-15 15:00 +07:00"), "\(english)")
        #expect(english.contains("(started 2027-01-15 14:00 +07:00, 1.0 h before this run)"))
        let vietnamese = report.table(ReportLabels.vietnamese.inTimeZone(Self.ict))
        #expect(vietnamese.contains("bắt đầu 15/01/2027 15:00 (GMT+7)"), "\(vietnamese)")
        #expect(report.html(ReportLabels.vietnamese.inTimeZone(Self.ict)).contains("15/01/2027 15:00 (GMT+7)"))
        let utc = report.table(ReportLabels.english.inTimeZone(TimeZone(identifier: "UTC")!))
        #expect(utc.contains("started 2027-01-15 08:00 +00:00"))
        let json = try report.json()
        #expect(json.contains("\"started_at\" : \"2027-01-15T08:00:00Z\""))
    }

    @Test func theTimeFormatInBothLanguagesAndOddZones() {
        let moment = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
        #expect(ReportTime(language: "en", timeZone: Self.ict).time(moment) == "2027-01-15 15:00 +07:00")
        #expect(ReportTime(language: "vi", timeZone: Self.ict).time(moment) == "15/01/2027 15:00 (GMT+7)")
        #expect(ReportTime(language: "vi", timeZone: Self.ict).day(moment.addingTimeInterval(9 * 3600)) == "16/01/2027")
        let newfoundland = TimeZone(identifier: "America/St_Johns")!  // -03:30 in January
        #expect(ReportTime(language: "en", timeZone: newfoundland).time(moment) == "2027-01-15 04:30 -03:30")
        #expect(ReportTime(language: "vi", timeZone: newfoundland).time(moment) == "15/01/2027 04:30 (GMT-3:30)")
    }
}
