import Foundation
import NetauditLab
import Testing

/// `netaudit probe URL` on more lab cases, with the lab's trust files given as an operator
/// following `netaudit lab`'s instructions gives them: the key lines of each output.
@Suite(.serialized) struct ProbeLabCommandTests {
    /// Starts `netaudit lab ARGUMENTS` and reads what it prints up to its "Ctrl-C" line (the
    /// servers are up then). The caller stops it by its PID.
    static func startLab(_ arguments: [String]) throws -> (process: Process, lines: [String]) {
        let lab = Process()
        lab.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        lab.arguments = ["lab"] + arguments
        let output = Pipe()
        lab.standardOutput = output
        lab.standardError = FileHandle.nullDevice
        lab.standardInput = FileHandle.nullDevice
        try lab.run()
        var lines: [String] = []
        while let line = output.fileHandleForReading.readLine(), !line.hasPrefix("Ctrl-C") { lines.append(line) }
        return (lab, lines)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let status: Int32
        let lines: [String]
        var absent: [String] = []
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "expired", status: 0, lines: [
            "  handshake: ok (modern client)", "  public: not trusted: expired (10: certificate has expired)",
            "  CRITICAL cert.expired: The certificate expired on ", "verdict: noncompliant\n",
        ]),
        Case(id: "wrong-host", status: 0, lines: [
            "  public: trusted (anchor CN=netaudit lab root,O=netaudit lab)", "  host name: does not match wrong-host.lab.test (62: hostname mismatch)",
            "  HIGH     cert.hostname_mismatch: The certificate is not valid for wrong-host.lab.test: it names www.other-agency.test.",
            "           trust.hostname.code = 62", "           trust.hostname.message = hostname mismatch",
        ]),
        Case(id: "incomplete-chain", status: 0, lines: [
            "certificates (as sent: 1)", "  public: not trusted: incomplete_chain (20: unable to get local issuer certificate)",
            "  MEDIUM   cert.chain_incomplete: The server does not send the intermediate certificate 'CN=netaudit lab issuing CA,O=netaudit lab'",
        ], absent: ["cert.untrusted"]),
        Case(id: "tls1_0-only", status: 0, lines: [
            "  handshake: failed (modern client); ok with a legacy client", "session (legacy client)", "  protocol: TLSv1.0",
            "  TLSv1.0  accepted", "  TLSv1.2  refused", "cipher classes (tested with TLSv1.0)",
            "  CRITICAL tls.handshake_failed: ", "  HIGH     proto.tls1_0: The server accepts TLS 1.0.", "verdict: noncompliant",
        ]),
        Case(id: "crafted-rc4", status: 1, lines: [
            "  handshake: failed (modern client); failed with a legacy client too", "  failure: handshake",
            "  TLSv1.2  accepted (TLS_RSA_WITH_AES_256_CBC_SHA)", "  rc4         accepted (TLS_RSA_WITH_RC4_128_MD5)",
            "  HIGH     cipher.weak: The server accepts a weak cipher suite: RC4 (TLS_RSA_WITH_RC4_128_MD5).",
        ]),
        Case(id: "crafted-export", status: 1, lines: [
            "  SSLv3    accepted", "  export      accepted (TLS_RSA_EXPORT_WITH_RC4_40_MD5)",
            "  CRITICAL proto.ssl3: The server accepts SSL 3.0.", "  HIGH     cipher.weak: The server accepts weak cipher suites: EXPORT",
        ]),
        Case(id: "http-redirect", status: 0, lines: [
            "plain http (port ", "(redirects to https on this site)", "verdict: compliant",
        ], absent: ["http.no_https_redirect"]),
        Case(id: "http-redirect-elsewhere", status: 0, lines: [
            "plain http (port ", "(redirects to https on another site)", "http.no_https_redirect",
        ], absent: ["on this site"]),
        Case(id: "many-headers", status: 0, lines: [
            "  strict-transport-security: (not known: the response head could not be read to its end: ", "http.response_unreadable",
        ], absent: ["http.hsts_missing", "strict-transport-security: (none)"]),
        Case(id: "dhe-1024", status: 0, lines: [
            "key exchange (tested with TLSv1.2)", "  dhe         accepted (TLS_DHE_RSA_WITH_AES_", "_GCM_SHA", ", DH 1024 bits)",
            "  ecdhe       accepted (TLS_ECDHE_RSA_WITH_", ", x25519)", "  cbc         refused ",
            "  HIGH     kex.dh_weak: The server accepts DHE key exchange with a 1024-bit group",
            "           kex.dh_bits = 1024", "           threshold.dh_min_bits = 2048", "verdict: noncompliant",
        ], absent: ["cipher.cbc"]),
        Case(id: "cbc-only", status: 0, lines: [
            "  cbc         accepted (TLS_ECDHE_RSA_WITH_AES_", "_CBC_SHA", ", TLSv1.2)", "  dhe         refused ",
            "  LOW      cipher.cbc: The server accepts CBC cipher suites in TLS 1.2", "verdict: compliant",
        ], absent: ["kex.dh_weak"]),
        Case(id: "https-redirect", status: 0, lines: [
            "https response", "  status: 302 → \(LabCatalogue.httpsRedirectTarget)", "verdict: compliant",
        ]),
    ]

    @Test(arguments: cases)
    func keyLinesOfACase(_ expected: Case) throws {
        let lab = try LabCatalogue.standard().start(only: [expected.id])
        defer { lab.stop() }
        let main = try lab.endpoint(for: expected.id)
        let companion = try lab.companion(for: expected.id)
        // The TLS port and the plain-HTTP one, whichever is the case's main port.
        let tls = main.scheme == "https" ? main : try #require(companion)
        let http = main.scheme == "http" ? main : companion
        let result = try CLIRunner.run([
            "probe", "https://\(tls.hostName):\(tls.port)/", "--address", "\(tls.address)", "--http-port", "\(http?.port ?? 0)",
            "--timeout", "5s", "--public-ca-file", lab.trust.publicRoot.path, "--ca-file", lab.trust.governmentBundle.path,
            "--intermediates-file", lab.trust.labIntermediate.path,
        ])
        #expect(result.status == expected.status, "\(result.stdout)\(result.stderr)")
        for line in expected.lines {
            #expect(result.stdout.contains(line), "missing \(line) in\n\(result.stdout)")
        }
        for text in expected.absent {
            #expect(!result.stdout.contains(text), "unexpected \(text) in\n\(result.stdout)")
        }
    }

    @Test func theHostnameCodeIsInTheJSON() throws {
        let lab = try LabCatalogue.standard().start(only: ["wrong-host"])
        defer { lab.stop() }
        let main = try lab.endpoint(for: "wrong-host")
        let result = try CLIRunner.run(["probe", "https://\(main.hostName):\(main.port)/", "--address", "\(main.address)",
                                        "--http-port", "0", "--public-ca-file", lab.trust.publicRoot.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let trust = try #require((object["endpoint"] as? [String: Any])?["trust"] as? [String: Any])
        #expect(trust["hostname_matches"] as? Bool == false)
        #expect(trust["hostname_code"] as? Int == 62)
        #expect(trust["hostname_message"] as? String == "hostname mismatch")
    }

    @Test func aPublicCAFileThatCannotBeReadIsAnError() throws {
        let result = try CLIRunner.run(["probe", "https://good-rsa.lab.test:1/", "--address", "127.77.0.1",
                                        "--public-ca-file", "/nonexistent/bundle.pem"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/bundle.pem"))
    }

    /// The operator's path: start `netaudit lab`, copy the probe command it prints, run it.
    @Test func followingTheLabsInstructionsGivesTheRightVerdicts() throws {
        let help = try CLIRunner.run(["lab", "--help"])
        let command = help.stdout.replacingOccurrences(of: "\\\n", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(command.contains("netaudit probe https://good-rsa.lab.test:PORT/ --address ADDRESS --http-port HTTP-PORT "
                                 + "--public-ca-file LAB-ROOT --ca-file GOVERNMENT-BUNDLE --intermediates-file LAB-INTERMEDIATE"), "\(help.stdout)")

        let (lab, lines) = try Self.startLab(["--only", "good-rsa", "--only", "incomplete-chain"])
        defer { CLIRunner.stop(lab) }
        let example = try #require(lines.first { $0.hasPrefix("  netaudit probe https://good-rsa.lab.test:") }, "\(lines)")
        let arguments = example.split(separator: " ").dropFirst().map(String.init)  // after "netaudit"
        let good = try CLIRunner.run(arguments)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("  public: trusted (anchor CN=netaudit lab root,O=netaudit lab)"), "\(good.stdout)")
        #expect(good.stdout.contains("findings: none"), "\(good.stdout)")
        #expect(good.stdout.hasSuffix("verdict: compliant (trusted through public trust: CN=netaudit lab root,O=netaudit lab)\n"),
                "\(good.stdout)")

        // The same trust options on the incomplete chain: incomplete, not untrusted.
        let line = try #require(lines.first { $0.hasPrefix("incomplete-chain ") })
        let fields = line.split(separator: " ")
        let url = String(try #require(fields.first { $0.hasPrefix("https://") }))
        let address = String(try #require(fields.first { $0.hasPrefix("127.77.") }).split(separator: ":")[0])
        var options = arguments
        options[options.firstIndex(of: "--address")! + 1] = address
        options[options.firstIndex { $0.hasPrefix("https://") }!] = url
        options[options.firstIndex(of: "--http-port")! + 1] = "0"
        let incomplete = try CLIRunner.run(options)
        #expect(incomplete.stdout.contains("  public: not trusted: incomplete_chain"), "\(incomplete.stdout)")
        #expect(incomplete.stdout.contains("cert.chain_incomplete"))
        #expect(!incomplete.stdout.contains("cert.untrusted"))
    }
}

extension FileHandle {
    /// The next line (without its newline); nil at the end of the stream.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

/// `netaudit bench tls` on a few endpoints: the lab counts the handshakes and connections,
/// and they agree with netaudit's own count (one full handshake and nine hello-only exchanges
/// per endpoint without the plain-HTTP check: four versions, one weak-class refusal, static
/// RSA, DHE, ECDHE and CBC).
@Suite(.serialized) struct BenchCommandTests {
    @Test func theLabCountsWhatNetauditDoes() throws {
        // A port of its own, away from 8443, so that a benchmark run by hand cannot collide.
        let port = 20_000 + Int(getpid() % 20_000)
        let result = try CLIRunner.run(["bench", "tls", "--endpoints", "4", "--port", "\(port)"])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  netaudit ") }, "\(result.stdout)")
        #expect(row.contains(" endpoints/s "), "\(row)")
        #expect(row.contains(" handshakes/s (4) "), "\(row)")
        #expect(row.contains(" connections/s (40) "), "\(row)")
        #expect(row.contains("(4/4 complete; by netaudit's count: 4 handshakes, 36 hello-only exchanges, 40 connections)"), "\(row)")
    }
}
