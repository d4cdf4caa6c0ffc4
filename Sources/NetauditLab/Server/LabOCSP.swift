import Foundation
internal import CNetauditShims

/// OCSP responses (RFC 6960), signed by the certificate's issuer itself (§4.2.2.2 allows the
/// CA to sign directly, with no delegated responder): single responses for stapling
/// (``LabTLS/ocspResponse``), and the answers of a responder to DER OCSPRequests
/// (``answer(request:responder:)``), which the lab's PKI repository serves over HTTP.
public enum LabOCSP {
    /// What the response says of the certificate (RFC 6960 §2.2).
    public enum Status: Sendable, Hashable {
        case good
        /// Revoked at the given time, with CRLReason keyCompromise (1).
        case revoked(at: Date)
        /// The responder does not know the certificate.
        case unknown
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
        let identifier = try OpenSSLCall.check(OCSP_cert_to_id(nil, certificate.pointer, issuerCertificate.pointer), "OCSP_cert_to_id")
        defer { OCSP_CERTID_free(identifier) }
        return try sign([(identifier, status)], by: try Signer(signer ?? issuer), validity: validity, request: nil)
    }

    /// The DER OCSPResponse that answers `request`, a DER OCSPRequest (as POSTed with
    /// Content-Type application/ocsp-request, or base64-decoded from a GET, RFC 6960 A.1):
    ///
    /// - every CertID whose issuer hashes (in the request's hash algorithm) match one of the
    ///   responder's ``LabOCSPResponder/issuers`` gets the status the responder has recorded
    ///   for its serial number, or `unknown` for a serial it has not;
    /// - the response is signed (SHA-256) by the issuer of the first such CertID, with its
    ///   certificate included and a responder ID by name; CertIDs of another issuer get
    ///   `unknown`, since it cannot speak for them;
    /// - thisUpdate is an hour ago, nextUpdate ``LabOCSPResponder/validity`` from now; a
    ///   nonce in the request is copied into the response (RFC 8954);
    /// - a request that does not parse, has trailing bytes or asks about nothing gets the
    ///   status malformedRequest (1); one that names none of the issuers, unauthorized (6);
    ///   a failure of OpenSSL, internalError (2). Those unsigned answers have no body.
    public static func answer(request: Data, responder: LabOCSPResponder) -> Data {
        OpenSSLCall.clearErrors()
        defer { OpenSSLCall.clearErrors() }
        let parsed: OpaquePointer? = request.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count > 0 else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            let value = d2i_OCSP_REQUEST(nil, &cursor, buffer.count)
            guard let value else { return nil }
            guard cursor == base + buffer.count else {
                OCSP_REQUEST_free(value)
                return nil
            }
            return value
        }
        guard let parsed else { return unsigned(.malformedRequest) }
        defer { OCSP_REQUEST_free(parsed) }
        let count = OCSP_request_onereq_count(parsed)
        guard count > 0 else { return unsigned(.malformedRequest) }

