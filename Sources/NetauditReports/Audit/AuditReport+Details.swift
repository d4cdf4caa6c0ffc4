import Foundation
import NetauditCore

/// What the spreadsheets (the CSV's added columns, the xlsx) show beyond the agency rows:
/// per agency its parent, district, URLs, earliest certificate expiry and most severe
/// finding; and every endpoint's leaf certificate.
struct SpreadsheetDetails: Sendable {
    struct Agency: Sendable {
        /// The code of the agency it is under; nil at the top.
        var parent: String?
        /// The name of the agency at the inventory's second level (a district) it is in, or
        /// its own name when it is one; nil above that level, and with fewer than three levels.
        var district: String?
        /// Its endpoints' URLs, in inventory order.
        var urls: [String]
        /// The soonest end of validity among its endpoints' leaf certificates.
        var earliestExpiry: Date?
        /// Its most severe finding (link or endpoint; info findings left out, as in the
        /// `findings` column): the first of the highest severity.
        var topFinding: Finding?
    }

    /// One endpoint's leaf certificate.
    struct Certificate: Sendable {
        var agencyCode: String
        var agencyName: String
        var url: String
        var subject: String
        var issuer: String
        var notAfter: Date
        /// Whole days left from the report's `now`, toward zero (negative once expired by a day).
        var daysLeft: Int
        var expired: Bool
    }

    /// By agency code.
    var agencies: [String: Agency] = [:]
    /// Soonest expiry first.
    var certificates: [Certificate] = []

    init(_ inventory: Inventory, links: [LinkResult], endpoints: [EndpointResult], now: Date) {
        let linkFindings = Dictionary(links.map { ($0.agencyCode, $0.findings) }, uniquingKeysWith: { _, last in last })
        let results = Dictionary(grouping: endpoints, by: \.agencyCode)
        // A district is the second level of three or more (none in a province of communes only).
        let districtLevel = inventory.levels.count > 2 ? inventory.levels[1] : nil
        var names: [String: String] = [:]
        func visit(_ agency: NetauditCore.Agency, parent: String?, district: String?) {
            names[agency.code] = agency.name
            let district = agency.level == districtLevel ? agency.name : district
            let own = results[agency.code] ?? []
            let findings = ((linkFindings[agency.code] ?? []) + own.flatMap(\.findings)).filter { $0.severity != .info }
            // The first of the highest severity: `max` would keep the last of equals.
            let top = findings.reduce(nil as Finding?) { best, next in (best.map { next.severity > $0.severity } ?? true) ? next : best }
            agencies[agency.code] = Agency(parent: parent, district: district, urls: agency.endpoints.map(\.url.description),
                                           earliestExpiry: own.compactMap { $0.observation.certificates.first?.notAfter }.min(),
                                           topFinding: top)
            agency.children.forEach { visit($0, parent: agency.code, district: district) }
        }
        inventory.agencies.forEach { visit($0, parent: nil, district: nil) }
        for endpoint in endpoints {
            guard let leaf = endpoint.observation.certificates.first else { continue }
            let left = leaf.notAfter.timeIntervalSince(now)
            certificates.append(Certificate(agencyCode: endpoint.agencyCode, agencyName: names[endpoint.agencyCode] ?? "",
                                            url: endpoint.observation.url, subject: leaf.subject, issuer: leaf.issuer,
                                            notAfter: leaf.notAfter, daysLeft: Int((left / 86_400).rounded(.towardZero)), expired: left < 0))
        }
        certificates.sort { $0.notAfter < $1.notAfter }
    }
}

extension ReportLabels {
    /// The spreadsheets' own words in Vietnamese (the rest comes from the labels).
    static let spreadsheetVietnamese: [String: String] = [
        "district": "huyện", "run id": "mã lần kiểm tra", "run date": "thời điểm kiểm tra", "urls": "URL",
        "earliest certificate expiry": "chứng thư hết hạn sớm nhất", "highest severity": "mức nghiêm trọng cao nhất",
        "message": "nội dung", "summary": "tổng hợp", "units": "đơn vị", "gaps": "chưa đạt", "certificates": "chứng thư số",
        "TLS %": "TLS đạt chuẩn %", "subject": "chủ thể", "issuer": "bên cấp", "not after": "hết hạn",
        "days left": "số ngày còn lại", "expired": "đã hết hạn", "link problem": "lỗi đo đường truyền",
        "started": "bắt đầu", "ended": "kết thúc", "inventory": "danh mục", "title": "tiêu đề", "note": "ghi chú",
        "time zone": "múi giờ", "result": "kết quả", "id": "mã", "resumes run": "hoàn tất lần kiểm tra",
        "TLS endpoints from run": "dịch vụ TLS theo lần kiểm tra", "what": "vấn đề",
    ]

    /// A word of the spreadsheets: the labels', or the spreadsheets' own.
    func sheetWord(_ english: String) -> String {
        if language == "vi", let word = Self.spreadsheetVietnamese[english] { return word }
        return self[english]
    }
}
