import Foundation
import NetauditLab
import Testing

/// Chains: what `openssl verify` makes of root → intermediate → leaf, and the chain files.
struct LabPKIChainTests {
    @Test func leafVerifiesThroughItsIntermediate() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.intermediate.certificatePEM, to: "inter.pem")
            try folder.write(chain.leaf.certificatePEM, to: "leaf.pem")
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem"], in: folder)
            #expect(result.succeeded, "\(result.output)")
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "leaf.pem: OK")
        }
    }

    @Test func leafWithoutItsIntermediateDoesNotVerify() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.leaf.certificatePEM, to: "leaf.pem")
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "leaf.pem"], in: folder)
            #expect(!result.succeeded)
            #expect(result.output.contains("unable to get local issuer certificate"), "\(result.output)")
        }
    }

    @Test func intermediateVerifiesAgainstTheRoot() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.intermediate.certificatePEM, to: "inter.pem")
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "inter.pem"], in: folder)
            #expect(result.succeeded, "\(result.output)")
        }
    }

    @Test func namesLinkTheChain() throws {
        let chain = try LabFixtures.chain.get()
        #expect(chain.root.subject == "CN=Netaudit Lab Root CA,O=Netaudit Lab")
        #expect(chain.root.issuer == chain.root.subject)
        #expect(chain.intermediate.issuer == chain.root.subject)
        #expect(chain.leaf.issuer == chain.intermediate.subject)
        #expect(chain.leaf.subject == "CN=leaf.lab.test,O=Netaudit Lab")
        #expect(chain.root.isSelfSigned && chain.root.isCA)
        #expect(!chain.intermediate.isSelfSigned && chain.intermediate.isCA)
        #expect(!chain.leaf.isSelfSigned && !chain.leaf.isCA)
        try withScratchFolder { folder in
            let output = try OpenSSLTool.x509(chain.leaf, ["-subject", "-issuer", "-nameopt", "RFC2253"], in: folder)
            #expect(output == "subject=\(chain.leaf.subject)\nissuer=\(chain.leaf.issuer)\n")
        }
    }

    @Test func authorityKeyIdentifierIsTheIssuersSubjectKeyIdentifier() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            func identifiers(_ credential: LabCredential) throws -> (subject: String?, authority: String?) {
                let output = try OpenSSLTool.x509(credential, ["-ext", "subjectKeyIdentifier,authorityKeyIdentifier"], in: folder)
                let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                func value(after header: String) -> String? {
                    guard let index = lines.firstIndex(where: { $0.hasPrefix(header) }), index + 1 < lines.count else { return nil }
                    return lines[index + 1]
                }
                return (value(after: "X509v3 Subject Key Identifier"), value(after: "X509v3 Authority Key Identifier"))
            }
            let root = try identifiers(chain.root)
            let intermediate = try identifiers(chain.intermediate)
            let leaf = try identifiers(chain.leaf)
            #expect(root.subject != nil)
            #expect(root.authority == nil)  // a self-signed root carries no authorityKeyIdentifier
            #expect(intermediate.authority == root.subject)
            #expect(leaf.authority == intermediate.subject)
            #expect(leaf.subject != nil && leaf.subject != intermediate.subject)
        }
    }

    @Test func intermediatesAreCarriedDownTheChainWithoutTheRoot() throws {
        let chain = try LabFixtures.chain.get()
        #expect(chain.root.intermediatesPEM.isEmpty)
        #expect(chain.intermediate.intermediatesPEM.isEmpty)
        #expect(chain.leaf.intermediatesPEM == [chain.intermediate.certificatePEM])
        #expect(chain.leaf.chainPEM == chain.leaf.certificatePEM + chain.intermediate.certificatePEM)

        // One more level: root → issuing CA → sub CA → leaf.
        let subCA = try LabPKI.issue(
            .certificateAuthority(commonName: "Netaudit Lab Sub CA", key: .ecdsa(curve: .p256)), by: chain.intermediate)
        let deepLeaf = try LabPKI.issue(
            LabCertificateSpec(commonName: "deep.lab.test", subjectAltNames: [.dns("deep.lab.test")],
                               key: .ecdsa(curve: .p256), keySource: .shared),
            by: subCA)
        #expect(deepLeaf.intermediatesPEM == [subCA.certificatePEM, chain.intermediate.certificatePEM])
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(deepLeaf.chainPEM, to: "chain.pem")
            try folder.write(deepLeaf.certificatePEM, to: "leaf.pem")
            // The issuing CA has pathlen:0, so a sub CA below it breaks the chain: the lab can
            // build such chains, and openssl refuses them.
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem"], in: folder)
            #expect(!result.succeeded)
            #expect(result.output.contains("path length constraint exceeded"), "\(result.output)")
        }
    }

    @Test func writtenFilesLoadAndVerify() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            let pki = folder.appendingPathComponent("pki/leaf", isDirectory: true)  // created on demand
            let files = try chain.leaf.write(to: pki, name: "leaf")
            let root = try chain.root.write(to: pki, name: "root")
            #expect(files.certificate.lastPathComponent == "leaf-cert.pem")
            #expect(files.privateKey.lastPathComponent == "leaf-key.pem")
            #expect(files.chain.lastPathComponent == "leaf-chain.pem")
            #expect(try String(contentsOf: files.certificate, encoding: .utf8) == chain.leaf.certificatePEM)
            #expect(try String(contentsOf: files.privateKey, encoding: .utf8) == chain.leaf.privateKeyPEM)
            #expect(try String(contentsOf: files.chain, encoding: .utf8) == chain.leaf.chainPEM)
            let mode = try FileManager.default.attributesOfItem(atPath: files.privateKey.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // The chain file carries the intermediate that the certificate file lacks.
            let verified = try OpenSSLTool.run(
                ["verify", "-CAfile", root.certificate.path, "-untrusted", files.chain.path, files.certificate.path], in: folder)
            #expect(verified.succeeded, "\(verified.output)")
            let pkey = try OpenSSLTool.run(["pkey", "-in", files.privateKey.path, "-noout"], in: folder)
            #expect(pkey.succeeded, "\(pkey.output)")

            // Writing again replaces the files, and the key file stays private.
            try chain.leaf.write(to: pki, name: "leaf")
            let again = try FileManager.default.attributesOfItem(atPath: files.privateKey.path)[.posixPermissions] as? Int
            #expect(again == 0o600)
        }
    }

    @Test(arguments: ["", "a/b", "..", "."])
    func writingRefusesNamesThatAreNotOneComponent(_ name: String) throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            let error = #expect(throws: LabPKIError.self) { try chain.leaf.write(to: folder, name: name) }
            #expect(error?.reason == .file)
        }
    }

    @Test func derIsTheCertificateOpenSSLReads() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            let pem = try folder.write(chain.leaf.certificatePEM, to: "leaf.pem")
            let der = folder.appendingPathComponent("leaf.der")
            let result = try OpenSSLTool.run(["x509", "-in", pem.path, "-outform", "DER", "-out", der.path], in: folder)
            #expect(result.succeeded, "\(result.output)")
            #expect(try Data(contentsOf: der) == chain.leaf.certificateDER)
        }
    }
}
