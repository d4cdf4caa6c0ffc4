import Foundation
import NetauditCore

/// One certificate of the chain as sent, with where it sits.
struct SentCertificate: Sendable {
    let index: Int
    let certificate: CertificateObservation

    var isLeaf: Bool { index == 0 }

    /// `leaf`, `intermediate 1`, …: `certificate.position` in evidence.
    var position: String { isLeaf ? "leaf" : "intermediate \(index)" }

    /// The start of a message: `The certificate` or `The intermediate certificate 'CN=…'`.
    var phrase: String { isLeaf ? "The certificate" : "The intermediate certificate '\(certificate.subject)'" }
}

extension EndpointContext {
    /// The leaf and the intermediates as sent. A self-signed CA certificate after the leaf
    /// (a root sent along) is left out: clients use their own copy of an anchor, never the
    /// server's, so its dates, key and signature decide nothing.
    var judgedCertificates: [SentCertificate] {
        observation.certificates.enumerated().compactMap { index, certificate in
            index > 0 && certificate.isCA && certificate.selfSigned ? nil : SentCertificate(index: index, certificate: certificate)
        }
    }

    /// The leaf, if a chain was seen.
    var leaf: CertificateObservation? { observation.certificates.first }

    /// Evidence naming the first offending certificate, and every one when several offend.
    func certificateEvidence(_ offending: [SentCertificate]) -> [String: String] {
        guard let first = offending.first else { return [:] }
        var evidence = ["certificate.subject": first.certificate.subject,
                        "certificate.issuer": first.certificate.issuer,
                        "certificate.position": first.position]
        if offending.count > 1 {
            evidence["certificates.affected"] = offending.map { "\($0.position): \($0.certificate.subject)" }.joined(separator: "; ")
            evidence["certificates.affected_count"] = String(offending.count)
        }
        return evidence
    }
}

extension EndpointRules {
    /// ` (and 2 more certificates of the chain)` when several offend.
    static func more(_ offending: [SentCertificate]) -> String {
        switch offending.count {
        case 0, 1: return ""
        case 2: return " (and 1 more certificate of the chain)"
        default: return " (and \(offending.count - 1) more certificates of the chain)"
        }
    }

    /// `cert.expired`: the leaf or an intermediate as sent is past its notAfter at `now`.
    /// Judged from the dates, not the verifier, whose precedence may report `self_signed` or
    /// `untrusted_root` for a chain that is also expired, and which ran at probe time.
    static func certExpired(_ context: EndpointContext) -> Finding? {
        let offending = context.judgedCertificates.filter { $0.certificate.notAfter < context.now }
        guard let first = offending.first else { return nil }
        let notAfter = first.certificate.notAfter
        var evidence = context.certificateEvidence(offending)
        evidence["certificate.not_after"] = PolicyFormat.timestamp(notAfter)
        evidence["certificate.days_expired"] = String(PolicyFormat.wholeDays(context.now.timeIntervalSince(notAfter)))
        return context.finding(.certExpired, "\(first.phrase) expired on \(PolicyFormat.day(notAfter)) (\(PolicyFormat.ago(context.now.timeIntervalSince(notAfter))))\(more(offending)).", evidence)
    }

    /// `cert.not_yet_valid`: the leaf or an intermediate as sent is before its notBefore at `now`.
    static func certNotYetValid(_ context: EndpointContext) -> Finding? {
        let offending = context.judgedCertificates.filter { $0.certificate.notBefore > context.now }
        guard let first = offending.first else { return nil }
        let notBefore = first.certificate.notBefore
        var evidence = context.certificateEvidence(offending)
        evidence["certificate.not_before"] = PolicyFormat.timestamp(notBefore)
        evidence["certificate.days_until_valid"] = String(PolicyFormat.wholeDays(notBefore.timeIntervalSince(context.now)))
        return context.finding(.certNotYetValid, "\(first.phrase) is not valid before \(PolicyFormat.day(notBefore)) (\(PolicyFormat.ahead(notBefore.timeIntervalSince(context.now))))\(more(offending)).", evidence)
    }

