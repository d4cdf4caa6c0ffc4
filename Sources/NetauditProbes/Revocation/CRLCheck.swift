import Foundation
import NetauditCore
internal import CNetauditShims

/// An `X509_CRL *` owned by this object, shared read-only by every check of a run that
/// names the same CRL: it is only looked up (X509_CRL_get0_by_serial(3)), after a first
/// lookup at read time has sorted its entries (OpenSSL sorts them once, under the CRL's lock).
final class CRLHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_CRL_free(pointer) }
}

/// A CRL fetched and read for one issuer: usable (`crl` set) or not (`problem`).
struct CRLRead: Sendable {
    var url: String
    var crl: CRLHandle?
    var summary: CRLSummary?
    var problem: String?
    /// The fetch ran out of the asking check's time: not kept for the run.
    var timedOut = false
}

/// CRLs (RFC 5280 §5): reading one as fetched (DER, or PEM), checking that the certificate's
/// issuer signed it and that it is current, and looking a certificate up in it. Delta CRLs,
/// indirect CRLs and distribution points with reasons are not read: a CRL that is not the
/// issuer's own complete one does not verify and says nothing.
enum CRLCheck {
    /// Clock leeway for thisUpdate and nextUpdate, in seconds (as for OCSP).
    static let leeway: TimeInterval = 300

    /// Reads `document` as a CRL of `issuer`, current at `now`.
    static func read(_ document: FetchedDocument, issuer: X509Handle, now: Date = Date()) -> CRLRead {
        defer { ERR_clear_error() }
        var read = CRLRead(url: document.url)
        if let problem = document.problem {
            read.problem = problem
            read.timedOut = document.timedOut
            return read
        }
        guard let pointer = parse(document.bytes) else {
            read.problem = "the CRL does not decode (neither DER nor PEM)"
            return read
        }
        let crl = CRLHandle(owning: pointer)
        let summary = CRLSummary(
            issuer: X509Text.name(X509_CRL_get_issuer(pointer)), number: number(pointer),
            thisUpdate: X509_CRL_get0_lastUpdate(pointer).map { CertificateInspector.date($0) },
            nextUpdate: X509_CRL_get0_nextUpdate(pointer).map { CertificateInspector.date($0) },
            entries: Int(na_X509_CRL_entry_count(pointer)), bytes: document.bytes.count,
            sha256: SHA256Digest.hex(document.bytes))
        read.summary = summary
        guard X509_NAME_cmp(X509_CRL_get_issuer(pointer), X509_get_subject_name(issuer.pointer)) == 0 else {
            read.problem = "the CRL is issued by \(summary.issuer), not by the certificate's issuer \(issuer.subject)"
            return read
        }
        guard let key = X509_get0_pubkey(issuer.pointer), X509_CRL_verify(pointer, key) == 1 else {
            read.problem = "the CRL's signature does not verify with the issuer's key"
            return read
        }
        let fresh = (summary.thisUpdate ?? .distantFuture) <= now + leeway
            && (summary.nextUpdate.map { $0 >= now - leeway } ?? true)
        guard fresh else {
            read.problem = "the CRL is stale (thisUpdate \(OCSPCheck.text(summary.thisUpdate)), nextUpdate \(OCSPCheck.text(summary.nextUpdate)))"
            return read
        }
        var entry: OpaquePointer?
        _ = X509_CRL_get0_by_serial(pointer, &entry, X509_get0_serialNumber(issuer.pointer))  // sorts the entries now
        read.crl = crl
        return read
    }

    /// Whether `certificate` is listed in `crl`, and why and when.
    static func lookup(_ crl: CRLHandle, certificate: X509Handle) -> (revoked: Bool, reason: String?, at: Date?) {
        defer { ERR_clear_error() }
        var entry: OpaquePointer?
        let found = X509_CRL_get0_by_serial(crl.pointer, &entry, X509_get0_serialNumber(certificate.pointer))
        // 2: listed with removeFromCRL, which only a delta CRL says: not revoked.
        guard found == 1, let entry else { return (false, nil, nil) }
        let code = na_X509_REVOKED_reason(entry)
        let reason = code >= 0 ? X509Text.string(OCSP_crl_reason_str(code), fallback: "reason \(code)") : "unspecified"
        return (true, reason, CertificateInspector.date(X509_REVOKED_get0_revocationDate(entry)))
    }

    private static func parse(_ bytes: [UInt8]) -> OpaquePointer? {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let der: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509_CRL(nil, &cursor, buffer.count)
        }
        if let der { return der }
        ERR_clear_error()
        return bytes.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509_CRL(bio, nil, nil, nil)
        }
    }

    private static func number(_ crl: OpaquePointer) -> String? {
        let needed = na_X509_CRL_number_hex(crl, nil, 0)
        guard needed > 0, needed < 1024 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = na_X509_CRL_number_hex(crl, &buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// SHA-256 of some bytes (EVP_Digest(3)), lower-case hex.
enum SHA256Digest {
    static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        return ok == 1 ? X509Text.hex(digest.prefix(Int(length))) : ""
    }
}
