import Foundation
import NetauditCore
@testable import NetauditLab
import Testing

/// The national benchmark's lab: one listener pair for every endpoint of an import, and one
/// address in N a tarpit (chosen by the address the client connected to).
struct LabWildcardTests {
    /// 127.88.60.2 is even, 127.88.60.3 odd: with `tarpitEvery: 2` the first is a tarpit.
    @Test func oneAddressInNIsATarpitAndTheOthersAreGoodForAnyHostOfTheDomain() throws {
        let good = try LabWildcard(domain: "vn.test", address: IPAddress(127, 88, 60, 3), tlsPort: 0, httpPort: 0, tarpitEvery: 2)
        defer { good.stop() }
        let tarpit = try LabWildcard(domain: "vn.test", address: IPAddress(127, 88, 60, 2), tlsPort: 0, httpPort: 0, tarpitEvery: 2)
        defer { tarpit.stop() }

        let answer = try SClient.connect("\(good.endpoints[0])", ["-CAfile", good.governmentBundle.path,
                                                                   "-servername", "03595.vn.test", "-verify_hostname", "03595.vn.test"])
        #expect(answer.verifyCode == 0, "\(answer.output)")
        #expect(answer.httpHead.first == "HTTP/1.1 200 OK")
        #expect(answer.httpHead.contains { $0.hasPrefix("Strict-Transport-Security:") })
        let redirect = try TestClient.httpGet(good.endpoints[1])
        #expect(redirect.hasPrefix("HTTP/1.1 301"))
        #expect(redirect.contains("Location: https://www.vn.test/\r\n"))

        for endpoint in tarpit.endpoints {
            let connection = try TestConnection(to: endpoint)
            connection.send(TestHello.bytes(version: 0x0303, suites: [0x002F]))
            #expect(connection.receive(timeout: .seconds(1)) == .timeout, "\(endpoint)")
        }
        #expect(LabServerOptions(tarpitEvery: 10).isTarpit(localIPv4: 0x7F06_0E0A) == (0x7F06_0E0A % 10 == 0))
        #expect(!LabServerOptions().isTarpit(localIPv4: 0x7F06_0E0A))
    }

    /// 0.0.0.0 reaches every interface: refused while the namespace has any but lo.
    @Test(.enabled(if: !LabNamespace.hasOnlyLoopback()))
    func theWildcardIsRefusedOutsideAPrivateNamespace() throws {
        let error = #expect(throws: LabServerError.self) { _ = try LabWildcard(domain: "vn.test", tlsPort: 0, httpPort: 0) }
        #expect(error?.reason == .forbiddenAddress)
        #expect(error?.message.contains("namespace") == true)
    }
}
