import Foundation
import NetauditCore
internal import CNetauditShims

/// netaudit's own verification of a chain exactly as a server sent it, against one
/// ``TrustStore``, with OpenSSL's X509_verify_cert(3).
///
/// **How it verifies.** The leaf is the first certificate; the others, in the order sent,
/// are the untrusted certificates OpenSSL may build the path from (X509_STORE_CTX_init(3)).
/// The context takes the "ssl_server" defaults a TLS client uses (X509_STORE_CTX_set_default(3):
/// purpose and trust of a TLS server, so a leaf whose extendedKeyUsage excludes serverAuth
/// fails). Then:
/// - the time is the caller's (X509_VERIFY_PARAM_set_time(3)), so tests and re-evaluations
///   can move the clock;
/// - the authentication level is 0 (X509_VERIFY_PARAM_set_auth_level(3)): SHA-1 or MD5
///   signatures and RSA-1024 keys are judged as chains here, and weak keys and signatures are
///   left to the policy, which reads the ``CertificateObservation``s;
/// - no host name is set: hostname matching is a separate result (``HostnameMatcher``), so
///   a chain's trust and its name are never confused;
/// - no revocation checking (no CRLs, no OCSP: that would need the network).
///
/// **All errors, one reported.** OpenSSL stops at the first error unless the verify callback
/// lets it go on. The callback here records every error (code and depth) and lets
/// verification continue, so a chain that is both untrusted and expired shows both; the
/// chain is trusted only if X509_verify_cert succeeds with no error recorded. The one
/// reported is the most important by this order (``ChainVerification/Problem``):
///
/// 1. `self_signed`: the leaf is self-signed and not an anchor;
/// 2. `untrusted_root` / `incomplete_chain`: no path to an anchor;
/// 3. `other`: a structural defect (bad signature, an intermediate that is no CA, a path
///    length exceeded, a leaf not for TLS servers…);
/// 4. `expired`, then 5. `not_yet_valid`;
/// 6. `weak_signature`, then 7. `weak_key` (not expected at auth level 0).
///
/// Rationale: what only verification can tell comes first. Who vouches for the chain (and
/// whether anyone can) decides whether the rest matters at all, and a broken structure is
/// invisible elsewhere; validity dates, on the other hand, are also in every
/// ``CertificateObservation`` (notBefore, notAfter), so the policy sees an expired
/// certificate even when trust fails for a more basic reason. Between errors of the same
/// rank, the one nearest the leaf (lowest depth) wins, as it is about the server's own
/// certificate; the code and message are that error's (X509_verify_cert_error_string(3)).
///
/// **Incomplete or untrusted.** When the chain does not reach an anchor
/// (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) and
/// the store has known intermediates, a second verification adds them to the untrusted
/// certificates. If that one reaches an anchor (it has no error of rank 1–2; it may still
/// have others, e.g. an expired leaf), the server merely omits an intermediate that exists:
/// `incomplete_chain`. Otherwise `untrusted_root`. Code and message stay those of the chain
/// as sent.
enum ChainVerifier {
    /// Verifies `chain` (DER, leaf first, as sent) against `store` at `time`.
    ///
    /// `fetched`: issuer certificates the AIA caIssuers URL of the chain's last certificate
    /// gave (``ChainCompletion``). Like known intermediates, they are only tried once the
    /// chain as sent fails to reach an anchor: if they complete it, the chain is
    /// `incomplete_chain`, never trusted as sent.
    static func verify(_ chain: [[UInt8]], against store: TrustStore, at time: Date,
                       fetched: [[UInt8]] = []) -> ChainVerification {
        guard let first = chain.first else {
            return ChainVerification(trusted: false, problem: .other, code: Int(X509_V_ERR_UNSPECIFIED),
                                     message: "the server sent no certificate")
        }
        guard let leaf = X509Handle(der: first) else {
            return ChainVerification(trusted: false, problem: .other, code: Int(X509_V_ERR_UNSPECIFIED),
                                     message: "the leaf certificate does not decode")
        }
        // Entries that do not decode are left out: a TLS client would have refused the
        // handshake, and the inspection already shows them missing.
        let sent = chain.dropFirst().compactMap { X509Handle(der: $0) }
        let outcome = run(leaf: leaf, untrusted: sent, store: store, time: time)
        guard let worst = outcome.worst else {
            let path = outcome.path
            return ChainVerification(trusted: true, code: Int(X509_V_OK), message: message(Int32(X509_V_OK)),
                                     anchor: path.last, path: path)
        }
        var problem = worst.problem
        if problem == .untrustedRoot, !store.knownIntermediates.isEmpty || !fetched.isEmpty {
            let known = (store.knownIntermediates + fetched).compactMap { X509Handle(der: $0) }
            let completed = run(leaf: leaf, untrusted: sent + known, store: store, time: time)
            if completed.failedToReachAnchor == false { problem = .incompleteChain }
        }
        return ChainVerification(trusted: false, problem: problem, code: Int(worst.code), message: message(worst.code))
    }

