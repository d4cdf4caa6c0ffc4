import Foundation
import NetauditCore
internal import CNetauditShims

/// Whether a certificate is for the name the client asked for, as RFC 6125 and browsers
/// judge it: subjectAltName only. The subject's commonName is never consulted, with or
/// without subjectAltNames (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT); wildcards match exactly one
/// whole left-most label (`*.lab.test` matches `a.lab.test`, not `a.b.lab.test` nor
/// `lab.test`), and partial wildcards such as `a*.lab.test` match nothing
/// (X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS).
enum HostnameMatcher {
    /// The flags of X509_check_host(3) described on the type.
    static let hostFlags = UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)

    /// Whether the leaf `der` matches `serverName`: an IP literal (IPv4, or IPv6 with or
    /// without brackets) against iPAddress entries (X509_check_ip_asc(3)), anything else as
    /// a DNS name against dNSName entries, case-insensitively and ignoring one trailing dot
    /// (X509_check_host(3)). False for a leaf that does not decode or an empty name.
    static func matches(_ der: [UInt8], serverName: String) -> Bool {
        guard let leaf = X509Handle(der: der) else { return false }
        return matches(leaf, serverName: serverName)
    }

    static func matches(_ leaf: X509Handle, serverName: String) -> Bool {
        check(leaf, serverName: serverName) == X509_V_OK
    }

    /// The check of ``matches(_:serverName:)`` as OpenSSL's verification would report it:
    /// X509_V_OK, X509_V_ERR_IP_ADDRESS_MISMATCH for an IP literal, X509_V_ERR_HOSTNAME_MISMATCH
    /// otherwise (and for a leaf that does not decode).
    static func check(_ der: [UInt8], serverName: String) -> Int32 {
        guard let leaf = X509Handle(der: der) else { return X509_V_ERR_HOSTNAME_MISMATCH }
        return check(leaf, serverName: serverName)
    }

    static func check(_ leaf: X509Handle, serverName: String) -> Int32 {
        var name = serverName
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        defer { ERR_clear_error() }
        if let address = IPAddress(name) {
            return X509_check_ip_asc(leaf.pointer, address.description, 0) == 1 ? X509_V_OK : X509_V_ERR_IP_ADDRESS_MISMATCH
        }
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, !name.utf8.contains(0) else { return X509_V_ERR_HOSTNAME_MISMATCH }
        let bytes = Array(name.utf8)
        return X509_check_host(leaf.pointer, name, bytes.count, hostFlags, nil) == 1 ? X509_V_OK : X509_V_ERR_HOSTNAME_MISMATCH
    }
}

/// The trust part of a TLS observation: the chain as sent, verified against public trust and
/// government trust (``ChainVerifier``), and the host name (``HostnameMatcher``), each with
/// OpenSSL's verify code and message (a mismatch is X509_V_ERR_HOSTNAME_MISMATCH, 62, or
/// X509_V_ERR_IP_ADDRESS_MISMATCH, 64, as a verification with X509_VERIFY_PARAM_set1_host
/// would report it).
enum TrustEvaluation {
    /// Evaluates `chain` (DER, leaf first, exactly as sent) for `serverName` at `time`.
    ///
    /// - `publicStore`: Debian's bundle (``TrustStore/init(bundle:)``); nil when it could not be
    ///   loaded, in which case public trust is judged against an empty store and fails with
    ///   OpenSSL's own "unable to get local issuer certificate" (or the self-signed codes).
    /// - `governmentStore`: the inventory's anchors (``TrustStore/init(anchorFiles:)``); nil
    ///   when there are none, and then `governmentTrust` is nil too.
    ///
    /// Both stores are meant to be made once per run and shared by every evaluation.
    /// Returns nil for an empty chain (nothing was sent to judge).
    /// `fetched`: certificates the chain's caIssuers URL gave (see ``ChainVerifier/verify(_:against:at:fetched:)``).
    static func evaluate(chain: [[UInt8]], serverName: String, at time: Date,
                         publicStore: TrustStore?, governmentStore: TrustStore?, fetched: [[UInt8]] = []) -> TrustObservation? {
        guard let first = chain.first else { return nil }
        let publicTrust = ChainVerifier.verify(chain, against: publicStore ?? TrustStore.empty, at: time, fetched: fetched)
        let governmentTrust = governmentStore.map { ChainVerifier.verify(chain, against: $0, at: time, fetched: fetched) }
        let hostname = HostnameMatcher.check(first, serverName: serverName)
        return TrustObservation(publicTrust: publicTrust, governmentTrust: governmentTrust,
                                hostnameMatches: hostname == X509_V_OK, hostnameCode: Int(hostname),
                                hostnameMessage: ChainVerifier.message(hostname))
    }
}
