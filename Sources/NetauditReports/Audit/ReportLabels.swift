import Foundation
import NetauditPolicy

/// The words of the reports, in English or Vietnamese (`--lang en|vi`). Agency names and
/// level names are always as the inventory spells them; rule ids and JSON field names never
/// change; finding messages are translated from their rule id and evidence (`message(_:)`).
public struct ReportLabels: Sendable {
    public let language: String
    let words: [String: String]
    /// The time zone the report's times are shown in (ReportTime.swift); nil: the process's
    /// (the TZ environment variable, else the machine's).
    public var timeZone: TimeZone? = nil

    public static let english = ReportLabels(language: "en", words: [:])

    public static let vietnamese = ReportLabels(language: "vi", words: [
        "Connection to the dedicated network, per level": "Kết nối mạng truyền số liệu chuyên dùng, theo cấp",
        "TLS endpoints, per level": "Dịch vụ TLS (HTTPS), theo cấp",
        "Per unit (the agencies below it)": "Theo đơn vị (các cơ quan trực thuộc)",
        "Gaps": "Cơ quan chưa đạt",
        "Certificates expired or expiring within 30 days": "Chứng thư số đã hết hạn hoặc hết hạn trong 30 ngày",
        "TLS endpoints and the trust anchor each reached": "Dịch vụ TLS và gốc tin cậy của từng dịch vụ",
        "Changes since run": "Thay đổi so với lần kiểm tra",
        "level": "cấp", "agencies": "cơ quan", "connected": "đã kết nối", "down": "mất kết nối",
        "unreachable": "không tới được", "no link": "chưa có đường truyền", "rate": "tỷ lệ", "target": "chỉ tiêu",
        "gap": "còn thiếu", "met": "đạt", "MISSED": "CHƯA ĐẠT", "not probed": "không kiểm tra",
        "endpoints": "dịch vụ", "compliant": "đạt chuẩn", "noncompliant": "không đạt chuẩn",
        "code": "mã", "unit": "đơn vị", "not connected": "chưa kết nối", "not compliant": "chưa đạt chuẩn",
        "newly down": "mới mất kết nối", "recovered": "đã khôi phục", "newly non-compliant": "mới không đạt chuẩn", "fixed": "đã khắc phục",
        "Result: every level meets its target and every endpoint is compliant.": "Kết quả: mọi cấp đạt chỉ tiêu, mọi dịch vụ đạt chuẩn.",
        "Result: targets missed or endpoints not compliant.": "Kết quả: chưa đạt chỉ tiêu hoặc có dịch vụ chưa đạt chuẩn.",
        "Result: the run did not complete; its figures are partial.": "Kết quả: lần kiểm tra chưa hoàn tất; số liệu chưa đầy đủ.",
        "Result: {connection}; {tls}.": "Kết quả: {connection}; {tls}.",
        "completes the aborted run {id}: what it measured is taken over": "hoàn tất lần kiểm tra bị dừng {id}: dùng lại các kết quả đã đo",
        "links not checked in this run": "lần này không kiểm tra đường truyền",
        "every level meets its connection target": "mọi cấp đạt chỉ tiêu kết nối",
        "a level misses its connection target": "có cấp chưa đạt chỉ tiêu kết nối",
        "TLS not checked in this run": "lần này không kiểm tra TLS",
        "every endpoint is compliant": "mọi dịch vụ đạt chuẩn",
        "endpoints not compliant": "có dịch vụ chưa đạt chuẩn",
        "(TLS as of run {id}, {age} before this one)": "(TLS theo lần kiểm tra {id}, trước lần này {age})",
        "TLS endpoints: from {kind} run {id} (started {time}, {age} before this run); this run checked links only":
            "Dịch vụ TLS: theo lần {kind} {id} (bắt đầu {time}, trước lần này {age}); lần này chỉ kiểm tra đường truyền",
        "TLS not checked in this run, and no complete full audit of this inventory is stored":
            "Lần này không kiểm tra TLS, và chưa có lần kiểm tra đầy đủ nào của danh mục này",
        "name": "tên", "path": "đường dẫn", "link": "đường truyền", "loss %": "mất gói %", "median ms": "trễ trung vị ms",
        "compliant endpoints": "dịch vụ đạt chuẩn", "findings": "phát hiện",
        "up": "hoạt động", "degraded": "suy giảm", "unconfigured": "chưa có",
        "endpoints unreachable": "dịch vụ không tới được", "public CA": "CA công cộng", "Government CA": "CA Chính phủ",
        "no anchor": "không tới gốc tin cậy", "trust": "gốc tin cậy", "agency": "cơ quan", "verdict": "kết luận",
        "protocol": "giao thức", "unreachable endpoints": "dịch vụ không tới được",
        "netaudit run {id} ({kind}, {state})": "netaudit lần kiểm tra {id} ({kind}, {state})",
        "run {id}": "lần kiểm tra {id}",
        "audit": "kiểm tra đầy đủ", "link_sweep": "quét đường truyền", "tls_only": "chỉ kiểm tra TLS",
        "complete": "hoàn tất", "aborted": "bị dừng", "running": "đang chạy",
        "inventory {path} (sha256 {hash}…), started {time}": "danh mục {path} (sha256 {hash}…), bắt đầu {time}",
        "note: {note}": "ghi chú: {note}",
        "its link depends on {node}, which is down": "đường truyền phụ thuộc {node}, đang mất kết nối",
        "link not probed: {problem}": "chưa đo được đường truyền: {problem}",
        "cause: {node} is down: {count} agencies behind it ({list})": "nguyên nhân: {node} mất kết nối, kéo theo {count} cơ quan ({list})",
        "… {count} more": "… và {count} phát hiện khác",
        "expired {days} days ago": "đã hết hạn {days} ngày", "{days} days left": "còn {days} ngày",
        "expired today": "đã hết hạn hôm nay", "link not probed": "chưa đo được đường truyền",
        "{count} endpoints not checked": "{count} dịch vụ chưa được kiểm tra", "url": "URL",
        "Not connected": "Chưa kết nối", "Not compliant": "Chưa đạt chuẩn", "compliance": "tỷ lệ đạt chuẩn",
        "Connection: not checked in this run": "Kết nối: lần này không kiểm tra",
        "Connection: {rate} of {agencies} agencies connected": "Kết nối: {rate} trong {agencies} cơ quan đã kết nối",
        "not judged: the run did not complete": "chưa kết luận: lần kiểm tra chưa hoàn tất",
        "{level} {rate} (target {target}, {gap} to connect)": "{level} {rate} (chỉ tiêu {target}, còn thiếu {gap})",
        "TLS: not checked in this run": "TLS: lần này không kiểm tra",
        "TLS: {compliant} of {endpoints} endpoints compliant": "TLS: {compliant} trong {endpoints} dịch vụ đạt chuẩn",
        "{count} not compliant": "{count} chưa đạt chuẩn", "{count} unreachable": "{count} không tới được",
        "{count} not checked": "{count} chưa được kiểm tra",
        "a unit's row counts the agencies below it; the unit's own agency is counted in its level, not in its own row":
            "dòng của một đơn vị tính các cơ quan trực thuộc; cơ quan của chính đơn vị được tính vào cấp của nó, không tính vào dòng của đơn vị",
        "Connection": "Kết nối",

        // ---- The period report (PeriodReport, Sources/NetauditReports/Period) ----
        "netaudit period report": "netaudit báo cáo theo kỳ",
        "{from} – {to} ({zone}), {days} days": "{from} – {to} ({zone}), {days} ngày",
        "Connection to the dedicated network over the period, per level": "Kết nối mạng truyền số liệu chuyên dùng trong kỳ, theo cấp",
        "TLS endpoints over the period, per level": "Dịch vụ TLS (HTTPS) trong kỳ, theo cấp",
        "Endpoints not compliant at some time": "Dịch vụ có thời điểm chưa đạt chuẩn",
        "Daily connection rate per level": "Tỷ lệ kết nối hằng ngày, theo cấp",
        "Availability per unit and day": "Mức sẵn sàng theo đơn vị và ngày",
        "Outages": "Sự cố mất kết nối",
        "Units with the most outage time": "Đơn vị có thời gian mất kết nối nhiều nhất",
        "Units with the most outages": "Đơn vị có nhiều sự cố nhất",
        "Agencies with the most outage time": "Cơ quan có thời gian mất kết nối nhiều nhất",
        "Agencies with the most outages": "Cơ quan có nhiều sự cố nhất",
        "with link": "có đường truyền", "observed": "được theo dõi", "availability": "mức sẵn sàng",
        "connected throughout": "kết nối suốt kỳ", "daily mean": "trung bình ngày", "daily min": "thấp nhất ngày",
        "days met": "số ngày đạt", "loss % median": "mất gói % trung vị", "RTT p95 ms": "RTT p95 ms",
        "outages": "sự cố", "outage time": "thời gian mất kết nối", "endpoints observed": "dịch vụ được theo dõi",
        "compliant throughout": "đạt chuẩn suốt kỳ", "days non-compliant": "số ngày chưa đạt chuẩn", "fixed on": "khắc phục ngày",
        "start": "bắt đầu", "end": "kết thúc", "duration": "thời lượng", "kind": "loại", "cause": "nguyên nhân",
        "ongoing": "đang tiếp diễn", "mixed": "hỗn hợp", "not observed": "không theo dõi được",
        "parent": "đơn vị cấp trên", "availability %": "mức sẵn sàng %", "observed seconds": "số giây được theo dõi",
        "outage seconds": "số giây mất kết nối", "yes": "có", "no": "không",
        "target met": "đạt chỉ tiêu", "up to 1 point below": "thấp hơn chỉ tiêu tối đa 1 điểm",
        "up to 5 points below": "thấp hơn chỉ tiêu tối đa 5 điểm", "up to 10 points below": "thấp hơn chỉ tiêu tối đa 10 điểm",
        "more than 10 points below": "thấp hơn chỉ tiêu trên 10 điểm",

        // ---- The national report (NationalReport, Sources/NetauditReports/National) ----
        "netaudit national report": "netaudit báo cáo toàn quốc",
        "generated {time}; a site whose latest link check ended more than {age} ago is stale":
            "lập lúc {time}; điểm đo có lần kiểm tra đường truyền gần nhất kết thúc quá {age} được coi là không cập nhật",
        "Sites": "Các điểm đo", "site": "điểm đo", "sites": "điểm đo", "run": "lần kiểm tra", "ended": "kết thúc",
        "age": "cách đây", "state": "trạng thái", "TLS run": "lần kiểm tra TLS", "STALE": "KHÔNG CẬP NHẬT",
        "stale": "không cập nhật", "age seconds": "cách đây (giây)", "targets met": "đạt chỉ tiêu",
        "Connection to the dedicated network, per level, all sites": "Kết nối mạng truyền số liệu chuyên dùng, theo cấp, mọi điểm đo",
        "The period, per site and level": "Trong kỳ, theo điểm đo và cấp",
        "The period, per level, all sites": "Trong kỳ, theo cấp, mọi điểm đo",
        "sites met every day": "điểm đo đạt mọi ngày", "no history": "không có lịch sử",
        "days met throughout": "đạt mọi ngày",
        "Result: every site is current, every level meets its target and every endpoint is compliant.":
            "Kết quả: mọi điểm đo đều cập nhật, mọi cấp đạt chỉ tiêu, mọi dịch vụ đạt chuẩn.",
        "Result: targets missed; {count} sites stale ({list}), their agencies not counted as connected.":
            "Kết quả: chưa đạt chỉ tiêu; {count} điểm đo không cập nhật ({list}), các cơ quan của chúng không được tính là đã kết nối.",
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

    /// A sentence in this language, its `{name}` placeholders filled in.
    public func text(_ english: String, _ values: [String: String]) -> String {
        var text = self[english]
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// How an endpoint's trust reads: the store its chain reached, or none.
    func anchor(_ anchor: ReachedAnchor?) -> String {
        switch anchor?.store {
        case .public: return self["public CA"]
        case .government: return self["Government CA"]
        case nil: return self["no anchor"]
        }
    }

    func linkState(_ state: String) -> String { self[state] }

    var csvHeader: [String] {
        ["code", "name", "level", "path", "link", "loss %", "median ms", "endpoints", "compliant endpoints", "findings", "trust"].map { self[$0] }
    }
}
