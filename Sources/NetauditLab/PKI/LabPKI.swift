import Foundation
internal import CNetauditShims

/// The lab's private PKI: makes version 3 certificates with OpenSSL's C API, self-signed
/// (roots, or self-signed leaves for the lab's failing cases) or issued by another lab
/// credential (intermediates and leaves).
///
/// Every certificate gets a random 128-bit positive serial number (BN_rand(3)), a subject
/// and issuer of CN (and O), and these extensions (x509v3_config(5)):
/// - basicConstraints, critical: `CA:TRUE` (with `pathlen` if set) for CAs, `CA:FALSE` for leaves;
/// - keyUsage, critical: keyCertSign and cRLSign for CAs; digitalSignature for leaves, plus
///   keyEncipherment for RSA leaves;
/// - extendedKeyUsage serverAuth, for leaves;
/// - subjectKeyIdentifier (hash of the public key); authorityKeyIdentifier (keyid) for issued ones;
/// - subjectAltName with the spec's DNS and IP entries, if it has any;
/// - authorityInfoAccess (id-ad-ocsp, then id-ad-caIssuers URIs) and cRLDistributionPoints
///   (fullName URIs), if the spec has such URLs.
///
/// Nothing checks that an issuer is a CA or that validity periods nest: the lab builds
/// broken chains on purpose. Keys come from ``LabKeySource``: fresh for each certificate,
/// or one shared per kind and process (see there for when that is safe).
public enum LabPKI {
    /// A certificate signed with its own key: subject and issuer are the same name.
    public static func selfSigned(_ spec: LabCertificateSpec) throws(LabPKIError) -> LabCredential {
        try spec.validate()
        OpenSSLCall.clearErrors()
        if spec.digest == .md5, case .ecdsa = spec.key {
            throw .invalidSpec("MD5 signatures exist only for RSA keys, and this self-signed certificate has an \(spec.key) key")
        }
        let key = try LabKeyCache.key(spec.key, from: spec.keySource)
        return try make(spec, key: key, issuer: nil, intermediates: [])
    }

    /// A certificate for `spec`, signed by `issuer`'s key with `spec.digest`; its issuer name
    /// and authorityKeyIdentifier come from `issuer`'s certificate. The result's
    /// ``LabCredential/intermediatesPEM`` are `issuer` and its intermediates, unless `issuer`
    /// is self-signed (a root is left out of chains).
    public static func issue(_ spec: LabCertificateSpec, by issuer: LabCredential) throws(LabPKIError) -> LabCredential {
        try spec.validate()
        OpenSSLCall.clearErrors()
        let issuerCertificate = try LabCertificateHandle(pem: issuer.certificatePEM)
        let issuerKey = try LabKeyHandle(pem: issuer.privateKeyPEM)
        if spec.digest == .md5, !issuerKey.isRSA {
            throw .invalidSpec("MD5 signatures exist only for RSA keys, and the issuer \(issuer.subject) has an \(issuer.keyKind) key")
        }
        let key = try LabKeyCache.key(spec.key, from: spec.keySource)
        let intermediates = issuer.isSelfSigned ? [] : [issuer.certificatePEM] + issuer.intermediatesPEM
        return try make(spec, key: key, issuer: (issuerCertificate, issuerKey), intermediates: intermediates)
    }

    // MARK: - Building

