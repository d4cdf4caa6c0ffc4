import CNetauditShims
@testable import NetauditProbes
import Testing

struct OpenSSLContextTests {
    @Test(arguments: [
        (TLSVersion.tls1_2, TLSVersion.tls1_3),
        (.tls1_0, .tls1_1),
        (.tls1_0, .tls1_3),
        (.tls1_3, .tls1_3),
        (.tls1_1, .tls1_1),
    ])
    func protocolsReadBack(_ minimum: TLSVersion, _ maximum: TLSVersion) throws {
        let context = try OpenSSLClientContext()
        try context.setProtocols(minimum ... maximum)
        let protocols = context.protocols
        #expect(protocols.minimum == minimum)
        #expect(protocols.maximum == maximum)
    }

    @Test func protocolsCanBeNarrowedAgain() throws {
        let context = try OpenSSLClientContext()
        try context.setProtocols(.tls1_0 ... .tls1_3)
        try context.setProtocols(.tls1_2 ... .tls1_2)
        #expect(context.protocols.minimum == .tls1_2)
        #expect(context.protocols.maximum == .tls1_2)
    }

    @Test(arguments: [0, 1, 3, 5])
    func securityLevelReadsBack(_ level: Int) throws {
        let context = try OpenSSLClientContext()
        context.securityLevel = level
        #expect(context.securityLevel == level)
    }

    @Test func contextsAreIndependent() throws {
        let a = try OpenSSLClientContext()
        let b = try OpenSSLClientContext()
        a.securityLevel = 0
        b.securityLevel = 4
        try a.setProtocols(.tls1_0 ... .tls1_1)
        try b.setProtocols(.tls1_3 ... .tls1_3)
        #expect(a.securityLevel == 0)
        #expect(a.protocols.minimum == .tls1_0)
        #expect(b.protocols.maximum == .tls1_3)
        #expect(b.protocols.minimum == .tls1_3)
    }

    @Test func drainEmptiesOpenSSLsErrorQueue() throws {
        let context = try OpenSSLClientContext()
        _ = OpenSSLError.drain()  // nothing stale from this thread
        #expect(SSL_CTX_set_cipher_list(context.context, "NO-SUCH-CIPHER") == 0)
        #expect(SSL_CTX_set_cipher_list(context.context, "NOR-THIS-ONE") == 0)
        let error = OpenSSLError.drain()
        #expect(error.messages.count >= 2, "\(error.messages)")
        #expect(error.description.contains("no cipher match"), "\(error.description)")
        #expect(error.description == error.messages.joined(separator: "; "))
        // The queue is empty now: nothing stale is blamed on a later call.
        #expect(OpenSSLError.drain().messages.isEmpty)
    }

    @Test func descriptionWithoutMessages() {
        #expect(OpenSSLError(messages: []).description == "OpenSSL error (no detail queued)")
        #expect(OpenSSLError(messages: ["a", "b"]).description == "a; b")
    }

    // MARK: TLSVersion

    @Test(arguments: [
        (TLSVersion.ssl3, "SSLv3", 0x0300),
        (.tls1_0, "TLSv1.0", 0x0301),
        (.tls1_1, "TLSv1.1", 0x0302),
        (.tls1_2, "TLSv1.2", 0x0303),
        (.tls1_3, "TLSv1.3", 0x0304),
    ])
    func versionDescriptionsAndNumbers(_ version: TLSVersion, _ text: String, _ number: Int) {
        #expect(version.description == text)
        #expect(version.rawValue == number)
    }

    @Test func versionNumbersMatchOpenSSL() {
        #expect(TLSVersion.ssl3.rawValue == Int(SSL3_VERSION))
        #expect(TLSVersion.tls1_0.rawValue == Int(TLS1_VERSION))
        #expect(TLSVersion.tls1_1.rawValue == Int(TLS1_1_VERSION))
        #expect(TLSVersion.tls1_2.rawValue == Int(TLS1_2_VERSION))
        #expect(TLSVersion.tls1_3.rawValue == Int(TLS1_3_VERSION))
    }

    @Test func versionsAreOrderedOldestFirst() {
        #expect(TLSVersion.allCases == [.ssl3, .tls1_0, .tls1_1, .tls1_2, .tls1_3])
        #expect(TLSVersion.allCases.sorted() == TLSVersion.allCases)
        #expect(TLSVersion.allCases.reversed().sorted() == TLSVersion.allCases)
        #expect(TLSVersion.tls1_0 < .tls1_2)
        #expect(!(TLSVersion.tls1_3 < .tls1_2))
        #expect(!(TLSVersion.tls1_2 < .tls1_2))
        #expect((TLSVersion.tls1_1 ... .tls1_3).contains(.tls1_2))
        #expect(!(TLSVersion.tls1_2 ... .tls1_3).contains(.tls1_1))
        #expect(TLSVersion.allCases.max() == .tls1_3)
    }
}
