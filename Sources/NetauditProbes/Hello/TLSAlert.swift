/// A TLS alert as it travels in an alert record: two bytes, level then description
/// (RFC 5246 §7.2, RFC 8446 §6; SSLv3 uses the same layout, RFC 6101 §5.4.2).
public struct TLSAlert: Sendable, Hashable, CustomStringConvertible {
    /// The alert level (RFC 5246 §7.2): 1 warning, 2 fatal. Kept as a raw byte so that an odd
    /// value can still be reported.
    public struct Level: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The byte on the wire.
        public let rawValue: UInt8
        /// Wraps a level byte; any value is kept, so that an odd one can be reported.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The connection may go on (RFC 5246 §7.2); Apache, for one, sends a warning
        /// `unrecognized_name` before its ServerHello when the SNI name matches no virtual host.
        public static let warning = Level(rawValue: 1)
        /// The connection ends now (RFC 5246 §7.2.2).
        public static let fatal = Level(rawValue: 2)

        public var description: String {
            switch rawValue {
            case 1: return "warning"
            case 2: return "fatal"
            default: return "level(\(rawValue))"
            }
        }
    }

    /// The alert description byte, with the registry names (IANA "TLS Alerts";
    /// RFC 5246 §7.2, RFC 6066 §3, RFC 7507 §2, RFC 8446 §6).
    public struct Description: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The byte on the wire.
        public let rawValue: UInt8
        /// Wraps a description byte, registered or not.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// close_notify (0): the sender is closing the connection (RFC 5246 §7.2.1).
        public static let closeNotify = Description(rawValue: 0)
        /// unexpected_message (10): a message the sender did not expect at this point.
        public static let unexpectedMessage = Description(rawValue: 10)
        /// bad_record_mac (20): a record failed its MAC check.
        public static let badRecordMAC = Description(rawValue: 20)
        /// record_overflow (22): a record too long; old servers answer garbage with it too.
        public static let recordOverflow = Description(rawValue: 22)
        /// handshake_failure (40): "unable to negotiate an acceptable set of security
        /// parameters", the usual answer when no offered suite is enabled (RFC 5246 §7.2.2);
        /// OpenSSL also sends it to an SSLv3 hello, SSLv3 having no protocol_version alert.
        public static let handshakeFailure = Description(rawValue: 40)
        /// no_certificate (41): SSLv3 only (RFC 6101 §5.4.2).
        public static let noCertificate = Description(rawValue: 41)
        /// illegal_parameter (47): a field out of range or inconsistent.
        public static let illegalParameter = Description(rawValue: 47)
        /// access_denied (49): the sender refuses this peer.
        public static let accessDenied = Description(rawValue: 49)
        /// decode_error (50): a message that could not be decoded.
        public static let decodeError = Description(rawValue: 50)
        /// decrypt_error (51): a handshake cryptographic operation failed.
        public static let decryptError = Description(rawValue: 51)
        /// export_restriction (60): an export limitation refused; reserved since TLS 1.1 (RFC 4346 §7.2.2).
        public static let exportRestriction = Description(rawValue: 60)
        /// protocol_version (70): the offered version is recognised but not supported (RFC 5246 §7.2.2).
        public static let protocolVersion = Description(rawValue: 70)
        /// insufficient_security (71): the server demands stronger suites than those offered (RFC 5246 §7.2.2).
        public static let insufficientSecurity = Description(rawValue: 71)
        /// internal_error (80): a failure unrelated to the peer; OpenSSL 3 answers a TLS 1.0/1.1
        /// hello with it when its security level leaves no signature algorithm for that version.
        public static let internalError = Description(rawValue: 80)
        /// inappropriate_fallback (86): the server saw TLS_FALLBACK_SCSV with a version below
        /// its best (RFC 7507 §2); the probes never send that SCSV, so this means a middlebox
        /// or a broken server.
        public static let inappropriateFallback = Description(rawValue: 86)
        /// user_canceled (90): the handshake is being cancelled.
        public static let userCanceled = Description(rawValue: 90)
        /// no_renegotiation (100): a renegotiation request refused.
        public static let noRenegotiation = Description(rawValue: 100)
        /// missing_extension (109): a required extension is absent (RFC 8446 §6.2).
        public static let missingExtension = Description(rawValue: 109)
        /// unsupported_extension (110): an extension the sender did not expect.
        public static let unsupportedExtension = Description(rawValue: 110)
        /// unrecognized_name (112): the SNI name is not one the server serves (RFC 6066 §3);
        /// often at warning level, before a ServerHello.
        public static let unrecognizedName = Description(rawValue: 112)
        /// no_application_protocol (120): no ALPN protocol in common (RFC 7301 §3.2).
        public static let noApplicationProtocol = Description(rawValue: 120)

        /// The registry name, or `nil` for a value not registered.
        public var name: String? {
            switch rawValue {
            case 0: return "close_notify"
            case 10: return "unexpected_message"
            case 20: return "bad_record_mac"
            case 21: return "decryption_failed"
            case 22: return "record_overflow"
            case 30: return "decompression_failure"
            case 40: return "handshake_failure"
            case 41: return "no_certificate"
            case 42: return "bad_certificate"
            case 43: return "unsupported_certificate"
            case 44: return "certificate_revoked"
            case 45: return "certificate_expired"
            case 46: return "certificate_unknown"
            case 47: return "illegal_parameter"
            case 48: return "unknown_ca"
            case 49: return "access_denied"
            case 50: return "decode_error"
            case 51: return "decrypt_error"
            case 60: return "export_restriction"
            case 70: return "protocol_version"
            case 71: return "insufficient_security"
            case 80: return "internal_error"
            case 86: return "inappropriate_fallback"
            case 90: return "user_canceled"
            case 100: return "no_renegotiation"
            case 109: return "missing_extension"
            case 110: return "unsupported_extension"
            case 111: return "certificate_unobtainable"
            case 112: return "unrecognized_name"
            case 113: return "bad_certificate_status_response"
            case 114: return "bad_certificate_hash_value"
            case 115: return "unknown_psk_identity"
            case 116: return "certificate_required"
            case 120: return "no_application_protocol"
            default: return nil
            }
        }

        /// `handshake_failure(40)`, or `alert(199)` for an unregistered value.
        public var description: String { "\(name ?? "alert")(\(rawValue))" }
    }

    /// Warning or fatal.
    public let level: Level
    /// What went wrong (named `alertDescription` because `description` is the text form).
    public let alertDescription: Description

    /// An alert from its two fields.
    public init(level: Level, description: Description) {
        self.level = level
        self.alertDescription = description
    }

    /// `fatal handshake_failure(40)`.
    public var description: String { "\(level) \(alertDescription)" }
}
