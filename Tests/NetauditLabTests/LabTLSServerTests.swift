import Foundation
import NetauditCore
import NetauditLab
import Testing

/// `.tls` endpoints as `openssl s_client` (and curl) see them: chains, protocols, ciphers,
/// the HTTP answer, OCSP stapling.
struct LabTLSServerTests {
    /// One server for `tls` on 127.88.20.`host`, with the fixture root written for `-CAfile`.
    private func withServer(
        _ tls: [LabTLS], host: UInt8, options: LabServerOptions = LabServerOptions(),
        _ body: (LabServer, _ rootFile: String) throws -> Void
    ) throws {
        let chain = try LabFixtures.chain.get()
        let server = try LabServer(
            tls.enumerated().map { LabEndpoint(address: IPAddress(127, 88, 20, host &+ UInt8($0.offset)), behaviour: .tls($0.element)) },
            options: options)
        defer { server.stop() }
        try withScratchFolder { folder in
            let root = try folder.write(chain.root.certificatePEM, to: "root.pem")
            try body(server, root.path)
        }
    }

    @Test func servesTheFullChainOrTheLeafOnly() throws {
        let chain = try LabFixtures.chain.get()
        try withServer([LabTLS(credential: chain.leaf), LabTLS(credential: chain.leaf, sendIntermediates: false)], host: 1) { server, root in
            let full = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root, "-verify_hostname", "leaf.lab.test"])
            #expect(full.chainLength == 2, "\(full.output)")
            #expect(full.verifyCode == 0, "\(full.output)")
            let leafOnly = try SClient.connect("\(server.endpoints[1])", ["-CAfile", root])
            #expect(leafOnly.chainLength == 1, "\(leafOnly.output)")
            #expect(leafOnly.output.contains("Verify return code: 21 (unable to verify the first certificate)"), "\(leafOnly.output)")
        }
    }

    struct ProtocolCase: Sendable, CustomTestStringConvertible {
        let host: UInt8
        let versions: ClosedRange<LabTLSVersion>
        let securityLevel: Int?
        let client: [String]
        /// The protocol s_client negotiates, or nil when the handshake must fail.
        let expected: String?
        var testDescription: String { "\(versions) client \(client.joined(separator: " ")) → \(expected ?? "failure")" }
    }

    static let protocolCases: [ProtocolCase] = [
        ProtocolCase(host: 11, versions: .tls1_2 ... .tls1_3, securityLevel: nil, client: [], expected: "TLSv1.3"),
        ProtocolCase(host: 12, versions: .tls1_2 ... .tls1_2, securityLevel: nil, client: [], expected: "TLSv1.2"),
        ProtocolCase(host: 13, versions: .tls1_0 ... .tls1_0, securityLevel: 0, client: ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], expected: "TLSv1"),
        ProtocolCase(host: 14, versions: .tls1_1 ... .tls1_1, securityLevel: 0, client: ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"], expected: "TLSv1.1"),
        ProtocolCase(host: 15, versions: .tls1_0 ... .tls1_0, securityLevel: 0, client: [], expected: nil),  // Debian's client: TLS 1.2 minimum
        ProtocolCase(host: 16, versions: .tls1_3 ... .tls1_3, securityLevel: nil, client: ["-tls1_2"], expected: nil),
        ProtocolCase(host: 17, versions: .tls1_2 ... .tls1_2, securityLevel: nil, client: ["-tls1_3"], expected: nil),
    ]

    @Test(arguments: protocolCases)
    func protocolRange(_ example: ProtocolCase) throws {
        let chain = try LabFixtures.chain.get()
        let tls = LabTLS(credential: chain.leaf, versions: example.versions, securityLevel: example.securityLevel)
        try withServer([tls], host: example.host) { server, root in
            let client = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root] + example.client)
            if let expected = example.expected {
                #expect(client.protocolName == expected, "\(client.output)")
                #expect(client.httpHead.first == "HTTP/1.1 200 OK", "\(client.output)")
            } else {
                #expect(client.cipher == "0000" || client.cipher == nil, "\(client.output)")
                #expect(client.httpHead.isEmpty, "\(client.output)")
            }
        }
    }

    @Test func staticRSAOnlyHasNoForwardSecrecy() throws {
        let chain = try LabFixtures.chain.get()
        let tls = LabTLS(credential: chain.leaf, versions: .tls1_2 ... .tls1_2,
                         cipherList: "AES128-SHA:AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384")
        try withServer([tls], host: 30) { server, root in
            let any = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root])
            #expect(any.protocolName == "TLSv1.2", "\(any.output)")
            #expect(any.cipher == "AES256-GCM-SHA384", "\(any.output)")
            let forwardSecret = try SClient.connect("\(server.endpoints[0])", ["-cipher", "ECDHE:DHE", "-tls1_2"])
            #expect(forwardSecret.cipher == "0000" || forwardSecret.cipher == nil, "\(forwardSecret.output)")
            #expect(forwardSecret.output.contains("handshake failure"), "\(forwardSecret.output)")
        }
    }

    @Test func tls13CipherSuitesAreConfigurable() throws {
        let chain = try LabFixtures.chain.get()
        let tls = LabTLS(credential: chain.leaf, versions: .tls1_3 ... .tls1_3, cipherSuites: "TLS_CHACHA20_POLY1305_SHA256")
        try withServer([tls], host: 31) { server, root in
            let client = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root])
            #expect(client.cipher == "TLS_CHACHA20_POLY1305_SHA256", "\(client.output)")
        }
    }

    @Test func answersTheRequestWithTheConfiguredHeaders() throws {
        let chain = try LabFixtures.chain.get()
        let response = LabHTTPResponse(status: 200, headers: [.hsts(maxAge: 63_072_000, includeSubDomains: true)], body: "hello lab\n")
        try withServer([LabTLS(credential: chain.leaf, response: response)], host: 32) { server, root in
            let client = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root])
            #expect(client.httpHead == [
                "HTTP/1.1 200 OK", "Strict-Transport-Security: max-age=63072000; includeSubDomains",
                "Content-Length: 10", "Connection: close",
            ], "\(client.output)")
            #expect(client.output.contains("\r\n\r\nhello lab\n"), "\(client.output)")
        }
    }

    @Test func staplesAnOCSPResponse() throws {
        let chain = try LabFixtures.chain.get()
        let good = try LabOCSP.response(for: chain.leaf, issuer: chain.intermediate)
        let revoked = try LabOCSP.response(for: chain.leaf, issuer: chain.intermediate, status: .revoked(at: Date(timeIntervalSinceNow: -86400)))
        try withServer(
            [LabTLS(credential: chain.leaf, ocspResponse: good), LabTLS(credential: chain.leaf, ocspResponse: revoked), LabTLS(credential: chain.leaf)],
            host: 33
        ) { server, root in
            let first = try SClient.connect("\(server.endpoints[0])", ["-CAfile", root, "-status"])
            #expect(first.output.contains("OCSP Response Status: successful (0x0)"), "\(first.output)")
            #expect(first.output.contains("Cert Status: good"), "\(first.output)")
            let second = try SClient.connect("\(server.endpoints[1])", ["-CAfile", root, "-status"])
            #expect(second.output.contains("Cert Status: revoked"), "\(second.output)")
            let none = try SClient.connect("\(server.endpoints[2])", ["-CAfile", root, "-status"])
            #expect(none.output.contains("OCSP response: no response sent"), "\(none.output)")
        }
    }

    @Test func curlFetchesThePage() throws {
        guard ClientTool.path("curl") != nil else { return }
        let chain = try LabFixtures.chain.get()
        try withServer([LabTLS(credential: chain.leaf, response: LabHTTPResponse(headers: [.hsts(maxAge: 300)], body: "ok\n"))], host: 36) { server, root in
            let port = server.endpoints[0].port
            let result = try ClientTool.run("curl", [
                "-sS", "-i", "--cacert", root, "--resolve", "leaf.lab.test:\(port):127.88.20.36", "https://leaf.lab.test:\(port)/",
            ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.replacingOccurrences(of: "\r", with: "").hasSuffix("Strict-Transport-Security: max-age=300\nContent-Length: 3\nConnection: close\n\nok\n"),
                    "\(result.output)")
        }
    }

    @Test func aSilentClientIsDroppedAfterTheTimeout() throws {
        let chain = try LabFixtures.chain.get()
        try withServer([LabTLS(credential: chain.leaf)], host: 37, options: LabServerOptions(ioTimeout: .milliseconds(300))) { server, _ in
            let connection = try TestConnection(to: server.endpoints[0])
            let clock = ContinuousClock()
            let start = clock.now
            let (bytes, ended) = connection.receiveAll(timeout: .seconds(3))
            #expect(bytes.isEmpty)
            #expect(ended == .end)
            #expect(clock.now - start < .seconds(2))
        }
    }
}
