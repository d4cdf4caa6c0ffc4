import Foundation
import NetauditCore
internal import CNetauditShims

/// Describes certificates exactly as a server sent them: names, serial, subjectAltNames,
/// validity, key, signature algorithm, fingerprint and CA flags, for the policy to judge.
/// It judges nothing itself (weak keys and signatures, expiry are the policy's rules), and
/// it never fails on an odd but parsable certificate: fields OpenSSL cannot read get a
/// neutral value (documented on each) rather than hiding the whole certificate.
enum CertificateInspector {
    /// One certificate, DER; nil for bytes that are not exactly one certificate (d2i_X509(3)).
    static func inspect(_ der: [UInt8]) -> CertificateObservation? {
        guard let certificate = X509Handle(der: der) else { return nil }
        return inspect(certificate)
    }

    /// Every certificate of a chain as sent, leaf first; entries that are not certificates
    /// are left out (the verification reports what that does to the chain).
    static func inspect(chain: [[UInt8]]) -> [CertificateObservation] {
        chain.compactMap { inspect($0) }
    }

    /// `isCA` is X509_check_ca(3) ≠ 0: basicConstraints CA:TRUE (or, as OpenSSL also
    /// accepts, a keyCertSign keyUsage without basicConstraints, or a version 1 self-signed
    /// certificate). `selfSigned` is X509_self_signed(3) with the signature checked: issued by
    /// itself *and* signed with its own key.
    static func inspect(_ certificate: X509Handle) -> CertificateObservation {
        let x509 = certificate.pointer
        let key = publicKey(x509)
        var observation = CertificateObservation(
            subject: certificate.subject,
            issuer: certificate.issuer,
            serialNumber: serialNumber(x509),
            subjectAltNames: subjectAltNames(x509),
            notBefore: date(X509_get0_notBefore(x509)),
            notAfter: date(X509_get0_notAfter(x509)),
            keyType: key.type,
            keyBits: key.bits,
            curve: key.curve,
            signatureAlgorithm: signatureAlgorithm(x509),
            sha256Fingerprint: fingerprint(x509),
            isCA: X509_check_ca(x509) != 0,
            selfSigned: certificate.isSelfSigned)
        let links = CertificateLinks(certificate)
        observation.ocspURLs = links.ocsp
        observation.caIssuersURLs = links.caIssuers
        observation.crlURLs = links.crl
        ERR_clear_error()
        return observation
    }

    // MARK: - Fields

