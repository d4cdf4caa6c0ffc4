import Foundation
import NetauditCore
import NetauditLab
import Testing

/// What `openssl x509 -text` and friends read in the certificates: keys, signatures,
/// extensions, names, serials.
struct LabPKIContentTests {
    struct KeyCase: Sendable, CustomTestStringConvertible {
        let key: LabKeyKind
        let digest: LabDigest
        let publicKeyLines: [String]
        let signatureAlgorithm: String
        var testDescription: String { "\(key) signed with \(digest)" }
    }

    /// Self-signed, so that the signature's key is the certified one; shared keys keep it fast.
    static let keyCases: [KeyCase] = [
        KeyCase(key: .rsa(bits: 2048), digest: .sha256, publicKeyLines: ["Public-Key: (2048 bit)", "Exponent: 65537"],
                signatureAlgorithm: "sha256WithRSAEncryption"),
        KeyCase(key: .rsa(bits: 2048), digest: .sha384, publicKeyLines: ["Public-Key: (2048 bit)"],
                signatureAlgorithm: "sha384WithRSAEncryption"),
        KeyCase(key: .rsa(bits: 1024), digest: .sha1, publicKeyLines: ["Public-Key: (1024 bit)"],
                signatureAlgorithm: "sha1WithRSAEncryption"),
        KeyCase(key: .rsa(bits: 1024), digest: .md5, publicKeyLines: ["Public-Key: (1024 bit)"],
                signatureAlgorithm: "md5WithRSAEncryption"),
        KeyCase(key: .ecdsa(curve: .p256), digest: .sha256, publicKeyLines: ["Public-Key: (256 bit)", "NIST CURVE: P-256"],
                signatureAlgorithm: "ecdsa-with-SHA256"),
        KeyCase(key: .ecdsa(curve: .p256), digest: .sha1, publicKeyLines: ["Public-Key: (256 bit)"],
                signatureAlgorithm: "ecdsa-with-SHA1"),
        KeyCase(key: .ecdsa(curve: .p384), digest: .sha384, publicKeyLines: ["Public-Key: (384 bit)", "NIST CURVE: P-384"],
                signatureAlgorithm: "ecdsa-with-SHA384"),
    ]

