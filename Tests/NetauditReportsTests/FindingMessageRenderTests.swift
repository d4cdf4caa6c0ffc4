import Foundation
import NetauditCore
import NetauditPolicy
import NetauditReports
import Testing

/// Finding messages in the reports: Vietnamese with the Vietnamese labels (made from the
/// stored rule id and evidence), English otherwise, and always English in the JSON.
struct FindingMessageRenderTests {
    static let observation = LinkObservation(address: IPAddress(127, 62, 3, 1), method: .icmp, sent: 5, received: 0,
                                             started: AuditSummaryTests.now, duration: 5)

    /// The link.down finding the policy makes for district 623, its link silent.
    static func finding() throws -> Finding {
        let agency = Agency(code: "623", name: "Thị xã An Khê", level: "district", link: Link(address: IPAddress(127, 62, 3, 1)))
        return try #require(Policy().evaluateLink(of: agency, observation: observation).first { $0.id == "link.down" })
    }

    static let vietnamese = "Không nhận được phản hồi từ 127.62.3.1 cho cả 5 gói tin ICMP echo."

    @Test func theLabelsSayAFindingInTheirLanguage() throws {
        let finding = try Self.finding()
        #expect(ReportLabels.vietnamese.message(finding) == Self.vietnamese)
        #expect(ReportLabels.english.message(finding) == finding.message)
        #expect(finding.message == "No answer from 127.62.3.1 to any of 5 ICMP echo requests.")
    }

    @Test func theRunReportShowsVietnameseMessagesAndTheJSONKeepsEnglish() throws {
        let finding = try Self.finding()
        var links = AuditReportRenderTests.sweepLinks
        links.removeAll { $0.agencyCode == "623" }
        links.append(LinkResult(agencyCode: "623", observation: Self.observation, state: .down, findings: [finding]))
        let report = AuditReport(AuditReport.Source(record: AuditReportRenderTests.record(3, .linkSweep), links: links, endpoints: []))

        let table = report.table(.vietnamese)
        #expect(table.contains("CRITICAL link.down: " + Self.vietnamese), "\(table)")
        #expect(!table.contains("tiếng Anh") && !table.contains(finding.message))
        let html = report.html(.vietnamese)
        #expect(html.contains("<code>link.down</code> " + Self.vietnamese), "\(html)")
        #expect(!html.contains("tiếng Anh"))
        #expect(report.table(.english).contains("link.down: " + finding.message))
        #expect(report.html(.english).contains(finding.message))
        #expect(try report.json().contains("\"message\" : \"\(finding.message)\""))
    }

    @Test func theProbeReportShowsTheMessageInItsLanguage() throws {
        let finding = try Self.finding()
        #expect(LinkProbeReport.text(Self.observation, findings: [finding], labels: .vietnamese).contains("link.down: " + Self.vietnamese))
        #expect(LinkProbeReport.text(Self.observation, findings: [finding]).contains("link.down: " + finding.message))
    }
}
