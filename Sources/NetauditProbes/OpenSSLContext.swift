internal import CNetauditShims

/// An OpenSSL failure, with the messages drained from OpenSSL's thread-local error queue.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    public let messages: [String]

    public var description: String {
        messages.isEmpty ? "OpenSSL error (no detail queued)" : messages.joined(separator: "; ")
    }

    /// Empties the error queue into an error value, so that no stale entry is blamed on a later call.
    static func drain() -> OpenSSLError {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(messages: messages)
    }
}

/// TLS protocol versions, as OpenSSL numbers them.
public enum TLSVersion: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case ssl3 = 0x0300
    case tls1_0 = 0x0301
    case tls1_1 = 0x0302
    case tls1_2 = 0x0303
    case tls1_3 = 0x0304

    public var description: String {
        switch self {
        case .ssl3: return "SSLv3"
        case .tls1_0: return "TLSv1.0"
        case .tls1_1: return "TLSv1.1"
        case .tls1_2: return "TLSv1.2"
        case .tls1_3: return "TLSv1.3"
        }
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One OpenSSL client `SSL_CTX`, owned here and freed in `deinit`.
final class OpenSSLClientContext {
    let context: OpaquePointer

    init() throws(OpenSSLError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw OpenSSLError.drain() }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    /// Restricts the versions the client offers (SSL_CTX_set_min_proto_version(3)).
    func setProtocols(_ range: ClosedRange<TLSVersion>) throws(OpenSSLError) {
        guard na_SSL_CTX_set_min_proto_version(context, Int32(range.lowerBound.rawValue)) == 1,
              na_SSL_CTX_set_max_proto_version(context, Int32(range.upperBound.rawValue)) == 1 else {
            throw OpenSSLError.drain()
        }
    }

    /// The versions the context offers; nil bounds mean "as low / as high as the library allows".
    var protocols: (minimum: TLSVersion?, maximum: TLSVersion?) {
        (TLSVersion(rawValue: Int(na_SSL_CTX_get_min_proto_version(context))),
         TLSVersion(rawValue: Int(na_SSL_CTX_get_max_proto_version(context))))
    }

    /// OpenSSL's security level (SSL_CTX_set_security_level(3)); Debian's default 2 refuses
    /// TLS 1.0/1.1 and small keys, which the protocol checks must still be able to offer.
    var securityLevel: Int {
        get { Int(SSL_CTX_get_security_level(context)) }
        set { SSL_CTX_set_security_level(context, Int32(newValue)) }
    }
}
