import NetauditCore

// The Vietnamese sentences, one function per group of rules, in the order of the rule
// files (Rules/*.swift). Each returns nil when the evidence lacks a value it needs, and
// `FindingText` falls back to the rule's generic sentence.

/// `link.*`.
enum VietnameseLinkText {
    static func text(_ rule: Rule, _ e: FindingEvidence) -> String? {
        switch rule {
        case .linkUnconfigured:
            guard let code = e["agency.code"] else { return nil }
            let agency = e["agency.name"].map { "\($0) (\(code))" } ?? "Cơ quan \(code)"
            return "\(agency) chưa có đường truyền kết nối mạng truyền số liệu chuyên dùng trong danh mục."
        case .linkDown:
            guard let address = e["link.address"], let requests = requests(e) else { return nil }
            var text = "Không nhận được phản hồi từ \(address) cho cả \(requests)"
            if let unreachable = e.int("link.icmp_unreachable"), unreachable > 0 {
                text += "; bộ định tuyến trên đường đi báo không tới được \(unreachable) lần"
            }
            return text + "."
        case .linkUnreachable:
            guard let address = e["link.address"], let via = e["link.via"] else { return nil }
            return "Không nhận được phản hồi từ \(address), và nút mạng mà đường truyền phụ thuộc (\(via)) cũng đang mất kết nối: nguyên nhân nằm ở phía trên."
        case .linkLoss:
            guard let address = e["link.address"], let loss = e["link.loss_percent"], let requests = requests(e),
                  let threshold = e["threshold.link_loss_percent"] else { return nil }
            return "Mất gói \(loss)% trong số \(requests) tới \(address) (ngưỡng \(threshold)%)."
        case .linkLatency:
            guard let address = e["link.address"], let median = e["link.rtt_median_ms"],
                  let threshold = e["threshold.link_median_ms"] else { return nil }
            return "Độ trễ trung vị (khứ hồi) tới \(address) là \(median) ms (ngưỡng \(threshold) ms)."
        default:
            return nil
        }
    }

    /// `10 gói tin ICMP echo`, `5 lần kết nối TCP tới cổng 443`.
    static func requests(_ e: FindingEvidence) -> String? {
        guard let sent = e.int("link.sent"), let method = e["link.method"] else { return nil }
        if method == "icmp" { return "\(sent) gói tin ICMP echo" }
        if method.hasPrefix("tcp:") { return "\(sent) lần kết nối TCP tới cổng \(method.dropFirst(4))" }
        return "\(sent) yêu cầu (\(method))"
    }
}

/// `tls.unreachable`, `tls.handshake_failed`.
enum VietnameseConnectionText {
    static func text(_ rule: Rule, _ e: FindingEvidence) -> String? {
        guard let target = e["endpoint.target"], let failure = e["connection.failure"].flatMap(ConnectionOutcome.Failure.init(rawValue:)) else { return nil }
        switch (rule, failure) {
        case (.tlsUnreachable, .refused):
            return "Không có dịch vụ nào lắng nghe trên \(target): kết nối TCP bị từ chối."
        case (.tlsUnreachable, .connectTimeout):
            return "Không thiết lập được kết nối TCP tới \(target) trước khi hết thời gian chờ."
        case (.tlsUnreachable, .tlsTimeout):
            return "Kết nối TCP tới \(target) thành công, nhưng không nhận được phản hồi TLS trước khi hết thời gian chờ."
        case (.tlsUnreachable, _):
            let reason = e["probe.problem"] ?? e["connection.message"] ?? "không có tuyến đường (no route)"
            return "Không kết nối được tới \(target): \(reason)."
        case (.tlsHandshakeFailed, .notTLS):
            return "Máy chủ tại \(target) có phản hồi, nhưng không dùng giao thức TLS."
        case (.tlsHandshakeFailed, .reset):
            return "Máy chủ tại \(target) ngắt kết nối (reset) thay vì hoàn tất bắt tay TLS."
        case (.tlsHandshakeFailed, _):
            switch e["connection.legacy_handshake"] {
            case "true":
                return "Máy khách hiện đại (TLS 1.2 trở lên) không hoàn tất được bắt tay TLS với \(target); chỉ máy khách cũ (TLS 1.0, cấu hình yếu) kết nối được."
            case "false":
                return "Cả máy khách hiện đại lẫn máy khách cũ đều không hoàn tất được bắt tay TLS với \(target)."
            default:
                return "Máy khách hiện đại (TLS 1.2 trở lên) không hoàn tất được bắt tay TLS với \(target)."
            }
        default:
            return nil
        }
    }
}

