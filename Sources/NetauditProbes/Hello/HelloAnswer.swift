/// What a server's first answer means for the hello that was sent: did it accept the offered
/// version with one of the offered suites, refuse, or not answer in TLS at all?
///
/// Only an exact match counts as accepted: a ServerHello of the offered version with a suite
/// that was offered. A ServerHello of another version means the offered one is not spoken
/// (a server that supports TLS 1.2 and gets a TLS 1.0 hello answers 1.0 if it has 1.0 at all,
/// RFC 5246 §E.1, so a lower answer to a higher offer, or any other mismatch, is a refusal of
/// the version offered). A suite or compression method that was not offered is a protocol
/// violation by the server (RFC 5246 §7.4.1.3: "a single cipher suite selected by the server
/// from the list in ClientHello.cipher_suites"); it is reported as a refusal that says so.
public enum HelloAnswer: Sendable, Hashable, CustomStringConvertible {
    /// The server took the offered version and one of the offered suites.
    case accepted(version: TLSVersion, cipher: CipherSuite)
    /// The server answered in TLS but did not take the offer.
    case refused(Refusal)
    /// No TLS answer: nothing, a cut-off answer, or something that is not TLS.
    case failed(Failure)

    /// Why an offer was refused.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// An alert instead of a ServerHello: `handshake_failure` (no common suite),
        /// `protocol_version` (version not spoken), `insufficient_security`, …
        case alert(level: TLSAlert.Level, description: TLSAlert.Description)
        /// A ServerHello of another version than the one offered. Lower: the offered version
        /// is not spoken. Higher: a protocol violation (RFC 5246 §7.4.1.3).
        case differentVersion(chosen: UInt16, offered: UInt16)
        /// A TLS 1.3 HelloRetryRequest, though TLS 1.3 was not offered: a protocol violation.
        case helloRetryRequest(selectedVersion: UInt16?)
        /// A ServerHello with a suite that was not offered: a protocol violation.
        case suiteNotOffered(UInt16)
        /// A ServerHello with a compression method other than null, which alone was offered:
        /// a protocol violation.
        case compressionNotOffered(UInt8)

        /// Whether the server broke the protocol rather than declining politely.
        public var isProtocolViolation: Bool {
            switch self {
            case .alert: return false
            case .differentVersion(let chosen, let offered): return chosen > offered
            case .helloRetryRequest, .suiteNotOffered, .compressionNotOffered: return true
            }
        }

        public var description: String {
            switch self {
            case .alert(let level, let description):
                return "\(level) alert \(description)"
            case .differentVersion(let chosen, let offered):
                let text = "the server chose version \(Self.version(chosen)) instead of \(Self.version(offered))"
                return chosen > offered ? text + " (protocol violation: higher than offered)" : text
            case .helloRetryRequest:
                return "a TLS 1.3 HelloRetryRequest, though TLS 1.3 was not offered (protocol violation)"
            case .suiteNotOffered(let code):
                return "the server chose \(CipherSuite.describing(code)), which was not offered (protocol violation)"
            case .compressionNotOffered(let method):
                return "the server chose compression method \(method), which was not offered (protocol violation)"
            }
        }

        private static func version(_ raw: UInt16) -> String {
            TLSVersion(rawValue: Int(raw))?.description ?? "0x" + String(raw, radix: 16)
        }
    }

    /// Why there is no TLS answer.
    public enum Failure: Sendable, Hashable, CustomStringConvertible {
        /// The connection ended, or the read timed out, before the server sent a byte.
        /// Many servers refuse an unsupported version (SSLv3 above all) this way rather than
        /// with an alert, so an engine may count it as "not offered" once a control probe
        /// on the same endpoint has shown that the server does answer.
        case noAnswer
        /// The answer stopped part-way.
        case truncated(bytesReceived: Int)
        /// The answer is not TLS.
        case notTLS(ServerHelloParser.NotTLSReason)
        /// The parser was still waiting for data: call `finish()` on it before judging.
        case unfinished
        /// The hello was never sent: netaudit ran short of its own resources (out of file
        /// descriptors…). It says nothing about the server.
        case notSent(String)

        public var description: String {
            switch self {
            case .noAnswer: return "no answer"
            case .truncated(let count): return "the answer stopped after \(count) bytes"
            case .notTLS(let reason): return "not TLS: \(reason)"
            case .unfinished: return "the answer was not read to the end"
            case .notSent(let reason): return "not sent: \(reason)"
            }
        }
    }

    /// Judges `result`, the parser's answer to `hello`.
    public init(offered hello: ClientHello, answer result: ServerHelloParser.Result) {
        switch result {
        case .needMoreData:
            self = .failed(.unfinished)
        case .notTLS(.incomplete(let count)):
            self = count == 0 ? .failed(.noAnswer) : .failed(.truncated(bytesReceived: count))
        case .notTLS(let reason):
            self = .failed(.notTLS(reason))
        case .alert(let level, let description):
            self = .refused(.alert(level: level, description: description))
        case .serverHello(let serverHello):
            self = Self.judge(serverHello, offered: hello)
        }
    }

    private static func judge(_ serverHello: ServerHello, offered hello: ClientHello) -> HelloAnswer {
        if serverHello.isHelloRetryRequest {
            return .refused(.helloRetryRequest(selectedVersion: serverHello.selectedVersion))
        }
        let offeredVersion = UInt16(hello.version.rawValue)
        guard serverHello.negotiatedVersion == offeredVersion else {
            return .refused(.differentVersion(chosen: serverHello.negotiatedVersion, offered: offeredVersion))
        }
        // Against the real suites only: the SSLv3 hello's renegotiation SCSV is not a suite.
        guard let suite = hello.cipherSuites.first(where: { $0.code == serverHello.cipherSuite }) else {
            return .refused(.suiteNotOffered(serverHello.cipherSuite))
        }
        guard serverHello.compressionMethod == 0 else {
            return .refused(.compressionNotOffered(serverHello.compressionMethod))
        }
        return .accepted(version: hello.version, cipher: suite)
    }

    /// Whether the offer was accepted.
    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .accepted(let version, let cipher): return "accepted \(version) with \(cipher)"
        case .refused(let refusal): return "refused: \(refusal)"
        case .failed(let failure): return "failed: \(failure)"
        }
    }
}
