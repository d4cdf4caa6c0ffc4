import Foundation
internal import CNetauditShims

// The C side of the lab's PKI: one checking helper for every OpenSSL return code, and one
// final class per long-lived handle (EVP_PKEY *, X509 *), freed in deinit. Short-lived
// handles (BIO, BIGNUM, names, extensions) are freed by `defer` in the function that made them.

/// The one place OpenSSL return codes are judged: a failure drains the thread's error queue
/// into a ``LabPKIError`` naming the call.
enum OpenSSLCall {
    /// Checks an integer return code; by default, OpenSSL's "1 (or a positive length) is success".
    @discardableResult
    static func check<Code: BinaryInteger>(
        _ code: Code, _ call: String, success: (Code) -> Bool = { $0 > 0 }
    ) throws(LabPKIError) -> Code {
        guard success(code) else { throw failure(call) }
        return code
    }

    /// Checks a returned pointer: NULL is a failure.
    @discardableResult
    static func check<Value>(_ value: Value?, _ call: String) throws(LabPKIError) -> Value {
        guard let value else { throw failure(call) }
        return value
    }

    /// Empties the queue so that a later failure is not blamed on an earlier, unrelated one
    /// (ERR_clear_error(3)).
    static func clearErrors() { ERR_clear_error() }

    /// The failure of `call`, with every message OpenSSL queued for it (ERR_get_error(3),
    /// ERR_error_string_n(3)); the queue is empty afterwards.
    static func failure(_ call: String) -> LabPKIError {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return LabPKIError(.openSSL, "\(call) failed", openSSLMessages: messages)
    }

    /// What `write` puts into a fresh memory BIO, as text (BIO_s_mem(3)).
    static func text(_ call: String, success: (Int32) -> Bool = { $0 > 0 }, _ write: (OpaquePointer) -> Int32) throws(LabPKIError) -> String {
        let bio = try check(BIO_new(BIO_s_mem()), "BIO_new")
        defer { BIO_free(bio) }
        try check(write(bio), call, success: success)
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = try check(na_BIO_get_mem_data(bio, &data), "BIO_get_mem_data", success: { $0 >= 0 })
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// Runs `read` on a read-only memory BIO over `text` (BIO_new_mem_buf(3)).
    static func reading<Value>(_ text: String, _ read: (OpaquePointer) -> Value?, _ call: String) throws(LabPKIError) -> Value {
        let bytes = Array(text.utf8)
        let value: Value? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return read(bio)
        }
        return try check(value, call)
    }
}

/// An `EVP_PKEY *` owned by this object (EVP_PKEY_free(3) in deinit).
final class LabKeyHandle {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Generates a key of `kind` (EVP_RSA_gen(3), EVP_EC_gen(3)); the kind must be valid.
    static func generate(_ kind: LabKeyKind) throws(LabPKIError) -> LabKeyHandle {
        OpenSSLCall.clearErrors()
        switch kind {
        case .rsa(let bits):
            return LabKeyHandle(owning: try OpenSSLCall.check(na_EVP_RSA_gen(UInt32(bits)), "EVP_RSA_gen(\(bits))"))
        case .ecdsa(let curve):
            return LabKeyHandle(owning: try OpenSSLCall.check(na_EVP_EC_gen(curve.openSSLName), "EVP_EC_gen(\(curve))"))
        }
    }

    /// Parses a PEM private key (PEM_read_bio_PrivateKey(3)).
    init(pem: String) throws(LabPKIError) {
        pointer = try OpenSSLCall.reading(pem, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }, "PEM_read_bio_PrivateKey")
    }

    /// The key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), which
    /// SSL_CTX_use_PrivateKey_file(3) reads (PEM_write_bio_PrivateKey(3)).
    func pem() throws(LabPKIError) -> String {
        try OpenSSLCall.text("PEM_write_bio_PrivateKey") { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) }
    }

    /// Whether this is an EC key (EVP_PKEY_is_a(3)).
    var isEC: Bool { EVP_PKEY_is_a(pointer, "EC") == 1 }
    /// Whether this is an RSA key (EVP_PKEY_is_a(3)).
    var isRSA: Bool { EVP_PKEY_is_a(pointer, "RSA") == 1 }
}

/// An `X509 *` owned by this object (X509_free(3) in deinit).
final class LabCertificateHandle {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// An empty certificate (X509_new(3)).
    convenience init() throws(LabPKIError) {
        self.init(owning: try OpenSSLCall.check(X509_new(), "X509_new"))
    }

    /// Parses a PEM certificate (PEM_read_bio_X509(3)).
    init(pem: String) throws(LabPKIError) {
        pointer = try OpenSSLCall.reading(pem, { PEM_read_bio_X509($0, nil, nil, nil) }, "PEM_read_bio_X509")
    }

    /// The certificate as PEM (PEM_write_bio_X509(3)).
    func pem() throws(LabPKIError) -> String {
        try OpenSSLCall.text("PEM_write_bio_X509") { PEM_write_bio_X509($0, pointer) }
    }

    /// The certificate as DER (i2d_X509(3)).
    func der() throws(LabPKIError) -> Data {
        let length = try OpenSSLCall.check(i2d_X509(pointer, nil), "i2d_X509 (length)")
        var data = Data(count: Int(length))
        let written = data.withUnsafeMutableBytes { buffer -> Int32 in
            var out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return i2d_X509(pointer, &out)
        }
        try OpenSSLCall.check(written, "i2d_X509", success: { $0 == length })
        return data
    }

    /// The subject as one RFC 2253 line, UTF-8 left unescaped (X509_NAME_print_ex(3)).
    func subject() throws(LabPKIError) -> String {
        try Self.oneLine(X509_get_subject_name(pointer), "subject")
    }

    /// The issuer as one RFC 2253 line, UTF-8 left unescaped (X509_NAME_print_ex(3)).
    func issuer() throws(LabPKIError) -> String {
        try Self.oneLine(X509_get_issuer_name(pointer), "issuer")
    }

    private static func oneLine(_ name: OpaquePointer?, _ which: String) throws(LabPKIError) -> String {
        let name = try OpenSSLCall.check(name, "X509_get_\(which)_name")
        return try OpenSSLCall.text("X509_NAME_print_ex (\(which))", success: { $0 >= 0 }) {
            X509_NAME_print_ex($0, name, 0, na_XN_FLAG_RFC2253_UTF8())
        }
    }

    /// The serial number in upper-case hexadecimal, as `openssl x509 -serial` prints it
    /// (ASN1_INTEGER_to_BN(3), BN_bn2hex(3)).
    func serialHex() throws(LabPKIError) -> String {
        try Self.hex(try OpenSSLCall.check(X509_get0_serialNumber(pointer), "X509_get0_serialNumber"))
    }

    /// A serial number in upper-case hexadecimal (ASN1_INTEGER_to_BN(3), BN_bn2hex(3)).
    static func hex(_ serial: UnsafePointer<ASN1_INTEGER>) throws(LabPKIError) -> String {
        let number = try OpenSSLCall.check(ASN1_INTEGER_to_BN(serial, nil), "ASN1_INTEGER_to_BN")
        defer { BN_free(number) }
        let hex = try OpenSSLCall.check(BN_bn2hex(number), "BN_bn2hex")
        defer { na_OPENSSL_free(hex) }
        return String(cString: hex)
    }
}
