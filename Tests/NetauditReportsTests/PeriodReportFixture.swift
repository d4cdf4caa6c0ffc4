import Foundation
import NetauditCore
import NetauditReports

/// A small province over three days in Asia/Ho_Chi_Minh (1–3 November 2026), with
/// hand-written intervals whose figures are worked out by hand in PeriodReportTests.
///
/// Province 64; district 622 with communes 23557 and 23560; district 623 with communes
/// 23614 and 23617. Commune target 95%, the others 100%. Every link is not observed on
/// day 1 from 02:00 to 03:00 (a restart: a `not_observed` interval for some, no interval
/// for the others). Then: 23560 flaps three times 10 min on day 1; 623 is down on day 2
/// 10:00–11:00, taking 23614 (unreachable, then down itself until 11:30) and 23617
/// (unreachable) with it; 23557 is down exactly 2 h on day 2 (14:00–16:00); 23617 goes down
/// at 22:00 on day 3 and is still down (open interval seen 5 min before the end); 622's
/// open interval was last seen 1 h before `now` (stale: its last hour is not observed).
enum PeriodFixture {
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let settings = HistorySettings(maxGap: 900, timeZone: zone)
    /// 2026-11-01T00:00:00+07:00.
    static let t0 = Date(timeIntervalSince1970: 1_793_466_000)
    static let hour = 3600.0
    static let day = 86_400.0
    static func at(_ dayNumber: Int, _ hours: Double, _ minutes: Double = 0) -> Date {
        t0.addingTimeInterval(Double(dayNumber - 1) * day + hours * hour + minutes * 60)
    }
    static let end = at(4, 0)

    static func link(_ code: String, via: String? = nil) -> Link {
        Link(address: IPAddress(127, 9, 0, UInt8(code.count)), via: via)
    }
    static func endpoint(_ code: String) -> Endpoint {
        Endpoint(url: try! EndpointURL.parse("https://\(code).gialai.test/").get())
    }

