import Foundation
internal import CNetauditShims

/// Where a certificate says its revocation status and its issuer can be found: the OCSP
/// responders and caIssuers URLs of its Authority Information Access (RFC 5280 §4.2.2.1) and
/// the URIs of its CRL distribution points (§4.2.1.13, fullName only). Only http and https
/// URLs are kept (ldap:// and file:// are not fetched), at most 8 of each.
struct CertificateLinks: Sendable, Hashable {
    var ocsp: [String]
    var caIssuers: [String]
    var crl: [String]

    static let maximumPerKind = 8

    init(ocsp: [String], caIssuers: [String], crl: [String]) {
        self.ocsp = ocsp
        self.caIssuers = caIssuers
        self.crl = crl
    }

    init(_ certificate: X509Handle) {
        ocsp = Self.urls(certificate, kind: NA_URL_OCSP)
        caIssuers = Self.urls(certificate, kind: NA_URL_CA_ISSUERS)
        crl = Self.urls(certificate, kind: NA_URL_CRL)
    }

    private static func urls(_ certificate: X509Handle, kind: na_url_kind) -> [String] {
        let needed = na_x509_urls(certificate.pointer, Int32(kind.rawValue), nil, 0)
        ERR_clear_error()
        guard needed > 0, needed < 64 * 1024 else { return [] }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = na_x509_urls(certificate.pointer, Int32(kind.rawValue), &buffer, Int32(buffer.count))
        ERR_clear_error()
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fetchable = text.split(separator: "\n").map(String.init).filter {
            let lower = $0.lowercased()
            return lower.hasPrefix("http://") || lower.hasPrefix("https://")
        }
        return Array(fetchable.prefix(maximumPerKind))
    }
}
