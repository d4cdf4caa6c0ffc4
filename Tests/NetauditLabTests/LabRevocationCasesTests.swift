#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditCore
import NetauditLab
import Testing

/// The TLS-depth cases of the catalogue, checked with independent tools: `openssl ocsp`
/// against the PKI repository, `openssl crl` and `openssl verify` on what it serves, and
/// `openssl s_client` on the TLS ports.
struct LabRevocationCasesTests {
    /// One HTTP/1.1 exchange over a raw socket: status, head lines and body bytes.
    struct Answer {
        let status: Int
        let head: [String]
        let body: [UInt8]

        func header(_ name: String) -> String? {
            head.first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }.map { String($0.dropFirst(name.count + 2)) }
        }
    }

    static func exchange(_ address: IPAddress, _ port: UInt16, _ method: String, _ path: String,
                         headers: [String] = [], body: [UInt8] = []) throws -> Answer {
        let connection = try TestConnection(address: address, port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(address):\(port)\r\n"
        for header in headers { head += header + "\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        connection.send(Array((head + "\r\n").utf8) + body)
        let bytes = connection.receiveAll().bytes
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0...$0 + 3] == [13, 10, 13, 10] }) else {
            throw SharedLab.Failure(description: "no HTTP head in \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        return Answer(status: status, head: Array(lines.dropFirst()), body: Array(bytes[(end + 4)...]))
    }

    /// GET of an absolute http:// URL on loopback.
    static func get(_ url: String) throws -> Answer {
        let parsed = try #require(URL(string: url))
        let address = try #require(IPAddress(parsed.host ?? ""))
        return try exchange(address, UInt16(try #require(parsed.port)), "GET", parsed.path)
    }

    /// Writes the leaf case `id` serves, the lab root and the lab intermediate into `folder`.
    static func files(_ lab: RunningLab, _ id: String, in folder: URL) throws -> LabCredential {
        let leaf = try #require(try lab.credential(for: id))
        try folder.write(leaf.certificatePEM, to: "leaf.pem")
        try folder.write(try String(contentsOf: lab.trust.publicRoot, encoding: .utf8), to: "root.pem")
        try folder.write(try String(contentsOf: lab.trust.labIntermediate, encoding: .utf8), to: "int.pem")
        return leaf
    }

    /// The value after `label` in `openssl x509 -text` output (e.g. "OCSP - URI:").
    static func uri(after label: String, in text: String) -> String? {
        text.components(separatedBy: "\n").compactMap { line -> String? in
            guard let range = line.range(of: label) else { return nil }
            return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }.first
    }

    // MARK: OCSP through the repository

    @Test(arguments: [("ocsp-revoked", "revoked"), ("ocsp-good", "good")])
    func openSSLOCSPAsksTheLeafsResponder(_ id: String, _ expected: String) throws {
        let lab = try SharedLab.lab
        let repository = try #require(lab.repositoryURL)
        try withScratchFolder { folder in
            let leaf = try Self.files(lab, id, in: folder)
            let text = try OpenSSLTool.x509(leaf, ["-text"], in: folder)
            let url = try #require(Self.uri(after: "OCSP - URI:", in: text), "\(text)")
            #expect(url == repository.absoluteString + "ocsp", "the URL names this lab's repository port")
            #expect(!text.contains("CRL Distribution Points") && !text.contains("CA Issuers"), "\(text)")
            let result = try ClientTool.run("openssl", [
                "ocsp", "-issuer", folder.appendingPathComponent("int.pem").path, "-cert", folder.appendingPathComponent("leaf.pem").path,
                "-url", url, "-CAfile", folder.appendingPathComponent("root.pem").path, "-resp_text", "-timeout", "5",
            ])
            #expect(result.output.contains("Response verify OK"), "\(result.output)")
            #expect(result.output.contains("leaf.pem: \(expected)"), "\(result.output)")
            if expected == "revoked" {
                #expect(result.output.contains("Reason: keyCompromise"), "\(result.output)")
                let revokedAt = try #require(lab.repository?.content.responder.status(of: leaf))
                guard case .revoked(let date) = revokedAt else { Issue.record("\(revokedAt)"); return }
                #expect(abs(date.timeIntervalSince(lab.catalogue.createdAt) + 86400) < 2, "revoked a day ago")
            }
        }
        // No staple on these: the responder is the only source.
        let endpoint = try lab.endpoint(for: id)
        let client = try SClient.connect("\(endpoint)", ["-status", "-CAfile", lab.trust.publicRoot.path, "-verify_hostname", endpoint.hostName])
        #expect(client.verifyCode == 0 && client.chainLength == 2, "\(client.output)")
        #expect(client.output.contains("OCSP response: no response sent"), "\(client.output)")
        #expect(client.output.contains(try #require(try lab.credential(for: id)).certificatePEM.split(separator: "\n")[1]),
                "the leaf served is the one issued at start")
    }

    @Test func theDownResponderRefusesConnections() throws {
        let lab = try SharedLab.lab
        try withScratchFolder { folder in
            let leaf = try Self.files(lab, "ocsp-responder-down", in: folder)
            let url = try OpenSSLTool.x509(leaf, ["-ocsp_uri"], in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(url == lab.refusedOCSPURL?.absoluteString)
            let parsed = try #require(URL(string: url))
            #expect(parsed.host == lab.repositoryURL?.host, "the repository's address")
            #expect(parsed.port != lab.repositoryURL?.port, "another port")
            let refused = #expect(throws: TestConnection.Failure.self) {
                _ = try TestConnection(address: try #require(IPAddress(parsed.host!)), port: UInt16(parsed.port!))
            }
            #expect(refused?.errno == ECONNREFUSED)
            let result = try ClientTool.run("openssl", [
                "ocsp", "-issuer", folder.appendingPathComponent("int.pem").path, "-cert", folder.appendingPathComponent("leaf.pem").path,
                "-url", url, "-timeout", "2",
            ])
            #expect(result.status != 0 && !result.output.contains("leaf.pem: "), "\(result.output)")
        }
    }

    @Test func theStapledResponseSaysRevoked() throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: "ocsp-stapled-revoked")
        let client = try SClient.connect("\(endpoint)", ["-status", "-CAfile", lab.trust.publicRoot.path, "-verify_hostname", endpoint.hostName])
        #expect(client.verifyCode == 0 && client.chainLength == 2, "\(client.output)")
        #expect(client.output.contains("OCSP Response Status: successful (0x0)"), "\(client.output)")
        #expect(client.output.contains("Cert Status: revoked"), "\(client.output)")
        #expect(client.output.contains("Revocation Reason: keyCompromise (0x1)"), "\(client.output)")
        let leaf = try #require(try lab.credential(for: "ocsp-stapled-revoked"))
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(leaf, ["-text"], in: folder)
            #expect(!text.contains("Authority Information Access") && !text.contains("CRL Distribution Points"), "\(text)")
        }
        // The repository agrees: it is revoked there too (and on the intermediate's CRL).
        guard case .revoked? = lab.repository?.content.responder.status(of: leaf) else {
            Issue.record("the repository does not know the stapled leaf as revoked")
            return
        }
    }

    // MARK: CRL and caIssuers

    @Test func theCRLListsTheLeaf() throws {
        let lab = try SharedLab.lab
        try withScratchFolder { folder in
            let leaf = try Self.files(lab, "crl-revoked", in: folder)
            let text = try OpenSSLTool.x509(leaf, ["-text"], in: folder)
            #expect(!text.contains("Authority Information Access"), "no AIA: \(text)")
            let url = try #require(Self.uri(after: "URI:", in: text), "\(text)")
            #expect(url == (lab.repositoryURL?.absoluteString ?? "?") + "crl/lab-intermediate.crl")
            let answer = try Self.get(url)
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/pkix-crl", "\(answer.head)")
            try Data(answer.body).write(to: folder.appendingPathComponent("int.crl"))
            try folder.write(try String(contentsOf: folder.appendingPathComponent("root.pem"), encoding: .utf8)
                                + String(contentsOf: folder.appendingPathComponent("int.pem"), encoding: .utf8), to: "cas.pem")
            let crl = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "int.crl", "-CAfile", "cas.pem", "-noout", "-text"], in: folder)
            #expect(crl.output.contains("verify OK"), "\(crl.output)")
            #expect(crl.output.contains("Serial Number: \(leaf.serialNumber)"), "\(crl.output)")
            #expect(crl.output.contains("Key Compromise"), "\(crl.output)")
            _ = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "int.crl", "-out", "int-crl.pem"], in: folder)
            let verify = try OpenSSLTool.run(["verify", "-crl_check", "-CAfile", "cas.pem", "-CRLfile", "int-crl.pem", "leaf.pem"], in: folder)
            #expect(verify.output.contains("certificate revoked"), "\(verify.output)")
            // A good leaf of the same CA is not on it.
            let good = try #require(try lab.credential(for: "ocsp-good"))
            try folder.write(good.certificatePEM, to: "good.pem")
            let fine = try OpenSSLTool.run(["verify", "-crl_check", "-CAfile", "cas.pem", "-CRLfile", "int-crl.pem", "good.pem"], in: folder)
            #expect(fine.succeeded, "\(fine.output)")
        }
        let endpoint = try lab.endpoint(for: "crl-revoked")
        let client = try SClient.connect("\(endpoint)", ["-status", "-CAfile", lab.trust.publicRoot.path])
        #expect(client.verifyCode == 0 && client.output.contains("OCSP response: no response sent"), "\(client.output)")
    }

    @Test func caIssuersServesTheMissingIntermediate() throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: "aia-incomplete-chain")
        let client = try SClient.connect("\(endpoint)", ["-CAfile", lab.trust.publicRoot.path, "-verify_hostname", endpoint.hostName])
        #expect(client.chainLength == 1 && client.verifyCode == 21, "leaf only: \(client.output)")
        try withScratchFolder { folder in
            let leaf = try Self.files(lab, "aia-incomplete-chain", in: folder)
            let text = try OpenSSLTool.x509(leaf, ["-text"], in: folder)
            let url = try #require(Self.uri(after: "CA Issuers - URI:", in: text), "\(text)")
            #expect(url == (lab.repositoryURL?.absoluteString ?? "?") + "ca/lab-intermediate.cer")
            #expect(!text.contains("OCSP - URI:") && !text.contains("CRL Distribution Points"), "\(text)")
            let answer = try Self.get(url)
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/pkix-cert", "\(answer.head)")
            #expect(Data(answer.body) == lab.catalogue.authorities.intermediate.certificateDER)
            try Data(answer.body).write(to: folder.appendingPathComponent("fetched.der"))
            let pem = try OpenSSLTool.run(["x509", "-inform", "DER", "-in", "fetched.der", "-out", "fetched.pem"], in: folder)
            #expect(pem.succeeded, "\(pem.output)")
            let without = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "leaf.pem"], in: folder)
            #expect(!without.succeeded, "\(without.output)")
            let with = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "-untrusted", "fetched.pem", "leaf.pem"], in: folder)
            #expect(with.succeeded && with.output.contains("leaf.pem: OK"), "\(with.output)")
        }
    }

    // MARK: HTTPS downgrade

    @Test func httpsDowngradeAnswers301ToPlainHTTP() throws {
        let lab = try SharedLab.lab
        let endpoint = try lab.endpoint(for: "https-downgrade")
        let client = try SClient.connect("\(endpoint)", ["-servername", endpoint.hostName, "-CAfile", lab.trust.publicRoot.path,
                                                        "-verify_hostname", endpoint.hostName])
        #expect(client.verifyCode == 0, "\(client.output)")
        #expect(client.httpHead.first == "HTTP/1.1 301 Moved Permanently", "\(client.output)")
        #expect(client.httpHead.contains("Location: \(LabCatalogue.httpsDowngradeTarget)"), "\(client.httpHead)")
        #expect(LabCatalogue.httpsDowngradeTarget.hasPrefix("http://"))
    }

    // MARK: The repository as an HTTP server

    @Test func repositoryAnswersOCSPByPostAndGetAndRefusesTheRest() throws {
        let lab = try SharedLab.lab
        let repository = try lab.endpoint(for: LabCatalogue.repositoryID)
        #expect(repository.scheme == "http" && repository.address == LabCatalogue.address(of: LabCatalogue.repositoryID))
        #expect(try lab.companion(for: LabCatalogue.repositoryID) == nil)
        let request = try withScratchFolder { folder -> [UInt8] in
            _ = try Self.files(lab, "ocsp-revoked", in: folder)
            let made = try OpenSSLTool.run(["ocsp", "-issuer", "int.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der"], in: folder)
            #expect(made.succeeded, "\(made.output)")
            return Array(try Data(contentsOf: folder.appendingPathComponent("req.der")))
        }
        let address = repository.address, port = repository.port

        // Several at once: POSTs (one with Expect: 100-continue) from eight threads.
        let answers = Mutex<[Answer]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let headers = ["Content-Type: application/ocsp-request"] + (index == 0 ? ["Expect: 100-continue"] : [])
            if let answer = try? Self.exchange(address, port, "POST", "/ocsp", headers: headers, body: request) {
                answers.withLock { $0.append(answer) }
            }
        }
        let posted = answers.withLock { $0 }
        #expect(posted.count == 8)
        for answer in posted {
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/ocsp-response", "\(answer.head)")
        }
        let reference = try #require(posted.first { $0.head.allSatisfy { !$0.contains("100") } } ?? posted.first)
        try withScratchFolder { folder in
            try Data(reference.body).write(to: folder.appendingPathComponent("post.der"))
            let text = try OpenSSLTool.run(["ocsp", "-respin", "post.der", "-resp_text", "-noverify"], in: folder)
            #expect(text.output.contains("Cert Status: revoked"), "\(text.output)")
        }

        // GET /ocsp/<base64>, percent-encoded and URL-safe.
        let base64 = Data(request).base64EncodedString()
        let percent = base64.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F")
            .replacingOccurrences(of: "=", with: "%3D")
        let urlSafe = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        for path in ["/ocsp/" + percent, "/ocsp/" + urlSafe] {
            let answer = try Self.exchange(address, port, "GET", path)
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/ocsp-response", "\(path): \(answer.head)")
            #expect(answer.body.count > 100 && answer.body[0] == 0x30, "a signed response")
        }

        // Malformed requests get an OCSP error, other paths HTTP errors.
        let malformed = try Self.exchange(address, port, "POST", "/ocsp", headers: ["Content-Type: application/ocsp-request"], body: [1, 2, 3])
        #expect(malformed.status == 200 && malformed.body == [0x30, 0x03, 0x0A, 0x01, 0x01])
        #expect(try Self.exchange(address, port, "GET", "/ocsp/!!!").body == [0x30, 0x03, 0x0A, 0x01, 0x01])
        #expect(try Self.exchange(address, port, "GET", "/nothing").status == 404)
        #expect(try Self.exchange(address, port, "GET", "/crl/nobody.crl").status == 404)
        #expect(try Self.exchange(address, port, "GET", "/ocsp").status == 405)
        #expect(try Self.exchange(address, port, "POST", "/ca/lab-root.cer", body: [1]).status == 405)
        let head = try Self.exchange(address, port, "HEAD", "/ca/lab-root.cer")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "\(lab.catalogue.authorities.root.certificateDER.count)")
        for (name, credential) in lab.catalogue.authorities.repositoryNames {
            let certificate = try Self.exchange(address, port, "GET", "/ca/\(name).cer")
            #expect(certificate.status == 200 && Data(certificate.body) == credential.certificateDER, "\(name)")
            let crl = try Self.exchange(address, port, "GET", "/crl/\(name).crl")
            #expect(crl.status == 200 && crl.header("Content-Type") == "application/pkix-crl", "\(name)")
        }
    }

    // MARK: Several labs

    @Test func twoLabsAtOnceEachNameTheirOwnRepository() throws {
        let first = try LabCatalogue.start(only: ["ocsp-revoked"])
        defer { first.stop() }
        let second = try LabCatalogue.start(only: ["ocsp-revoked", "crl-revoked"])
        defer { second.stop() }
        #expect(first.cases.map(\.id) == ["ocsp-revoked", LabCatalogue.repositoryID], "the repository comes along")
        #expect(second.cases.map(\.id) == ["ocsp-revoked", "crl-revoked", LabCatalogue.repositoryID])
        let firstURL = try #require(first.repositoryURL), secondURL = try #require(second.repositoryURL)
        #expect(firstURL != secondURL)
        for lab in [first, second] {
            try withScratchFolder { folder in
                let leaf = try Self.files(lab, "ocsp-revoked", in: folder)
                let url = try OpenSSLTool.x509(leaf, ["-ocsp_uri"], in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(url == (lab.repositoryURL?.absoluteString ?? "?") + "ocsp")
                let result = try OpenSSLTool.run(["ocsp", "-issuer", "int.pem", "-cert", "leaf.pem", "-url", url, "-CAfile", "root.pem",
                                                  "-timeout", "5"], in: folder)
                #expect(result.output.contains("Response verify OK") && result.output.contains("leaf.pem: revoked"), "\(result.output)")
            }
        }
        #expect(try first.credential(for: "ocsp-revoked") != second.credential(for: "ocsp-revoked"), "each lab issues its own leaf")
        let name = try #require(first.repositoryServer?.name)
        first.stop()
        #expect(ProcSelf.threadsGone(prefix: name + "-"))
        #expect(throws: TestConnection.Failure.self) {
            _ = try TestConnection(address: try #require(IPAddress(firstURL.host ?? "")), port: UInt16(firstURL.port ?? 0))
        }
        // A lab without such cases runs no repository.
        let plain = try LabCatalogue.start(only: ["good-rsa"])
        defer { plain.stop() }
        #expect(plain.repositoryURL == nil && plain.repositoryServer == nil)
        #expect(try plain.credential(for: "good-rsa") != nil)
    }

    @Test func theCatalogueResponderKnowsTheStaticLeaves() throws {
        let catalogue = try LabCatalogue.standard()
        guard case .server(.tls(let good))? = catalogue["good-rsa"]?.service,
              case .server(.tls(let government))? = catalogue["government-ca"]?.service,
              case .server(.tls(let stapled))? = catalogue["ocsp-stapled-revoked"]?.service,
              case .server(.tls(let foreign))? = catalogue["untrusted-root"]?.service else {
            Issue.record("the cases are not TLS servers")
            return
        }
        #expect(catalogue.responder.status(of: good.credential) == .good)
        #expect(catalogue.responder.status(of: government.credential) == .good)
        #expect(catalogue.responder.status(of: stapled.credential) == .revoked(at: catalogue.createdAt - 86400))
        #expect(catalogue.responder.status(of: foreign.credential) == nil)
        guard case .repositoryTLS(let leaf)? = catalogue["ocsp-revoked"]?.service else {
            Issue.record("ocsp-revoked is not issued at start")
            return
        }
        #expect(leaf.ocsp == .repository && !leaf.crl && !leaf.caIssuers && leaf.tls.ocspResponse == nil)
    }
}

import Synchronization
