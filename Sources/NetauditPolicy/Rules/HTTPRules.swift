import Foundation
import NetauditCore

extension EndpointRules {
    /// `http.response_unreadable`: the HTTPS response head could not be read to its end
    /// (headers beyond curl's size limit, a connection cut or stalled mid-head). Browsers
    /// fail on such a response too; and since a header after the cut is unknown, not
    /// absent, HSTS is not judged missing.
    static func httpResponseUnreadable(_ context: EndpointContext) -> Finding? {
        guard let http = context.observation.http, let reason = http.unreadable else { return nil }
        return context.finding(.httpResponseUnreadable,
                               "The HTTPS response (status \(http.status)) could not be read to the end of its headers: \(reason).",
                               ["http.status": String(http.status), "http.message": reason])
    }

    /// `http.hsts_missing`: the HTTPS response has no Strict-Transport-Security header, or
    /// one without a valid max-age, which browsers ignore (RFC 6797 §6.1.1), so a first
    /// visit by plain HTTP can be intercepted.
    static func httpHSTSMissing(_ context: EndpointContext) -> Finding? {
        guard let http = context.observation.http, http.hstsMaxAge == nil, http.unreadable == nil else { return nil }
        var evidence = ["http.status": String(http.status)]
        guard let header = http.strictTransportSecurity else {
            return context.finding(.httpHSTSMissing,
                                   "The HTTPS response (status \(http.status)) has no Strict-Transport-Security header.", evidence)
        }
        evidence["http.strict_transport_security"] = header
        return context.finding(.httpHSTSMissing,
                               "The Strict-Transport-Security header '\(header)' has no valid max-age, so browsers ignore it.", evidence)
    }

    /// `http.downgrade_redirect`: the HTTPS answer is a redirect (3xx) to an absolute
    /// `http://` URL: it sends its users back to plaintext, and HSTS does not protect a first
    /// visit (nor one after max-age runs out). A relative or scheme-relative Location stays on
    /// HTTPS and is no downgrade.
    static func httpDowngradeRedirect(_ context: EndpointContext) -> Finding? {
        guard let http = context.observation.http, (300...399).contains(http.status),
              let location = http.location?.trimmingCharacters(in: .whitespaces),
              location.lowercased().hasPrefix("http://") else { return nil }
        return context.finding(.httpDowngradeRedirect,
                               "The HTTPS answer is a \(http.status) redirect to \(location), plain HTTP: it sends users back to an unencrypted connection. Redirect to an https:// URL.",
                               ["http.status": String(http.status), "http.location": location])
    }

    /// `http.hsts_short`: HSTS max-age below `hsts_min_max_age` (one year; two are
    /// recommended). A max-age of 0 tells browsers to forget HSTS, and is short too.
    static func httpHSTSShort(_ context: EndpointContext) -> Finding? {
        let minimum = context.thresholds.hstsMinimumMaxAge
        guard let http = context.observation.http, let maxAge = http.hstsMaxAge, maxAge < minimum else { return nil }
        return context.finding(.httpHSTSShort,
                               "The HSTS max-age is \(maxAge) seconds (\(PolicyFormat.span(seconds: maxAge))), below the \(minimum) seconds (\(PolicyFormat.span(seconds: minimum))) required.",
                               ["http.hsts_max_age": String(maxAge),
                                "http.strict_transport_security": http.strictTransportSecurity ?? "",
                                "threshold.hsts_min_max_age": String(minimum)])
    }

