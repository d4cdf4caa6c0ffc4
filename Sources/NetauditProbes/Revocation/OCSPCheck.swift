import Foundation
import NetauditCore
internal import CNetauditShims

/// OCSP (RFC 6960) with OpenSSL's API: the request for one certificate, and the reading of a
/// response, stapled or fetched.
///
/// **Who may answer.** A response counts only when it verifies (OCSP_basic_verify(3)) as
/// signed by the certificate's issuer itself, or by a responder the issuer certified for
/// OCSP signing (id-kp-OCSPSigning, RFC 6960 §4.2.2.2). The issuer is given as the only
/// anchor (a partial chain): whether the issuer itself is trusted is the chain
/// verification's business, not revocation's.
///
/// **Current.** thisUpdate must not be in the future and nextUpdate, when present, not in
/// the past, with 5 minutes of leeway for clocks (OCSP_check_validity(3)); otherwise the
/// response is stale and says nothing.
enum OCSPCheck {
    /// Clock leeway for thisUpdate and nextUpdate, in seconds.
    static let leeway = 300

    /// What one response says about one certificate.
    struct Answer: Sendable, Hashable {
        /// nil: the response cannot be used (see `problem`).
        var status: CertificateRevocation.Status?
        var reason: String?
        var revokedAt: Date?
        var thisUpdate: Date?
        var nextUpdate: Date?
        /// The responder id: its name, or "key hash …".
        var responder: String?
        var problem: String?
    }

    /// A DER OCSPRequest for `certificate`, issued by `issuer`: one SHA-1 CertID (what
    /// responders index), no nonce, so that one request per certificate serves the whole
    /// run (and responders' caches). Nil if OpenSSL cannot make it.
    static func request(certificate: X509Handle, issuer: X509Handle) -> [UInt8]? {
        defer { ERR_clear_error() }
        guard let request = OCSP_REQUEST_new() else { return nil }
        defer { OCSP_REQUEST_free(request) }
        guard let id = OCSP_cert_to_id(nil, certificate.pointer, issuer.pointer) else { return nil }
        guard OCSP_request_add0_id(request, id) != nil else {  // add0: the request owns the id from here
            OCSP_CERTID_free(id)
            return nil
        }
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_OCSP_REQUEST(request, &buffer)
        guard length > 0, let buffer else { return nil }
        defer { na_OPENSSL_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// Reads the DER OCSPResponse `der` about `certificate` (issued by `issuer`) at `now`.
    static func read(_ der: [UInt8], certificate: X509Handle, issuer: X509Handle, now: Date = Date()) -> Answer {
        defer { ERR_clear_error() }
        func unusable(_ problem: String) -> Answer { Answer(problem: problem) }
        guard !der.isEmpty, der.count < Int(Int32.max) else { return unusable("an empty OCSP response") }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_OCSP_RESPONSE(nil, &cursor, buffer.count)
        }
        guard let response = parsed else { return unusable("the OCSP response does not decode") }
        defer { OCSP_RESPONSE_free(response) }
        let code = OCSP_response_status(response)
        guard code == OCSP_RESPONSE_STATUS_SUCCESSFUL else {
            return unusable("the responder answered \(X509Text.string(OCSP_response_status_str(Int(code)), fallback: "status \(code)"))")
        }
        guard let basic = OCSP_response_get1_basic(response) else { return unusable("not a basic OCSP response") }
        defer { OCSP_BASICRESP_free(basic) }
        var answer = Answer(responder: responderText(basic))

        // Signed by the issuer, or by a responder it delegated.
        guard let store = X509_STORE_new() else { return unusable("out of memory") }
        defer { X509_STORE_free(store) }
        guard X509_STORE_add_cert(store, issuer.pointer) == 1, let others = X509StackHandle() else {
            return unusable("out of memory")
        }
        _ = na_X509_STORE_allow_partial_chain(store)
        others.push(issuer)
        let verified = withExtendedLifetime(others) { OCSP_basic_verify(basic, others.pointer, store, 0) }
        guard verified == 1 else {
            answer.problem = "the OCSP response is not signed by the issuer or a responder it delegated (\(OpenSSLError.drain()))"
            return answer
        }

        guard let id = OCSP_cert_to_id(nil, certificate.pointer, issuer.pointer) else { return unusable("out of memory") }
        defer { OCSP_CERTID_free(id) }
        var status: Int32 = -1
        var reason: Int32 = -1
        var revoked: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        guard OCSP_resp_find_status(basic, id, &status, &reason, &revoked, &thisUpdate, &nextUpdate) == 1 else {
            answer.problem = "the OCSP response does not speak of this certificate"
            return answer
        }
        answer.thisUpdate = thisUpdate.map { CertificateInspector.date($0) }
        answer.nextUpdate = nextUpdate.map { CertificateInspector.date($0) }
        if let thisUpdate {
            // OCSP_check_validity reads the system clock; `now` is checked by hand for tests.
            let current = OCSP_check_validity(thisUpdate, nextUpdate, leeway, -1) == 1
            let fresh = (answer.thisUpdate ?? .distantPast) <= now + TimeInterval(leeway)
                && (answer.nextUpdate.map { $0 >= now - TimeInterval(leeway) } ?? true)
            guard current && fresh else {
                answer.problem = "the OCSP response is stale (thisUpdate \(Self.text(answer.thisUpdate)), nextUpdate \(Self.text(answer.nextUpdate)))"
                return answer
            }
        }
        switch status {
        case V_OCSP_CERTSTATUS_GOOD:
            answer.status = .good
        case V_OCSP_CERTSTATUS_REVOKED:
            answer.status = .revoked
            answer.revokedAt = revoked.map { CertificateInspector.date($0) }
            answer.reason = reason >= 0 ? X509Text.string(OCSP_crl_reason_str(Int(reason)), fallback: "reason \(reason)") : "unspecified"
        default:
            answer.problem = "the responder does not know the certificate (status unknown)"
        }
        return answer
    }

    private static func responderText(_ basic: OpaquePointer) -> String? {
        let needed = na_OCSP_responder_text(basic, nil, 0)
        guard needed > 0, needed < 4096 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = na_OCSP_responder_text(basic, &buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func text(_ date: Date?) -> String {
        date.map { ISO8601DateFormatter().string(from: $0) } ?? "none"
    }
}
