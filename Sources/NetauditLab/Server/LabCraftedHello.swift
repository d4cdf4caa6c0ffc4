/// An old TLS server played by hand: what Debian's OpenSSL 3 can no longer serve (SSLv3,
/// RC4, EXPORT, NULL, anonymous, single DES). It reads the client's first record and answers
/// it the way such a server did, then holds the connection a short while and closes; it
/// never completes a handshake (no certificate, no key exchange), which is enough for a probe
/// that reads only the server's first answer.
///
/// The rule, as SSLv3–TLS 1.2 servers apply it (RFC 5246 §7.4.1.2, §E.1; RFC 6101 §E):
/// 1. version = min(client_version, highest of ``versions``): a server answers a newer
///    client with its own highest version, not with an error;
/// 2. if that version is below the lowest of ``versions``, a fatal `protocol_version` (70)
///    alert, in a record of the client's version;
/// 3. else the suite is the first one the client offers that ``cipherSuites`` contains (the
///    client's preference order); if there is none, a fatal `handshake_failure` (40) alert,
///    in a record of the chosen version;
/// 4. else a ServerHello record (record version = server_version = the chosen version,
///    32 random bytes, an empty session_id, the suite, compression null, no extensions),
///    followed in the same record by an empty ServerHelloDone if ``sendsServerHelloDone``;
///    when the suite is one of ``dhe``'s, an empty Certificate and a ServerKeyExchange with a
///    prime of ``LabCraftedDHE/primeBits`` bits come between the two (see ``LabCraftedDHE``).
///
/// Extensions (supported_versions included) are ignored, as servers older than TLS 1.3 do;
/// a first record that is not a ClientHello gets a fatal `unexpected_message` (10), or
/// `decode_error` (50) when it is a malformed handshake record, in a record of the lowest
/// version. Whether a suite exists in the chosen version is not checked: list suites that fit.
public struct LabCraftedHello: Sendable, Hashable {
    /// The versions the server speaks (SSLv3 to TLS 1.2; this ServerHello has no TLS 1.3 form).
    public var versions: ClosedRange<LabTLSVersion>
    /// The cipher suite codes the server accepts (order does not matter: the client's wins).
    public var cipherSuites: [UInt16]
    /// Whether an empty ServerHelloDone follows the ServerHello in the same record.
    public var sendsServerHelloDone: Bool
    /// How long the connection stays open after the answer, unless the client closes first.
    public var holdAfterAnswer: Duration
    /// The DHE suites answered with a ServerKeyExchange, and the size of its prime; nil
    /// answers every suite with the ServerHello alone.
    public var dhe: LabCraftedDHE?

    public init(
        versions: ClosedRange<LabTLSVersion>, cipherSuites: [UInt16], sendsServerHelloDone: Bool = true,
        holdAfterAnswer: Duration = .milliseconds(500), dhe: LabCraftedDHE? = nil
    ) {
        self.versions = versions
        self.cipherSuites = cipherSuites
        self.sendsServerHelloDone = sendsServerHelloDone
        self.holdAfterAnswer = holdAfterAnswer
        self.dhe = dhe
    }

    /// A fatal alert's description (RFC 5246 §7.2).
    public enum AlertDescription: UInt8, Sendable, Hashable {
        case unexpectedMessage = 10
        case handshakeFailure = 40
        case decodeError = 50
        case protocolVersion = 70
    }

    /// The server's answer to one hello.
    public enum Answer: Sendable, Hashable {
        /// A ServerHello for `version` and `cipherSuite`.
        case serverHello(version: LabTLSVersion, cipherSuite: UInt16)
        /// A fatal alert in a record of `recordVersion`.
        case alert(AlertDescription, recordVersion: UInt16)
    }

    /// The answer to `hello`, by the rule above.
    public func answer(to hello: LabClientHello) -> Answer {
        let chosen = min(hello.clientVersion, versions.upperBound.rawValue)
        guard chosen >= versions.lowerBound.rawValue, let version = LabTLSVersion(rawValue: chosen) else {
            return .alert(.protocolVersion, recordVersion: max(hello.clientVersion, LabTLSVersion.ssl3.rawValue))
        }
        let accepted = Set(cipherSuites)
        guard let suite = hello.cipherSuites.first(where: accepted.contains) else {
            return .alert(.handshakeFailure, recordVersion: version.rawValue)
        }
        return .serverHello(version: version, cipherSuite: suite)
    }

    /// The answer to a first record that is not a readable ClientHello.
    func answer(toUnreadable record: [UInt8]) -> Answer {
        let description: AlertDescription = record.first == 22 ? .decodeError : .unexpectedMessage
        return .alert(description, recordVersion: versions.lowerBound.rawValue)
    }

    /// The bytes of `answer`: one record. `random` is the ServerHello's 32 random bytes.
    public func bytes(of answer: Answer, random: [UInt8]) -> [UInt8] {
        switch answer {
        case .alert(let description, let recordVersion):
            return [21, UInt8(recordVersion >> 8), UInt8(recordVersion & 0xFF), 0, 2, 2, description.rawValue]
        case .serverHello(let version, let suite):
            precondition(random.count == 32, "a ServerHello random is 32 bytes")
            let v = [UInt8(version.rawValue >> 8), UInt8(version.rawValue & 0xFF)]
            let body = v + random + [0] + [UInt8(suite >> 8), UInt8(suite & 0xFF)] + [0]
            var handshake: [UInt8] = [2, 0, 0, UInt8(body.count)] + body
            if let dhe, dhe.suites.contains(suite) {
                handshake += [11, 0, 0, 3, 0, 0, 0]  // Certificate with an empty certificate_list
                handshake += dhe.serverKeyExchange(version: version)
            }
            if sendsServerHelloDone { handshake += [14, 0, 0, 0] }
            return [22] + v + [UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
        }
    }
}

/// What a crafted server sends for its DHE suites: a ServerKeyExchange (RFC 5246 §7.4.3) whose
/// dh_p has `primeBits` bits. Neither the prime nor the signature is real (dh_p is all ones,
/// dh_g 2, the signature filler bytes): a probe that reads the group's size is all it fools,
/// and no client can complete the handshake. An export-era server's 512-bit group, which
/// OpenSSL 3 refuses to serve at any security level, is the point.
public struct LabCraftedDHE: Sendable, Hashable {
    /// The suite codes answered with a ServerKeyExchange.
    public var suites: [UInt16]
    /// The bits of dh_p (at least 8).
    public var primeBits: Int

    public init(suites: [UInt16], primeBits: Int) {
        self.suites = suites
        self.primeBits = max(8, primeBits)
    }

    /// The handshake message: dh_p, dh_g, dh_Ys, then the signature (with its algorithm in TLS 1.2).
    func serverKeyExchange(version: LabTLSVersion) -> [UInt8] {
        func vector(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes }
        let count = (primeBits + 7) / 8
        let top = primeBits - (count - 1) * 8
        let prime = [UInt8((1 << top) - 1)] + [UInt8](repeating: 0xFF, count: count - 1)
        var body = vector(prime) + vector([2]) + vector([UInt8](repeating: 0x5A, count: count))
        if version == .tls1_2 { body += [4, 1] }  // rsa_pkcs1_sha256
        body += vector([UInt8](repeating: 0x51, count: 64))
        return [12, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }
}
