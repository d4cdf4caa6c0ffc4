import Foundation
import NetauditCore
import NetauditReports
import Testing

/// The run report's HTML page on a phone and on paper: a province with many units, long
/// names and many findings, so that every table is wider than a phone.
struct AuditReportHTMLTests {
    /// A province, 24 districts with 9 communes each; every agency has an endpoint; a few
    /// districts are down (their communes unreachable behind them), some endpoints not compliant.
    static let report: AuditReport = {
        var districts: [Agency] = []
        var links: [LinkResult] = []
        var endpoints: [EndpointResult] = []
        func endpoint(_ code: String) -> Endpoint { Endpoint(url: try! EndpointURL.parse("https://cong-thong-tin-dien-tu-\(code).gialai.gov.test/").get()) }
        func result(_ code: String, _ verdict: EndpointVerdict) -> EndpointResult {
            EndpointResult(agencyCode: code,
                           observation: TLSObservation(url: "https://cong-thong-tin-dien-tu-\(code).gialai.gov.test/", serverName: "x", port: 443),
                           verdict: verdict,
                           findings: verdict == .compliant ? [] : [Finding(id: "cert.expired", severity: .critical, message: "The certificate of cong-thong-tin-dien-tu-\(code).gialai.gov.test expired 12 days ago."),
                                                                    Finding(id: "http.hsts_missing", severity: .high, message: "No Strict-Transport-Security header.")])
        }
        for d in 0..<24 {
            let code = "\(600 + d)"
            let down = d % 7 == 3
            var communes: [Agency] = []
            for c in 0..<9 {
                let commune = "\(23_000 + d * 10 + c)"
                communes.append(Agency(code: commune, name: "Xã Ia Hrú Chư Pưh Krông Pa số \(c)", level: "commune",
                                       link: AuditSummaryTests.link(commune, via: code), endpoints: [endpoint(commune)]))
                links.append(AuditSummaryTests.result(commune, down ? .down : (c == 4 ? .down : .up),
                                                      down ? ["link.unreachable"] : (c == 4 ? ["link.down"] : [])))
                endpoints.append(result(commune, c % 3 == 0 ? .noncompliant : .compliant))
            }
            districts.append(Agency(code: code, name: "Huyện Chư Prông Đak Đoa Kbang \(d)", level: "district",
                                    link: AuditSummaryTests.link(code, via: "64"), endpoints: [endpoint(code)], children: communes))
            links.append(AuditSummaryTests.result(code, down ? .down : .up, down ? ["link.down"] : []))
            endpoints.append(result(code, .compliant))
        }
        let inventory = Inventory(title: "Tỉnh Gia Lai, mạng truyền số liệu chuyên dùng cấp II", levels: ["province", "district", "commune"],
                                  targets: ["commune": 90], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: AuditSummaryTests.link("64"), endpoints: [endpoint("64")], children: districts),
        ])
        links.append(AuditSummaryTests.result("64", .up))
        endpoints.append(result("64", .noncompliant))
        let record = RunRecord(id: RunID(7), kind: .audit, state: .complete, startedAt: AuditReportRenderTests.started,
                               endedAt: AuditReportRenderTests.started.addingTimeInterval(95),
                               inventoryHash: String(repeating: "cd", count: 32), inventoryPath: "/etc/netaudit/inventory/gia-lai-2025-structure.yaml",
                               inventory: inventory, host: "ops", pid: 1, netauditVersion: "test", note: nil)
        return AuditReport(AuditReport.Source(record: record, links: links, endpoints: endpoints))
    }()

    static func count(_ text: String, _ part: String) -> Int { text.components(separatedBy: part).count - 1 }

    @Test func everyTableScrollsInABoxOfItsOwn() {
        let html = Self.report.html()
        let tables = Self.count(html, "<table")
        #expect(tables >= 6, "levels, TLS levels, units, not connected, not compliant, endpoints")
        #expect(Self.count(html, "<div class=\"scroll\"><table") == tables, "every table in a scrolling box")
        #expect(Self.count(html, "</table></div>") == tables)
        #expect(html.contains(".scroll{overflow-x:auto"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains(".bar{position:relative;height:1em;min-width:6em"))
        #expect(html.contains("font-size:16px"))
    }

    @Test func thePrintStylesheetUnboxesTablesAndKeepsColoursAndRows() throws {
        let html = Self.report.html()
        let print = try #require(html.components(separatedBy: "@media print{").last?.components(separatedBy: "</style>").first)
        #expect(print.contains(".scroll{overflow:visible}"))
        #expect(print.contains("print-color-adjust:exact"))
        #expect(print.contains("tr,li,.verdict,.verdicts,.bar{break-inside:avoid"))
        #expect(print.contains("details::details-content{content-visibility:visible"))
    }

    @Test func theBannerStatesBothVerdictsAndTheTLSLevelsTheirRate() {
        let html = Self.report.html()
        #expect(html.contains("<p class=\"verdict bad\">Result: a level misses its connection target; endpoints not compliant.</p>"))
        #expect(html.contains("<ul class=\"verdicts\"><li class=\"connection bad\">Connection: "))
        #expect(html.contains("<li class=\"tls bad\">TLS: "))
        // 24 districts, each endpoint compliant: 100%; 216 communes, a third not compliant.
        #expect(html.contains("<th>compliance</th>"))
        #expect(html.contains("<td>district</td><td>24</td><td><div class=\"bar\"><div class=\"fill ok\" style=\"width:100.0%\"></div><div class=\"target\" style=\"left:100.0%\"></div></div></td><td>100%</td>"))
        #expect(html.contains("<td>commune</td><td>216</td><td><div class=\"bar\"><div class=\"fill bad\" style=\"width:66.7%\"></div><div class=\"target\" style=\"left:100.0%\"></div></div></td><td>66.7%</td>"))
    }
}

