import NetauditCore
import Synchronization

/// The hand-built-hello part of a TLS check: which versions SSLv3 … TLS 1.2 the server
/// accepts, which weak cipher classes, and whether static-RSA key exchange. Each question is
/// one ClientHello; the server's first answer (ServerHello or alert) is the reply.
struct HelloPlan: Sendable {
    let engine: ProbeEngine
    let address: IPAddress
    let port: Int
    let serverName: String
    let deadline: ContinuousClock.Instant
    /// A real handshake worked (or the server answered a hello with TLS): a server that
    /// then closes without a word is refusing.
    var serverSpeaksTLS: Bool
    /// Where hellos that could not be sent (out of descriptors…) are counted, for the check.
    let localFailures: LocalFailureLog

    static let handTested: [TLSVersion] = [.ssl3, .tls1_0, .tls1_1, .tls1_2]

    /// The raw answer to one version's hello: the verdict, and what the socket saw (which
    /// also tells how far a connection gets when the real handshake fails).
    struct VersionAnswer: Sendable {
        let version: TLSVersion
        let answer: HelloAnswer
        let exchange: RawExchange.Outcome
    }

    /// One hello per version SSLv3 … TLS 1.2, all at once.
    func versionAnswers() async -> [VersionAnswer] {
        await withTaskGroup(of: VersionAnswer.self) { group in
            for version in Self.handTested {
                group.addTask {
                    let suites = (CipherSuite.broadTLS12 + WeakCipherClass.allCases.flatMap(\.suites))
                        .filter { $0.minimumVersion <= version }
                    let (answer, exchange) = await askRaw(version, suites)
                    return VersionAnswer(version: version, answer: answer, exchange: exchange)
                }
            }
            let all = await group.reduce(into: [VersionAnswer]()) { $0.append($1) }
            return Self.handTested.compactMap { version in all.first { $0.version == version } }
        }
    }

    /// The acceptance list: the hand-tested versions, then TLS 1.3 from the HTTPS request
    /// (whose client offered it).
    static func protocols(_ answers: [VersionAnswer], negotiated: Int?, serverSpeaksTLS: Bool) -> [ProtocolAcceptance] {
        var list = answers.map { $0.answer.acceptance($0.version.protocolVersion, serverSpeaksTLS: serverSpeaksTLS) }
        if let negotiated, negotiated == Int(TLSVersion.tls1_3.rawValue) {
            list.append(ProtocolAcceptance(version: .tls1_3, accepted: true, detail: "negotiated by the HTTPS request"))
        } else if let negotiated, let version = TLSProtocolVersion(wireValue: negotiated) {
            list.append(ProtocolAcceptance(version: .tls1_3, accepted: false,
                                           detail: "the server chose \(version.rawValue) over TLSv1.3, which the client offered"))
        } else {
            list.append(ProtocolAcceptance(version: .tls1_3, accepted: nil, detail: "no handshake succeeded"))
        }
        return list
    }

