#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditCore
import NetauditLab
import Testing

/// lighttpd + mod_gnutls as the lab's 3DES server. Debian's OpenSSL 3 has no 3DES at all
/// (`openssl s_client -cipher DES-CBC3-SHA:@SECLEVEL=0` says "no cipher match"), so the
/// checks use a raw ClientHello and, if installed, `gnutls-cli`.
@Suite(.enabled(if: LabLighttpd.executable() != nil, "lighttpd is not installed (apt-get install lighttpd lighttpd-mod-gnutls)"))
struct LabLighttpdServerTests {
    @Test func accepts3DESAndStopsCleanly() throws {
        let chain = try LabFixtures.chain.get()
        let server = try LabLighttpd.start(LabLighttpd.Configuration(credential: chain.leaf), address: IPAddress(127, 88, 50, 1))
        defer { server.stop() }
        let endpoint = LabBoundEndpoint(endpoint: LabEndpoint(address: server.address, behaviour: .tarpit), port: server.port)

        // mod_gnutls drops a hello without an extensions block: send an empty one.
        let connection = try TestConnection(to: endpoint)
        connection.send(TestHello.bytes(version: 0x0303, suites: [0x000A], extensions: []))
        let answer = try #require(TestServerHello(connection.receive(until: { TestServerHello($0) != nil })), "no ServerHello")
        #expect(answer.version == 0x0303)
        #expect(answer.cipherSuite == 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA")

        // GnuTLS follows the client's order: 3DES only when the client puts it first.
        for (offer, chosen) in [([UInt16(0x000A), 0x009C], UInt16(0x000A)), ([0x009C, 0x000A], 0x009C)] {
            let next = try TestConnection(to: endpoint)
            next.send(TestHello.bytes(version: 0x0303, suites: offer, extensions: []))
            #expect(TestServerHello(next.receive(until: { TestServerHello($0) != nil }))?.cipherSuite == chosen, "\(offer)")
        }

        if ClientTool.path("gnutls-cli") != nil {
            let result = try ClientTool.run("gnutls-cli", [
                "--insecure", "--priority", "NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL",
                "-p", "\(server.port)", "\(server.address)",
            ])
            #expect(result.output.contains("(TLS1.2-X.509)-(RSA)-(3DES-CBC)-(SHA1)"), "\(result.output)")
        }
        try withScratchFolder { folder in
            let root = try folder.write(chain.root.certificatePEM, to: "root.pem")
            let client = try SClient.connect("\(endpoint)", ["-CAfile", root.path, "-verify_hostname", "leaf.lab.test"])
            #expect(client.protocolName == "TLSv1.2", "\(client.output)")
            #expect(client.verifyCode == 0, "\(client.output)")
            #expect(client.chainLength == 2, "\(client.output)")
        }

        let pid = server.processIdentifier
        #expect(kill(pid, 0) == 0)
        server.stop()
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "lighttpd \(pid) is gone")
        #expect(!FileManager.default.fileExists(atPath: server.folder.path))
        server.stop()
    }

    @Test func refusesAddressesBeyondLoopback() throws {
        let chain = try LabFixtures.chain.get()
        let error = #expect(throws: LabLighttpdError.self) {
            _ = try LabLighttpd.start(LabLighttpd.Configuration(credential: chain.leaf), address: IPAddress(192, 0, 2, 1))
        }
        #expect(error?.reason == .forbiddenAddress)
    }
}

/// The fields of a ServerHello record that the tests check.
struct TestServerHello {
    let version: UInt16
    let cipherSuite: UInt16

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 44, bytes[0] == 22, bytes[5] == 2 else { return nil }
        let sessionLength = Int(bytes[43])
        guard bytes.count >= 46 + sessionLength else { return nil }
        version = UInt16(bytes[9]) << 8 | UInt16(bytes[10])
        cipherSuite = UInt16(bytes[44 + sessionLength]) << 8 | UInt16(bytes[45 + sessionLength])
    }
}