/// The page in a real browser: Debian's Chromium, headless, at a desktop's and a phone's
/// width; at 390 px the page itself must not scroll sideways (only the tables' boxes do).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")))
struct AuditReportHTMLChromiumTests {
    /// The width of a PNG, from its IHDR chunk (bytes 16–19, big-endian).
    static func pngWidth(_ png: Data) -> Int? {
        guard png.count > 24, png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        let bytes = [UInt8](png[16..<20])
        return bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    @Test func screenshotsAtADesktopsAndAPhonesWidth() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-run-html-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditReportHTMLTests.report.html(.vietnamese).write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        for width in [1366, 390] {
            let status = try PeriodHTMLChromiumTests.chromium(["--screenshot=\(folder)/report-\(width).png", "--window-size=\(width),1600",
                                                               "--hide-scrollbars", "file://\(folder)/report.html"], output: folder + "/shot.log")
            #expect(status == 0)
            let png = try #require(FileManager.default.contents(atPath: "\(folder)/report-\(width).png"))
            #expect(Self.pngWidth(png) == width, "the screenshot at \(width) px")
            #expect(png.count > 10_000)
        }
    }

    /// The page in a frame 390 px wide (headless Chromium keeps a window at least 500 px
    /// wide, so the frame is the phone), and a script that writes the framed document's
    /// scroll width into the DOM that Chromium dumps; at 1366 px the same.
    @Test func atAPhonesWidthThePageDoesNotOverflow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-run-html-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let page = AuditReportHTMLTests.report.html(.vietnamese)
        let framed = page.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        for width in [390, 1366] {
            let probe = """
                <!DOCTYPE html><html><body style="margin:0"><iframe id="page" style="width:\(width)px;height:1600px;border:0" srcdoc="\(framed)"></iframe>
                <script>window.addEventListener("load", () => {
                  const d = document.getElementById("page").contentDocument;
                  document.body.setAttribute("data-scroll-width", String(d.documentElement.scrollWidth));
                  document.body.setAttribute("data-client-width", String(d.documentElement.clientWidth));
                  document.body.setAttribute("data-widest-table", String(Math.max(...Array.from(d.querySelectorAll("table")).map(t => t.scrollWidth))));
                });</script></body></html>
                """
            try probe.write(toFile: "\(folder)/probe-\(width).html", atomically: true, encoding: .utf8)
            #expect(try PeriodHTMLChromiumTests.chromium(["--dump-dom", "--window-size=1400,1600", "file://\(folder)/probe-\(width).html"],
                                                         output: "\(folder)/dom-\(width).html") == 0)
            let dom = try String(contentsOfFile: "\(folder)/dom-\(width).html", encoding: .utf8)
            func attribute(_ name: String) -> Int? {
                dom.components(separatedBy: "\(name)=\"").dropFirst().first.flatMap { Int(String($0.prefix { $0.isNumber })) }
            }
            let scrollWidth = try #require(attribute("data-scroll-width"), "\(dom.suffix(300))")
            // The frame is the phone (less its vertical scroll bar); nothing wider than it.
            let clientWidth = try #require(attribute("data-client-width"))
            #expect((width - 20)...width ~= clientWidth, "the frame is \(clientWidth) px wide")
            #expect(scrollWidth <= clientWidth, "the page is \(scrollWidth) px wide in a \(clientWidth) px window")
            if width == 390 {
                // The tables are wider than the phone: they scroll in their boxes, the page does not.
                #expect((attribute("data-widest-table") ?? 0) > 390)
            }
        }
    }

    @Test func itPrintsToPDF() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-run-html-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditReportHTMLTests.report.html().write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        #expect(try PeriodHTMLChromiumTests.chromium(["--print-to-pdf=\(folder)/report.pdf", "--no-pdf-header-footer", "file://\(folder)/report.html"],
                                                     output: folder + "/pdf.log") == 0)
        let pdf = try #require(FileManager.default.contents(atPath: folder + "/report.pdf"))
        #expect(pdf.starts(with: Array("%PDF".utf8)) && pdf.count > 10_000)
    }
}