    /// The serial number in upper-case hexadecimal without separators or leading zeros,
    /// as `openssl x509 -serial` prints it (and NetauditLab's credentials hold it); a
    /// negative serial (malformed, but seen in the wild) keeps its "-" sign
    /// (X509_get0_serialNumber(3), ASN1_INTEGER_to_BN(3), BN_bn2hex(3)). Empty if unreadable.
    static func serialNumber(_ x509: OpaquePointer) -> String {
        guard let serial = X509_get0_serialNumber(x509), let number = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "" }
        defer { na_OPENSSL_free(hex) }
        return String(cString: hex)
    }

    /// The dNSName and iPAddress entries of subjectAltName, in the certificate's order
    /// (X509_get_ext_d2i(3) with NID_subject_alt_name, GENERAL_NAME_get0_value(3)). DNS names
    /// are given as written; addresses as canonical text (IPv6 compressed per RFC 5952, by
    /// NetauditCore's ``IPAddress``). Other entry kinds (e-mail, URI, directory names) are
    /// not host names and are left out, as is an iPAddress of a length other than 4 or 16.
    /// A certificate with two subjectAltName extensions (invalid) reads as having none.
    static func subjectAltNames(_ x509: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<na_sk_GENERAL_NAME_num(names) {
            guard let name = na_sk_GENERAL_NAME_value(names, index) else { continue }
            var type: Int32 = 0
            guard let value = GENERAL_NAME_get0_value(name, &type) else { continue }
            let string = value.assumingMemoryBound(to: ASN1_STRING.self)
            let length = Int(ASN1_STRING_length(string))
            guard length >= 0, let data = ASN1_STRING_get0_data(string) else { continue }
            let bytes = Array(UnsafeBufferPointer(start: data, count: length))
            switch type {
            case GEN_DNS:
                result.append(String(decoding: bytes, as: UTF8.self))
            case GEN_IPADD:
                if let address = ipAddress(bytes) { result.append(address.description) }
            default:
                continue
            }
        }
        return result
    }

    /// 4 or 16 network-order bytes as an address; nil for any other length.
    static func ipAddress(_ bytes: [UInt8]) -> IPAddress? {
        func number(_ slice: ArraySlice<UInt8>) -> UInt64 { slice.reduce(0) { $0 << 8 | UInt64($1) } }
        switch bytes.count {
        case 4: return .v4(UInt32(number(bytes[0..<4])))
        case 16: return .v6(number(bytes[0..<8]), number(bytes[8..<16]))
        default: return nil
        }
    }

    /// An ASN1_TIME (UTCTime or GeneralizedTime, always UTC in a certificate) as a Date
    /// (ASN1_TIME_to_tm(3), then timegm(3)). A time OpenSSL cannot read becomes
    /// `Date.distantPast`: conspicuous, and for a notAfter it reads as expired.
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let time else { return .distantPast }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// The certified key (X509_get0_pubkey(3)): its type (EVP_PKEY_get_base_id(3)), size
    /// (EVP_PKEY_get_bits(3)) and, for EC keys, the curve (EVP_PKEY_get_group_name(3), e.g.
    /// "prime256v1", "secp384r1"). RSA-PSS keys are reported as "RSA" (the size rules are
    /// the same). A key OpenSSL cannot load (an unknown algorithm) reads as the algorithm's
    /// OID name or dotted number, with 0 bits.
    static func publicKey(_ x509: OpaquePointer) -> (type: String, bits: Int, curve: String?) {
        guard let key = X509_get0_pubkey(x509) else {
            ERR_clear_error()
            return (keyAlgorithmName(x509), 0, nil)
        }
        let bits = Int(EVP_PKEY_get_bits(key))
        let id = EVP_PKEY_get_base_id(key)
        switch id {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: return ("RSA", bits, nil)
        case EVP_PKEY_EC, EVP_PKEY_SM2: return ("EC", bits, groupName(key))
        case EVP_PKEY_DSA: return ("DSA", bits, nil)
        case EVP_PKEY_ED25519: return ("Ed25519", bits, nil)
        case EVP_PKEY_ED448: return ("Ed448", bits, nil)
        default:
            let name = id != NID_undef ? OBJ_nid2sn(id).map { String(cString: $0) } : nil
            return (name ?? EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? keyAlgorithmName(x509), bits, nil)
        }
    }

    /// The curve of an EC key (EVP_PKEY_get_group_name(3)); nil for explicit parameters.
    private static func groupName(_ key: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The public-key algorithm's name straight from the certificate (X509_get_X509_PUBKEY(3),
    /// X509_PUBKEY_get0_param(3)), for keys OpenSSL cannot load.
    private static func keyAlgorithmName(_ x509: OpaquePointer) -> String {
        var object: OpaquePointer?
        guard let publicKey = X509_get_X509_PUBKEY(x509),
              X509_PUBKEY_get0_param(&object, nil, nil, nil, publicKey) == 1, let object else { return "unknown" }
        return objectName(object)
    }

    /// The signature algorithm's long name (OBJ_nid2ln(3) of X509_get_signature_nid(3)):
    /// sha256WithRSAEncryption, ecdsa-with-SHA256, sha1WithRSAEncryption, md5WithRSAEncryption,
    /// rsassaPss, ED25519. An OID OpenSSL does not know is given in dotted form.
    static func signatureAlgorithm(_ x509: OpaquePointer) -> String {
        let nid = X509_get_signature_nid(x509)
        if nid != NID_undef, let name = OBJ_nid2ln(nid) { return String(cString: name) }
        var algorithm: UnsafePointer<X509_ALGOR>?
        X509_get0_signature(nil, &algorithm, x509)
        var object: OpaquePointer?
        guard let algorithm else { return "unknown" }
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        return object.map(objectName) ?? "unknown"
    }

    /// An ASN1_OBJECT's short name when OpenSSL knows it, else its dotted OID (OBJ_obj2txt(3)).
    private static func objectName(_ object: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 0)
        guard length > 0 else { return "unknown" }
        return String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// SHA-256 of the DER encoding, lower-case hex (X509_digest(3) with EVP_sha256(3)); the
    /// encoding is the one received, which OpenSSL keeps for a parsed certificate.
    static func fingerprint(_ x509: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(x509, EVP_sha256(), &digest, &length) == 1 else {
            ERR_clear_error()
            return ""
        }
        return X509Text.hex(digest.prefix(Int(length)))
    }
}
