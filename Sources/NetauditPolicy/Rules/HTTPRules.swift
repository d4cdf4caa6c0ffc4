import NetauditCore

extension EndpointRules {
    /// `http.hsts_missing`: the HTTPS response has no Strict-Transport-Security header, or
    /// one without a valid max-age, which browsers ignore (RFC 6797 §6.1.1), so a first
    /// visit by plain HTTP can be intercepted.
    static func httpHSTSMissing(_ context: EndpointContext) -> Finding? {
        guard let http = context.observation.http, http.hstsMaxAge == nil else { return nil }
        var evidence = ["http.status": String(http.status)]
        guard let header = http.strictTransportSecurity else {
            return context.finding(.httpHSTSMissing,
                                   "The HTTPS response (status \(http.status)) has no Strict-Transport-Security header.", evidence)
        }
        evidence["http.strict_transport_security"] = header
        return context.finding(.httpHSTSMissing,
                               "The Strict-Transport-Security header '\(header)' has no valid max-age, so browsers ignore it.", evidence)
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

    /// `http.no_https_redirect`: plain HTTP answers, but not with a redirect to https://, so
    /// users who type the bare name stay unencrypted. Nothing answering on the plain port is fine.
    static func httpNoHTTPSRedirect(_ context: EndpointContext) -> Finding? {
        guard let plain = context.observation.plainHTTP, plain.answered, !plain.redirectsToHTTPS else { return nil }
        var evidence = ["http.plain.port": String(plain.port)]
        if let status = plain.status { evidence["http.plain.status"] = String(status) }
        if let location = plain.location { evidence["http.plain.location"] = location }
        let what: String
        if let location = plain.location, (300...399).contains(plain.status ?? 0) {
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