    @Test(arguments: keyCases)
    func keySizeAndSignatureAlgorithm(_ keyCase: KeyCase) throws {
        let credential = try LabPKI.selfSigned(
            LabCertificateSpec(commonName: "keys.lab.test", key: keyCase.key, keySource: .shared, digest: keyCase.digest))
        #expect(credential.keyKind == keyCase.key)
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(credential, ["-text"], in: folder)
            #expect(text.contains("Version: 3 (0x2)"))
            for line in keyCase.publicKeyLines {
                #expect(text.contains(line), "\(line) not in:\n\(text)")
            }
            #expect(text.contains("Signature Algorithm: \(keyCase.signatureAlgorithm)"), "\(text)")
            // A self-signed certificate's signature checks out with its own key.
            try folder.write(credential.certificatePEM, to: "self.pem")
            let verified = try OpenSSLTool.run(["verify", "-CAfile", "self.pem", "-check_ss_sig", "self.pem"], in: folder)
            #expect(verified.succeeded, "\(verified.output)")
        }
    }

    @Test func issuedCertificateIsSignedWithTheIssuersKeyType() throws {
        let chain = try LabFixtures.chain.get()
        let ecLeaf = try LabPKI.issue(
            LabCertificateSpec(commonName: "ec.lab.test", key: .ecdsa(curve: .p256), keySource: .shared, digest: .sha384),
            by: chain.intermediate)
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(ecLeaf, ["-text"], in: folder)
            #expect(text.contains("Signature Algorithm: sha384WithRSAEncryption"), "\(text)")
            #expect(text.contains("NIST CURVE: P-256"))
        }
    }

    @Test func subjectAltNamesHoldDNSNamesAndAddresses() throws {
        let chain = try LabFixtures.chain.get()
        try withScratchFolder { folder in
            let output = try OpenSSLTool.x509(chain.leaf, ["-ext", "subjectAltName"], in: folder)
            #expect(output == """
                X509v3 Subject Alternative Name: \n\
                    DNS:leaf.lab.test, DNS:*.apps.lab.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1

                """)
            for (flag, value, matches) in [
                ("-checkhost", "leaf.lab.test", true), ("-checkhost", "web.apps.lab.test", true),
                ("-checkhost", "other.lab.test", false), ("-checkip", "127.0.0.1", true), ("-checkip", "::1", true),
                ("-checkip", "127.0.0.2", false),
            ] {
                let result = try OpenSSLTool.x509(chain.leaf, [flag, value], in: folder)
                #expect(result.contains("does match") == matches, "\(flag) \(value): \(result)")
            }
        }
    }

    @Test func noSubjectAltNamesMeansNoExtension() throws {
        let legacy = try LabPKI.selfSigned(LabCertificateSpec(commonName: "legacy.lab.test", key: .ecdsa(curve: .p256), keySource: .shared))
        try withScratchFolder { folder in
            let text = try OpenSSLTool.x509(legacy, ["-text"], in: folder)
            #expect(!text.contains("Subject Alternative Name"))
            #expect(text.contains("Subject: CN = legacy.lab.test"), "\(text)")
        }
    }

    struct ExtensionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable (LabFixtures.Chain) throws -> LabCredential
        let expected: String
        var testDescription: String { name }
    }

    static let extensionCases: [ExtensionCase] = [
        ExtensionCase(name: "root CA", make: { $0.root }, expected: """
            X509v3 Basic Constraints: critical
                CA:TRUE
            X509v3 Key Usage: critical
                Certificate Sign, CRL Sign

            """),
        ExtensionCase(name: "intermediate CA with pathlen 0", make: { $0.intermediate }, expected: """
            X509v3 Basic Constraints: critical
                CA:TRUE, pathlen:0
            X509v3 Key Usage: critical
                Certificate Sign, CRL Sign

            """),
        ExtensionCase(name: "RSA leaf", make: { $0.leaf }, expected: """
            X509v3 Basic Constraints: critical
                CA:FALSE
            X509v3 Key Usage: critical
                Digital Signature, Key Encipherment
            X509v3 Extended Key Usage: \n\
                TLS Web Server Authentication

            """),
        ExtensionCase(name: "ECDSA leaf", make: { chain in
            try LabPKI.issue(LabCertificateSpec(commonName: "ec.lab.test", key: .ecdsa(curve: .p256), keySource: .shared),
                             by: chain.intermediate)
        }, expected: """
            X509v3 Basic Constraints: critical
                CA:FALSE
            X509v3 Key Usage: critical
                Digital Signature
            X509v3 Extended Key Usage: \n\
                TLS Web Server Authentication

            """),
        ExtensionCase(name: "self-signed leaf", make: { _ in
            try LabPKI.selfSigned(LabCertificateSpec(commonName: "self.lab.test", key: .rsa(bits: 2048), keySource: .shared))
        }, expected: """
            X509v3 Basic Constraints: critical
                CA:FALSE
            X509v3 Key Usage: critical
                Digital Signature, Key Encipherment
            X509v3 Extended Key Usage: \n\
                TLS Web Server Authentication

            """),
    ]

    @Test(arguments: extensionCases)
    func constraintsAndKeyUsages(_ extensionCase: ExtensionCase) throws {
        let credential = try extensionCase.make(try LabFixtures.chain.get())
        try withScratchFolder { folder in
            let output = try OpenSSLTool.x509(credential, ["-ext", "basicConstraints,keyUsage,extendedKeyUsage"], in: folder)
            #expect(output == extensionCase.expected)
        }
    }

    @Test func serialsAreRandom128BitPositiveNumbers() throws {
        let chain = try LabFixtures.chain.get()
        var credentials = [chain.root, chain.intermediate, chain.leaf]
        for index in 0..<5 {
            credentials.append(try LabPKI.selfSigned(
                LabCertificateSpec(commonName: "serial\(index).lab.test", key: .ecdsa(curve: .p256), keySource: .shared)))
        }
        #expect(Set(credentials.map(\.serialNumber)).count == credentials.count)
        try withScratchFolder { folder in
            for credential in credentials {
                #expect(credential.serialNumber.count == 32, "\(credential.serialNumber)")  // 128 bits, top bit set
                #expect("89ABCDEF".contains(credential.serialNumber.first!))
                let output = try OpenSSLTool.x509(credential, ["-serial"], in: folder)
                #expect(output == "serial=\(credential.serialNumber)\n")
            }
        }
    }

    @Test func utf8NamesStayReadable() throws {
        let credential = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "cổng.lab.test", organization: "Sở Thông tin và Truyền thông Gia Lai",
            key: .ecdsa(curve: .p256), keySource: .shared))
        #expect(credential.subject == "CN=cổng.lab.test,O=Sở Thông tin và Truyền thông Gia Lai")
        try withScratchFolder { folder in
            let output = try OpenSSLTool.x509(credential, ["-subject", "-nameopt", "RFC2253,-esc_msb"], in: folder)
            #expect(output == "subject=\(credential.subject)\n")
        }
    }

    @Test func specialCharactersInNamesAreEscaped() throws {
        let credential = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "a,b+c", organization: "Lab \"Quoted\"", key: .ecdsa(curve: .p256), keySource: .shared))
        #expect(credential.subject == #"CN=a\,b\+c,O=Lab \"Quoted\""#)
    }
}
