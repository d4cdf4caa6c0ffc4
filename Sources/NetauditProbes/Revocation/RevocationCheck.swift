import Foundation
import NetauditCore
internal import CNetauditShims

/// Revocation checking of a chain: each certificate of the path to an anchor (the anchor
/// itself excepted) with its issuer, from the first source that answers:
///
/// 1. the OCSP response the server stapled (the leaf only);
/// 2. the OCSP responders of the certificate's AIA, by POST (RFC 6960 A.1), in order;
/// 3. the CRLs of its CRL distribution points, in order.
///
/// An answer counts only when it is verified (signed by the issuer or its delegated
/// responder; a CRL signed by the issuer) and current: see ``OCSPCheck`` and ``CRLCheck``.
/// Fetches go through the engine like any connection (allow-list, no proxy, the endpoint's
/// deadline) and are made once per run: the same OCSP request to the same responder, the
/// same CRL for the same issuer, is asked once whatever the number of endpoints.
///
/// The path: the one OpenSSL builds to an anchor of public trust, else of government trust
/// (with known intermediates and what caIssuers gave); for a chain that reaches no anchor,
/// the chain as sent, as far as each certificate's issuer is in it.
enum RevocationCheck {
    /// The certificates to check, each with its issuer, leaf first.
    static func pairs(chain: [[UInt8]], fetched: [[UInt8]], stores: [TrustStore], at time: Date) -> [(certificate: [UInt8], issuer: [UInt8])] {
        defer { ERR_clear_error() }
        for store in stores {
            if let path = ChainVerifier.anchoredPath(chain, extra: fetched, against: store, at: time) {
                return (0..<path.count - 1).map { (path[$0], path[$0 + 1]) }
            }
        }
        let certificates = (chain + fetched).compactMap { X509Handle(der: $0) }
        guard let leaf = certificates.first else { return [] }
        var pairs: [(certificate: [UInt8], issuer: [UInt8])] = []
        var current = leaf
        var seen: Set<[UInt8]> = [leaf.der]
        while X509_NAME_cmp(X509_get_subject_name(current.pointer), X509_get_issuer_name(current.pointer)) != 0,
              let issuer = certificates.first(where: { X509_check_issued($0.pointer, current.pointer) == X509_V_OK }),
              seen.insert(issuer.der).inserted {
            pairs.append((current.der, issuer.der))
            current = issuer
        }
        return pairs
    }
}

extension ProbeEngine {
    /// Checks every certificate of `pairs` (see ``RevocationCheck/pairs(chain:fetched:stores:at:)``)
    /// at once, the leaf with the `stapled` response if there is one.
    func checkRevocation(_ pairs: [(certificate: [UInt8], issuer: [UInt8])], stapled: [UInt8]?,
                         deadline: ContinuousClock.Instant) async -> RevocationObservation {
        let entries = await withTaskGroup(of: CertificateRevocation.self) { group in
            for (position, pair) in pairs.enumerated() {
                group.addTask { [self] in
                    await checkOne(position: position, certificate: pair.certificate, issuer: pair.issuer,
                                   stapled: position == 0 ? stapled : nil, deadline: deadline)
                }
            }
            return await group.reduce(into: [CertificateRevocation]()) { $0.append($1) }
        }
        return RevocationObservation(certificates: entries.sorted { $0.position < $1.position })
    }