    /// The weak classes by elimination at `version` (the best one ≤ TLS 1.2 the server accepts).
    func weakClasses(at version: TLSProtocolVersion?, tls13Only: Bool) async -> [CipherClassAcceptance] {
        guard let version, let helloVersion = TLSVersion(version) else {
            let detail = tls13Only ? "the server speaks TLS 1.3 only, whose suites are all strong" : "no version ≤ TLS 1.2 answered"
            return WeakCipherClass.allCases.map { CipherClassAcceptance(name: $0.reportName, accepted: tls13Only ? false : nil, detail: detail) }
        }
        var remaining = WeakCipherClass.allCases
        var results: [WeakCipherClass: CipherClassAcceptance] = [:]
        while !remaining.isEmpty {
            let suites = remaining.flatMap(\.suites)
            let answer = await ask(helloVersion, suites)
            switch answer {
            case .accepted(_, let cipher):
                let classes = remaining.filter { cipher.weaknesses.contains($0) }
                let matched = classes.isEmpty ? remaining.filter { $0.suites.contains(cipher) } : classes
                guard !matched.isEmpty else {  // a suite outside every remaining class: cannot conclude
                    remaining.forEach { results[$0] = .init(name: $0.reportName, accepted: nil, detail: "chose \(cipher.name), outside the classes offered", testedWith: version) }
                    remaining = []
                    break
                }
                for weak in matched {
                    results[weak] = .init(name: weak.reportName, accepted: true, detail: cipher.name, testedWith: version)
                }
                remaining.removeAll { matched.contains($0) }
            case .refused(let refusal):
                remaining.forEach { results[$0] = .init(name: $0.reportName, accepted: false, detail: refusal.description, testedWith: version) }
                remaining = []
            case .failed(let failure):
                let refusedByClosing = serverSpeaksTLS && failure == .noAnswer
                remaining.forEach {
                    results[$0] = .init(name: $0.reportName, accepted: refusedByClosing ? false : nil,
                                        detail: refusedByClosing ? "closed the connection without answering" : failure.description,
                                        testedWith: version)
                }
                remaining = []
            }
        }
        return WeakCipherClass.allCases.compactMap { results[$0] }
    }

    /// Static-RSA key exchange (TLS_RSA_WITH_*: no forward secrecy) at `version`.
    func staticRSA(at version: TLSProtocolVersion?, tls13Only: Bool) async -> CipherClassAcceptance {
        guard let version, let helloVersion = TLSVersion(version) else {
            return CipherClassAcceptance(name: "static_rsa", accepted: tls13Only ? false : nil,
                                         detail: tls13Only ? "the server speaks TLS 1.3 only" : "no version ≤ TLS 1.2 answered")
        }
        return classAcceptance("static_rsa", await ask(helloVersion, CipherSuite.staticRSA), testedWith: version)
    }

    // MARK: Key exchange and CBC (issue 11)

    /// The DHE hello's suites at `version`: every catalogued DHE suite (RSA and DSS, the
    /// weak and EXPORT ones too, so that a server whose only DHE is export-grade shows its
    /// group), non-export first.
    static func dheSuites(for version: TLSVersion) -> [CipherSuite] {
        let all = CipherSuite.catalogue.filter { $0.keyExchange == .dhe && $0.minimumVersion <= version }
        return all.filter { !$0.weaknesses.contains(.export) } + all.filter { $0.weaknesses.contains(.export) }
    }

    /// The ECDHE hello's suites at `version`: every catalogued ECDHE suite outside the weak
    /// classes, AEAD first. The hello offers the groups of `ClientHello.supportedGroups`.
    static func ecdheSuites(for version: TLSVersion) -> [CipherSuite] {
        let all = CipherSuite.catalogue.filter { $0.keyExchange == .ecdhe && $0.weakClass == nil && $0.minimumVersion <= version }
        return all.filter(\.isAEAD) + all.filter { !$0.isAEAD }
    }

    /// The CBC hello's suites (TLS 1.2): every catalogued CBC suite with ECDHE, DHE or RSA
    /// key exchange that is in none of the weak classes (those have their own hellos, and
    /// 3DES/DES are CBC too): AES, Camellia, ARIA, SEED, IDEA with SHA-1 or SHA-2 MACs.
    static let cbcSuites: [CipherSuite] = CipherSuite.catalogue.filter {
        [.ecdhe, .dhe, .rsa].contains($0.keyExchange) && $0.weakClass == nil && $0.isCBC && !$0.isAEAD
    }

