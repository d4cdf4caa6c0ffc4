#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditCore
import NetauditLab
import Testing

/// One full lab for the whole test process, started on first use and stopped at exit.
enum SharedLab {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Started: Sendable {
        let lab: RunningLab
        /// Building the catalogue's PKI (if this was the first use in the process) and starting it.
        let buildTime: Duration
        let startTime: Duration
    }

    static let started: Result<Started, Failure> = {
        let clock = ContinuousClock()
        do {
            var catalogue: LabCatalogue?
            let buildTime = try clock.measure { catalogue = try LabCatalogue.standard() }
            var lab: RunningLab?
            let startTime = try clock.measure { lab = try catalogue!.start() }
            atexit { SharedLab.stopAtExit() }
            return .success(Started(lab: lab!, buildTime: buildTime, startTime: startTime))
        } catch {
            return .failure(Failure(description: "starting the lab: \(error)"))
        }
    }()

    static var lab: RunningLab {
        get throws { try started.get().lab }
    }

    static func stopAtExit() {
        if case .success(let started) = started { started.lab.stop() }
    }
}

/// The standard catalogue: ids, addresses, and what each case really does on the wire.
struct LabCatalogueTests {
    // MARK: The catalogue itself

    @Test func idsAddressesAndNamesAreStable() throws {
        let catalogue = try LabCatalogue.standard()
        #expect(catalogue.cases.map(\.id) == LabCatalogue.caseIDs)
        #expect(LabCatalogue.caseIDs.count == 51)
        for (index, labCase) in catalogue.cases.enumerated() {
            #expect(labCase.address == IPAddress(127, 77, 0, UInt8(index + 1)))
            #expect(labCase.hostName == "\(labCase.id.replacingOccurrences(of: "_", with: "-")).lab.test")
            #expect(!labCase.description.isEmpty)
            #expect(labCase.port == 0)
        }
        #expect(LabCatalogue.address(of: "good-rsa") == IPAddress(127, 77, 0, 1))
        #expect(LabCatalogue.address(of: "trickle") == IPAddress(127, 77, 0, 34))
        #expect(LabCatalogue.address(of: "https-redirect") == IPAddress(127, 77, 0, 35))
        #expect(LabCatalogue.address(of: "noise") == IPAddress(127, 77, 0, 40))
        #expect(LabCatalogue.address(of: "nope") == nil)
        #expect(try LabCatalogue.standard().authorities.root == catalogue.authorities.root, "built once per process")
    }

    @Test func certificatesHaveTheValidityTheirCaseSays() throws {
        let catalogue = try LabCatalogue.standard()
        func credential(_ id: String) throws -> LabCredential {
            guard case .server(.tls(let tls))? = catalogue[id]?.service else { throw SharedLab.Failure(description: "\(id) is not TLS") }
            return tls.credential
        }
        let created = catalogue.createdAt
        let good = try credential("good-rsa")
        #expect(good.notAfter.timeIntervalSince(good.notBefore) == 90 * day + 3600)
        #expect(good.issuer == catalogue.authorities.intermediate.subject)
        #expect(good.keyKind == .rsa(bits: 2048))
        #expect(try credential("good-ecdsa").keyKind == .ecdsa(curve: .p256))
        #expect(try credential("government-ca").issuer == catalogue.authorities.governmentIntermediate.subject)
        #expect(try credential("expired").notAfter < created)
        #expect(try credential("not-yet-valid").notBefore > created)
        #expect(try credential("self-signed").isSelfSigned)
        #expect(try credential("untrusted-root").issuer == catalogue.authorities.untrustedRoot.subject)
        #expect(try credential("rsa-1024").keyKind == .rsa(bits: 1024))
        let expiring = try credential("expiring-5-days")
        #expect(abs(expiring.notAfter.timeIntervalSince(created) - 5 * day) < 2)
        let long = try credential("long-validity")
        #expect(long.notAfter.timeIntervalSince(long.notBefore) == 825 * day)
    }