    static func inventory(communeName: String = "Phường Tây Sơn") -> Inventory {
        Inventory(title: "Gia Lai", levels: ["province", "district", "commune"], targets: ["commune": 95], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: link("64"), endpoints: [endpoint("64")], children: [
                Agency(code: "622", name: "Thành phố Pleiku", level: "district", link: link("622", via: "64"),
                       endpoints: [endpoint("622")], children: [
                    Agency(code: "23557", name: "Phường Yên Đỗ", level: "commune", link: link("23557", via: "622"),
                           endpoints: [endpoint("23557")]),
                    Agency(code: "23560", name: "Phường Diên Hồng", level: "commune", link: link("23560", via: "622")),
                ]),
                Agency(code: "623", name: "Thị xã An Khê", level: "district", link: link("623", via: "64"), children: [
                    Agency(code: "23614", name: "Phường An Bình", level: "commune", link: link("23614", via: "623")),
                    Agency(code: "23617", name: communeName, level: "commune", link: link("23617", via: "623")),
                ]),
            ]),
        ])
    }

    /// A subject's intervals from (state, start, end, cause) in order; the last one is open.
    static func series(_ subject: HistorySubject, _ stretches: [(String, Date, Date, String?)]) -> [StateInterval] {
        stretches.enumerated().map { index, s in
            StateInterval(subject: subject, state: s.0, start: s.1, end: s.2, open: index == stretches.count - 1, cause: s.3,
                          firstRun: RunID(1), lastRun: RunID(2))
        }
    }

    static let seen = end.addingTimeInterval(-300)  // the last run, 5 min before the end

    static var intervals: [StateInterval] {
        var all: [StateInterval] = []
        all += series(.link("64"), [("up", t0.addingTimeInterval(-hour), at(1, 2), nil), ("not_observed", at(1, 2), at(1, 3), nil),
                                    ("up", at(1, 3), seen, nil)])
        all += series(.link("622"), [("up", t0, at(1, 2), nil), ("up", at(1, 3), end.addingTimeInterval(-hour), nil)])
        all += series(.link("623"), [("up", t0, at(1, 2), nil), ("not_observed", at(1, 2), at(1, 3), nil), ("up", at(1, 3), at(2, 10), nil),
                                     ("down", at(2, 10), at(2, 11), "623"), ("up", at(2, 11), seen, nil)])
        all += series(.link("23557"), [("up", t0, at(1, 2), nil), ("up", at(1, 3), at(2, 14), nil), ("down", at(2, 14), at(2, 16), "23557"),
                                       ("up", at(2, 16), seen, nil)])
        all += series(.link("23560"), [("up", t0, at(1, 2), nil), ("not_observed", at(1, 2), at(1, 3), nil), ("up", at(1, 3), at(1, 5), nil),
                                       ("down", at(1, 5), at(1, 5, 10), "23560"), ("up", at(1, 5, 10), at(1, 6), nil),
                                       ("down", at(1, 6), at(1, 6, 10), "23560"), ("up", at(1, 6, 10), at(1, 7), nil),
                                       ("down", at(1, 7), at(1, 7, 10), "23560"), ("up", at(1, 7, 10), seen, nil)])
        all += series(.link("23614"), [("up", t0, at(1, 2), nil), ("up", at(1, 3), at(2, 10), nil),
                                       ("unreachable", at(2, 10), at(2, 11), "623"), ("down", at(2, 11), at(2, 11.5), "23614"),
                                       ("up", at(2, 11.5), seen, nil)])
        all += series(.link("23617"), [("up", t0, at(1, 2), nil), ("not_observed", at(1, 2), at(1, 3), nil), ("up", at(1, 3), at(2, 10), nil),
                                       ("unreachable", at(2, 10), at(2, 11), "623"), ("up", at(2, 11), at(3, 22), nil),
                                       ("down", at(3, 22), seen, "23617")])
        // Endpoints: 64 not compliant days 1–2 (unreachable for a while), fixed at midnight
        // starting day 3; 23557 fixed once on day 2 but unreachable at the end (not fixed);
        // 622 compliant throughout.
        all += series(HistorySubject(agencyCode: "64", url: "https://64.gialai.test/"),
                      [("noncompliant", t0, at(1, 2), "cert.expired"), ("not_observed", at(1, 2), at(1, 3), nil),
                       ("unreachable", at(1, 3), at(2, 6), nil), ("noncompliant", at(2, 6), at(3, 0), "cert.expired"),
                       ("compliant", at(3, 0), seen, nil)])
        all += series(HistorySubject(agencyCode: "23557", url: "https://23557.gialai.test/"),
                      [("compliant", t0, at(2, 12), nil), ("noncompliant", at(2, 12), at(2, 13), "proto.tls1_0"),
                       ("compliant", at(2, 13), at(3, 20), nil), ("unreachable", at(3, 20), seen, nil)])
        all += series(HistorySubject(agencyCode: "622", url: "https://622.gialai.test/"), [("compliant", t0, seen, nil)])
        return all
    }

    static let rollups: [DailyRollup] = [
        DailyRollup(day: "2026-11-01", agencyCode: "64", lossPercentMedian: 0, rttMillisecondsP95: 10),
        DailyRollup(day: "2026-11-02", agencyCode: "64", lossPercentMedian: 1, rttMillisecondsP95: 20),
        DailyRollup(day: "2026-11-03", agencyCode: "64", lossPercentMedian: 2, rttMillisecondsP95: 30),
        DailyRollup(day: "2026-11-04", agencyCode: "64", lossPercentMedian: 50, rttMillisecondsP95: 900),  // after the period
    ]

    static func report(communeName: String = "Phường Tây Sơn") -> PeriodReport {
        PeriodReport(inventory: inventory(communeName: communeName), intervals: intervals, rollups: rollups,
                     from: t0, to: end, now: end, settings: settings)
    }
}