    private func checkOne(position: Int, certificate der: [UInt8], issuer issuerDER: [UInt8], stapled: [UInt8]?,
                          deadline: ContinuousClock.Instant) async -> CertificateRevocation {
        // Handles are made and dropped inside each synchronous step: none crosses an await.
        struct Facts: Sendable {
            var subject = "", issuer = "", serial = ""
            var links = CertificateLinks.none
            var request: [UInt8]?
            var issuerKey = ""
        }
        let facts: Facts = {
            guard let certificate = X509Handle(der: der), let issuer = X509Handle(der: issuerDER) else { return Facts() }
            return Facts(subject: certificate.subject, issuer: certificate.issuer,
                         serial: CertificateInspector.serialNumber(certificate.pointer), links: CertificateLinks(certificate),
                         request: OCSPCheck.request(certificate: certificate, issuer: issuer),
                         issuerKey: CertificateInspector.fingerprint(issuer.pointer))
        }()
        var entry = CertificateRevocation(position: position, subject: facts.subject, issuer: facts.issuer,
                                          serialNumber: facts.serial, status: .unknown)
        func read(_ response: [UInt8]) -> OCSPCheck.Answer {
            guard let certificate = X509Handle(der: der), let issuer = X509Handle(der: issuerDER) else {
                return OCSPCheck.Answer(problem: "the certificate does not decode")
            }
            return OCSPCheck.read(response, certificate: certificate, issuer: issuer)
        }
        func decided(_ answer: OCSPCheck.Answer, source: CertificateRevocation.Source, responder: String?) -> Bool {
            guard let status = answer.status else { return false }
            entry.status = status
            entry.source = source
            entry.reason = answer.reason
            entry.revokedAt = answer.revokedAt
            entry.responder = responder
            entry.thisUpdate = answer.thisUpdate
            entry.nextUpdate = answer.nextUpdate
            return true
        }
        func attempt(_ answer: OCSPCheck.Answer, source: CertificateRevocation.Source, url: String?, response: [UInt8]) {
            let detail = answer.problem ?? (answer.status == .revoked
                ? "revoked (\(answer.reason ?? "unspecified")) at \(OCSPCheck.text(answer.revokedAt))" : "good")
            entry.attempts.append(RevocationAttempt(source: source, url: url, status: answer.status, detail: detail,
                                                    ocspResponse: Data(response).base64EncodedString()))
        }

        if let stapled {
            let answer = read(stapled)
            attempt(answer, source: .stapled, url: nil, response: stapled)
            if decided(answer, source: .stapled, responder: answer.responder) { return entry }
        }
        for url in facts.links.ocsp {
            guard let request = facts.request else {
                entry.attempts.append(RevocationAttempt(source: .ocsp, url: url, detail: "no OCSP request could be made"))
                continue
            }
            let document = await fetchDocument(url, post: (request, "application/ocsp-request"), limit: FetchLimit.ocspResponse,
                                               deadline: deadline)
            if let problem = document.problem {
                entry.attempts.append(RevocationAttempt(source: .ocsp, url: url, detail: problem))
                continue
            }
            let answer = read(document.bytes)
            attempt(answer, source: .ocsp, url: url, response: document.bytes)
            if decided(answer, source: .ocsp, responder: url) { return entry }
        }
        for url in facts.links.crl {
            let crl = await crls.value(for: url + " " + facts.issuerKey, keep: { !$0.timedOut }) { [self] in
                let document = await fetchDocument(url, limit: FetchLimit.crl, deadline: deadline)
                guard let issuer = X509Handle(der: issuerDER) else { return CRLRead(url: url, problem: "the issuer does not decode") }
                return CRLCheck.read(document, issuer: issuer)
            }
            guard let handle = crl.crl, let certificate = X509Handle(der: der) else {
                entry.attempts.append(RevocationAttempt(source: .crl, url: url, detail: crl.problem ?? "the CRL cannot be read",
                                                        crl: crl.summary))
                continue
            }
            let found = CRLCheck.lookup(handle, certificate: certificate)
            let answer = OCSPCheck.Answer(status: found.revoked ? .revoked : .good, reason: found.reason, revokedAt: found.at,
                                          thisUpdate: crl.summary?.thisUpdate, nextUpdate: crl.summary?.nextUpdate)
            entry.attempts.append(RevocationAttempt(
                source: .crl, url: url, status: answer.status,
                detail: found.revoked ? "listed: revoked (\(found.reason ?? "unspecified")) at \(OCSPCheck.text(found.at))" : "not listed",
                crl: crl.summary))
            if decided(answer, source: .crl, responder: url) { return entry }
        }
        if entry.attempts.isEmpty {
            entry.problem = position == 0 && stapled == nil
                ? "no stapled OCSP response, and the certificate names no OCSP responder and no CRL distribution point"
                : "the certificate names no OCSP responder and no CRL distribution point"
        } else {
            entry.problem = entry.attempts.map { attempt in
                let place = attempt.url ?? "stapled response"
                return "\(attempt.source.rawValue) \(place): \(attempt.detail)"
            }.joined(separator: "; ")
        }
        return entry
    }
}

extension CertificateLinks {
    static let none = CertificateLinks(ocsp: [], caIssuers: [], crl: [])
}
