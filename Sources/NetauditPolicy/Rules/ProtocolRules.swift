import NetauditCore

extension TLSProtocolVersion {
    /// `SSL 3.0`, `TLS 1.2`: the name in messages.
    var displayName: String {
        switch self {
        case .ssl3: return "SSL 3.0"
        case .tls1_0: return "TLS 1.0"
        case .tls1_1: return "TLS 1.1"
        case .tls1_2: return "TLS 1.2"
        case .tls1_3: return "TLS 1.3"
        }
    }
}

extension EndpointRules {
    // MARK: Protocol versions

    /// The finding for an obsolete version the server accepts (`accepted == true`; a refusal
    /// or an inconclusive test makes none).
    static func accepted(_ version: TLSProtocolVersion, _ rule: Rule, _ context: EndpointContext) -> Finding? {
        guard let entry = context.observation.protocols.first(where: { $0.version == version }),
              entry.accepted == true else { return nil }
        return context.finding(rule, "The server accepts \(version.displayName).",
                               ["protocol.version": version.rawValue, "protocol.detail": entry.detail])
    }

    /// The finding for a current version the server refuses (`accepted == false`; nil, not
    /// tested or inconclusive, makes none).
    static func missing(_ version: TLSProtocolVersion, _ rule: Rule, _ context: EndpointContext) -> Finding? {
        guard let entry = context.observation.protocols.first(where: { $0.version == version }),
              entry.accepted == false else { return nil }
        let acceptedVersions = context.observation.protocols.filter { $0.accepted == true }.map(\.version).sorted()
        return context.finding(rule, "The server does not accept \(version.displayName).",
                               ["protocol.version": version.rawValue, "protocol.detail": entry.detail,
                                "protocol.accepted": acceptedVersions.map(\.rawValue).joined(separator: ", ")])
    }

    /// `proto.ssl3`: SSL 3.0 is broken (POODLE; RFC 7568 forbids it).
    static func protoSSL3(_ context: EndpointContext) -> Finding? { accepted(.ssl3, .protoSSL3, context) }

    /// `proto.tls1_0`: TLS 1.0 is deprecated (RFC 8996; NIST SP 800-52 Rev. 2 §3.1).
    static func protoTLS1_0(_ context: EndpointContext) -> Finding? { accepted(.tls1_0, .protoTLS1_0, context) }

    /// `proto.tls1_1`: TLS 1.1 is deprecated (RFC 8996; NIST SP 800-52 Rev. 2 §3.1).
    static func protoTLS1_1(_ context: EndpointContext) -> Finding? { accepted(.tls1_1, .protoTLS1_1, context) }

    /// `proto.tls1_2_missing`: NIST SP 800-52 Rev. 2 requires TLS 1.2 (older clients of other
    /// agencies still need it).
    static func protoTLS1_2Missing(_ context: EndpointContext) -> Finding? { missing(.tls1_2, .protoTLS1_2Missing, context) }

    /// `proto.tls1_3_missing`: NIST SP 800-52 Rev. 2 requires TLS 1.3 support since 2024.
    static func protoTLS1_3Missing(_ context: EndpointContext) -> Finding? { missing(.tls1_3, .protoTLS1_3Missing, context) }

    // MARK: Cipher suites

    /// The class names in messages.
    static func displayName(ofCipherClass name: String) -> String {
        switch name {
        case "null": return "NULL"
        case "anonymous": return "anonymous"
        case "export": return "EXPORT"
        case "des": return "DES"
        case "triple_des": return "3DES"
        case "rc4": return "RC4"
        default: return name
        }
    }