/// `proto.*`, `cipher.*`, `kex.dh_weak`.
enum VietnameseProtocolText {
    static func text(_ rule: Rule, _ e: FindingEvidence) -> String? {
        switch rule {
        case .protoSSL3: return accepted(.ssl3)
        case .protoTLS1_0: return accepted(.tls1_0)
        case .protoTLS1_1: return accepted(.tls1_1)
        case .protoTLS1_2Missing: return missing(.tls1_2, e)
        case .protoTLS1_3Missing: return missing(.tls1_3, e)
        case .cipherWeak:
            guard let classes = e["cipher.classes"]?.components(separatedBy: ", ") else { return nil }
            let names = classes.map(EndpointRules.displayName(ofCipherClass:))
            let suites = e["cipher.suites"]?.components(separatedBy: ", ") ?? []
            let described = suites.count == names.count ? zip(names, suites).map { "\($0) (\($1))" } : names
            let noun = names.count == 1 ? "một bộ mã hóa yếu" : "các bộ mã hóa yếu"
            var text = "Máy chủ chấp nhận \(noun): \(PolicyFormat.list(described))"
            if suites.count != names.count, let all = e["cipher.suites"] { text += " (\(all))" }
            return text + "."
        case .cipherNoForwardSecrecy:
            guard let suites = e["cipher.suites"] else { return nil }
            return "Máy chủ chấp nhận trao đổi khóa RSA tĩnh (\(suites)), không có tính bảo mật chuyển tiếp (forward secrecy)."
        case .cipherCBC:
            guard let suites = e["cipher.suites"] else { return nil }
            return "Máy chủ chấp nhận bộ mã hóa CBC trong TLS 1.2 (\(suites)), không chỉ các bộ mã hóa AEAD."
        case .kexDHWeak:
            guard let bits = e["kex.dh_bits"], let suite = e["cipher.suites"], let minimum = e["threshold.dh_min_bits"] else { return nil }
            let grade = e["kex.export"] == "true" ? " loại xuất khẩu (export-grade)" : ""
            return "Máy chủ chấp nhận trao đổi khóa DHE\(grade) với nhóm \(bits) bit (\(suite)); yêu cầu tối thiểu \(minimum) bit."
        default:
            return nil
        }
    }

    static func accepted(_ version: TLSProtocolVersion) -> String {
        "Máy chủ chấp nhận giao thức \(version.displayName)."
    }

    static func missing(_ version: TLSProtocolVersion, _ e: FindingEvidence) -> String {
        let others = e["protocol.accepted"].map { $0.components(separatedBy: ", ").map(VietnameseWords.version) } ?? []
        let accepted = others.isEmpty ? "" : " (máy chủ chấp nhận: \(PolicyFormat.list(others)))"
        return "Máy chủ không hỗ trợ giao thức \(version.displayName)\(accepted)."
    }
}

