/// The words of the reports, in English or Vietnamese (`--lang en|vi`). Agency names are
/// always as the inventory spells them; rule ids and JSON field names never change.
public struct ReportLabels: Sendable {
    public let language: String
    let words: [String: String]

    public static let english = ReportLabels(language: "en", words: [:])

    public static let vietnamese = ReportLabels(language: "vi", words: [
        "Connection to the dedicated network, per level": "Kết nối mạng truyền số liệu chuyên dùng, theo cấp",
        "TLS endpoints, per level": "Dịch vụ TLS (HTTPS), theo cấp",
        "Per unit (the agencies below it)": "Theo đơn vị (các cơ quan trực thuộc)",
        "Gaps": "Cơ quan chưa đạt",
        "Certificates expiring within 30 days": "Chứng thư số hết hạn trong 30 ngày",
        "Changes since run": "Thay đổi so với lần kiểm tra",
        "level": "cấp", "agencies": "cơ quan", "connected": "đã kết nối", "down": "mất kết nối",
        "unreachable": "không tới được", "no link": "chưa có đường truyền", "rate": "tỷ lệ", "target": "chỉ tiêu",
        "gap": "còn thiếu", "met": "đạt", "MISSED": "CHƯA ĐẠT", "not probed": "không kiểm tra",
        "endpoints": "dịch vụ", "compliant": "đạt chuẩn", "noncompliant": "không đạt chuẩn",
        "code": "mã", "unit": "đơn vị", "not connected": "chưa kết nối", "not compliant": "chưa đạt chuẩn",
        "newly down": "mới mất kết nối", "recovered": "đã khôi phục", "newly non-compliant": "mới không đạt chuẩn", "fixed": "đã khắc phục",
        "Result: every level meets its target and every endpoint is compliant.": "Kết quả: mọi cấp đạt chỉ tiêu, mọi dịch vụ đạt chuẩn.",
        "Result: targets missed or endpoints not compliant.": "Kết quả: chưa đạt chỉ tiêu hoặc có dịch vụ chưa đạt chuẩn.",
        "name": "tên", "path": "đường dẫn", "link": "đường truyền", "loss %": "mất gói %", "median ms": "trễ trung vị ms",
        "compliant endpoints": "dịch vụ đạt chuẩn", "findings": "phát hiện",
        "up": "hoạt động", "degraded": "suy giảm", "unconfigured": "chưa có",
    ])

    public static func named(_ code: String) -> ReportLabels? {
        switch code {
        case "en": return .english
        case "vi": return .vietnamese
        default: return nil
        }
    }

    /// The word in this language (English is the key).
    public subscript(_ english: String) -> String { words[english] ?? english }

    func linkState(_ state: String) -> String { self[state] }

    var csvHeader: [String] {
        ["code", "name", "level", "path", "link", "loss %", "median ms", "endpoints", "compliant endpoints", "findings"].map { self[$0] }
    }
}