    /// `cipher.weak`: the server chose a NULL, anonymous, EXPORT, DES, 3DES or RC4 suite
    /// when offered only those (each class `accepted == true`).
    static func cipherWeak(_ context: EndpointContext) -> Finding? {
        let weak = context.observation.weakCiphers.filter { $0.accepted == true }
        guard !weak.isEmpty else { return nil }
        let described = weak.map { "\(displayName(ofCipherClass: $0.name)) (\($0.detail))" }
        var evidence = ["cipher.classes": weak.map(\.name).joined(separator: ", "),
                        "cipher.suites": weak.map(\.detail).joined(separator: ", ")]
        if let version = weak.compactMap(\.testedWith).max() { evidence["cipher.tested_with"] = version.rawValue }
        let noun = weak.count == 1 ? "a weak cipher suite" : "weak cipher suites"
        return context.finding(.cipherWeak, "The server accepts \(noun): \(PolicyFormat.list(described)).", evidence)
    }

    /// `cipher.no_forward_secrecy`: the server accepts static-RSA key exchange
    /// (TLS_RSA_WITH_*), so a stolen key decrypts recorded traffic.
    static func cipherNoForwardSecrecy(_ context: EndpointContext) -> Finding? {
        guard let staticRSA = context.observation.staticRSA, staticRSA.accepted == true else { return nil }
        var evidence = ["cipher.suites": staticRSA.detail]
        if let version = staticRSA.testedWith { evidence["cipher.tested_with"] = version.rawValue }
        return context.finding(.cipherNoForwardSecrecy,
                               "The server accepts static-RSA key exchange (\(staticRSA.detail)), which has no forward secrecy.",
                               evidence)
    }

    /// `cipher.cbc`: the server chose a TLS 1.2 CBC suite (MAC-then-encrypt: Lucky Thirteen,
    /// padding oracles) when offered only CBC suites outside the weak classes; Mozilla's
    /// "intermediate" profile allows only AEAD suites.
    static func cipherCBC(_ context: EndpointContext) -> Finding? {
        guard let cbc = context.observation.cbc, cbc.accepted == true else { return nil }
        var evidence = ["cipher.suites": cbc.detail]
        if let version = cbc.testedWith { evidence["cipher.tested_with"] = version.rawValue }
        return context.finding(.cipherCBC, "The server accepts CBC cipher suites in TLS 1.2 (\(cbc.detail)), not only AEAD ones.",
                               evidence)
    }

    // MARK: Key exchange

    /// `kex.dh_weak`: the server accepts DHE with a group (prime) below `dh_min_bits`
    /// (Logjam; NIST SP 800-52 Rev. 2 and Mozilla "intermediate" want 2048 bits). Severity
    /// `kex.dh_weak` (high), or `kex.dh_weak.broken` (critical) below `dh_critical_bits` or
    /// for an export-grade DHE suite. A group whose size was not read makes no finding.
    static func kexDHWeak(_ context: EndpointContext) -> Finding? {
        guard let dhe = context.observation.dhe, dhe.accepted == true, let bits = dhe.dhBits else { return nil }
        let thresholds = context.thresholds
        guard bits < thresholds.dhMinimumBits || dhe.export else { return nil }
        let broken = bits < thresholds.dhCriticalBits || dhe.export
        let severity = broken ? context.profile.severity(forKey: SeverityKey.kexDHWeakBroken)! : context.profile.severity(of: .kexDHWeak)
        let suite = dhe.suite ?? dhe.detail
        var evidence = ["kex.dh_bits": String(bits), "cipher.suites": suite,
                        "threshold.dh_min_bits": PolicyFormat.number(thresholds[.dhMinimumBits])]
        if broken { evidence["threshold.dh_critical_bits"] = PolicyFormat.number(thresholds[.dhCriticalBits]) }
        if dhe.export { evidence["kex.export"] = "true" }
        if let version = dhe.testedWith { evidence["cipher.tested_with"] = version.rawValue }
        let grade = dhe.export ? "an export-grade " : ""
        return context.finding(.kexDHWeak,
                               "The server accepts \(grade)DHE key exchange with a \(bits)-bit group (\(suite)); at least \(thresholds.dhMinimumBits) bits are required.",
                               evidence, severity: severity)
    }
}
