/// Why the lab's PKI could not make a certificate: an invalid ``LabCertificateSpec``, an
/// OpenSSL call that failed (with OpenSSL's own messages), or a file that could not be written.
public struct LabPKIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: Sendable, Hashable {
        /// The spec asks for something that cannot be made (checked before any OpenSSL call).
        case invalidSpec
        /// An OpenSSL call failed; ``LabPKIError/openSSLMessages`` holds what OpenSSL queued.
        case openSSL
        /// Writing PEM files failed.
        case file
    }

    public let reason: Reason
    /// What went wrong, in words; for an OpenSSL failure, the call and what it was doing.
    public let message: String
    /// The messages drained from OpenSSL's thread-local error queue, oldest first
    /// (ERR_get_error(3), ERR_error_string_n(3)); empty for the other reasons.
    public let openSSLMessages: [String]

    public init(_ reason: Reason, _ message: String, openSSLMessages: [String] = []) {
        self.reason = reason
        self.message = message
        self.openSSLMessages = openSSLMessages
    }

    public var description: String {
        openSSLMessages.isEmpty ? message : message + ": " + openSSLMessages.joined(separator: "; ")
    }

    static func invalidSpec(_ message: String) -> LabPKIError { LabPKIError(.invalidSpec, message) }
}
