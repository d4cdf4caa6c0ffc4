import Foundation
import NetauditCore
import NetauditPolicy

/// `netaudit probe URL`: every observation of one TLS endpoint, for an operator debugging it.
public enum TLSProbeReport {
    struct Document: Encodable {
        let endpoint: TLSObservation
        let findings: [Finding]
        let verdict: EndpointVerdict
        let anchor: ReachedAnchor?
    }

    /// The observation, then `findings` (id, severity, message, evidence) and `verdict`.
    public static func json(_ observation: TLSObservation, evaluation: EndpointEvaluation) throws -> String {
        try JSONOutput.render(Document(endpoint: observation, findings: evaluation.findings, verdict: evaluation.verdict,
                                       anchor: evaluation.anchor))
    }

    /// The observation, then the findings (their messages in `labels`' language) and the verdict.
    public static func text(_ observation: TLSObservation, evaluation: EndpointEvaluation, labels: ReportLabels = .english) -> String {
        var out = text(observation)
        out += FindingsText.render(evaluation.findings, labels: labels)
        if let local = evaluation.notProbed {
            return out + "verdict: not judged (netaudit could not make the check in full: \(local.summary))\n"
        }
        var verdict = "verdict: \(evaluation.verdict.rawValue)"
        if let anchor = evaluation.anchor {
            verdict += " (trusted through \(anchor.store.rawValue) trust\(anchor.subject.map { ": \($0.displaySafe)" } ?? ""))"
        }
        return out + verdict + "\n"
    }

