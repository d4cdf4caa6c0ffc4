import NetauditCore

/// The languages a finding's message can be read in (`--lang en|vi`).
public enum FindingLanguage: String, Sendable, CaseIterable {
    case en, vi
}

/// A finding's message in a language, made from what is stored: the rule id and the
/// evidence. The English message is the one the rule wrote (and the JSON output keeps);
/// the Vietnamese one is built here from the evidence, so that a report re-rendered from
/// the store reads the same as one made at audit time.
///
/// Every rule has a Vietnamese sentence for each branch of its English message, and a
/// generic one (``genericVietnamese(_:)``) for a finding stored by an older version whose
/// evidence lacks a value the sentence needs. Technical tokens (protocol names, suites,
/// addresses, subjects, dates as `yyyy-MM-dd` UTC, OpenSSL's and curl's own messages) are
/// kept as they are.
public enum FindingText {
    /// The message of `finding` in `language`. A rule id this version does not know keeps
    /// its stored (English) message: there is nothing else to say it with.
    public static func message(_ finding: Finding, language: FindingLanguage) -> String {
        guard language == .vi, let rule = Rule(rawValue: finding.id) else { return finding.message }
        return vietnamese(rule, FindingEvidence(finding.evidence)) ?? genericVietnamese(rule)
    }

    /// The Vietnamese sentence of `rule` from its evidence; nil when a value it needs is missing.
    static func vietnamese(_ rule: Rule, _ e: FindingEvidence) -> String? {
        switch rule {
        case .linkUnconfigured, .linkDown, .linkUnreachable, .linkLoss, .linkLatency:
            return VietnameseLinkText.text(rule, e)
        case .tlsUnreachable, .tlsHandshakeFailed:
            return VietnameseConnectionText.text(rule, e)
        case .protoSSL3, .protoTLS1_0, .protoTLS1_1, .protoTLS1_2Missing, .protoTLS1_3Missing,
             .cipherWeak, .cipherNoForwardSecrecy, .cipherCBC, .kexDHWeak:
            return VietnameseProtocolText.text(rule, e)
        case .certExpired, .certNotYetValid, .certExpiring, .certUntrusted, .certSelfSigned, .certHostnameMismatch,
             .certChainIncomplete, .certWeakKey, .certWeakSignature, .certLongValidity, .certRevoked, .certRevocationUnknown:
            return VietnameseCertificateText.text(rule, e)
        case .httpResponseUnreadable, .httpHSTSMissing, .httpHSTSShort, .httpNoHTTPSRedirect, .httpDowngradeRedirect,
             .ocspNoStapling:
            return VietnameseHTTPText.text(rule, e)
        }
    }