    /// The path OpenSSL builds from `chain` (as sent) and `extra` certificates (known
    /// intermediates, certificates fetched from caIssuers) to an anchor of `store`, leaf
    /// first, anchor last, as DER; nil when no anchor is reached. Errors other than a
    /// missing anchor (an expired certificate, say) do not matter here: the path is what
    /// revocation checking walks (each certificate with its issuer).
    static func anchoredPath(_ chain: [[UInt8]], extra: [[UInt8]] = [], against store: TrustStore, at time: Date) -> [[UInt8]]? {
        guard let first = chain.first, let leaf = X509Handle(der: first) else { return nil }
        let untrusted = (chain.dropFirst() + store.knownIntermediates + extra).compactMap { X509Handle(der: $0) }
        let outcome = run(leaf: leaf, untrusted: untrusted, store: store, time: time)
        guard !outcome.failedToReachAnchor, outcome.pathDER.count >= 2 else { return nil }
        return outcome.pathDER
    }

    /// OpenSSL's text for a verification code (X509_verify_cert_error_string(3)).
    static func message(_ code: Int32) -> String {
        X509Text.string(X509_verify_cert_error_string(Int(code)), fallback: "verification error \(code)")
    }

    // MARK: - Problems

    /// One error the verify callback saw.
    struct Failure: Sendable, Hashable {
        var code: Int32
        var depth: Int32

        var problem: ChainVerification.Problem { ChainVerifier.problem(for: code) }
        var rank: Int { ChainVerifier.rank(of: problem) }
    }