    /// `cert.expiring`: the leaf is still valid but expires within
    /// `certificate_expiring_medium_days`; severity `cert.expiring` (high) within
    /// `certificate_expiring_high_days`, `cert.expiring.soon` (medium) otherwise.
    static func certExpiring(_ context: EndpointContext) -> Finding? {
        guard let leaf = context.leaf, leaf.notAfter >= context.now else { return nil }
        let left = leaf.notAfter.timeIntervalSince(context.now)
        let thresholds = context.thresholds
        guard left <= Double(thresholds.certificateExpiringMediumDays) * PolicyFormat.secondsPerDay else { return nil }
        let near = left <= Double(thresholds.certificateExpiringHighDays) * PolicyFormat.secondsPerDay
        let severity = near ? context.profile.severity(of: .certExpiring)
                            : context.profile.severity(forKey: SeverityKey.certExpiringSoon)!
        let window = near ? PolicyThresholds.Name.certificateExpiringHighDays : .certificateExpiringMediumDays
        return context.finding(.certExpiring, "The certificate expires on \(PolicyFormat.day(leaf.notAfter)) (\(PolicyFormat.ahead(left))).",
                               ["certificate.subject": leaf.subject, "certificate.not_after": PolicyFormat.timestamp(leaf.notAfter),
                                "certificate.days_left": String(PolicyFormat.wholeDays(left)),
                                "threshold.\(window.rawValue)": PolicyFormat.number(thresholds[window])],
                               severity: severity)
    }

    /// Problems the verifier reports only after a path to an anchor was built: the chain
    /// reaches an anchor, and other rules judge what is wrong with it.
    static let problemsAfterAnchor: Set<ChainVerification.Problem> = [.expired, .notYetValid, .weakSignature, .weakKey]

    /// `cert.untrusted`: neither public nor government trust vouches for the chain, the chain
    /// reaches no anchor at all, and the reason is not one with its own id (a self-signed
    /// leaf, an omitted intermediate). A chain that reaches an anchor but is, say, expired is
    /// `cert.expired`, not this.
    static func certUntrusted(_ context: EndpointContext) -> Finding? {
        let verifications = context.verifications.map(\.verification)
        guard !verifications.isEmpty, !context.trustedByAnyStore,
              !verifications.contains(where: { $0.problem.map(problemsAfterAnchor.contains) ?? false }),
              !verifications.contains(where: { $0.problem == .selfSigned || $0.problem == .incompleteChain }),
              context.leaf?.selfSigned != true else { return nil }
        let top = context.observation.certificates.last
        var evidence = context.trustEvidence
        if let top { evidence["certificate.issuer"] = top.issuer }
        let issuer = top.map { " (last issuer '\($0.issuer)')" } ?? ""
        var reasons = context.verifications.map { "\($0.store.rawValue) trust: \($0.verification.message)" }
        if context.observation.trust?.governmentTrust == nil { reasons.append("no Government CA is configured") }
        return context.finding(.certUntrusted,
                               "The certificate chain\(issuer) reaches no trusted anchor (\(reasons.joined(separator: "; "))).",
                               evidence)
    }

    /// `cert.self_signed`: the leaf is self-signed, and no configured anchor is that very
    /// certificate (a self-signed certificate pinned as an anchor is trusted, not this).
    static func certSelfSigned(_ context: EndpointContext) -> Finding? {
        guard let leaf = context.leaf, !context.trustedByAnyStore,
              leaf.selfSigned || context.verifications.contains(where: { $0.verification.problem == .selfSigned })
        else { return nil }
        return context.finding(.certSelfSigned, "The certificate is self-signed ('\(leaf.subject)'): no client can verify it.",
                               ["certificate.subject": leaf.subject, "certificate.issuer": leaf.issuer,
                                "certificate.sha256": leaf.sha256Fingerprint])
    }

    /// `cert.hostname_mismatch`: no subjectAltName matches the server name (the verifier's
    /// own check: SANs only, whole-label wildcards), with OpenSSL's code and message as for
    /// the other trust problems (`trust.hostname.code`, `trust.hostname.message`).
    static func certHostnameMismatch(_ context: EndpointContext) -> Finding? {
        guard let trust = context.observation.trust, !trust.hostnameMatches else { return nil }
        let names = context.leaf?.subjectAltNames ?? []
        let named = names.isEmpty ? "it has no subjectAltName" : "it names \(PolicyFormat.list(names))"
        let known = trust.hostnameCode != 0
        var evidence = ["endpoint.server_name": context.observation.serverName,
                        "certificate.subject_alt_names": PolicyFormat.list(names),
                        "trust.hostname.code": String(known ? trust.hostnameCode : TrustObservation.hostnameMismatch.code),
                        "trust.hostname.message": known ? trust.hostnameMessage : TrustObservation.hostnameMismatch.message]
        if let leaf = context.leaf { evidence["certificate.subject"] = leaf.subject }
        return context.finding(.certHostnameMismatch,
                               "The certificate is not valid for \(context.observation.serverName): \(named).", evidence)
    }