    /// One hello offering only `kind` key exchange at `version` (the best one ≤ TLS 1.2 the
    /// server accepts), read on to the ServerKeyExchange: accepted or not, the suite, and the
    /// DHE prime size or the ECDHE group the server picks.
    func keyExchange(_ kind: KeyExchangeAcceptance.Kind, at version: TLSProtocolVersion?,
                     tls13Only: Bool) async -> KeyExchangeAcceptance {
        guard let version, let helloVersion = TLSVersion(version) else {
            return KeyExchangeAcceptance(kind: kind, accepted: nil,
                                         detail: tls13Only ? "the server speaks TLS 1.3 only (not tested)" : "no version ≤ TLS 1.2 answered")
        }
        let suites = kind == .dhe ? Self.dheSuites(for: helloVersion) : Self.ecdheSuites(for: helloVersion)
        let (answer, reading) = await askKeyExchange(helloVersion, suites)
        switch answer {
        case .accepted(_, let cipher):
            var result = KeyExchangeAcceptance(kind: kind, accepted: true, suite: cipher.name,
                                               export: cipher.weaknesses.contains(.export), detail: cipher.name,
                                               testedWith: version)
            switch reading {
            case .finiteField(let bits) where kind == .dhe:
                result.dhBits = bits
                result.detail = "\(cipher.name), DH \(bits) bits"
            case .namedCurve(let code) where kind == .ecdhe:
                let name = KeyExchangeReading.groupName(code)
                result.group = name
                result.detail = "\(cipher.name), \(name)"
            default:
                result.detail = "\(cipher.name); group not read: \(reading)"
            }
            return result
        case .refused(let refusal):
            return KeyExchangeAcceptance(kind: kind, accepted: false, detail: refusal.description, testedWith: version)
        case .failed(let failure):
            let closed = serverSpeaksTLS && failure == .noAnswer
            return KeyExchangeAcceptance(kind: kind, accepted: closed ? false : nil,
                                         detail: closed ? "closed the connection without answering" : failure.description,
                                         testedWith: version)
        }
    }

    /// Whether TLS 1.2 CBC suites are accepted (`cbcSuites` offered alone). Judged at TLS 1.2
    /// only: below it every suite but RC4 is CBC, and the version rules already speak.
    func cbc(at version: TLSProtocolVersion?, tls13Only: Bool) async -> CipherClassAcceptance {
        guard version == .tls1_2 else {
            let detail = tls13Only ? "the server speaks TLS 1.3 only, whose suites are all AEAD"
                : version == nil ? "no version ≤ TLS 1.2 answered" : "TLS 1.2 is not accepted (CBC is judged at TLS 1.2)"
            return CipherClassAcceptance(name: "cbc", accepted: tls13Only ? false : nil, detail: detail)
        }
        return classAcceptance("cbc", await ask(.tls1_2, Self.cbcSuites), testedWith: .tls1_2)
    }

    /// A one-hello class test's answer as an acceptance (see `staticRSA`).
    func classAcceptance(_ name: String, _ answer: HelloAnswer, testedWith version: TLSProtocolVersion) -> CipherClassAcceptance {
        switch answer {
        case .accepted(_, let cipher):
            return CipherClassAcceptance(name: name, accepted: true, detail: cipher.name, testedWith: version)
        case .refused(let refusal):
            return CipherClassAcceptance(name: name, accepted: false, detail: refusal.description, testedWith: version)
        case .failed(let failure):
            let closed = serverSpeaksTLS && failure == .noAnswer
            return CipherClassAcceptance(name: name, accepted: closed ? false : nil,
                                         detail: closed ? "closed the connection without answering" : failure.description,
                                         testedWith: version)
        }
    }

    /// Sends one ClientHello and reads the answer on to the ServerKeyExchange, streaming:
    /// the certificate chain in between is skipped as it arrives, never held.
    func askKeyExchange(_ version: TLSVersion, _ suites: [CipherSuite]) async -> (answer: HelloAnswer, keyExchange: KeyExchangeReading) {
        let hello: ClientHello
        do {
            hello = try ClientHello(version: version, cipherSuites: suites, serverName: serverName)
        } catch {
            return (.failed(.unfinished), .unreadable("the hello could not be built: \(error)"))
        }
        guard ContinuousClock.now < deadline else { return (.failed(.noAnswer), .unreadable("no time left")) }
        let parse = StreamedParse()
        let outcome = await engine.exchange(hello.bytes, address: address, port: port, deadline: deadline,
                                            enough: { _ in true }, stream: { parse.feed($0) })
        if let local = outcome.localFailure {
            localFailures.record(local)
            return (.failed(.notSent("\(local.summary) (\(local.message))")), .unreadable("not sent"))
        }
        let parser = parse.finish()
        return (HelloAnswer(offered: hello, answer: parser.result), parser.keyExchange)
    }