    /// The policy's term for an OpenSSL X509_V_ERR_* code.
    static func problem(for code: Int32) -> ChainVerification.Problem {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED: return .expired
        case X509_V_ERR_CERT_NOT_YET_VALID: return .notYetValid
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return .selfSigned
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
            return .untrustedRoot
        case X509_V_ERR_CA_MD_TOO_WEAK: return .weakSignature
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL: return .weakKey
        default: return .other
        }
    }

    /// The order of importance documented on the type; lower is more important.
    static func rank(of problem: ChainVerification.Problem) -> Int {
        switch problem {
        case .selfSigned: return 1
        case .untrustedRoot, .incompleteChain: return 2
        case .other: return 3
        case .expired: return 4
        case .notYetValid: return 5
        case .weakSignature: return 6
        case .weakKey: return 7
        }
    }

    /// The failure to report among `failures`: the lowest rank, then the lowest depth, then
    /// the first seen.
    static func mostImportant(_ failures: [Failure]) -> Failure? {
        failures.enumerated().min { a, b in
            (a.element.rank, a.element.depth, a.offset) < (b.element.rank, b.element.depth, b.offset)
        }?.element
    }

    // MARK: - One X509_verify_cert

    /// What one run of X509_verify_cert found.
    struct Outcome {
        /// Every error the callback saw, in order (empty and `succeeded` when trusted).
        var failures: [Failure]
        var succeeded: Bool
        /// Subjects of the built chain, leaf to anchor, when trusted.
        var path: [String]
        /// The chain OpenSSL built (as far as it got), DER, leaf first.
        var pathDER: [[UInt8]] = []

        /// The failure to report; nil when the chain is trusted.
        var worst: Failure? {
            if let failure = ChainVerifier.mostImportant(failures) { return failure }
            return succeeded ? nil : Failure(code: X509_V_ERR_UNSPECIFIED, depth: 0)
        }

        /// Whether an error says no anchor was reached (rank 1–2), or verification failed
        /// without saying why.
        var failedToReachAnchor: Bool {
            (!succeeded && failures.isEmpty) || failures.contains { $0.rank <= 2 }
        }
    }

    /// Collects the errors the verify callback reports; reached through the context's app
    /// data, owned by the `run` that made it and alive for the whole X509_verify_cert.
    private final class Collector {
        var failures: [Failure] = []
    }

    /// The verify callback (X509_STORE_CTX_set_verify_cb(3)): records each error with its
    /// depth (X509_STORE_CTX_get_error(3), X509_STORE_CTX_get_error_depth(3)) and returns 1
    /// so that verification goes on and every error is seen. A C function: it captures
    /// nothing, and finds its ``Collector`` in the context's app data.
    private static func record(_ ok: Int32, _ context: OpaquePointer?) -> Int32 {
        guard ok == 0, let context, let data = na_X509_STORE_CTX_get_app_data(context) else { return ok }
        let collector = Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue()
        collector.failures.append(Failure(code: X509_STORE_CTX_get_error(context),
                                          depth: X509_STORE_CTX_get_error_depth(context)))
        return 1
    }

    /// One X509_verify_cert(3) of `leaf` with `untrusted` certificates, at `time`.
    private static func run(leaf: X509Handle, untrusted: [X509Handle], store: TrustStore, time: Date) -> Outcome {
        let failed = Outcome(failures: [], succeeded: false, path: [])
        guard let stack = X509StackHandle() else { return failed }
        for certificate in untrusted { stack.push(certificate) }
        let collector = Collector()
        // Everything the context points to outlives it: the context is freed inside.
        return withExtendedLifetime((store, leaf, stack, collector)) { () -> Outcome in
            guard let context = X509_STORE_CTX_new() else { return failed }
            defer { X509_STORE_CTX_free(context) }
            ERR_clear_error()
            guard X509_STORE_CTX_init(context, store.store, leaf.pointer, stack.pointer) == 1,
                  X509_STORE_CTX_set_default(context, "ssl_server") == 1,
                  let parameters = X509_STORE_CTX_get0_param(context) else {
                ERR_clear_error()
                return failed
            }
            X509_VERIFY_PARAM_set_auth_level(parameters, 0)
            X509_VERIFY_PARAM_set_time(parameters, time_t(time.timeIntervalSince1970.rounded(.down)))
            X509_STORE_CTX_set_verify_cb(context) { ok, context in ChainVerifier.record(ok, context) }
            _ = na_X509_STORE_CTX_set_app_data(context, Unmanaged.passUnretained(collector).toOpaque())
            let result = X509_verify_cert(context)
            var path: [String] = []
            if result == 1, collector.failures.isEmpty, let chain = X509_STORE_CTX_get0_chain(context) {
                for index in 0..<na_sk_X509_num(chain) {
                    if let certificate = na_sk_X509_value(chain, index) {
                        path.append(X509Text.name(X509_get_subject_name(certificate)))
                    }
                }
            }
            var pathDER: [[UInt8]] = []
            if let chain = X509_STORE_CTX_get0_chain(context) {
                for index in 0..<na_sk_X509_num(chain) {
                    if let certificate = na_sk_X509_value(chain, index) {
                        pathDER.append(X509Handle.der(of: certificate))
                    }
                }
            }
            ERR_clear_error()
            return Outcome(failures: collector.failures, succeeded: result == 1, path: path, pathDER: pathDER)
        }
    }
}