    /// `cert.chain_incomplete`: the server omits an intermediate certificate. Either the
    /// chain reaches an anchor only once a known intermediate (or one fetched from the AIA
    /// caIssuers URL) is added; or the chain as sent ends at a certificate that is not
    /// self-issued and whose issuer is no anchor and no known intermediate
    /// (``ChainCompletion``): then `cert.untrusted` stands beside this one unless the
    /// caIssuers certificate completed the chain, since clients that do not fetch it fail.
    /// Not when some store already trusts the chain as sent.
    static func certChainIncomplete(_ context: EndpointContext) -> Finding? {
        guard !context.trustedByAnyStore else { return nil }
        let completion = context.observation.trust?.chainCompletion
        let known = context.verifications.first(where: { $0.verification.problem == .incompleteChain })
        guard known != nil || completion != nil else { return nil }
        let missing = completion?.missingIssuer ?? context.observation.certificates.last?.issuer ?? "?"
        var evidence = context.trustEvidence
        evidence["certificate.issuer"] = missing
        evidence["certificates.sent"] = String(context.observation.certificates.count)
        evidence["chain.missing_issuer"] = missing
        evidence["chain.completed_by_aia"] = String(completion?.completedByAIA ?? false)
        if let urls = completion?.caIssuersURLs, !urls.isEmpty { evidence["chain.aia_ca_issuers"] = urls.joined(separator: ", ") }
        let fix = "add the intermediate certificate to the server's chain file"
        let anchor = known.map { $0.store == .public ? "a public anchor" : "the Government CA anchor" } ?? "an anchor"
        if let known { evidence["chain.anchor_store"] = known.store.rawValue }
        let message: String
        if let completion, completion.completedByAIA {
            evidence["chain.case"] = "completed_by_aia"
            let url = completion.caIssuersURLs.first ?? "?"
            message = "The server does not send the intermediate certificate '\(missing)' that the chain needs to reach \(anchor). netaudit fetched it from the certificate's AIA caIssuers URL \(url), as some browsers do, but clients that do not fetch it fail: \(fix)."
        } else if let completion {
            let last = context.observation.certificates.last?.subject ?? "?"
            evidence["chain.case"] = "issuer_unknown"
            evidence["chain.last_subject"] = last
            let tried: String
            if completion.caIssuersURLs.isEmpty {
                tried = "the certificate names no AIA caIssuers URL to fetch it from"
            } else {
                tried = completion.fetches.map { fetch in
                    fetch.problem.map { "\(fetch.url): \($0)" } ?? "\(fetch.url) gave \(PolicyFormat.list(fetch.certificates)), which does not complete the chain"
                }.joined(separator: "; ")
            }
            message = "The chain as sent ends at '\(last)', whose issuer '\(missing)' is neither a trusted anchor nor a known intermediate (\(tried)). If '\(missing)' is an intermediate, \(fix)."
        } else {
            evidence["chain.case"] = "intermediate_missing"
            message = "The server does not send the intermediate certificate '\(missing)' that the chain needs to reach \(anchor): \(fix)."
        }
        return context.finding(.certChainIncomplete, message, evidence)
    }

    /// `cert.revoked`: a verified, current answer (the stapled OCSP response, the AIA's OCSP
    /// responder, or the issuer's CRL) says the leaf or an intermediate is revoked. The most
    /// serious certificate defect: its key may be in other hands.
    static func certRevoked(_ context: EndpointContext) -> Finding? {
        guard let revoked = context.observation.revocation?.certificates.first(where: { $0.status == .revoked }) else { return nil }
        let what = revoked.position == 0 ? "The certificate" : "The intermediate certificate '\(revoked.subject)'"
        let reason = revoked.reason ?? "unspecified"
        let since = revoked.revokedAt.map { " since \(PolicyFormat.day($0))" } ?? ""
        let source: String
        switch revoked.source {
        case .stapled: source = "the OCSP response the server staples"
        case .ocsp: source = "the OCSP responder \(revoked.responder ?? "?")"
        case .crl: source = "the CRL at \(revoked.responder ?? "?")"
        case nil: source = "?"
        }
        var evidence = ["revocation.source": revoked.source?.rawValue ?? "",
                        "revocation.reason": reason,
                        "revocation.responder": revoked.responder ?? "",
                        "certificate.subject": revoked.subject,
                        "certificate.serial": revoked.serialNumber,
                        "certificate.position": revoked.position == 0 ? "leaf" : "intermediate \(revoked.position)"]
        if let time = revoked.revokedAt { evidence["revocation.time"] = PolicyFormat.timestamp(time) }
        return context.finding(.certRevoked,
                               "\(what) is revoked (\(reason))\(since), says \(source): clients that check revocation refuse it. Replace the certificate, and its key if it was compromised.",
                               evidence)
    }

