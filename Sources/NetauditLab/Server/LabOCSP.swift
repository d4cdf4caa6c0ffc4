import Foundation
internal import CNetauditShims

/// OCSP responses for stapling (``LabTLS/ocspResponse``), signed by the certificate's issuer
/// itself (RFC 6960 §4.2.2.2 allows the CA to sign directly, with no delegated responder).
public enum LabOCSP {
    /// What the response says of the certificate (RFC 6960 §2.2).
    public enum Status: Sendable, Hashable {
        case good
        /// Revoked at the given time, with CRLReason keyCompromise (1).
        case revoked(at: Date)
    }

    /// A DER OCSPResponse (status successful) for `leaf`, issued by `issuer`, valid from an
    /// hour ago for `validity`: CertID with SHA-1 hashes (what clients look up), a responder
    /// ID by name, the issuer's certificate included, signed with SHA-256.
    ///
    /// `signer`: who signs it, when not the issuer (a forged or misdirected response, for
    /// tests that a client refuses it); its certificate is included instead.
    public static func response(
        for leaf: LabCredential, issuer: LabCredential, status: Status = .good, validity: TimeInterval = 7 * 86400,
        signer: LabCredential? = nil
    ) throws(LabPKIError) -> Data {
        OpenSSLCall.clearErrors()
        let certificate = try LabCertificateHandle(pem: leaf.certificatePEM)
        let issuerCertificate = try LabCertificateHandle(pem: issuer.certificatePEM)
        let signerCertificate = try LabCertificateHandle(pem: (signer ?? issuer).certificatePEM)
        let issuerKey = try LabKeyHandle(pem: (signer ?? issuer).privateKeyPEM)

        let identifier = try OpenSSLCall.check(OCSP_cert_to_id(nil, certificate.pointer, issuerCertificate.pointer), "OCSP_cert_to_id")
        defer { OCSP_CERTID_free(identifier) }
        let basic = try OpenSSLCall.check(OCSP_BASICRESP_new(), "OCSP_BASICRESP_new")
        defer { OCSP_BASICRESP_free(basic) }
        let thisUpdate = try OpenSSLCall.check(X509_gmtime_adj(nil, -3600), "X509_gmtime_adj (thisUpdate)")
        defer { ASN1_STRING_free(thisUpdate) }
        let nextUpdate = try OpenSSLCall.check(X509_gmtime_adj(nil, Int(validity)), "X509_gmtime_adj (nextUpdate)")
        defer { ASN1_STRING_free(nextUpdate) }

        switch status {
        case .good:
            try OpenSSLCall.check(
                OCSP_basic_add1_status(basic, identifier, V_OCSP_CERTSTATUS_GOOD, 0, nil, thisUpdate, nextUpdate),
                "OCSP_basic_add1_status (good)")
        case .revoked(let date):
            let revoked = try OpenSSLCall.check(
                ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))), "ASN1_TIME_set (revocationTime)")
            defer { ASN1_STRING_free(revoked) }
            try OpenSSLCall.check(
                OCSP_basic_add1_status(basic, identifier, V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
                                       revoked, thisUpdate, nextUpdate),
                "OCSP_basic_add1_status (revoked)")
        }
        try OpenSSLCall.check(OCSP_basic_sign(basic, signerCertificate.pointer, issuerKey.pointer, EVP_sha256(), nil, 0), "OCSP_basic_sign")
        let response = try OpenSSLCall.check(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic), "OCSP_response_create")
        defer { OCSP_RESPONSE_free(response) }

        let length = try OpenSSLCall.check(i2d_OCSP_RESPONSE(response, nil), "i2d_OCSP_RESPONSE (length)")
        var data = Data(count: Int(length))
        let written = data.withUnsafeMutableBytes { buffer -> Int32 in
            var out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return i2d_OCSP_RESPONSE(response, &out)
        }
        try OpenSSLCall.check(written, "i2d_OCSP_RESPONSE", success: { $0 == length })
        return data
    }
}