    /// `http.no_https_redirect`: plain HTTP answers, but not with a redirect to https:// on
    /// the same site, so users who type the bare name stay unencrypted (or are sent to
    /// another host). The target must be `https://` on the endpoint's own host, or on a host
    /// its certificate covers (a subjectAltName, with the wildcard rules of host name
    /// verification); `https://` anywhere else is no redirect to this site's HTTPS.
    /// Nothing answering on the plain port is fine.
    static func httpNoHTTPSRedirect(_ context: EndpointContext) -> Finding? {
        guard let plain = context.observation.plainHTTP, plain.answered else { return nil }
        if RedirectTarget.staysOnSite(context.observation) { return nil }
        let target = plain.redirectsToHTTPS ? plain.location.flatMap(RedirectTarget.host(ofHTTPS:)) : nil
        var evidence = ["http.plain.port": String(plain.port)]
        if let status = plain.status { evidence["http.plain.status"] = String(status) }
        if let location = plain.location { evidence["http.plain.location"] = location }
        evidence["endpoint.server_name"] = context.observation.serverName
        if let target { evidence["http.plain.redirect_host"] = target }
        let what: String
        if let target, let location = plain.location {
            what = "redirects to \(location), on \(target), a host that is neither \(context.observation.serverName) nor named by its certificate"
        } else if let location = plain.location, (300...399).contains(plain.status ?? 0) {
            what = "redirects to \(location), not to https://"
        } else {
            what = "answers with status \(plain.status.map(String.init) ?? "?") instead of redirecting to https://"
        }
        return context.finding(.httpNoHTTPSRedirect, "Plain HTTP on port \(plain.port) \(what).", evidence)
    }

    /// `ocsp.no_stapling`: the handshake carried no stapled OCSP response, so clients must ask
    /// the CA themselves (slower, and a privacy leak) or skip revocation checks.
    static func ocspNoStapling(_ context: EndpointContext) -> Finding? {
        guard let session = context.observation.session, !session.ocspStapled else { return nil }
        var evidence = ["ocsp.stapled": "false"]
        if let version = session.protocolVersion { evidence["tls.protocol"] = version.rawValue }
        return context.finding(.ocspNoStapling, "The server staples no OCSP response to its certificate.", evidence)
    }
}

/// Where a plain-HTTP redirect goes, and whether that is the endpoint's own site.
public enum RedirectTarget {
    /// Whether the plain-HTTP answer redirects to HTTPS on the endpoint's own site, as
    /// `http.no_https_redirect` judges it (for reports that describe the observation).
    public static func staysOnSite(_ observation: TLSObservation) -> Bool {
        guard let plain = observation.plainHTTP, plain.redirectsToHTTPS,
              let target = plain.location.flatMap(host(ofHTTPS:)) else { return false }
        return isSameSite(target, observation)
    }

    /// The host of an absolute `https://` URL, lower-case, without brackets, port or
    /// userinfo; nil for anything else (a relative reference, another scheme, no host).
    static func host(ofHTTPS location: String) -> String? {
        let text = location.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("https://") else { return nil }
        var authority = text.dropFirst("https://".count).prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        while host.hasSuffix(".") { host = host.dropLast() }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// `host` is the endpoint's server name, the host of its URL, or a name (or address) in
    /// the leaf certificate's subjectAltNames.
    static func isSameSite(_ host: String, _ observation: TLSObservation) -> Bool {
        let own = [observation.serverName, Self.host(ofURL: observation.url)].compactMap { $0?.lowercased() }
        if own.contains(host) { return true }
        let names = observation.certificates.first?.subjectAltNames ?? []
        return names.contains { matches(pattern: $0, host: host) }
    }

    private static func host(ofURL url: String) -> String? {
        Self.host(ofHTTPS: url.lowercased().hasPrefix("http://") ? "https://" + url.dropFirst("http://".count) : url)
    }

    /// RFC 6125 §6.4 as OpenSSL applies it (X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS): an exact
    /// match, case-insensitive; or `*.` followed by at least two labels, matching exactly one
    /// leftmost label of a host name (never of an IP address).
    static func matches(pattern: String, host: String) -> Bool {
        var pattern = pattern.lowercased()
        while pattern.hasSuffix(".") { pattern.removeLast() }
        if pattern == host { return true }
        if let address = IPAddress(host) { return IPAddress(pattern) == address }  // however it is written
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst(2)
        guard suffix.contains("."), !suffix.contains("*"), let dot = host.firstIndex(of: ".") else { return false }
        let label = host[..<dot]
        return !label.isEmpty && host[host.index(after: dot)...] == suffix
    }
}
