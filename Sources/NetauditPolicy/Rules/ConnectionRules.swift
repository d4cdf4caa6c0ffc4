import NetauditCore

extension EndpointRules {
    /// Failures that mean the server never answered with TLS: nothing listening, no TCP
    /// connection, silence after connecting, or no way to connect at all (no route, an
    /// address outside the allow-list).
    static let unreachableFailures: Set<ConnectionOutcome.Failure> = [.refused, .connectTimeout, .tlsTimeout, .other]

    /// Failures where TCP works and the peer answers, but not with a handshake a modern
    /// client completes.
    static let handshakeFailures: Set<ConnectionOutcome.Failure> = [.handshake, .notTLS, .reset]

    /// What every connection finding shows.
    static func connectionEvidence(_ context: EndpointContext, _ failure: ConnectionOutcome.Failure) -> [String: String] {
        let connection = context.observation.connection
        var evidence = [
            "connection.failure": failure.rawValue,
            "connection.tcp_connected": String(connection.tcpConnected),
            "endpoint.target": context.target,
        ]
        if let message = connection.message { evidence["connection.message"] = message }
        if let legacy = connection.legacyHandshake { evidence["connection.legacy_handshake"] = String(legacy) }
        if let problem = context.observation.problem { evidence["probe.problem"] = problem }
        return evidence
    }

    /// `tls.unreachable`: no TCP connection, or no TLS answer before the deadline. The
    /// endpoint's verdict is `unreachable`; nothing else about it can be judged from a
    /// session, since there is none.
    static func tlsUnreachable(_ context: EndpointContext) -> Finding? {
        let connection = context.observation.connection
        guard !connection.modernHandshake, let failure = connection.failure,
              unreachableFailures.contains(failure) else { return nil }
        let target = context.target
        let message: String
        switch failure {
        case .refused:
            message = "Nothing listens on \(target): the TCP connection was refused."
        case .connectTimeout:
            message = "No TCP connection to \(target) before the deadline."
        case .tlsTimeout:
            message = "TCP connects to \(target), but no TLS answer came before the deadline."
        default:
            let reason = context.observation.problem ?? connection.message ?? "no route"
            message = "No connection to \(target): \(reason)."
        }
        return context.finding(.tlsUnreachable, message, connectionEvidence(context, failure))
    }

    /// `tls.handshake_failed`: TCP works, but no handshake succeeds with a modern client
    /// (TLS 1.2+ at OpenSSL's security level 2). The legacy retry may still have read the
    /// chain and headers; the other rules judge those.
    static func tlsHandshakeFailed(_ context: EndpointContext) -> Finding? {
        let connection = context.observation.connection
        guard !connection.modernHandshake, let failure = connection.failure,
              handshakeFailures.contains(failure) else { return nil }
        let target = context.target
        let message: String
        switch failure {
        case .notTLS:
            message = "The server on \(target) answers, but not with TLS."
        case .reset:
            message = "The server on \(target) resets the connection instead of completing a TLS handshake."
        default:
            switch connection.legacyHandshake {
            case true?:
                message = "A modern client (TLS 1.2 or later) cannot complete a TLS handshake with \(target); only a legacy client (TLS 1.0, weak settings) can."
            case false?:
                message = "Neither a modern nor a legacy client can complete a TLS handshake with \(target)."
            case nil:
                message = "A modern client (TLS 1.2 or later) cannot complete a TLS handshake with \(target)."
            }
        }
        return context.finding(.tlsHandshakeFailed, message, connectionEvidence(context, failure))
    }
}
