/// Why a ``LabServer`` could not start: an address beyond loopback, a configuration that cannot
/// be served, a socket or thread the system refused, or an OpenSSL call that failed (with
/// OpenSSL's own messages).
public struct LabServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: Sendable, Hashable {
        /// The endpoint's address is not in 127.0.0.0/8 and not ::1: the lab never binds elsewhere.
        case forbiddenAddress
        /// The endpoint asks for something the server cannot do (e.g. SSLv3 over OpenSSL).
        case invalidConfiguration
        /// socket(2), bind(2), listen(2) or pipe(2) failed; ``LabServerError/errno`` says why.
        case socket
        /// A server thread could not be started.
        case thread
        /// An OpenSSL call failed while building a TLS context; see ``LabServerError/openSSLMessages``.
        case openSSL
    }

    public let reason: Reason
    /// What went wrong, naming the endpoint.
    public let message: String
    /// The system error number, for ``Reason/socket`` and ``Reason/thread``; 0 otherwise.
    public let errno: Int32
    /// What OpenSSL queued, oldest first; empty unless ``Reason/openSSL``.
    public let openSSLMessages: [String]

    public init(_ reason: Reason, _ message: String, errno: Int32 = 0, openSSLMessages: [String] = []) {
        self.reason = reason
        self.message = message
        self.errno = errno
        self.openSSLMessages = openSSLMessages
    }

    public var description: String {
        openSSLMessages.isEmpty ? message : message + ": " + openSSLMessages.joined(separator: "; ")
    }
}
