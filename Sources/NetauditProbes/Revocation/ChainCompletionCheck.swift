import Foundation
import NetauditCore
internal import CNetauditShims

/// Chains that end, as sent, at a certificate whose issuer nobody has: the probe looks for
/// the issuer where a browser would, at the AIA caIssuers URL of that certificate.
///
/// The issuer is *missing* when the last certificate sent is not self-issued and no
/// certificate sent, no anchor and no known intermediate (of either trust store) issued it.
/// When that last certificate is the leaf (no CA: a server sending its leaf alone), the gap
/// is always reported: either the server omits its intermediate, or the leaf comes straight
/// from a root nobody here knows, and no client can tell which. When it is a CA (the server
/// sent an intermediate whose root is unknown, which is how a private CA's chain looks),
/// the gap is reported only if the caIssuers certificates complete the chain to an anchor.
enum ChainCompletionCheck {
    /// What the chain lacks, if anything: the issuer's name, the caIssuers URLs, and
    /// whether the last certificate sent is a CA.
    struct Gap: Sendable, Hashable {
        var missingIssuer: String
        var caIssuersURLs: [String]
        var lastIsCA: Bool
    }

    static func gap(in chain: [[UInt8]], stores: [TrustStore]) -> Gap? {
        defer { ERR_clear_error() }
        let sent = chain.compactMap { X509Handle(der: $0) }
        guard let last = sent.last else { return nil }
        // Self-issued: subject and issuer are the same name (a root, a self-signed leaf).
        if X509_NAME_cmp(X509_get_subject_name(last.pointer), X509_get_issuer_name(last.pointer)) == 0 { return nil }
        if sent.contains(where: { $0 !== last && X509_check_issued($0.pointer, last.pointer) == X509_V_OK }) { return nil }
        let issuer = last.issuer
        for store in stores {
            if store.anchorSubjects.contains(issuer) { return nil }
            for der in store.knownIntermediates {
                if let known = X509Handle(der: der), X509_check_issued(known.pointer, last.pointer) == X509_V_OK { return nil }
            }
        }
        return Gap(missingIssuer: issuer, caIssuersURLs: CertificateLinks(last).caIssuers, lastIsCA: X509_check_ca(last.pointer) != 0)
    }

    /// The certificates in a caIssuers answer: one DER certificate (RFC 5280 §4.2.2.1's
    /// "application/pkix-cert"), a PKCS#7 certs-only bundle (".p7c", DER or PEM), or PEM
    /// certificates (which some servers publish anyway). At most 16.
    static func certificates(in bytes: [UInt8]) -> [[UInt8]] {
        defer { ERR_clear_error() }
        if let one = X509Handle(der: bytes) { return [one.der] }
        var found: [[UInt8]] = []
        let fromPKCS7: [[UInt8]] = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let p7 = d2i_PKCS7(nil, &cursor, buffer.count) else { return [] }
            defer { PKCS7_free(p7) }
            return Self.stackDER(na_PKCS7_certificates(p7))
        }
        found = fromPKCS7
        if found.isEmpty {
            found = withBIO(bytes) { bio in
                var certificates: [[UInt8]] = []
                while certificates.count < 16, let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                    certificates.append(X509Handle(owning: certificate).der)
                }
                return certificates
            }
        }
        if found.isEmpty {
            found = withBIO(bytes) { bio in
                guard let p7 = PEM_read_bio_PKCS7(bio, nil, nil, nil) else { return [] }
                defer { PKCS7_free(p7) }
                return Self.stackDER(na_PKCS7_certificates(p7))
            }
        }
        return Array(found.prefix(16))
    }

    private static func withBIO(_ bytes: [UInt8], _ read: (OpaquePointer) -> [[UInt8]]) -> [[UInt8]] {
        bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return [] }
            defer { BIO_free(bio) }
            return read(bio)
        }
    }

    private static func stackDER(_ stack: OpaquePointer?) -> [[UInt8]] {
        guard let stack else { return [] }
        var certificates: [[UInt8]] = []
        for index in 0..<min(na_sk_X509_count(stack), 16) {
            if let certificate = na_sk_X509_value(stack, index) { certificates.append(X509Handle.der(of: certificate)) }
        }
        return certificates
    }
}

extension ProbeEngine {
    /// Fetches the caIssuers URLs of `gap` (once per URL per run) and says whether the
    /// certificates found complete `chain` to an anchor of `stores`. Returns the record for
    /// the observation (nil when a CA-ending gap is not completed: see ``ChainCompletionCheck``)
    /// and the certificates fetched.
    func completeChain(_ chain: [[UInt8]], gap: ChainCompletionCheck.Gap, stores: [TrustStore], at time: Date,
                       deadline: ContinuousClock.Instant) async -> (completion: ChainCompletion?, fetched: [[UInt8]]) {
        var fetches: [CAIssuersFetch] = []
        var fetched: [[UInt8]] = []
        for url in gap.caIssuersURLs {
            let document = await fetchDocument(url, limit: FetchLimit.certificates, deadline: deadline)
            if let problem = document.problem {
                fetches.append(CAIssuersFetch(url: url, problem: problem))
                continue
            }
            let certificates = ChainCompletionCheck.certificates(in: document.bytes)
            if certificates.isEmpty {
                fetches.append(CAIssuersFetch(url: url, problem: "no certificate in the answer (\(document.bytes.count) bytes)"))
                continue
            }
            fetches.append(CAIssuersFetch(url: url, certificates: certificates.compactMap { X509Handle(der: $0)?.subject }))
            fetched += certificates
        }
        let completed = !fetched.isEmpty && stores.contains { ChainVerifier.anchoredPath(chain, extra: fetched, against: $0, at: time) != nil }
        guard completed || !gap.lastIsCA else { return (nil, []) }
        return (ChainCompletion(missingIssuer: gap.missingIssuer, caIssuersURLs: gap.caIssuersURLs, fetches: fetches,
                                completedByAIA: completed), fetched)
    }
}