    @Test func startsOnlyWhatIsAskedAndRefusesUnknownIDs() throws {
        let lab = try LabCatalogue.start(only: ["good-rsa", "refused"])
        defer { lab.stop() }
        #expect(lab.cases.map(\.id) == ["good-rsa", "refused"])
        let endpoint = try lab.endpoint(for: "good-rsa")
        #expect(endpoint.address == IPAddress(127, 77, 0, 1))
        #expect(try lab.url(for: "good-rsa").absoluteString == "https://good-rsa.lab.test:\(endpoint.port)/")
        let companion = try #require(try lab.companion(for: "good-rsa"))
        #expect(companion.url.absoluteString == "http://good-rsa.lab.test:\(companion.port)/")
        #expect(try lab.companion(for: "refused") == nil)
        #expect(Set(lab.resolveEntries) == [
            "good-rsa.lab.test:\(endpoint.port):127.77.0.1", "good-rsa.lab.test:\(companion.port):127.77.0.1",
            "refused.lab.test:\(try lab.endpoint(for: "refused").port):127.77.0.30",
        ])
        let notStarted = #expect(throws: LabCatalogueError.self) { _ = try lab.endpoint(for: "expired") }
        #expect(notStarted?.reason == .unavailable)
        let unknown = #expect(throws: LabCatalogueError.self) { _ = try lab.url(for: "no-such-case") }
        #expect(unknown?.reason == .unknownCase)
        let typo = #expect(throws: LabCatalogueError.self) { _ = try LabCatalogue.start(only: ["good-rsa", "typo"]) }
        #expect(typo?.reason == .unknownCase)
        #expect(typo?.message.contains("typo") == true)
    }

    @Test func aFullStartIsQuickAndStopCleansUp() throws {
        let started = try SharedLab.started.get()
        #expect(started.startTime < .seconds(3), "start took \(started.startTime)")
        #expect(started.buildTime + started.startTime < .seconds(6), "PKI \(started.buildTime) + start \(started.startTime)")

        let clock = ContinuousClock()
        var lab: RunningLab?
        let startTime = try clock.measure { lab = try LabCatalogue.start() }
        let running = try #require(lab)
        #expect(startTime < .seconds(3), "second start took \(startTime)")
        #expect(running.unavailable.isEmpty || LabLighttpd.executable() == nil, "\(running.unavailable)")
        let folder = running.trust.folder
        #expect(FileManager.default.fileExists(atPath: running.trust.governmentBundle.path))
        let stopTime = clock.measure { running.stop() }
        #expect(stopTime < .seconds(2), "stop took \(stopTime)")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        #expect(ProcSelf.threadsGone(prefix: running.server.name + "-"))
        running.stop()
    }

    // MARK: TLS cases through openssl s_client

    struct TLSCase: Sendable, CustomTestStringConvertible {
        let id: String
        let protocolName: String
        let cipher: String
        let chain: Int
        let verify: Int
        /// The Strict-Transport-Security value, or nil when the header must be absent.
        let hsts: String?
        var client: [String] = []
        var testDescription: String { id }
    }

    static let twoYears = "max-age=63072000"
    static let tlsCases: [TLSCase] = [
        TLSCase(id: "good-rsa", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "good-ecdsa", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "government-ca", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 20, hsts: twoYears),
        TLSCase(id: "expired", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 10, hsts: twoYears),
        TLSCase(id: "not-yet-valid", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 9, hsts: twoYears),
        TLSCase(id: "self-signed", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 1, verify: 18, hsts: twoYears),
        TLSCase(id: "untrusted-root", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 1, verify: 21, hsts: twoYears),
        TLSCase(id: "wrong-host", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 62, hsts: twoYears),
        TLSCase(id: "incomplete-chain", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 1, verify: 21, hsts: twoYears),
        TLSCase(id: "sha1-signed", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 68, hsts: twoYears),
        TLSCase(id: "rsa-1024", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 66, hsts: twoYears),
        TLSCase(id: "expiring-5-days", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "long-validity", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "tls1_0-only", protocolName: "TLSv1", cipher: "ECDHE-RSA-AES256-SHA", chain: 2, verify: 0, hsts: twoYears,
                client: ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]),
        TLSCase(id: "tls1_1-only", protocolName: "TLSv1.1", cipher: "ECDHE-RSA-AES256-SHA", chain: 2, verify: 0, hsts: twoYears,
                client: ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]),
        TLSCase(id: "tls1_3-only", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "static-rsa-only", protocolName: "TLSv1.2", cipher: "AES256-GCM-SHA384", chain: 2, verify: 0, hsts: twoYears),
        TLSCase(id: "hsts-present", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0,
                hsts: "max-age=63072000; includeSubDomains"),
        TLSCase(id: "hsts-missing", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: nil),
        TLSCase(id: "hsts-short", protocolName: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: 2, verify: 0, hsts: "max-age=86400"),
    ]

    @Test(arguments: tlsCases)
    func tlsCaseAsSClientSeesIt(_ expected: TLSCase) throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: expected.id)
        let host = endpoint.hostName
        let client = try SClient.connect("\(endpoint)", [
            "-servername", host, "-CAfile", lab.trust.publicRoot.path, "-verify_hostname", host,
        ] + expected.client)
        #expect(client.protocolName == expected.protocolName, "\(client.output)")
        #expect(client.cipher == expected.cipher, "\(client.output)")
        #expect(client.chainLength == expected.chain, "\(client.output)")
        #expect(client.verifyCode == expected.verify, "\(client.output)")
        #expect(client.httpHead.first == "HTTP/1.1 200 OK", "\(client.output)")
        let hsts = client.httpHead.first { $0.hasPrefix("Strict-Transport-Security: ") }
        #expect(hsts == expected.hsts.map { "Strict-Transport-Security: \($0)" }, "\(client.httpHead)")
        #expect(client.output.contains("netaudit lab: \(expected.id)\n"), "the body names the case")
    }

    @Test func httpsRedirectAnswers302WithItsLocation() throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: "https-redirect")
        let client = try SClient.connect("\(endpoint)", ["-servername", endpoint.hostName, "-CAfile", lab.trust.publicRoot.path,
                                                        "-verify_hostname", endpoint.hostName])
        #expect(client.verifyCode == 0, "\(client.output)")
        #expect(client.httpHead.first == "HTTP/1.1 302 Found", "\(client.output)")
        #expect(client.httpHead.contains("Location: \(LabCatalogue.httpsRedirectTarget)"), "\(client.httpHead)")
        #expect(client.httpHead.contains("Strict-Transport-Security: max-age=63072000"), "\(client.httpHead)")
    }

    @Test(arguments: ["tls1_0-only", "tls1_1-only"])
    func oldProtocolsFailWithDebiansDefaultClient(_ id: String) throws {
        let lab = try SharedLab.lab
        let client = try SClient.connect("\(try lab.endpoint(for: id))", ["-CAfile", lab.trust.publicRoot.path])
        #expect(client.httpHead.isEmpty, "\(client.output)")
        #expect(client.cipher == "0000" || client.cipher == nil, "\(client.output)")
    }

    @Test func governmentCaseVerifiesAgainstTheGovernmentRoot() throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: "government-ca")
        for file in [lab.trust.governmentRoot, lab.trust.governmentBundle] {
            let client = try SClient.connect("\(endpoint)", ["-CAfile", file.path, "-verify_hostname", endpoint.hostName])
            #expect(client.verifyCode == 0, "\(file.lastPathComponent): \(client.output)")
        }
        let untrusted = try SClient.connect("\(try lab.endpoint(for: "untrusted-root"))", ["-CAfile", lab.trust.untrustedRoot.path])
        #expect(untrusted.verifyCode == 0, "\(untrusted.output)")
    }

    @Test func incompleteChainVerifiesOnceTheIntermediateIsKnown() throws {
        let lab = try SharedLab.lab
        try withScratchFolder { folder in
            let bundle = try folder.write(
                try String(contentsOf: lab.trust.publicRoot, encoding: .utf8) + String(contentsOf: lab.trust.labIntermediate, encoding: .utf8),
                to: "bundle.pem")
            let client = try SClient.connect("\(try lab.endpoint(for: "incomplete-chain"))", ["-CAfile", bundle.path])
            #expect(client.verifyCode == 0, "\(client.output)")
        }
    }

    @Test(arguments: ["good-rsa", "good-ecdsa", "government-ca", "expired"])
    func ocspStapling(_ id: String) throws {
        let lab = try SharedLab.lab
        let client = try SClient.connect("\(try lab.endpoint(for: id))", ["-status", "-CAfile", lab.trust.publicRoot.path])
        if id == "expired" {
            #expect(client.output.contains("OCSP response: no response sent"), "\(client.output)")
        } else {
            #expect(client.output.contains("Cert Status: good"), "\(client.output)")
        }
    }

    // MARK: HTTP

    @Test(arguments: tlsCases.map(\.id))
    func companionRedirectsToTheTLSPort(_ id: String) throws {
        let lab = try SharedLab.lab
        let main = try lab.endpoint(for: id)
        let companion = try #require(try lab.companion(for: id))
        let answer = try TestClient.get(companion)
        #expect(answer.hasPrefix("HTTP/1.1 301 Moved Permanently\r\n"), "\(answer)")
        #expect(answer.contains("\r\nLocation: https://\(main.hostName):\(main.port)/\r\n"), "\(answer)")
    }

    @Test func httpRedirectAndNoRedirect() throws {
        let lab = try SharedLab.lab
        let redirect = try lab.endpoint(for: "http-redirect")
        let target = try #require(try lab.companion(for: "http-redirect"))
        #expect(redirect.scheme == "http" && target.scheme == "https")
        let answer = try TestClient.get(redirect)
        #expect(answer.contains("\r\nLocation: https://http-redirect.lab.test:\(target.port)/\r\n"), "\(answer)")

        let plain = try TestClient.get(try lab.endpoint(for: "http-no-redirect"))
        #expect(plain.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(plain)")
        #expect(!plain.contains("Location:"))

        if ClientTool.path("curl") != nil {
            let result = try ClientTool.run("curl", [
                "-sS", "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective} %{num_redirects}",
                "--cacert", lab.trust.publicRoot.path,
            ] + lab.resolveEntries.flatMap { ["--resolve", $0] } + [try lab.url(for: "http-redirect").absoluteString])
            #expect(result.output == "200 https://http-redirect.lab.test:\(target.port)/ 1", "\(result.output)")
        }
        let tls = try SClient.connect("\(target)", ["-CAfile", lab.trust.publicRoot.path, "-verify_hostname", target.hostName])
        #expect(tls.verifyCode == 0 && tls.httpHead.first == "HTTP/1.1 200 OK", "\(tls.output)")
    }

    // MARK: Old servers (raw ClientHellos)

    struct HelloCase: Sendable, CustomTestStringConvertible {
        let id: String
        let version: UInt16
        let offers: [UInt16]
        /// The expected ServerHello (version, suite), or nil for an alert.
        let serverHello: (version: UInt16, suite: UInt16)?
        let alert: UInt8?
        var testDescription: String { "\(id) ← \(String(version, radix: 16)) \(offers.map { String($0, radix: 16) })" }
    }

    static let helloCases: [HelloCase] = [
        HelloCase(id: "crafted-rc4", version: 0x0303, offers: [0xC02F, 0x0005], serverHello: (0x0303, 0x0005), alert: nil),
        HelloCase(id: "crafted-rc4", version: 0x0301, offers: [0x0004], serverHello: (0x0301, 0x0004), alert: nil),
        HelloCase(id: "crafted-rc4", version: 0x0300, offers: [0x0005], serverHello: nil, alert: 70),
        HelloCase(id: "crafted-rc4", version: 0x0303, offers: [0xC02F], serverHello: nil, alert: 40),
        HelloCase(id: "crafted-export", version: 0x0303, offers: [0x0003, 0x0008], serverHello: (0x0301, 0x0003), alert: nil),
        HelloCase(id: "crafted-export", version: 0x0300, offers: [0x0062], serverHello: (0x0300, 0x0062), alert: nil),
        HelloCase(id: "crafted-ssl3", version: 0x0303, offers: [0x0005, 0x002F], serverHello: (0x0300, 0x0005), alert: nil),
        HelloCase(id: "crafted-null", version: 0x0303, offers: [0x0002], serverHello: (0x0303, 0x0002), alert: nil),
        HelloCase(id: "crafted-anon", version: 0x0303, offers: [0xC018], serverHello: (0x0303, 0xC018), alert: nil),
        HelloCase(id: "crafted-des", version: 0x0302, offers: [0x0009], serverHello: (0x0302, 0x0009), alert: nil),
    ]

    @Test(arguments: helloCases)
    func oldServerAnswersARawHello(_ example: HelloCase) throws {
        let lab = try SharedLab.lab
        let connection = try TestConnection(to: try lab.endpoint(for: example.id))
        connection.send(TestHello.bytes(version: example.version, suites: example.offers))
        let bytes = connection.receiveAll().bytes
        if let expected = example.serverHello {
            let hello = try #require(TestServerHello(bytes), "\(bytes)")
            #expect(hello.version == expected.version)
            #expect(hello.cipherSuite == expected.suite)
            #expect(Array(bytes[1...2]) == [UInt8(expected.version >> 8), UInt8(expected.version & 0xFF)], "record version")
        } else {
            #expect(bytes.count == 7 && bytes[0] == 21 && bytes[5] == 2, "a fatal alert: \(bytes)")
            #expect(bytes.last == example.alert)
        }
    }

    @Test func threeDESCaseAccepts3DES() throws {
        let lab = try SharedLab.lab
        guard LabLighttpd.executable() != nil else {
            #expect(lab.unavailable["3des"]?.contains("apt-get install lighttpd") == true)
            return
        }
        let endpoint = try lab.endpoint(for: "3des")
        let connection = try TestConnection(to: endpoint)
        connection.send(TestHello.bytes(version: 0x0303, suites: [0x000A], extensions: []))
        let hello = try #require(TestServerHello(connection.receive(until: { TestServerHello($0) != nil })))
        #expect(hello.version == 0x0303 && hello.cipherSuite == 0x000A)
        let client = try SClient.connect("\(endpoint)", ["-CAfile", lab.trust.publicRoot.path, "-verify_hostname", endpoint.hostName])
        #expect(client.protocolName == "TLSv1.2" && client.verifyCode == 0 && client.chainLength == 2, "\(client.output)")
        let companion = try #require(try lab.companion(for: "3des"))
        #expect(try TestClient.get(companion).contains("\r\nLocation: https://3des.lab.test:\(endpoint.port)/\r\n"))
    }

    // MARK: Transport failures

    @Test func transportCases() throws {
        let lab = try SharedLab.lab
        let refused = #expect(throws: TestConnection.Failure.self) { _ = try TestConnection(to: try lab.endpoint(for: "refused")) }
        #expect(refused?.errno == ECONNREFUSED)
        #expect(try TestConnection(to: try lab.endpoint(for: "reset")).receive(timeout: .seconds(2)) == .error(ECONNRESET))
        #expect(try TestConnection(to: try lab.endpoint(for: "tarpit")).receive(timeout: .milliseconds(500)) == .timeout)
        let garbage = try TestConnection(to: try lab.endpoint(for: "garbage")).receiveAll()
        #expect(garbage.ended == .end && String(decoding: garbage.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400 "))
        #expect(try TestConnection(to: try lab.endpoint(for: "trickle")).receive(timeout: .milliseconds(300)) == .data([0x16]))
    }
}

extension TestClient {
    /// `GET / HTTP/1.1` to a case's port; the whole answer as text.
    static func get(_ endpoint: LabCaseEndpoint) throws -> String {
        let connection = try TestConnection(to: endpoint)
        connection.send(Array("GET / HTTP/1.1\r\nHost: \(endpoint.hostName)\r\n\r\n".utf8))
        return String(decoding: connection.receiveAll().bytes, as: UTF8.self)
    }
}
