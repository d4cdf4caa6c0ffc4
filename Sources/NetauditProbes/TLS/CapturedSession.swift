internal import CNetauditShims
import NetauditCore

/// What the HTTPS request's OpenSSL session says, read while the connection is live
/// (CURLINFO_TLS_SSL_PTR is only valid then): protocol, cipher, key exchange, OCSP
/// stapling, and the certificates exactly as the server sent them (DER, leaf first).
struct CapturedSession: Sendable {
    var version: Int
    var cipherIANA: String
    var cipherOpenSSL: String
    var cipherCode: Int
    var keyExchange: String?
    var ocspStapled: Bool
    /// The stapled OCSP response, DER, when there is one.
    var ocspResponse: [UInt8]?
    var chainDER: [[UInt8]]
    var legacy: Bool

    init(ssl: OpaquePointer, legacy: Bool) {
        self.legacy = legacy
        version = Int(SSL_version(ssl))
        if let cipher = SSL_get_current_cipher(ssl) {
            cipherOpenSSL = String(cString: SSL_CIPHER_get_name(cipher))
            cipherIANA = SSL_CIPHER_standard_name(cipher).map { String(cString: $0) } ?? cipherOpenSSL
            cipherCode = Int(SSL_CIPHER_get_protocol_id(cipher))
        } else {
            cipherOpenSSL = "(none)"
            cipherIANA = "(none)"
            cipherCode = 0
        }
        keyExchange = Self.keyExchange(ssl)
        var response: UnsafePointer<UInt8>?
        let stapledLength = na_SSL_get_tlsext_status_ocsp_resp(ssl, &response)
        ocspStapled = stapledLength > 0
        if stapledLength > 0, stapledLength < 1 << 20, let response {
            ocspResponse = Array(UnsafeBufferPointer(start: response, count: stapledLength))
        }
        var chain: [[UInt8]] = []
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<na_sk_X509_num(stack) {
                guard let certificate = na_sk_X509_value(stack, index) else { continue }
                var buffer: UnsafeMutablePointer<UInt8>?
                let length = i2d_X509(certificate, &buffer)
                if length > 0, let buffer {
                    chain.append(Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
                    na_OPENSSL_free(buffer)
                }
            }
        }
        chainDER = chain
    }

    /// The negotiated group (x25519, secp256r1, ffdhe2048…), else the server's ephemeral
    /// key ("DH 2048"), else nil (static RSA key transport has none).
    static func keyExchange(_ ssl: OpaquePointer) -> String? {
        let group = na_SSL_get_negotiated_group(ssl)
        if group > 0, let name = SSL_group_to_name(ssl, group) { return String(cString: name) }
        var key: OpaquePointer?
        guard na_SSL_get_peer_tmp_key(ssl, &key) == 1, let key else { return nil }
        defer { EVP_PKEY_free(key) }
        let bits = na_EVP_PKEY_bits(key)
        let type = EVP_PKEY_get_base_id(key)
        switch type {
        case EVP_PKEY_DH: return "DH \(bits)"
        case EVP_PKEY_EC: return "EC \(bits)"
        case EVP_PKEY_X25519: return "x25519"
        case EVP_PKEY_X448: return "x448"
        default: return OBJ_nid2sn(type).map { "\(String(cString: $0)) \(bits)" }
        }
    }

    var observation: TLSSessionObservation {
        TLSSessionObservation(protocolVersion: TLSProtocolVersion(wireValue: version), cipher: cipherIANA,
                              cipherOpenSSLName: cipherOpenSSL, cipherCode: cipherCode, keyExchange: keyExchange,
                              ocspStapled: ocspStapled, legacy: legacy)
    }
}
