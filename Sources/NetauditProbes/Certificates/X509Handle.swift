import Foundation
internal import CNetauditShims

// The C side of the certificate code: one final class per long-lived OpenSSL handle
// (X509 *, STACK_OF(X509) *; X509_STORE * is owned by ``TrustStore``), each freed in deinit.
// Short-lived handles (BIO, GENERAL_NAMES, X509_STORE_CTX) are freed by `defer` in the
// function that made them. None of these types leaves the module.

/// An `X509 *` owned by this object (X509_free(3) in deinit).
///
/// Not Sendable: a handle is made, used and dropped by one verification or inspection.
final class X509Handle {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Parses exactly one DER certificate (d2i_X509(3)); nil when the bytes are not a
    /// certificate, or hold something more after it (a certificate message holds one
    /// certificate per entry, so trailing bytes mean the entry is not what it claims).
    convenience init?(der: [UInt8]) {
        guard !der.isEmpty, der.count <= Int(Int32.max) else { return nil }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let certificate = d2i_X509(nil, &cursor, Int(buffer.count)) else { return nil }
            guard let cursor, cursor == base + buffer.count else {
                X509_free(certificate)
                return nil
            }
            return certificate
        }
        ERR_clear_error()  // a failed parse queues errors nobody will read
        guard let parsed else { return nil }
        self.init(owning: parsed)
    }

    /// The certificate as DER (i2d_X509(3)); the encoding it was parsed from, for a parsed one.
    var der: [UInt8] { Self.der(of: pointer) }

    /// `certificate` as DER (i2d_X509(3)); empty if it does not encode.
    static func der(of certificate: OpaquePointer) -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate, &buffer)
        guard length > 0, let buffer else { return [] }
        defer { na_OPENSSL_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// The subject as one RFC 2253 line (X509_get_subject_name(3)); see ``X509Text/name(_:)``.
    var subject: String { X509Text.name(X509_get_subject_name(pointer)) }

    /// The issuer as one RFC 2253 line (X509_get_issuer_name(3)).
    var issuer: String { X509Text.name(X509_get_issuer_name(pointer)) }

    /// Issued by itself *and* its signature verifies with its own key (X509_self_signed(3)
    /// with `verify_signature` = 1): a root, or a self-signed leaf. A certificate whose
    /// names match but whose signature does not verify is not self-signed here; one whose
    /// check fails outright (-1: an unknown key type) is not either.
    var isSelfSigned: Bool {
        let result = X509_self_signed(pointer, 1)
        ERR_clear_error()
        return result == 1
    }
}

/// A `STACK_OF(X509) *` owned by this object (sk_X509_free(3) in deinit), together with the
/// handles of the certificates pushed on it: the stack does not take references, so it
/// keeps their owners alive instead, and they are freed after the stack.
final class X509StackHandle {
    let pointer: OpaquePointer
    private(set) var certificates: [X509Handle] = []

    /// An empty stack (sk_X509_new_null(3)); nil only when memory is exhausted.
    init?() {
        guard let stack = na_sk_X509_new_null() else { return nil }
        pointer = stack
    }

    deinit { na_sk_X509_free(pointer) }

    /// Appends `certificate` (sk_X509_push(3)) and keeps it alive as long as the stack.
    @discardableResult
    func push(_ certificate: X509Handle) -> Bool {
        guard na_sk_X509_push(pointer, certificate.pointer) > 0 else { return false }
        certificates.append(certificate)
        return true
    }

    var count: Int { certificates.count }
}

/// Text out of OpenSSL: names through a memory BIO, C strings with a fallback.
enum X509Text {
    /// `name` as one RFC 2253 line (`CN=good.lab.test,O=Lab`), most specific part first,
    /// with non-ASCII characters left as readable UTF-8 instead of `\XX` escapes
    /// (X509_NAME_print_ex(3) with XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB, which RFC 4514
    /// allows; the same form NetauditLab prints, so the two can be compared). Strings of
    /// other ASN.1 types (BMPString, T61String…) are converted to UTF-8 first.
    static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        return memory { bio in X509_NAME_print_ex(bio, name, 0, na_XN_FLAG_RFC2253_UTF8()) >= 0 } ?? ""
    }

    /// What `write` puts into a fresh memory BIO, as UTF-8 text (BIO_s_mem(3),
    /// BIO_get_mem_data(3)); nil when `write` fails or no BIO can be made. Invalid UTF-8 is
    /// repaired with U+FFFD, never trusted.
    static func memory(_ write: (OpaquePointer) -> Bool) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard write(bio) else {
            ERR_clear_error()
            return nil
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = na_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// A NUL-terminated C string, or `fallback` when OpenSSL returned NULL.
    static func string(_ text: UnsafePointer<CChar>?, fallback: String = "") -> String {
        text.map { String(cString: $0) } ?? fallback
    }

    /// Lower-case hexadecimal, no separators.
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