    /// Sends one ClientHello and judges the answer.
    func ask(_ version: TLSVersion, _ suites: [CipherSuite]) async -> HelloAnswer {
        await askRaw(version, suites).answer
    }

    /// Sends one ClientHello; the verdict and what the socket saw.
    func askRaw(_ version: TLSVersion, _ suites: [CipherSuite]) async -> (answer: HelloAnswer, exchange: RawExchange.Outcome) {
        let hello: ClientHello
        do {
            hello = try ClientHello(version: version, cipherSuites: suites, serverName: serverName)
        } catch {
            return (.failed(.unfinished), RawExchange.Outcome())
        }
        guard ContinuousClock.now < deadline else { return (.failed(.noAnswer), RawExchange.Outcome(timedOut: true)) }
        let outcome = await engine.exchange(hello.bytes, address: address, port: port, deadline: deadline) { bytes in
            var parser = ServerHelloParser()
            parser.feed(bytes)
            return parser.result.isFinal
        }
        if let local = outcome.localFailure {
            localFailures.record(local)
            return (.failed(.notSent("\(local.summary) (\(local.message))")), outcome)
        }
        var parser = ServerHelloParser()
        parser.feed(outcome.bytes)
        parser.finish()
        return (HelloAnswer(offered: hello, answer: parser.result), outcome)
    }
}

extension HelloAnswer {
    /// A server that completed a real handshake and then closes on a hello without a word
    /// is refusing it (many do so for SSLv3); otherwise silence proves nothing.
    func acceptance(_ version: TLSProtocolVersion, serverSpeaksTLS: Bool) -> ProtocolAcceptance {
        switch self {
        case .accepted(_, let cipher):
            return ProtocolAcceptance(version: version, accepted: true, detail: cipher.name)
        case .refused(let refusal):
            return ProtocolAcceptance(version: version, accepted: false, detail: refusal.description)
        case .failed(let failure):
            let refused = serverSpeaksTLS && failure == .noAnswer
            return ProtocolAcceptance(version: version, accepted: refused ? false : nil,
                                      detail: refused ? "closed the connection without answering" : failure.description)
        }
    }
}

extension TLSVersion {
    init?(_ version: TLSProtocolVersion) {
        self.init(rawValue: Int(version.wireValue))
    }

    var protocolVersion: TLSProtocolVersion { TLSProtocolVersion(wireValue: rawValue)! }
}

extension WeakCipherClass {
    /// The name in reports and JSON: null, anonymous, export, des, triple_des, rc4.
    var reportName: String {
        switch self {
        case .tripleDES: return "triple_des"
        default: return rawValue
        }
    }
}

/// A `ServerHelloParser` in read-on mode fed from the loop's thread, chunk by chunk, then
/// read once the exchange is over.
final class StreamedParse: Sendable {
    private let parser = Mutex(ServerHelloParser(readsKeyExchange: true))

    /// Takes a chunk; true once nothing more is needed.
    func feed(_ chunk: ArraySlice<UInt8>) -> Bool {
        parser.withLock { parser in
            parser.feed(chunk)
            return parser.isComplete
        }
    }

    /// The parser after `finish()`.
    func finish() -> ServerHelloParser {
        parser.withLock { parser in
            parser.finish()
            return parser
        }
    }
}

/// The local failures of one check's connections, gathered from its concurrent parts.
final class LocalFailureLog: Sendable {
    private let failure = Mutex<LocalFailure?>(nil)

    func record(_ local: LocalFailure?) {
        guard let local else { return }
        failure.withLock { $0 = local.merged(with: $0) }
    }

    var merged: LocalFailure? { failure.withLock { $0 } }
}
