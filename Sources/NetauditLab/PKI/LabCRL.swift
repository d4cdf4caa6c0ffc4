import Foundation
internal import CNetauditShims

/// Certificate revocation lists (RFC 5280 §5) made with OpenSSL's C API: what a lab CA
/// publishes at the cRLDistributionPoints URL of its leaves (``LabCertificateSpec/crlURLs``).
public enum LabCRL {
    /// A DER X.509 v2 CRL issued and signed (SHA-256) by `issuer`, listing each certificate of
    /// `revoked` by its serial number with its revocation date (to the second) and the entry
    /// extension CRLReason keyCompromise (1). The CRL has `thisUpdate` (default: an hour ago)
    /// and `nextUpdate` (default: in 7 days), the extensions cRLNumber (`number`; by default
    /// `thisUpdate` in seconds since 1970, so that a later CRL has a larger number) and
    /// authorityKeyIdentifier (the issuer's key id). Entries are sorted by serial number.
    ///
    /// Nothing checks that the revoked certificates were issued by `issuer`: the lab may list
    /// anything. `issuer` must have a private key, like every ``LabCredential``.
    public static func crl(
        issuer: LabCredential, revoked: [(certificate: LabCredential, at: Date)],
        thisUpdate: Date = Date(timeIntervalSinceNow: -3600), nextUpdate: Date = Date(timeIntervalSinceNow: 7 * 86400),
        number: Int64? = nil
    ) throws(LabPKIError) -> Data {
        let range = LabCertificateSpec.encodableTimes
        let last = Int(thisUpdate.timeIntervalSince1970.rounded(.down))
        let next = Int(nextUpdate.timeIntervalSince1970.rounded(.down))
        guard thisUpdate.timeIntervalSince1970.isFinite, nextUpdate.timeIntervalSince1970.isFinite,
              range.contains(last), range.contains(next) else {
            throw .invalidSpec("CRL times \(thisUpdate) – \(nextUpdate) are outside what X.509 can encode (years 1950–9999)")
        }
        guard next > last else { throw .invalidSpec("CRL nextUpdate \(nextUpdate) is not later than thisUpdate \(thisUpdate)") }
        if let number, number < 0 { throw .invalidSpec("CRL number \(number) is negative") }

        OpenSSLCall.clearErrors()
        let issuerCertificate = try LabCertificateHandle(pem: issuer.certificatePEM)
        let issuerKey = try LabKeyHandle(pem: issuer.privateKeyPEM)
        let crl = try OpenSSLCall.check(X509_CRL_new(), "X509_CRL_new")
        defer { X509_CRL_free(crl) }
        try OpenSSLCall.check(X509_CRL_set_version(crl, Int(X509_CRL_VERSION_2)), "X509_CRL_set_version")
        try OpenSSLCall.check(
            X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuerCertificate.pointer)), "X509_CRL_set_issuer_name")
        try withTime(last) { (time) throws(LabPKIError) in
            try OpenSSLCall.check(X509_CRL_set1_lastUpdate(crl, time), "X509_CRL_set1_lastUpdate")
        }
        try withTime(next) { (time) throws(LabPKIError) in
            try OpenSSLCall.check(X509_CRL_set1_nextUpdate(crl, time), "X509_CRL_set1_nextUpdate")
        }

        for entry in revoked {
            let certificate = try LabCertificateHandle(pem: entry.certificate.certificatePEM)
            let revocation = try OpenSSLCall.check(X509_REVOKED_new(), "X509_REVOKED_new")
            do throws(LabPKIError) {
                let serial = try OpenSSLCall.check(X509_get0_serialNumber(certificate.pointer), "X509_get0_serialNumber")
                try OpenSSLCall.check(X509_REVOKED_set_serialNumber(revocation, UnsafeMutablePointer(mutating: serial)), "X509_REVOKED_set_serialNumber")
                let seconds = Int(entry.at.timeIntervalSince1970.rounded(.down))
                guard entry.at.timeIntervalSince1970.isFinite, range.contains(seconds) else {
                    throw .invalidSpec("revocation date \(entry.at) is outside what X.509 can encode")
                }
                try withTime(seconds) { (time) throws(LabPKIError) in
                    try OpenSSLCall.check(X509_REVOKED_set_revocationDate(revocation, time), "X509_REVOKED_set_revocationDate")
                }
                let reason = try OpenSSLCall.check(ASN1_ENUMERATED_new(), "ASN1_ENUMERATED_new")
                defer { ASN1_ENUMERATED_free(reason) }
                try OpenSSLCall.check(ASN1_ENUMERATED_set(reason, 1), "ASN1_ENUMERATED_set (keyCompromise)")
                try OpenSSLCall.check(
                    X509_REVOKED_add1_ext_i2d(revocation, NID_crl_reason, UnsafeMutableRawPointer(reason), 0, 0),
                    "X509_REVOKED_add1_ext_i2d (CRLReason)")
            } catch {
                X509_REVOKED_free(revocation)
                throw error
            }
            try OpenSSLCall.check(X509_CRL_add0_revoked(crl, revocation), "X509_CRL_add0_revoked")  // the CRL owns it now
        }
        try OpenSSLCall.check(X509_CRL_sort(crl), "X509_CRL_sort")

        let crlNumber = try OpenSSLCall.check(ASN1_INTEGER_new(), "ASN1_INTEGER_new")
        defer { ASN1_INTEGER_free(crlNumber) }
        try OpenSSLCall.check(ASN1_INTEGER_set_int64(crlNumber, number ?? Int64(last)), "ASN1_INTEGER_set_int64 (cRLNumber)")
        try OpenSSLCall.check(
            X509_CRL_add1_ext_i2d(crl, NID_crl_number, UnsafeMutableRawPointer(crlNumber), 0, 0), "X509_CRL_add1_ext_i2d (cRLNumber)")

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuerCertificate.pointer, nil, nil, crl, 0)
        na_X509V3_set_ctx_nodb(&context)
        let keyIdentifier = try OpenSSLCall.check(
            X509V3_EXT_nconf_nid(nil, &context, NID_authority_key_identifier, "keyid:always"),
            "X509V3_EXT_nconf_nid (authorityKeyIdentifier)")
        defer { X509_EXTENSION_free(keyIdentifier) }
        try OpenSSLCall.check(X509_CRL_add_ext(crl, keyIdentifier, -1), "X509_CRL_add_ext (authorityKeyIdentifier)")

        try OpenSSLCall.check(X509_CRL_sign(crl, issuerKey.pointer, EVP_sha256()), "X509_CRL_sign")
        let length = try OpenSSLCall.check(i2d_X509_CRL(crl, nil), "i2d_X509_CRL (length)")
        var data = Data(count: Int(length))
        let written = data.withUnsafeMutableBytes { buffer -> Int32 in
            var out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return i2d_X509_CRL(crl, &out)
        }
        try OpenSSLCall.check(written, "i2d_X509_CRL", success: { $0 == length })
        return data
    }

    /// Runs `body` with a fresh ASN1_TIME for `seconds` since 1970 (ASN1_TIME_set(3): UTCTime
    /// up to 2049, GeneralizedTime after), freed afterwards.
    private static func withTime(_ seconds: Int, _ body: (UnsafeMutablePointer<ASN1_TIME>) throws(LabPKIError) -> Void) throws(LabPKIError) {
        let time = try OpenSSLCall.check(ASN1_TIME_set(nil, time_t(seconds)), "ASN1_TIME_set")
        defer { ASN1_STRING_free(time) }
        try body(time)
    }
}