/// `cert.*`.
enum VietnameseCertificateText {
    static func text(_ rule: Rule, _ e: FindingEvidence) -> String? {
        let certificate = VietnameseWords.certificate(e)
        let more = VietnameseWords.more(e)
        switch rule {
        case .certExpired:
            guard let day = e.day("certificate.not_after") else { return nil }
            let ago = e.int("certificate.days_expired").map { $0 == 0 ? " (chưa đầy 1 ngày trước)" : " (\($0) ngày trước)" } ?? ""
            return "\(certificate) đã hết hạn ngày \(day)\(ago)\(more)."
        case .certNotYetValid:
            guard let day = e.day("certificate.not_before") else { return nil }
            let ahead = e.int("certificate.days_until_valid").map { " (còn \(VietnameseWords.days($0)))" } ?? ""
            return "\(certificate) chưa có hiệu lực trước ngày \(day)\(ahead)\(more)."
        case .certExpiring:
            guard let day = e.day("certificate.not_after"), let left = e.int("certificate.days_left") else { return nil }
            return "Chứng thư số sắp hết hạn, vào ngày \(day) (còn \(VietnameseWords.days(left)))."
        case .certUntrusted:
            return untrusted(e)
        case .certSelfSigned:
            guard let subject = e["certificate.subject"] else { return nil }
            return "Chứng thư số là chứng thư tự ký ('\(subject)'): không máy khách nào xác thực được."
        case .certHostnameMismatch:
            guard let name = e["endpoint.server_name"] else { return nil }
            let names = e["certificate.subject_alt_names"].map { "chứng thư số chỉ ghi các tên \($0)" } ?? "chứng thư số không có subjectAltName"
            return "Tên miền không khớp: chứng thư số không hợp lệ cho \(name) (\(names))."
        case .certChainIncomplete:
            return chainIncomplete(e)
        case .certWeakKey:
            guard let type = e["certificate.key_type"]?.uppercased(), let bits = e["certificate.key_bits"] else { return nil }
            let weakness: String
            if type == "DSA" {
                weakness = "khóa DSA (không được phép dùng DSA)"
            } else {
                let kind = type.hasPrefix("RSA") ? "RSA" : (type == "EC" || type == "ECDSA") ? "EC" : type
                let minimum = e["threshold.rsa_min_bits"] ?? e["threshold.ec_min_bits"]
                weakness = "khóa \(kind) \(bits) bit" + (minimum.map { " (yêu cầu tối thiểu \($0) bit)" } ?? "")
            }
            return "\(certificate) dùng \(weakness)\(more)."
        case .certWeakSignature:
            guard let algorithm = e["certificate.signature_algorithm"] else { return nil }
            let hash = EndpointRules.weakHash(algorithm).map { " (\($0))" } ?? ""
            return "\(certificate) được ký bằng thuật toán \(algorithm)\(hash), là thuật toán băm yếu\(more)."
        case .certLongValidity:
            guard let days = e["certificate.lifetime_days"], let from = e.day("certificate.not_before"),
                  let to = e.day("certificate.not_after"), let maximum = e["threshold.certificate_max_lifetime_days"] else { return nil }
            return "Chứng thư số có thời hạn hiệu lực \(days) ngày (từ \(from) đến \(to)), dài hơn mức tối đa cho phép \(maximum) ngày."
        case .certRevoked:
            return revoked(e)
        case .certRevocationUnknown:
            guard let problem = e["revocation.problem"] else { return nil }
            let reason = problem == "no source answered" ? "không nguồn kiểm tra nào trả lời" : problem
            return "Không xác định được chứng thư số có bị thu hồi hay không: \(reason)."
        default:
            return nil
        }
    }

    /// `cert.untrusted`: the last issuer and why each store refused the chain.
    static func untrusted(_ e: FindingEvidence) -> String? {
        var reasons: [String] = []
        if let message = e["trust.public.message"] { reasons.append("CA công cộng: \(message)") }
        if let message = e["trust.government.message"] { reasons.append("CA Chính phủ: \(message)") }
        if e["trust.government"] == "not configured" { reasons.append("chưa cấu hình CA Chính phủ") }
        guard !reasons.isEmpty else { return nil }
        let issuer = e["certificate.issuer"].map { " (bên cấp cuối cùng '\($0)')" } ?? ""
        return "Chuỗi chứng thư số\(issuer) không dẫn tới chứng thư số gốc tin cậy nào, nên không được tin cậy (\(reasons.joined(separator: "; ")))."
    }

    /// `cert.chain_incomplete`: fetched through AIA, an unknown issuer, or an intermediate
    /// the verifier misses (`chain.case`; a finding stored before it says only whether AIA
    /// completed the chain).
    static func chainIncomplete(_ e: FindingEvidence) -> String? {
        guard let missing = e["chain.missing_issuer"] ?? e["certificate.issuer"] else { return nil }
        let fix = "hãy bổ sung chứng thư số trung gian vào tệp chuỗi chứng thư số của máy chủ"
        let anchor: String
        switch e["chain.anchor_store"] {
        case "public": anchor = "chứng thư số gốc công cộng"
        case "government": anchor = "chứng thư số gốc của CA Chính phủ"
        default: anchor = "chứng thư số gốc tin cậy"
        }
        let kind = e["chain.case"] ?? (e["chain.completed_by_aia"] == "true" ? "completed_by_aia" : nil)
        switch kind {
        case "completed_by_aia":
            let url = e["chain.aia_ca_issuers"]?.components(separatedBy: ", ").first ?? "?"
            return "Máy chủ không gửi chứng thư số trung gian '\(missing)' mà chuỗi cần để tới \(anchor). netaudit đã tải được chứng thư này từ URL AIA caIssuers \(url) của chứng thư số, như một số trình duyệt vẫn làm, nhưng các máy khách không tự tải sẽ kết nối thất bại: \(fix)."
        case "issuer_unknown":
            let last = e["chain.last_subject"] ?? "?"
            let tried = e["chain.aia_ca_issuers"].map { "đã thử tải từ URL AIA caIssuers \($0) nhưng không hoàn thiện được chuỗi" }
                ?? "chứng thư số không ghi URL AIA caIssuers nào để tải về"
            return "Chuỗi chứng thư số do máy chủ gửi kết thúc ở '\(last)', có bên cấp '\(missing)' không phải chứng thư số gốc tin cậy cũng không phải chứng thư số trung gian đã biết (\(tried)). Nếu '\(missing)' là chứng thư số trung gian, \(fix)."
        case "intermediate_missing":
            return "Máy chủ không gửi chứng thư số trung gian '\(missing)' mà chuỗi cần để tới \(anchor): \(fix)."
        default:
            return "Chuỗi chứng thư số không đầy đủ: thiếu chứng thư số của bên cấp '\(missing)'. Nếu đó là chứng thư số trung gian, \(fix)."
        }
    }

