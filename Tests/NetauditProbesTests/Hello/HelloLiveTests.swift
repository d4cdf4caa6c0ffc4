@testable import NetauditProbes
import Testing

/// The codec against a real server: Debian's `openssl s_server` on 127.0.0.1.
struct HelloLiveTests {
    private static func exchange(
        server arguments: [String], _ version: TLSVersion, _ suites: [CipherSuite], serverName: String? = "localhost"
    ) throws -> (result: ServerHelloParser.Result, answer: HelloAnswer) {
        let server = try LoopbackOpenSSLServer.start(arguments)
        defer { server.stop() }
        let hello = try ClientHello(version: version, cipherSuites: suites, serverName: serverName)
        return try LoopbackClient.exchange(hello, port: server.port)
    }

    @Test func tls12BroadHelloIsAccepted() throws {
        let (result, answer) = try Self.exchange(server: [], .tls1_2, CipherSuite.broadTLS12)
        guard case .accepted(let version, let cipher) = answer else {
            Issue.record("expected acceptance, got \(answer)")
            return
        }
        #expect(version == .tls1_2)
        #expect(CipherSuite.broadTLS12.contains(cipher))
        guard case .serverHello(let hello) = result else { return }
        #expect(hello.recordVersion == 0x0303)
        #expect(hello.extensionTypes.contains(0xFF01), "the server acknowledges renegotiation_info")
        // s_server also speaks TLS 1.3, so its TLS 1.2 answer carries the downgrade sentinel.
        #expect(hello.downgradeSentinel == .tls12)
    }

    @Test func staticRSAOnlyServerPicksAES128SHA() throws {
        let (_, answer) = try Self.exchange(server: ["-cipher", "AES128-SHA", "-tls1_2"], .tls1_2, CipherSuite.staticRSA)
        #expect(answer == .accepted(version: .tls1_2, cipher: CipherSuite.describing(0x002F)))
    }

    @Test func rc4OnlyHelloGetsHandshakeFailure() throws {
        let (_, answer) = try Self.exchange(server: [], .tls1_2, WeakCipherClass.rc4.suites)
        #expect(answer == .refused(.alert(level: .fatal, description: .handshakeFailure)))
    }

    /// OpenSSL 3 does not refuse TLS 1.0/1.1 at the version stage: it negotiates the version,
    /// then finds no signature algorithm its default security level (1) allows for it (the
    /// TLS 1.0/1.1 MD5+SHA-1 handshake signature is below 80 bits of security; its log says
    /// "tls_choose_sigalg: no suitable signature algorithm", even for static RSA suites) and
    /// sends a fatal internal_error(80) alert, in a record of the offered version.
    @Test(arguments: [TLSVersion.tls1_0, .tls1_1])
    func legacyHelloToDefaultServerGetsInternalError(_ version: TLSVersion) throws {
        let (_, answer) = try Self.exchange(server: [], version, CipherSuite.broadTLS12)
        #expect(answer == .refused(.alert(level: .fatal, description: .internalError)))
    }

    /// Debian's OpenSSL 3 has no SSLv3 ("version too low" in its log) and says so with a fatal
    /// handshake_failure(40) in an SSLv3 record: SSLv3 has no protocol_version alert (that came
    /// with TLS 1.0), so OpenSSL maps it to handshake_failure for an SSLv3 peer.
    @Test func sslv3HelloGetsHandshakeFailure() throws {
        let (_, answer) = try Self.exchange(server: [], .ssl3, CipherSuite.broadTLS12)
        #expect(answer == .refused(.alert(level: .fatal, description: .handshakeFailure)))
    }

    /// The positive control: a server configured for TLS 1.0/1.1 at security level 0 does
    /// accept the hand-built hellos for those versions.
    @Test(arguments: [(TLSVersion.tls1_0, "-tls1"), (.tls1_1, "-tls1_1")])
    func legacyVersionAcceptedWhenEnabled(_ version: TLSVersion, _ flag: String) throws {
        let (_, answer) = try Self.exchange(server: [flag, "-cipher", "ALL:@SECLEVEL=0"], version, CipherSuite.broadTLS12)
        guard case .accepted(let accepted, let cipher) = answer else {
            Issue.record("expected acceptance, got \(answer)")
            return
        }
        #expect(accepted == version)
        #expect(CipherSuite.broadTLS12.contains(cipher))
    }

    @Test func noSNIForAnAddress() throws {
        let (_, answer) = try Self.exchange(server: [], .tls1_2, CipherSuite.broadTLS12, serverName: "127.0.0.1")
        #expect(answer.isAccepted)
    }
}