    /// `cert.revocation_unknown`: no source could say whether the leaf is revoked: no URL in
    /// the certificate and no stapled response, a responder unreachable or outside the
    /// allow-list, a response unverifiable or stale. Information: clients that require an
    /// answer fail, others go on.
    static func certRevocationUnknown(_ context: EndpointContext) -> Finding? {
        guard let leaf = context.observation.revocation?.leaf, leaf.status == .unknown else { return nil }
        let problem = leaf.problem ?? "no source answered"
        return context.finding(.certRevocationUnknown, "Whether the certificate is revoked could not be learned: \(problem).",
                               ["revocation.problem": problem, "certificate.subject": leaf.subject,
                                "revocation.sources_tried": String(leaf.attempts.count)])
    }

    /// Why a certificate's key is weak under `thresholds`, nil if it is not.
    static func keyWeakness(_ certificate: CertificateObservation, _ thresholds: PolicyThresholds) -> String? {
        let type = certificate.keyType.uppercased()
        if type.hasPrefix("RSA"), certificate.keyBits < thresholds.rsaMinimumBits {
            return "a \(certificate.keyBits)-bit RSA key (at least \(thresholds.rsaMinimumBits) bits required)"
        }
        if type == "EC" || type == "ECDSA", certificate.keyBits < thresholds.ecMinimumBits {
            return "a \(certificate.keyBits)-bit EC key (at least \(thresholds.ecMinimumBits) bits required)"
        }
        if type == "DSA" {
            return "a DSA key (DSA is not allowed)"
        }
        return nil
    }

    /// `cert.weak_key`: RSA below `rsa_min_bits`, EC below `ec_min_bits`, or DSA, on the
    /// leaf or an intermediate as sent.
    static func certWeakKey(_ context: EndpointContext) -> Finding? {
        let offending = context.judgedCertificates.filter { keyWeakness($0.certificate, context.thresholds) != nil }
        guard let first = offending.first, let weakness = keyWeakness(first.certificate, context.thresholds) else { return nil }
        var evidence = context.certificateEvidence(offending)
        evidence["certificate.key_type"] = first.certificate.keyType
        evidence["certificate.key_bits"] = String(first.certificate.keyBits)
        if let curve = first.certificate.curve { evidence["certificate.curve"] = curve }
        let type = first.certificate.keyType.uppercased()
        if type.hasPrefix("RSA") { evidence["threshold.rsa_min_bits"] = String(context.thresholds.rsaMinimumBits) }
        if type == "EC" || type == "ECDSA" { evidence["threshold.ec_min_bits"] = String(context.thresholds.ecMinimumBits) }
        return context.finding(.certWeakKey, "\(first.phrase) has \(weakness)\(more(offending)).", evidence)
    }

    /// The weak hash of a signature algorithm name (`SHA-1`, `MD5`; also MD2 and MD4), nil
    /// for a strong one.
    static func weakHash(_ algorithm: String) -> String? {
        let name = algorithm.lowercased()
        for (needle, hash) in [("sha1", "SHA-1"), ("md5", "MD5"), ("md4", "MD4"), ("md2", "MD2")] where name.contains(needle) {
            return hash
        }
        return nil
    }

    /// `cert.weak_signature`: the leaf or an intermediate as sent is signed with SHA-1 or MD5
    /// (collisions are practical, so signatures can be forged).
    static func certWeakSignature(_ context: EndpointContext) -> Finding? {
        let offending = context.judgedCertificates.filter { weakHash($0.certificate.signatureAlgorithm) != nil }
        guard let first = offending.first, let hash = weakHash(first.certificate.signatureAlgorithm) else { return nil }
        var evidence = context.certificateEvidence(offending)
        evidence["certificate.signature_algorithm"] = first.certificate.signatureAlgorithm
        return context.finding(.certWeakSignature,
                               "\(first.phrase) is signed with \(first.certificate.signatureAlgorithm) (\(hash))\(more(offending)).",
                               evidence)
    }

    /// `cert.long_validity`: the leaf's validity period is longer than
    /// `certificate_max_lifetime_days`.
    static func certLongValidity(_ context: EndpointContext) -> Finding? {
        guard let leaf = context.leaf else { return nil }
        let lifetime = leaf.notAfter.timeIntervalSince(leaf.notBefore)
        let maximum = context.thresholds.certificateMaxLifetimeDays
        guard lifetime > Double(maximum) * PolicyFormat.secondsPerDay else { return nil }
        let days = PolicyFormat.wholeDays(lifetime)
        return context.finding(.certLongValidity,
                               "The certificate is valid for \(PolicyFormat.days(days)) (\(PolicyFormat.day(leaf.notBefore)) to \(PolicyFormat.day(leaf.notAfter))), longer than the \(maximum) days allowed.",
                               ["certificate.subject": leaf.subject,
                                "certificate.not_before": PolicyFormat.timestamp(leaf.notBefore),
                                "certificate.not_after": PolicyFormat.timestamp(leaf.notAfter),
                                "certificate.lifetime_days": String(days),
                                "threshold.certificate_max_lifetime_days": String(maximum)])
    }
}