    private static func make(
        _ spec: LabCertificateSpec, key: LabKeyHandle,
        issuer: (certificate: LabCertificateHandle, key: LabKeyHandle)?, intermediates: [String]
    ) throws(LabPKIError) -> LabCredential {
        OpenSSLCall.clearErrors()
        let certificate = try LabCertificateHandle()
        let x509 = certificate.pointer
        try OpenSSLCall.check(X509_set_version(x509, Int(X509_VERSION_3)), "X509_set_version")
        try setRandomSerial(x509)

        let subject = try name(spec)
        defer { X509_NAME_free(subject) }
        try OpenSSLCall.check(X509_set_subject_name(x509, subject), "X509_set_subject_name")
        var issuerName = subject
        if let issuer {
            issuerName = try OpenSSLCall.check(X509_get_subject_name(issuer.certificate.pointer), "X509_get_subject_name (issuer)")
        }
        try OpenSSLCall.check(X509_set_issuer_name(x509, issuerName), "X509_set_issuer_name")

        let (notBefore, notAfter) = spec.validitySeconds
        try OpenSSLCall.check(ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore)), "ASN1_TIME_set (notBefore)")
        try OpenSSLCall.check(ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter)), "ASN1_TIME_set (notAfter)")
        try OpenSSLCall.check(X509_set_pubkey(x509, key.pointer), "X509_set_pubkey")

        try addExtensions(spec, to: certificate, subjectKey: key, issuer: issuer?.certificate)

        let signingKey = issuer?.key ?? key
        try OpenSSLCall.check(X509_sign(x509, signingKey.pointer, digest(spec.digest)), "X509_sign (\(spec.digest))")

        return LabCredential(
            certificatePEM: try certificate.pem(),
            privateKeyPEM: try key.pem(),
            certificateDER: try certificate.der(),
            subject: try certificate.subject(),
            issuer: try certificate.issuer(),
            serialNumber: try certificate.serialHex(),
            notBefore: Date(timeIntervalSince1970: TimeInterval(notBefore)),
            notAfter: Date(timeIntervalSince1970: TimeInterval(notAfter)),
            keyKind: spec.key,
            isCA: spec.isCA,
            isSelfSigned: issuer == nil,
            intermediatesPEM: intermediates)
    }

    /// A random positive serial of exactly 128 bits (top bit set): RFC 5280 allows 20 octets,
    /// and 128 random bits make collisions between lab certificates impossible in practice
    /// (BN_rand(3), BN_to_ASN1_INTEGER(3)).
    private static func setRandomSerial(_ x509: OpaquePointer) throws(LabPKIError) {
        let number = try OpenSSLCall.check(BN_new(), "BN_new")
        defer { BN_free(number) }
        try OpenSSLCall.check(BN_rand(number, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), "BN_rand")
        let serial = try OpenSSLCall.check(X509_get_serialNumber(x509), "X509_get_serialNumber")
        try OpenSSLCall.check(BN_to_ASN1_INTEGER(number, serial), "BN_to_ASN1_INTEGER")
    }

    /// The subject name: O (if any), then CN, as UTF8Strings (X509_NAME_add_entry_by_txt(3));
    /// OpenSSL refuses values longer than X.520's upper bound (64 characters).
    private static func name(_ spec: LabCertificateSpec) throws(LabPKIError) -> OpaquePointer {
        let name = try OpenSSLCall.check(X509_NAME_new(), "X509_NAME_new")
        do {
            var entries: [(field: String, value: String)] = []
            if let organization = spec.organization { entries.append(("O", organization)) }
            entries.append(("CN", spec.commonName))
            for (field, value) in entries {
                let bytes = Array(value.utf8)
                try OpenSSLCall.check(
                    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0),
                    "X509_NAME_add_entry_by_txt (\(field)=\(value))")
            }
            return name
        } catch {
            X509_NAME_free(name)
            throw error
        }
    }

    /// The extensions listed on ``LabPKI``: fixed values go through OpenSSL's own parser of
    /// x509v3_config(5) strings (X509V3_EXT_nconf_nid(3)); subjectAltName entries, which come
    /// from the caller, are built as GENERAL_NAMEs so that no text of theirs is parsed.
    private static func addExtensions(
        _ spec: LabCertificateSpec, to certificate: LabCertificateHandle, subjectKey: LabKeyHandle,
        issuer: LabCertificateHandle?
    ) throws(LabPKIError) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.pointer ?? certificate.pointer, certificate.pointer, nil, nil, 0)
        na_X509V3_set_ctx_nodb(&context)

        var extensions: [(nid: Int32, value: String)] = []
        if spec.isCA {
            extensions.append((NID_basic_constraints, "critical,CA:TRUE" + (spec.pathLength.map { ",pathlen:\($0)" } ?? "")))
            extensions.append((NID_key_usage, "critical,keyCertSign,cRLSign"))
        } else {
            extensions.append((NID_basic_constraints, "critical,CA:FALSE"))
            extensions.append((NID_key_usage, subjectKey.isRSA ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"))
            extensions.append((NID_ext_key_usage, "serverAuth"))
        }
        extensions.append((NID_subject_key_identifier, "hash"))
        if issuer != nil {
            extensions.append((NID_authority_key_identifier, "keyid:always"))
        }
        for (nid, value) in extensions {
            let name = String(cString: OBJ_nid2sn(nid))
            let extensionPointer = try OpenSSLCall.check(
                X509V3_EXT_nconf_nid(nil, &context, nid, value), "X509V3_EXT_nconf_nid (\(name)=\(value))")
            defer { X509_EXTENSION_free(extensionPointer) }
            try OpenSSLCall.check(X509_add_ext(certificate.pointer, extensionPointer, -1), "X509_add_ext (\(name))")
        }
        if !spec.subjectAltNames.isEmpty {
            try addSubjectAltNames(spec.subjectAltNames, to: certificate)
        }
        if !spec.ocspURLs.isEmpty || !spec.caIssuersURLs.isEmpty {
            let added = withCStrings(spec.ocspURLs) { ocsp in
                withCStrings(spec.caIssuersURLs) { issuers in
                    na_lab_X509_add_info_access(
                        certificate.pointer, ocsp.baseAddress, Int32(ocsp.count), issuers.baseAddress, Int32(issuers.count))
                }
            }
            try OpenSSLCall.check(added, "X509_add1_ext_i2d (authorityInfoAccess)")
        }
        if !spec.crlURLs.isEmpty {
            let added = withCStrings(spec.crlURLs) {
                na_lab_X509_add_crl_distribution_points(certificate.pointer, $0.baseAddress, Int32($0.count))
            }
            try OpenSSLCall.check(added, "X509_add1_ext_i2d (cRLDistributionPoints)")
        }
    }

    /// Runs `body` with `strings` as an array of C strings, valid only during the call.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> Result
    ) -> Result {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer(body)
    }

    /// subjectAltName, not critical (the subject has a CN): dNSName as IA5String, iPAddress as
    /// 4 or 16 octets (GENERAL_NAME_set0_value(3), X509_add1_ext_i2d(3)).
    private static func addSubjectAltNames(_ entries: [LabSubjectAltName], to certificate: LabCertificateHandle) throws(LabPKIError) {
        let names = try OpenSSLCall.check(GENERAL_NAMES_new(), "GENERAL_NAMES_new")
        defer { GENERAL_NAMES_free(names) }
        for entry in entries {
            let general = try OpenSSLCall.check(GENERAL_NAME_new(), "GENERAL_NAME_new")
            let bytes: [UInt8]
            let type: Int32
            let value: UnsafeMutablePointer<ASN1_STRING>?
            switch entry {
            case .dns(let name):
                (bytes, type, value) = (Array(name.utf8), GEN_DNS, ASN1_IA5STRING_new())
            case .ip(let address):
                (bytes, type, value) = (address.bytes, GEN_IPADD, ASN1_OCTET_STRING_new())
            }
            guard let value else {
                GENERAL_NAME_free(general)
                throw OpenSSLCall.failure("ASN1_STRING_new (\(entry))")
            }
            GENERAL_NAME_set0_value(general, type, value)  // `general` owns `value` from here
            do {
                try OpenSSLCall.check(ASN1_STRING_set(value, bytes, Int32(bytes.count)), "ASN1_STRING_set (\(entry))")
                try OpenSSLCall.check(na_sk_GENERAL_NAME_push(names, general), "sk_GENERAL_NAME_push")
            } catch {
                GENERAL_NAME_free(general)
                throw error
            }
        }
        try OpenSSLCall.check(
            X509_add1_ext_i2d(certificate.pointer, NID_subject_alt_name, UnsafeMutableRawPointer(names), 0, UInt(X509V3_ADD_DEFAULT)),
            "X509_add1_ext_i2d (subjectAltName)")
    }

    /// The digest for X509_sign(3) (EVP_sha256(3) and friends).
    private static func digest(_ digest: LabDigest) -> OpaquePointer? {
        switch digest {
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha1: return EVP_sha1()
        case .md5: return EVP_md5()
        }
    }
}
