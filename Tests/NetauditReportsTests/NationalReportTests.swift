import Foundation
import NetauditCore
import NetauditReports
import NetauditStore
import Testing

/// The national report from hand-made runs of three sites with a known answer: 52 complete
/// (every agency connected), 53 stale (its latest run 3 days old), 54 with its district
/// down (its two communes unreachable behind it). No database, no subprocess.
struct NationalReportTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Province `code` > district `code`1 > communes `code`11, `code`12 (via the district);
    /// the province has one TLS endpoint.
    static func inventory(_ code: String, _ name: String) -> Inventory {
        func link(_ last: UInt8, via: String? = nil) -> Link { Link(address: IPAddress(127, 9, UInt8(code.suffix(2))!, last), via: via) }
        return Inventory(title: name, levels: ["province", "district", "commune"], agencies: [
            Agency(code: code, name: name, level: "province", link: link(1),
                   endpoints: [Endpoint(url: try! EndpointURL.parse("https://\(code).gov.test/").get())], children: [
                Agency(code: code + "1", name: "Huyện \(code)", level: "district", link: link(2, via: code), children: [
                    Agency(code: code + "11", name: "Xã \(code) A", level: "commune", link: link(3, via: code + "1")),
                    Agency(code: code + "12", name: "Xã \(code) B", level: "commune", link: link(4, via: code + "1")),
                ]),
            ]),
        ], files: ["\(code).yaml"])
    }

    static func record(_ id: Int64, _ code: String, _ name: String, endedAgo: TimeInterval) -> RunRecord {
        RunRecord(id: RunID(id), kind: .audit, state: .complete, startedAt: now.addingTimeInterval(-endedAgo - 60),
                  endedAt: now.addingTimeInterval(-endedAgo), inventoryHash: "h\(code)", inventoryPath: "\(code).yaml",
                  inventory: inventory(code, name), host: "h", pid: 1, netauditVersion: "t", note: nil)
    }

    static func links(_ code: String, districtDown: Bool = false) -> [LinkResult] {
        func result(_ agency: String, _ state: LinkState, _ ids: [String] = []) -> LinkResult {
            LinkResult(agencyCode: agency, observation: nil, state: state,
                       findings: ids.map { Finding(id: $0, severity: .critical, message: $0, evidence: ["link.via": code + "1"]) })
        }
        guard districtDown else { return [code, code + "1", code + "11", code + "12"].map { result($0, .up) } }
        return [result(code, .up), result(code + "1", .down, ["link.down"]),
                result(code + "11", .down, ["link.unreachable"]), result(code + "12", .down, ["link.unreachable"])]
    }

    static func endpoint(_ code: String) -> EndpointResult {
        EndpointResult(agencyCode: code, observation: TLSObservation(url: "https://\(code).gov.test/", serverName: "\(code).gov.test", port: 443),
                       verdict: .compliant, findings: [])
    }

    static func inputs() -> [NationalReport.Input] {
        let complete = record(1, "52", "Tỉnh Gia Lai", endedAgo: 3600)
        let stale = record(2, "53", "Tỉnh Kon Tum", endedAgo: 3 * 86_400)
        let district = record(3, "54", "Tỉnh Phú Yên", endedAgo: 7200)
        return [NationalReport.Input(site: "52", connectivity: complete, tls: complete, links: links("52"), endpoints: [endpoint("52")]),
                NationalReport.Input(site: "53", connectivity: stale, tls: stale, links: links("53"), endpoints: [endpoint("53")]),
                NationalReport.Input(site: "54", connectivity: district, tls: district, links: links("54", districtDown: true),
                                     endpoints: [endpoint("54")])]
    }

    static func report() -> NationalReport {
        NationalReport(sites: inputs(), now: now, staleAfter: 86_400)
    }

    @Test func eachSiteRowIsItsLatestRunWithItsAgeAndAStaleSiteIsNotShownAsConnected() {
        let sites = Self.report().sites
        #expect(sites.map(\.site) == ["52", "53", "54"])
        #expect(sites.map(\.name) == ["Tỉnh Gia Lai", "Tỉnh Kon Tum", "Tỉnh Phú Yên"])
        #expect(sites.map(\.ageSeconds) == [3600, 3 * 86_400, 7200])
        #expect(sites.map(\.stale) == [false, true, false])
        #expect(sites.map(\.agencies) == [4, 4, 4])
        #expect(sites[0].figures?.connected == 4 && sites[0].figures?.compliant == 1 && sites[0].targetsMet)
        #expect(sites[1].figures == nil && sites[1].levels.isEmpty && sites[1].gaps.isEmpty && !sites[1].targetsMet)
        #expect(sites[2].figures?.connected == 1 && sites[2].figures?.down == 1 && sites[2].figures?.unreachable == 2)
        #expect(!sites[2].targetsMet)
    }

    @Test func levelTotalsCountFreshSitesAndTheStaleSitesAgenciesApartAsNotConnected() {
        let report = Self.report()
        #expect(report.levels.map(\.level) == ["province", "district", "commune"])
        #expect(report.levels.map(\.figures.agencies) == [2, 2, 4])
        #expect(report.levels.map(\.figures.connected) == [2, 1, 2])
        #expect(report.levels.map(\.staleAgencies) == [1, 1, 2])
        #expect(report.levels.map(\.gap) == [1, 2, 4])
        #expect(report.levels.allSatisfy { !$0.meetsTarget })
        #expect(report.figures.agencies == 8 && report.figures.connected == 5 && report.staleAgencies == 4)
        #expect(report.staleSites == ["53"])
        #expect(!report.targetsMet)
    }

    @Test func theGapListOfTheSiteWithADistrictDownBlamesTheDistrict() {
        let gaps = Self.report().sites[2].gaps
        #expect(gaps.map(\.code) == ["541", "5411", "5412"])
        #expect(gaps.map(\.level) == ["district", "commune", "commune"])
        #expect(gaps[1].path == ["Tỉnh Phú Yên", "Huyện 54", "Xã 54 A"])
        #expect(gaps.map(\.cause) == [nil, "541", "541"])
    }

    @Test func everySiteFreshAndConnectedMeetsTheTargets() {
        let inputs = Self.inputs()
        var fresh = inputs[1]
        fresh.connectivity = Self.record(2, "53", "Tỉnh Kon Tum", endedAgo: 600)
        let report = NationalReport(sites: [inputs[0], fresh], now: Self.now, staleAfter: 86_400)
        #expect(report.targetsMet && report.staleSites.isEmpty && report.levels.map(\.gap) == [0, 0, 0])
        // The same sites with a shorter threshold: 52's hour-old run is stale.
        let strict = NationalReport(sites: [inputs[0], fresh], now: Self.now, staleAfter: 1800)
        #expect(strict.staleSites == ["52"] && !strict.targetsMet)
    }

    @Test func theJSONHasTheDocumentedFields() throws {
        let json = try Self.report().json()
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["generated_at", "stale_after_seconds", "sites", "levels", "figures", "stale_agencies", "stale_sites",
                                     "targets_met"])
        let site = (object["sites"] as! [[String: Any]])[1]
        #expect(Set(site.keys) == ["site", "name", "title", "run", "tls_run", "age_seconds", "stale", "agencies", "levels", "gaps",
                                   "tls_checked", "targets_met"])
        #expect(site["stale"] as? Bool == true)
        let level = (object["levels"] as! [[String: Any]])[2]
        #expect(level["stale_agencies"] as? Int == 2 && level["gap"] as? Int == 4 && level["target_percent"] as? Double == 100)
        #expect(((level["figures"] as! [String: Any])["unreachable"]) as? Int == 2)
    }

    @Test func tableCSVAndHTMLShowTheStaleSiteAndTheTotals() {
        let report = Self.report()
        let table = report.table()
        #expect(table.contains("netaudit national report"))
        #expect(table.contains("STALE") && table.contains("not observed"))
        #expect(table.contains("Gaps: 54 Tỉnh Phú Yên (3)"))
        #expect(table.contains("5411 Tỉnh Phú Yên › Huyện 54 › Xã 54 A (commune): its link depends on Huyện 54, which is down"))
        #expect(table.contains("Result: targets missed; 1 sites stale (53)"))
        let vietnamese = report.table(.vietnamese)
        #expect(vietnamese.contains("netaudit báo cáo toàn quốc") && vietnamese.contains("KHÔNG CẬP NHẬT"))
        let csv = report.csv()
        let lines = csv.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csv.hasPrefix("\u{FEFF}site,name,run,kind,ended,age seconds,stale,agencies,connected,rate"))
        #expect(lines.count == 4)
        #expect(lines[2].hasPrefix("53,Tỉnh Kon Tum,2,audit,") && lines[2].hasSuffix(",259200,yes,4,,,,,2,no"))
        #expect(lines[1].contains(",3600,no,4,4,100.0,1,1,1,yes"))
        let html = report.html(.vietnamese)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<html lang=\"vi\">") && !html.contains("<script"))
        #expect(html.contains("Tỉnh Phú Yên") && html.contains("class=\"bad\""))
    }

    @Test func aHostileSiteNameIsShownNotObeyed() {
        var inputs = Self.inputs()
        let hostile = Self.record(1, "52", "=HYPERLINK(\"x\")<script>alert(1)</script>\u{1B}[2J", endedAgo: 60)
        inputs[0].connectivity = hostile
        inputs[0].tls = hostile
        let report = NationalReport(sites: inputs, now: Self.now, staleAfter: 86_400)
        #expect(!report.html().contains("<script>alert"))
        #expect(!report.table().contains("\u{1B}[2J"))
        #expect(report.csv().contains("\r\n52,\"'=HYPERLINK(\"\"x\"\")"))
    }

    /// One hour of history: every link of `code` up, or (`districtDown`) its district down
    /// and its communes unreachable behind it.
    static func periodReport(_ code: String, districtDown: Bool = false) -> PeriodReport {
        let start = now.addingTimeInterval(-3600)
        let intervals = links(code, districtDown: districtDown).map { link in
            let state = link.state == .up ? "up" : (link.findings.contains { $0.id == "link.unreachable" } ? "unreachable" : "down")
            return StateInterval(subject: .link(link.agencyCode), state: state, start: start, end: now, open: false,
                                 cause: state == "unreachable" ? code + "1" : nil, firstRun: RunID(1), lastRun: RunID(2))
        }
        let settings = HistorySettings(maxGap: 900, timeZone: TimeZone(identifier: "UTC")!)
        return PeriodReport(inventory: inventory(code, code), intervals: intervals, rollups: [], from: start, to: now, now: now, settings: settings)
    }

    @Test func thePeriodTotalsWeighEachSiteByItsObservedTime() {
        let period = NationalPeriod(from: Self.now.addingTimeInterval(-3600), to: Self.now, timeZone: "UTC", days: ["2027-01-15"],
                                    reports: [("52", "Tỉnh Gia Lai", Self.periodReport("52")), ("53", "Tỉnh Kon Tum", nil),
                                              ("54", "Tỉnh Phú Yên", Self.periodReport("54", districtDown: true))])
        #expect(period.sites.map(\.availabilityPercent) == [100, nil, 25])
        #expect(period.sites.map(\.targetsMetThroughout) == [true, false, false])
        #expect(period.levels.map(\.level) == ["province", "district", "commune"])
        #expect(period.levels.map(\.availabilityPercent) == [100, 50, 50])
        #expect(period.levels.map(\.observedSeconds) == [7200, 7200, 14_400])
        #expect(period.levels.map(\.sites) == [2, 2, 2])
        #expect(period.levels.map(\.sitesMetEveryDay) == [2, 1, 1])
        #expect(period.levels[1].outages == 1 && period.levels[2].outages == 2)
        #expect(!period.targetsMetThroughout)
        let report = NationalReport(sites: Self.inputs(), now: Self.now, staleAfter: 86_400, period: period)
        #expect(report.table().contains("no history"))
        #expect(report.csv().components(separatedBy: "\r\n")[1].hasSuffix(",100.00,0,yes"))
    }
}