    public static func text(_ observation: TLSObservation) -> String {
        var out: [String] = []
        let target = observation.address.map { " at \($0.isIPv6 ? "[\($0)]" : $0.description):\(observation.port)" } ?? ""
        out.append("endpoint \(observation.url)\(target) (server name \(observation.serverName))")
        if let problem = observation.problem { out.append("  problem: \(problem)") }

        let connection = observation.connection
        out.append("connection")
        out.append("  tcp: \(connection.tcpConnected ? "connected" : "not connected")")
        var handshake = connection.modernHandshake ? "ok (modern client)" : "failed (modern client)"
        if let legacy = connection.legacyHandshake { handshake += legacy ? "; ok with a legacy client" : "; failed with a legacy client too" }
        out.append("  handshake: \(handshake)")
        if let failure = connection.failure { out.append("  failure: \(failure.rawValue)") }
        if let message = connection.message { out.append("  message: \(message)") }

        if let http = observation.http {
            out.append("https response")
            out.append("  status: \(http.status)" + (http.location.map { " → \($0)" } ?? ""))
            out.append("  strict-transport-security: " + (http.strictTransportSecurity
                       ?? (http.unreadable.map { "(not known: the response head could not be read to its end: \($0))" } ?? "(none)")))
            let t = http.timings
            let phases = [("dns", t.dns), ("connect", t.connect), ("tls", t.tls), ("first byte", t.firstByte), ("total", t.total)]
                .map { "\($0.0) \($0.1.map { milliseconds($0) } ?? "-")" }
            out.append("  timings: \(phases.joined(separator: ", "))")
        }
        if let session = observation.session {
            out.append("session" + (session.legacy ? " (legacy client)" : ""))
            out.append("  protocol: \(session.protocolVersion?.rawValue ?? "?")")
            out.append("  cipher: \(session.cipher)" + (session.cipherOpenSSLName.map { " (\($0))" } ?? ""))
            out.append("  key exchange: \(session.keyExchange ?? "none (static RSA)")")
            out.append("  ocsp stapled: \(session.ocspStapled ? "yes" : "no")")
        }
        if !observation.certificates.isEmpty {
            out.append("certificates (as sent: \(observation.certificates.count))")
            let dates = ISO8601DateFormatter()
            for (index, certificate) in observation.certificates.enumerated() {
                out.append("  [\(index)] \(certificate.subject)")
                out.append("      issuer: \(certificate.issuer)")
                if !certificate.subjectAltNames.isEmpty { out.append("      names: \(certificate.subjectAltNames.joined(separator: ", "))") }
                out.append("      valid: \(dates.string(from: certificate.notBefore)) … \(dates.string(from: certificate.notAfter))")
                out.append("      key: \(certificate.keyType) \(certificate.keyBits)" + (certificate.curve.map { " \($0)" } ?? "")
                           + ", signature: \(certificate.signatureAlgorithm)")
                var flags: [String] = []
                if certificate.isCA { flags.append("CA") }
                if certificate.selfSigned { flags.append("self-signed") }
                out.append("      sha256: \(certificate.sha256Fingerprint)" + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
            }
        }
        if let trust = observation.trust {
            out.append("trust")
            out.append("  public: \(verification(trust.publicTrust))")
            if let government = trust.governmentTrust { out.append("  government: \(verification(government))") }
            out.append("  host name: \(trust.hostnameMatches ? "matches" : "does not match") \(observation.serverName)"
                       + (trust.hostnameMatches ? "" : " (\(trust.hostnameCode): \(trust.hostnameMessage))"))
            if let completion = trust.chainCompletion {
                out.append("  missing issuer: \(completion.missingIssuer)"
                           + (completion.completedByAIA ? " (completed from the AIA caIssuers URL)" : ""))
                if completion.caIssuersURLs.isEmpty { out.append("    no AIA caIssuers URL") }
                for fetch in completion.fetches {
                    out.append("    \(fetch.url): " + (fetch.problem ?? "gave \(fetch.certificates.joined(separator: "; "))"))
                }
            }
        }
        if let revocation = observation.revocation {
            out.append("revocation")
            for entry in revocation.certificates {
                let name = entry.position == 0 ? "leaf" : "issuer \(entry.position)"
                var line = "  \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.status.rawValue)"
                if let source = entry.source { line += " (\(source.rawValue)" + (entry.responder.map { ", \($0)" } ?? "") + ")" }
                if entry.status == .revoked {
                    line += ": \(entry.reason ?? "unspecified")" + (entry.revokedAt.map { " since \(Self.timestamp($0))" } ?? "")
                }
                if let problem = entry.problem { line += ": \(problem)" }
                out.append(line)
            }
        }
        if !observation.protocols.isEmpty {
            out.append("protocols")
            for entry in observation.protocols {
                out.append("  \(entry.version.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(verdict(entry.accepted)) (\(entry.detail))")
            }
        }
        if !observation.weakCiphers.isEmpty || observation.staticRSA != nil || observation.cbc != nil {
            out.append("cipher classes" + (observation.weakCiphers.first?.testedWith.map { " (tested with \($0.rawValue))" } ?? ""))
            for entry in observation.weakCiphers + [observation.staticRSA, observation.cbc].compactMap({ $0 }) {
                let version = entry.name == "cbc" ? entry.testedWith.map { ", \($0.rawValue)" } ?? "" : ""
                out.append("  \(entry.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(verdict(entry.accepted)) (\(entry.detail)\(version))")
            }
        }
        let exchanges = [observation.dhe, observation.ecdhe].compactMap { $0 }
        if !exchanges.isEmpty {
            out.append("key exchange" + (exchanges.compactMap(\.testedWith).first.map { " (tested with \($0.rawValue))" } ?? ""))
            for entry in exchanges {
                var detail = entry.detail
                if entry.export { detail += "; export-grade" }
                out.append("  \(entry.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(verdict(entry.accepted)) (\(detail))")
            }
        }
        if let plain = observation.plainHTTP {
            out.append("plain http (port \(plain.port))")
            if plain.answered {
                out.append("  status: \(plain.status ?? 0)" + (plain.location.map { " → \($0)" } ?? "")
                           + (RedirectTarget.staysOnSite(observation) ? " (redirects to https on this site)"
                              : plain.redirectsToHTTPS ? " (redirects to https on another site)" : " (no redirect to https)"))
            } else {
                out.append("  no answer" + (plain.message.map { ": \($0)" } ?? ""))
            }
        }
        out.append("took \(String(format: "%.3f", observation.duration)) s")
        // What the server sent (subjects, names, headers) is shown, never obeyed.
        return out.map(\.displaySafe).joined(separator: "\n") + "\n"
    }

    static func verification(_ result: ChainVerification) -> String {
        if result.trusted { return "trusted" + (result.anchor.map { " (anchor \($0))" } ?? "") }
        return "not trusted: \(result.problem?.rawValue ?? "other") (\(result.code): \(result.message))"
    }

    static func verdict(_ accepted: Bool?) -> String {
        switch accepted {
        case true?: return "accepted"
        case false?: return "refused "
        case nil: return "unknown "
        }
    }

    static func timestamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)) }

    static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.1f ms", seconds * 1000)
    }
}
