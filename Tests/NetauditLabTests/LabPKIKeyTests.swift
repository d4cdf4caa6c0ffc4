import Foundation
import NetauditLab
import Testing

/// Private keys: they match their certificates, and the shared-key cache does what it says.
struct LabPKIKeyTests {
    /// The public key in the certificate, and the one derived from the private key, as `openssl` prints them.
    static func publicKeys(_ credential: LabCredential, in folder: URL) throws -> (certificate: String, privateKey: String) {
        let name = "\(credential.serialNumber)"
        let certificate = try folder.write(credential.certificatePEM, to: "\(name)-cert.pem")
        let key = try folder.write(credential.privateKeyPEM, to: "\(name)-key.pem")
        let fromCertificate = try OpenSSLTool.run(["x509", "-in", certificate.path, "-noout", "-pubkey"], in: folder)
        let fromKey = try OpenSSLTool.run(["pkey", "-in", key.path, "-pubout"], in: folder)
        #expect(fromCertificate.succeeded && fromKey.succeeded, "\(fromCertificate.output) \(fromKey.output)")
        return (fromCertificate.output, fromKey.output)
    }

    @Test(arguments: [
        (LabKeyKind.rsa(bits: 1024), LabKeySource.fresh), (.ecdsa(curve: .p256), .fresh), (.ecdsa(curve: .p384), .shared),
        (.rsa(bits: 2048), .shared),
    ])
    func privateKeyMatchesCertificate(_ kind: LabKeyKind, _ source: LabKeySource) throws {
        let chain = try LabFixtures.chain.get()
        let credential = try LabPKI.issue(LabCertificateSpec(commonName: "key.lab.test", key: kind, keySource: source), by: chain.intermediate)
        #expect(credential.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        try withScratchFolder { folder in
            let keys = try Self.publicKeys(credential, in: folder)
            #expect(keys.certificate.hasPrefix("-----BEGIN PUBLIC KEY-----"))
            #expect(keys.certificate == keys.privateKey)
        }
    }

    @Test func chainKeysMatchAndDiffer() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            let root = try Self.publicKeys(chain.root, in: folder)
            let intermediate = try Self.publicKeys(chain.intermediate, in: folder)
            let leaf = try Self.publicKeys(chain.leaf, in: folder)
            #expect(root.certificate == root.privateKey)
            #expect(intermediate.certificate == intermediate.privateKey)
            #expect(leaf.certificate == leaf.privateKey)
            #expect(Set([root.certificate, intermediate.certificate, leaf.certificate]).count == 3)
        }
    }

    @Test func sharedKeysAreReusedAndFreshOnesAreNot() throws {
        func make(_ source: LabKeySource, _ kind: LabKeyKind = .ecdsa(curve: .p256)) throws -> LabCredential {
            try LabPKI.selfSigned(LabCertificateSpec(commonName: "cache.lab.test", key: kind, keySource: source))
        }
        let sharedA = try make(.shared), sharedB = try make(.shared)
        let freshA = try make(.fresh), freshB = try make(.fresh)
        let otherCurve = try make(.shared, .ecdsa(curve: .p384))
        #expect(sharedA.privateKeyPEM == sharedB.privateKeyPEM)
        #expect(sharedA.certificatePEM != sharedB.certificatePEM)  // same key, different certificates
        #expect(freshA.privateKeyPEM != freshB.privateKeyPEM)
        #expect(freshA.privateKeyPEM != sharedA.privateKeyPEM)
        #expect(otherCurve.privateKeyPEM != sharedA.privateKeyPEM)
    }

    /// A kind no other test uses, asked for by many tasks at once: they all end up with one key.
    @Test func concurrentRequestsForASharedKeyAgree() async throws {
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try LabPKI.selfSigned(LabCertificateSpec(
                        commonName: "race\(index).lab.test", key: .rsa(bits: 768), keySource: .shared)).privateKeyPEM
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys.count == 1)
    }
}
