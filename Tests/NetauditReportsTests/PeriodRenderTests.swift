import Foundation
import NetauditCore
import NetauditReports
import Testing

/// The period report's renderers: JSON keys and values, CSV rows, terminal figures, HTML.
struct PeriodRenderTests {
    typealias F = PeriodFixture

    @Test func jsonKeysAndValues() throws {
        let json = try F.report().json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["title", "from", "to", "now", "time_zone", "days", "levels", "units", "agencies", "endpoints",
                                     "outages", "rankings"])
        #expect(object["from"] as? String == "2026-11-01T00:00:00+07:00")
        #expect(object["to"] as? String == "2026-11-04T00:00:00+07:00")
        let levels = try #require(object["levels"] as? [[String: Any]])
        let district = try #require(levels[1]["figures"] as? [String: Any])
        #expect(district["days_met"] as? Int == 2 && district["observed_days"] as? Int == 3)
        #expect(district["connected_seconds"] as? Double == 504_000)
        #expect(Set(district.keys).isSuperset(of: ["availability_percent", "observed_percent", "daily_rate_percent", "mean_daily_rate_percent",
                                                   "min_daily_rate_percent", "target_percent", "connected_throughout", "agencies_with_link",
                                                   "outages", "outage_seconds", "endpoints_observed", "endpoints_compliant_throughout"]))
        #expect(levels[0]["loss_percent_median"] as? Double == 1 && levels[0]["rtt_milliseconds_p95"] as? Double == 30)
        let outages = try #require(object["outages"] as? [[String: Any]])
        #expect(outages.last?["end"] == nil && outages.last?["start"] as? String == "2026-11-03T22:00:00+07:00")
        #expect(outages[3]["kind"] as? String == "mixed" && outages[3]["cause_code"] as? String == "623")
        #expect(outages[3]["cause_name"] as? String == "Thị xã An Khê" && outages[3]["duration_seconds"] as? Double == 5400)
        let endpoint = try #require((object["endpoints"] as? [[String: Any]])?.first)
        #expect(endpoint["fixed_on"] as? String == "2026-11-03" && endpoint["days_noncompliant"] as? Int == 2)
        let rankings = try #require(object["rankings"] as? [String: Any])
        #expect(Set(rankings.keys) == ["units_by_outage_time", "units_by_outage_count", "agencies_by_outage_time", "agencies_by_outage_count"])
    }

    @Test func csvRowsPerAgency() {
        let csv = F.report().csv()
        #expect(csv.hasPrefix("\u{FEFF}code,name,level,parent,path,link,availability %,observed seconds,outages,outage seconds,endpoints,days non-compliant\r\n"))
        #expect(csv.contains("\r\n64,Tỉnh Gia Lai,province,,Tỉnh Gia Lai,yes,100.00,255600,0,0,1,2\r\n"))
        #expect(csv.contains("\r\n23557,Phường Yên Đỗ,commune,622,Tỉnh Gia Lai › Thành phố Pleiku › Phường Yên Đỗ,yes,97.18,255600,1,7200,1,2\r\n"))
        #expect(csv.contains("\r\n23617,Phường Tây Sơn,commune,623,Tỉnh Gia Lai › Thị xã An Khê › Phường Tây Sơn,yes,95.77,255600,2,10800,0,0\r\n"))
        #expect(csv.components(separatedBy: "\r\n").count == 7 + 2)  // header, 7 agencies, the empty tail
        #expect(F.report().csv(.vietnamese).contains("mã,tên,cấp,đơn vị cấp trên"))
    }

    @Test func csvGuardsFormulasAndQuotes() {
        let csv = F.report(communeName: "=HYPERLINK(\"http://x\",\"y\")").csv()
        #expect(csv.contains("\r\n23617,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",commune,"))
        #expect(!csv.contains(",=HYPERLINK"))
    }

    @Test func tableShowsTheFigures() {
        let text = F.report().table()
        #expect(text.contains("2026-11-01 00:00 – 2026-11-04 00:00 (Asia/Ho_Chi_Minh), 3 days"))
        #expect(text.contains("99.29%"))  // district availability
        #expect(text.contains("97.54%"))  // commune availability
        #expect(text.contains("95.31%"))  // commune daily minimum
        #expect(text.contains("2/3") && text.contains("3/3"))
        #expect(text.contains("2026-11-03"))  // fixed on
        #expect(text.contains("ongoing") && text.contains("mixed"))
        #expect(text.contains("Thị xã An Khê (623)"))
        #expect(text.contains("2026-11-02 10:00  2026-11-02 11:30  1 h 30 min"))
        #expect(text.contains("Agencies with the most outages"))
        let vi = F.report().table(.vietnamese)
        #expect(vi.contains("Sự cố mất kết nối (8)") && vi.contains("đang tiếp diễn") && vi.contains("3 ngày"))
    }

    @Test func tableShowsHostileNamesInert() {
        let text = F.report(communeName: "Xã \u{1B}[31mĐỏ\u{202E}").table()
        #expect(!text.contains("\u{1B}[31m") && text.contains("<U+001B>[31mĐỏ<U+202E>"))
    }

    static let hostile = "Xã <script>alert(1)</script> \"&'"

    @Test func htmlHasBothChartsAndEscapesNames() {
        let html = F.report(communeName: Self.hostile).html(.vietnamese)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg class=\"chart rates\"") && html.contains("<svg class=\"chart heat\""))
        #expect(html.contains("stroke-dasharray"))  // the target line
        #expect(html.contains("<title>") && html.contains("<rect"))
        #expect(!html.contains("<script"))
        #expect(html.contains("Xã &lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import") && !html.contains("url("))
        #expect(html.contains("Tỷ lệ kết nối hằng ngày, theo cấp"))
        #expect(html.contains("<td>623</td><td>Thị xã An Khê</td><td>2</td><td>96.83%</td>"))  // the unit table
    }
}

/// The period page opens in a real browser: Debian's Chromium, headless, prints its DOM and
/// takes a screenshot, as the run report's test does.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")))
struct PeriodHTMLChromiumTests {
    static func chromium(_ arguments: [String], output: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] + arguments
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func thePeriodPageRendersInHeadlessChromium() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-period-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let html = PeriodFixture.report(communeName: PeriodRenderTests.hostile).html()
        try html.write(toFile: folder + "/period.html", atomically: true, encoding: .utf8)

        #expect(try Self.chromium(["--dump-dom", "file://\(folder)/period.html"], output: folder + "/dom.html") == 0)
        let dom = try String(contentsOfFile: folder + "/dom.html", encoding: .utf8)
        #expect(dom.contains("chart rates") && dom.contains("chart heat") && dom.contains("<rect"))
        #expect(dom.contains("Xã &lt;script&gt;alert(1)&lt;/script&gt;"))  // text, not an element
        #expect(!dom.contains("<script"))

        #expect(try Self.chromium(["--screenshot=\(folder)/period.png", "--window-size=1000,1400", "file://\(folder)/period.html"],
                                  output: folder + "/shot.log") == 0)
        let png = try #require(FileManager.default.contents(atPath: folder + "/period.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
    }
}