        do {
            let signers = try responder.issuers.map { (issuer) throws(LabPKIError) in try Signer(issuer) }
            var entries: [(identifier: OpaquePointer, issuer: Int?)] = []
            for index in 0..<count {
                guard let one = OCSP_request_onereq_get0(parsed, index), let identifier = OCSP_onereq_get0_id(one) else {
                    return unsigned(.malformedRequest)
                }
                entries.append((identifier, try issuerIndex(of: identifier, among: signers)))
            }
            guard let signerIndex = entries.lazy.compactMap(\.issuer).first else { return unsigned(.unauthorized) }
            let signer = signers[signerIndex]
            var statuses: [(OpaquePointer, Status)] = []
            for entry in entries {
                var status = Status.unknown
                if entry.issuer == signerIndex, let serial = try serialHex(of: entry.identifier) {
                    status = responder.status(serialNumber: serial, issuer: signer.credential.subject) ?? .unknown
                }
                statuses.append((entry.identifier, status))
            }
            return try sign(statuses, by: signer, validity: responder.validity, request: parsed)
        } catch {
            return unsigned(.internalError)
        }
    }

    /// The unsigned OCSPResponse statuses (RFC 6960 §4.2.1) the responder may answer with.
    public enum ErrorStatus: UInt8, Sendable, Hashable {
        case malformedRequest = 1
        case internalError = 2
        case tryLater = 3
        case sigRequired = 5
        case unauthorized = 6
    }

    /// `OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }` with no responseBytes.
    public static func unsigned(_ status: ErrorStatus) -> Data {
        Data([0x30, 0x03, 0x0A, 0x01, status.rawValue])
    }

    // MARK: - Signing

    /// An issuer's certificate and key, parsed once per answer.
    private struct Signer {
        let credential: LabCredential
        let certificate: LabCertificateHandle
        let key: LabKeyHandle

        init(_ credential: LabCredential) throws(LabPKIError) {
            self.credential = credential
            certificate = try LabCertificateHandle(pem: credential.certificatePEM)
            key = try LabKeyHandle(pem: credential.privateKeyPEM)
        }
    }

    /// The index of the signer whose name and key hashes the CertID carries, in the CertID's
    /// own hash algorithm (OCSP_id_issuer_cmp(3)); nil if none or the algorithm is unknown.
    private static func issuerIndex(of identifier: OpaquePointer, among signers: [Signer]) throws(LabPKIError) -> Int? {
        var algorithm: OpaquePointer?
        guard OCSP_id_get0_info(nil, &algorithm, nil, nil, identifier) == 1, let algorithm,
              let name = OBJ_nid2sn(OBJ_obj2nid(algorithm)), let digest = EVP_get_digestbyname(name) else { return nil }
        for (index, signer) in signers.enumerated() {
            let probe = try OpenSSLCall.check(OCSP_cert_to_id(digest, nil, signer.certificate.pointer), "OCSP_cert_to_id (issuer)")
            defer { OCSP_CERTID_free(probe) }
            if OCSP_id_issuer_cmp(probe, identifier) == 0 { return index }
        }
        return nil
    }

    /// The CertID's serial number in upper-case hexadecimal, as ``LabCredential/serialNumber``.
    private static func serialHex(of identifier: OpaquePointer) throws(LabPKIError) -> String? {
        var serial: UnsafeMutablePointer<ASN1_INTEGER>?
        guard OCSP_id_get0_info(nil, nil, nil, &serial, identifier) == 1, let serial else { return nil }
        return try LabCertificateHandle.hex(serial)
    }

    /// A successful, signed OCSPResponse with one SingleResponse per (CertID, status).
    private static func sign(
        _ statuses: [(identifier: OpaquePointer, status: Status)], by signer: Signer, validity: TimeInterval, request: OpaquePointer?
    ) throws(LabPKIError) -> Data {
        let basic = try OpenSSLCall.check(OCSP_BASICRESP_new(), "OCSP_BASICRESP_new")
        defer { OCSP_BASICRESP_free(basic) }
        let thisUpdate = try OpenSSLCall.check(X509_gmtime_adj(nil, -3600), "X509_gmtime_adj (thisUpdate)")
        defer { ASN1_STRING_free(thisUpdate) }
        let nextUpdate = try OpenSSLCall.check(X509_gmtime_adj(nil, Int(validity)), "X509_gmtime_adj (nextUpdate)")
        defer { ASN1_STRING_free(nextUpdate) }

        for (identifier, status) in statuses {  // add1: each SingleResponse gets a copy of the CertID
            switch status {
            case .good:
                try OpenSSLCall.check(
                    OCSP_basic_add1_status(basic, identifier, V_OCSP_CERTSTATUS_GOOD, 0, nil, thisUpdate, nextUpdate),
                    "OCSP_basic_add1_status (good)")
            case .unknown:
                try OpenSSLCall.check(
                    OCSP_basic_add1_status(basic, identifier, V_OCSP_CERTSTATUS_UNKNOWN, 0, nil, thisUpdate, nextUpdate),
                    "OCSP_basic_add1_status (unknown)")
            case .revoked(let date):
                let revoked = try OpenSSLCall.check(
                    ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))), "ASN1_TIME_set (revocationTime)")
                defer { ASN1_STRING_free(revoked) }
                try OpenSSLCall.check(
                    OCSP_basic_add1_status(basic, identifier, V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
                                           revoked, thisUpdate, nextUpdate),
                    "OCSP_basic_add1_status (revoked)")
            }
        }
        if let request {
            try OpenSSLCall.check(OCSP_copy_nonce(basic, request), "OCSP_copy_nonce")
        }
        try OpenSSLCall.check(
            OCSP_basic_sign(basic, signer.certificate.pointer, signer.key.pointer, EVP_sha256(), nil, 0), "OCSP_basic_sign")
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

/// What an OCSP responder knows: the CAs it answers for, and the status of the certificates
/// they issued, by issuer and serial number. A plain value: the lab's PKI repository holds one
/// and answers with ``LabOCSP/answer(request:responder:)``.
public struct LabOCSPResponder: Sendable, Hashable {
    /// The CAs the responder speaks for (each signs for its own certificates).
    public var issuers: [LabCredential]
    /// How long an answer is valid (nextUpdate − now).
    public var validity: TimeInterval
    private var statuses: [Key: LabOCSP.Status] = [:]

    private struct Key: Hashable, Sendable {
        let issuer: String
        let serialNumber: String
    }

    public init(issuers: [LabCredential], validity: TimeInterval = 7 * 86400) {
        self.issuers = issuers
        self.validity = validity
    }

    /// Records `status` for `certificate` (by its issuer name and serial number).
    public mutating func record(_ status: LabOCSP.Status, for certificate: LabCredential) {
        statuses[Key(issuer: certificate.issuer, serialNumber: certificate.serialNumber)] = status
    }

    /// What the responder says of `certificate`: nil when it has no record (answered `unknown`).
    public func status(of certificate: LabCredential) -> LabOCSP.Status? {
        status(serialNumber: certificate.serialNumber, issuer: certificate.issuer)
    }

    /// The status recorded for a serial number (upper-case hexadecimal) issued by `issuer`
    /// (the issuer's subject, as ``LabCredential/subject``).
    public func status(serialNumber: String, issuer: String) -> LabOCSP.Status? {
        statuses[Key(issuer: issuer, serialNumber: serialNumber.uppercased())]
    }
}