    /// `cert.revoked`: which certificate, why, since when, and who says so.
    static func revoked(_ e: FindingEvidence) -> String? {
        guard let sourceName = e["revocation.source"] else { return nil }
        let responder = e["revocation.responder"] ?? "?"
        let source: String
        switch sourceName {
        case "stapled": source = "phản hồi OCSP mà máy chủ đính kèm (OCSP stapling)"
        case "ocsp": source = "máy chủ OCSP \(responder)"
        case "crl": source = "danh sách chứng thư số bị thu hồi (CRL) tại \(responder)"
        default: return nil
        }
        let reason = e["revocation.reason"].map { $0 == "unspecified" ? "không nêu lý do" : "lý do: \($0)" } ?? "không nêu lý do"
        let since = e.day("revocation.time").map { " từ ngày \($0)" } ?? ""
        return "\(VietnameseWords.certificate(e)) đã bị thu hồi (\(reason))\(since), theo \(source): máy khách có kiểm tra thu hồi sẽ từ chối chứng thư này. Hãy thay chứng thư số, và cả khóa nếu khóa đã bị lộ."
    }
}

/// `http.*`, `ocsp.no_stapling`.
enum VietnameseHTTPText {
    static func text(_ rule: Rule, _ e: FindingEvidence) -> String? {
        switch rule {
        case .httpResponseUnreadable:
            guard let status = e["http.status"], let message = e["http.message"] else { return nil }
            return "Không đọc được hết phần tiêu đề (header) của phản hồi HTTPS (mã trạng thái \(status)): \(message)."
        case .httpHSTSMissing:
            if let header = e["http.strict_transport_security"] {
                return "Tiêu đề Strict-Transport-Security '\(header)' không có max-age hợp lệ, nên trình duyệt bỏ qua."
            }
            guard let status = e["http.status"] else { return nil }
            return "Phản hồi HTTPS (mã trạng thái \(status)) không có tiêu đề Strict-Transport-Security (HSTS)."
        case .httpHSTSShort:
            guard let maxAge = e.int("http.hsts_max_age"), let minimum = e.int("threshold.hsts_min_max_age") else { return nil }
            return "Giá trị max-age của HSTS là \(maxAge) giây (\(VietnameseWords.span(seconds: maxAge))), thấp hơn mức yêu cầu \(minimum) giây (\(VietnameseWords.span(seconds: minimum)))."
        case .httpNoHTTPSRedirect:
            return noHTTPSRedirect(e)
        case .httpDowngradeRedirect:
            guard let status = e["http.status"], let location = e["http.location"] else { return nil }
            return "Phản hồi HTTPS là lệnh chuyển hướng \(status) tới \(location), tức HTTP không mã hóa: người dùng bị đưa về kết nối không mã hóa. Hãy chuyển hướng tới URL https://."
        case .ocspNoStapling:
            return "Máy chủ không đính kèm phản hồi OCSP (OCSP stapling) cho chứng thư số."
        default:
            return nil
        }
    }

    /// `http.no_https_redirect`: to another site's HTTPS, to something other than https://,
    /// or no redirect at all.
    static func noHTTPSRedirect(_ e: FindingEvidence) -> String? {
        guard let port = e["http.plain.port"] else { return nil }
        let what: String
        let status = e.int("http.plain.status")
        if let location = e["http.plain.location"], let host = e["http.plain.redirect_host"] ?? RedirectTarget.host(ofHTTPS: location) {
            let name = e["endpoint.server_name"].map { "không phải \($0) và " } ?? ""
            what = "chuyển hướng tới \(location), thuộc máy chủ \(host), \(name)không có tên trong chứng thư số của trang"
        } else if let location = e["http.plain.location"], (300...399).contains(status ?? 0) {
            what = "chuyển hướng tới \(location), không phải tới https://"
        } else {
            what = "trả về mã trạng thái \(status.map(String.init) ?? "?") thay vì chuyển hướng sang https://"
        }
        return "HTTP không mã hóa trên cổng \(port) \(what)."
    }
}
