import Foundation
import NetauditCore
import NetauditLab
import Testing

/// Revocation material of the lab's PKI, read by the `openssl` tool: authorityInfoAccess and
/// cRLDistributionPoints in certificates, CRLs, and the OCSP responder's answers.
struct LabPKIRevocationTests {
    static let ocspURL = "http://127.77.0.48:8080/ocsp"
    static let caIssuersURL = "http://127.77.0.48:8080/ca/lab-intermediate.cer"
    static let crlURL = "http://127.77.0.48:8080/crl/lab-intermediate.crl"

    /// A leaf of the shared fixture chain with the given URLs (the shared RSA key: fast).
    static func leaf(
        _ name: String, ocsp: [String] = [], caIssuers: [String] = [], crl: [String] = []
    ) throws -> LabCredential {
        let chain = try LabFixtures.chain.get()
        return try LabPKI.issue(
            LabCertificateSpec(commonName: "\(name).lab.test", subjectAltNames: [.dns("\(name).lab.test")], keySource: .shared,
                               ocspURLs: ocsp, caIssuersURLs: caIssuers, crlURLs: crl),
            by: chain.intermediate)
    }

    // MARK: Extensions

    @Test func authorityInfoAccessAndCRLDistributionPointsAreWritten() throws {
        let leaf = try Self.leaf("urls", ocsp: [Self.ocspURL], caIssuers: [Self.caIssuersURL], crl: [Self.crlURL, "http://x.test/a,b.crl"])
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(leaf, ["-text"], in: folder)
            #expect(text.contains("Authority Information Access: \n"), "\(text)")
            #expect(text.contains("OCSP - URI:\(Self.ocspURL)"), "\(text)")
            #expect(text.contains("CA Issuers - URI:\(Self.caIssuersURL)"), "\(text)")
            #expect(text.contains("X509v3 CRL Distribution Points: \n"), "\(text)")
            #expect(text.contains("Full Name:\n                  URI:\(Self.crlURL)"), "\(text)")
            #expect(text.contains("URI:http://x.test/a,b.crl"), "a comma stays in the URL: \(text)")
            #expect(try OpenSSLTool.x509(leaf, ["-ocsp_uri"], in: folder) == Self.ocspURL + "\n")
        }
        let plain = try Self.leaf("plain")
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(plain, ["-text"], in: folder)
            #expect(!text.contains("Authority Information Access") && !text.contains("CRL Distribution Points"), "\(text)")
        }
    }

    @Test func urlsThatAreNotIA5AreRefused() throws {
        for spec in [
            LabCertificateSpec(commonName: "x", ocspURLs: [""]),
            LabCertificateSpec(commonName: "x", caIssuersURLs: ["http://ư.test/"]),
            LabCertificateSpec(commonName: "x", crlURLs: ["http://a b/"]),
        ] {
            let error = #expect(throws: LabPKIError.self) { _ = try LabPKI.selfSigned(spec) }
            #expect(error?.reason == .invalidSpec)
        }
    }

    // MARK: CRLs

    @Test func crlListsTheRevokedLeafAndVerifies() throws {
        let chain = try LabFixtures.chain.get()
        let revoked = try Self.leaf("revoked", crl: [Self.crlURL])
        let other = try Self.leaf("other")
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        let der = try LabCRL.crl(issuer: chain.intermediate, revoked: [(revoked, at), (other, at - 60)], number: 42)
        try withScratchFolder { folder in
            try der.write(to: folder.appendingPathComponent("int.crl"))
            try folder.write(chain.root.certificatePEM + chain.intermediate.certificatePEM, to: "cas.pem")
            let text = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "int.crl", "-CAfile", "cas.pem", "-noout", "-text"], in: folder)
            #expect(text.succeeded, "\(text.output)")
            #expect(text.output.contains("verify OK"), "\(text.output)")
            #expect(text.output.contains("Version 2 (0x1)"), "\(text.output)")
            #expect(text.output.contains("Issuer: O = Netaudit Lab, CN = Netaudit Lab Issuing CA"), "\(text.output)")
            #expect(text.output.contains("Signature Algorithm: sha256WithRSAEncryption"), "\(text.output)")
            #expect(text.output.contains("Serial Number: \(revoked.serialNumber)"), "\(text.output)")
            #expect(text.output.contains("Serial Number: \(other.serialNumber)"), "\(text.output)")
            #expect(text.output.contains("Key Compromise"), "\(text.output)")
            #expect(text.output.contains("X509v3 CRL Number: \n                42"), "\(text.output)")
            #expect(text.output.contains("X509v3 Authority Key Identifier"), "\(text.output)")

            // openssl verify with the CRL: the listed leaf is revoked, another one is not.
            let pem = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "int.crl", "-out", "int-crl.pem"], in: folder)
            #expect(pem.succeeded, "\(pem.output)")
            try folder.write(revoked.certificatePEM, to: "revoked.pem")
            let verify = try OpenSSLTool.run(
                ["verify", "-crl_check", "-CAfile", "cas.pem", "-CRLfile", "int-crl.pem", "revoked.pem"], in: folder)
            #expect(!verify.succeeded && verify.output.contains("certificate revoked"), "\(verify.output)")
            let fine = try Self.leaf("fine")
            try folder.write(fine.certificatePEM, to: "fine.pem")
            let good = try OpenSSLTool.run(["verify", "-crl_check", "-CAfile", "cas.pem", "-CRLfile", "int-crl.pem", "fine.pem"], in: folder)
            #expect(good.succeeded, "\(good.output)")
        }
    }

    @Test func crlDatesAndAnEmptyCRL() throws {
        let chain = try LabFixtures.chain.get()
        let this = Date(timeIntervalSince1970: 1_790_000_000)
        let der = try LabCRL.crl(issuer: chain.intermediate, revoked: [], thisUpdate: this, nextUpdate: this + 86400)
        try withScratchFolder { folder in
            try der.write(to: folder.appendingPathComponent("empty.crl"))
            let dates = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "empty.crl", "-noout", "-lastupdate", "-nextupdate", "-crlnumber"], in: folder)
            #expect(dates.output.contains("lastUpdate=Sep 21 14:13:20 2026 GMT"), "\(dates.output)")
            #expect(dates.output.contains("nextUpdate=Sep 22 14:13:20 2026 GMT"), "\(dates.output)")
            #expect(dates.output.contains("crlNumber=0x6AB13B80"), "thisUpdate in seconds: \(dates.output)")
            let text = try OpenSSLTool.run(["crl", "-inform", "DER", "-in", "empty.crl", "-noout", "-text"], in: folder)
            #expect(text.output.contains("No Revoked Certificates."), "\(text.output)")
        }
        let backwards = #expect(throws: LabPKIError.self) {
            _ = try LabCRL.crl(issuer: chain.intermediate, revoked: [], thisUpdate: this, nextUpdate: this - 1)
        }
        #expect(backwards?.reason == .invalidSpec)
    }

    // MARK: OCSP responder

    /// `openssl ocsp -reqout` for the leaves, the lab's answer, and `openssl ocsp -respin` reading it.
    static func ask(
        _ leaves: [LabCredential], issuer: LabCredential, responder: LabOCSPResponder, extra: [String] = [], in folder: URL
    ) throws -> OpenSSLTool.Result {
        let chain = try LabFixtures.chain.get()
        try folder.write(issuer.certificatePEM, to: "issuer.pem")
        try folder.write(chain.root.certificatePEM, to: "root.pem")
        var certificates: [String] = []
        for (index, leaf) in leaves.enumerated() {
            try folder.write(leaf.certificatePEM, to: "leaf\(index).pem")
            certificates += ["-cert", "leaf\(index).pem"]
        }
        let request = try OpenSSLTool.run(["ocsp", "-issuer", "issuer.pem"] + extra + certificates + ["-reqout", "req.der"], in: folder)
        #expect(request.succeeded, "\(request.output)")
        let answer = LabOCSP.answer(request: try Data(contentsOf: folder.appendingPathComponent("req.der")), responder: responder)
        try answer.write(to: folder.appendingPathComponent("resp.der"))
        // -cert builds a request of its own (with another nonce): the nonce is compared below.
        let result = try OpenSSLTool.run(
            ["ocsp", "-respin", "resp.der", "-issuer", "issuer.pem"] + extra + certificates + ["-CAfile", "root.pem", "-resp_text", "-no_nonce"],
            in: folder)
        let requestText = try OpenSSLTool.run(["ocsp", "-reqin", "req.der", "-req_text"], in: folder)
        if let nonce = requestText.output.split(separator: "\n").drop(while: { !$0.contains("OCSP Nonce") }).dropFirst().first {
            #expect(result.output.contains(nonce.trimmingCharacters(in: .whitespaces)), "nonce copied: \(requestText.output)\n\(result.output)")
        }
        return result
    }

    @Test func responderAnswersGoodRevokedAndUnknown() throws {
        let chain = try LabFixtures.chain.get()
        let good = try Self.leaf("good"), revoked = try Self.leaf("revoked"), stranger = try Self.leaf("stranger")
        var responder = LabOCSPResponder(issuers: [chain.intermediate])
        responder.record(.good, for: good)
        let revokedAt = Date(timeIntervalSince1970: 1_780_000_000)
        responder.record(.revoked(at: revokedAt), for: revoked)
        #expect(responder.status(of: revoked) == .revoked(at: revokedAt))
        #expect(responder.status(of: stranger) == nil)
        try withScratchFolder { folder in
            let result = try Self.ask([good, revoked, stranger], issuer: chain.intermediate, responder: responder, in: folder)
            #expect(result.succeeded, "\(result.output)")
            #expect(result.output.contains("Response verify OK"), "\(result.output)")
            #expect(result.output.contains("leaf0.pem: good"), "\(result.output)")
            #expect(result.output.contains("leaf1.pem: revoked"), "\(result.output)")
            #expect(result.output.contains("Reason: keyCompromise"), "\(result.output)")
            #expect(result.output.contains("Revocation Time: May 28 20:26:40 2026 GMT"), "\(result.output)")
            #expect(result.output.contains("leaf2.pem: unknown"), "\(result.output)")
            #expect(result.output.contains("Responder Id: O = Netaudit Lab, CN = Netaudit Lab Issuing CA"), "\(result.output)")
            #expect(result.output.contains("Response Extensions:\n        OCSP Nonce"), "the nonce is copied: \(result.output)")
            #expect(!result.output.contains("WARNING"), "\(result.output)")
        }
        // SHA-256 CertIDs are recognised too.
        try withScratchFolder { folder in
            let result = try Self.ask([revoked], issuer: chain.intermediate, responder: responder, extra: ["-sha256", "-no_nonce"], in: folder)
            #expect(result.output.contains("leaf0.pem: revoked"), "\(result.output)")
            #expect(result.output.contains("Hash Algorithm: sha256"), "\(result.output)")
        }
    }

    @Test func aResponseSignedBySomeoneElseDoesNotVerify() throws {
        let chain = try LabFixtures.chain.get()
        let leaf = try Self.leaf("forged")
        let stranger = try LabPKI.selfSigned(.certificateAuthority(commonName: "Stranger CA", key: .ecdsa(curve: .p256)))
        let forged = try LabOCSP.response(for: leaf, issuer: chain.intermediate, status: .good, signer: stranger)
        try withScratchFolder { folder in
            try forged.write(to: folder.appendingPathComponent("resp.der"))
            try folder.write(chain.intermediate.certificatePEM, to: "issuer.pem")
            try folder.write(leaf.certificatePEM, to: "leaf.pem")
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            let text = try OpenSSLTool.run(["ocsp", "-respin", "resp.der", "-resp_text", "-noverify"], in: folder)
            #expect(text.output.contains("Responder Id: CN = Stranger CA"), "\(text.output)")
            let verify = try OpenSSLTool.run(
                ["ocsp", "-respin", "resp.der", "-issuer", "issuer.pem", "-cert", "leaf.pem", "-CAfile", "root.pem", "-no_nonce"], in: folder)
            #expect(!verify.output.contains("Response verify OK"), "\(verify.output)")
        }
    }

    @Test func malformedAndForeignRequests() throws {
        let chain = try LabFixtures.chain.get()
        let responder = LabOCSPResponder(issuers: [chain.intermediate])
        #expect(LabOCSP.answer(request: Data(), responder: responder) == Data([0x30, 0x03, 0x0A, 0x01, 0x01]))
        #expect(LabOCSP.answer(request: Data("GET / HTTP/1.1\r\n\r\n".utf8), responder: responder) == LabOCSP.unsigned(.malformedRequest))
        // A certificate of another CA: the responder is not authoritative.
        let foreignRoot = try LabPKI.selfSigned(.certificateAuthority(commonName: "Foreign CA", key: .ecdsa(curve: .p256)))
        let foreign = try LabPKI.issue(LabCertificateSpec(commonName: "foreign.test", key: .ecdsa(curve: .p256)), by: foreignRoot)
        try withScratchFolder { folder in
            try folder.write(foreignRoot.certificatePEM, to: "issuer.pem")
            try folder.write(foreign.certificatePEM, to: "leaf.pem")
            let request = try OpenSSLTool.run(["ocsp", "-issuer", "issuer.pem", "-cert", "leaf.pem", "-reqout", "req.der"], in: folder)
            #expect(request.succeeded, "\(request.output)")
            let der = try Data(contentsOf: folder.appendingPathComponent("req.der"))
            #expect(LabOCSP.answer(request: der, responder: responder) == LabOCSP.unsigned(.unauthorized))
            #expect(LabOCSP.answer(request: der + [0], responder: responder) == LabOCSP.unsigned(.malformedRequest), "trailing bytes")
            try LabOCSP.unsigned(.malformedRequest).write(to: folder.appendingPathComponent("resp.der"))
            let text = try OpenSSLTool.run(["ocsp", "-respin", "resp.der", "-resp_text", "-noverify"], in: folder)
            #expect(text.output.contains("Responder Error: malformedrequest (1)"), "\(text.output)")
        }
    }
}