    /// What `rule` means, in Vietnamese, without any value: the message of a finding whose
    /// evidence does not hold what the full sentence needs. (No `default:` on purpose: a new
    /// rule must say itself in Vietnamese.)
    public static func genericVietnamese(_ rule: Rule) -> String {
        switch rule {
        case .linkUnconfigured: "Cơ quan chưa có đường truyền kết nối mạng truyền số liệu chuyên dùng trong danh mục."
        case .linkDown: "Đường truyền mất kết nối: không nhận được phản hồi nào."
        case .linkUnreachable: "Không tới được đường truyền, và nút mạng mà nó phụ thuộc cũng đang mất kết nối: nguyên nhân nằm ở phía trên."
        case .linkLoss: "Tỷ lệ mất gói trên đường truyền vượt ngưỡng cho phép."
        case .linkLatency: "Độ trễ trung vị trên đường truyền vượt ngưỡng cho phép."
        case .tlsUnreachable: "Không kết nối được tới dịch vụ, hoặc không nhận được phản hồi TLS trước khi hết thời gian chờ."
        case .tlsHandshakeFailed: "Kết nối TCP thành công nhưng máy khách hiện đại không hoàn tất được bắt tay TLS."
        case .protoSSL3: "Máy chủ chấp nhận giao thức SSL 3.0."
        case .protoTLS1_0: "Máy chủ chấp nhận giao thức TLS 1.0."
        case .protoTLS1_1: "Máy chủ chấp nhận giao thức TLS 1.1."
        case .protoTLS1_2Missing: "Máy chủ không hỗ trợ giao thức TLS 1.2."
        case .protoTLS1_3Missing: "Máy chủ không hỗ trợ giao thức TLS 1.3."
        case .cipherWeak: "Máy chủ chấp nhận bộ mã hóa yếu (NULL, ẩn danh, EXPORT, DES, 3DES hoặc RC4)."
        case .cipherNoForwardSecrecy: "Máy chủ chấp nhận trao đổi khóa RSA tĩnh, không có tính bảo mật chuyển tiếp (forward secrecy)."
        case .cipherCBC: "Máy chủ chấp nhận bộ mã hóa CBC trong TLS 1.2, không chỉ các bộ mã hóa AEAD."
        case .kexDHWeak: "Máy chủ chấp nhận trao đổi khóa DHE với nhóm Diffie-Hellman quá ngắn."
        case .certExpired: "Chứng thư số đã hết hạn."
        case .certNotYetValid: "Chứng thư số chưa có hiệu lực."
        case .certExpiring: "Chứng thư số sắp hết hạn."
        case .certUntrusted: "Chuỗi chứng thư số không dẫn tới chứng thư số gốc tin cậy nào: chứng thư số không được tin cậy."
        case .certSelfSigned: "Chứng thư số là chứng thư tự ký: không máy khách nào xác thực được."
        case .certHostnameMismatch: "Tên miền không khớp: chứng thư số không hợp lệ cho tên máy chủ của dịch vụ."
        case .certChainIncomplete: "Chuỗi chứng thư số không đầy đủ: máy chủ không gửi chứng thư số trung gian cần thiết."
        case .certWeakKey: "Chứng thư số dùng khóa yếu (khóa quá ngắn hoặc khóa DSA)."
        case .certWeakSignature: "Chứng thư số được ký bằng thuật toán băm yếu (SHA-1 hoặc MD5)."
        case .certLongValidity: "Thời hạn hiệu lực của chứng thư số dài hơn mức tối đa cho phép."
        case .certRevoked: "Chứng thư số đã bị thu hồi: máy khách có kiểm tra thu hồi sẽ từ chối. Hãy thay chứng thư số, và cả khóa nếu khóa đã bị lộ."
        case .certRevocationUnknown: "Không xác định được chứng thư số có bị thu hồi hay không."
        case .httpResponseUnreadable: "Không đọc được hết phần tiêu đề (header) của phản hồi HTTPS: HSTS không được đánh giá."
        case .httpHSTSMissing: "Phản hồi HTTPS không có tiêu đề Strict-Transport-Security (HSTS) hợp lệ."
        case .httpHSTSShort: "Giá trị max-age của HSTS thấp hơn mức yêu cầu."
        case .httpNoHTTPSRedirect: "HTTP không mã hóa không chuyển hướng sang HTTPS của chính trang này."
        case .httpDowngradeRedirect: "Phản hồi HTTPS chuyển hướng về một URL http:// không mã hóa. Hãy chuyển hướng tới URL https://."
        case .ocspNoStapling: "Máy chủ không đính kèm phản hồi OCSP (OCSP stapling) cho chứng thư số."
        }
    }
}

/// A finding's evidence, read by key: values that are absent or empty are nil.
struct FindingEvidence {
    let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    subscript(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    /// A whole number at `key`.
    func int(_ key: String) -> Int? { self[key].flatMap { Int($0) } }

    /// The day (`2026-10-28`) of a timestamp at `key` (`2026-10-28T12:00:00Z`).
    func day(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        return value.count >= 10 ? String(value.prefix(10)) : value
    }
}

/// Words the Vietnamese sentences share.
enum VietnameseWords {
    /// `30 ngày`, `chưa đầy 1 ngày`.
    static func days(_ count: Int) -> String { count == 0 ? "chưa đầy 1 ngày" : "\(count) ngày" }

    /// `365 ngày`, `chưa đầy 1 ngày` for a span of seconds.
    static func span(seconds: Int) -> String { seconds < 86_400 ? "chưa đầy 1 ngày" : "\(seconds / 86_400) ngày" }

    /// `SSL 3.0`, `TLS 1.2` for a stored `TLSv1.2`; the text itself when unknown.
    static func version(_ raw: String) -> String {
        TLSProtocolVersion(rawValue: raw)?.displayName ?? raw
    }

    /// The certificate a message speaks of, from `certificate.position` and
    /// `certificate.subject`: the leaf (`Chứng thư số`) or an intermediate.
    static func certificate(_ e: FindingEvidence) -> String {
        guard let position = e["certificate.position"], position.hasPrefix("intermediate") else { return "Chứng thư số" }
        return e["certificate.subject"].map { "Chứng thư số trung gian '\($0)'" } ?? "Chứng thư số trung gian"
    }

    /// ` (và 2 chứng thư số khác trong chuỗi)` when several certificates offend.
    static func more(_ e: FindingEvidence) -> String {
        let count = e.int("certificates.affected_count")
            ?? e["certificates.affected"].map { $0.components(separatedBy: "; ").count } ?? 1
        return count > 1 ? " (và \(count - 1) chứng thư số khác trong chuỗi)" : ""
    }
}
