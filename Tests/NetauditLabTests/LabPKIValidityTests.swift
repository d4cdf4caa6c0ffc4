import Foundation
import NetauditLab
import Testing

/// Validity periods and the weak cases, as `openssl verify` judges them against the lab root.
struct LabPKIValidityTests {
    struct ValidityCase: Sendable, CustomTestStringConvertible {
        let name: String
        let notBefore: TimeInterval  // from now
        let notAfter: TimeInterval
        /// nil: verifies OK.
        let verifyError: String?
        var testDescription: String { name }
    }

    static let validityCases: [ValidityCase] = [
        ValidityCase(name: "expired", notBefore: -30 * day, notAfter: -1 * day, verifyError: "certificate has expired"),
        ValidityCase(name: "not yet valid", notBefore: 1 * day, notAfter: 30 * day, verifyError: "certificate is not yet valid"),
        ValidityCase(name: "expiring in 5 days", notBefore: -85 * day, notAfter: 5 * day, verifyError: nil),
        ValidityCase(name: "825 days", notBefore: -3600, notAfter: 825 * day, verifyError: nil),
    ]

    @Test(arguments: validityCases)
    func validityAsOpenSSLVerifySeesIt(_ validityCase: ValidityCase) throws {
        let chain = try LabFixtures.chain.get()
        let notBefore = Date(timeIntervalSinceNow: validityCase.notBefore)
        let notAfter = Date(timeIntervalSinceNow: validityCase.notAfter)
        let leaf = try LabPKI.issue(
            LabCertificateSpec(commonName: "dates.lab.test", subjectAltNames: [.dns("dates.lab.test")],
                               notBefore: notBefore, notAfter: notAfter, keySource: .shared),
            by: chain.intermediate)
        #expect(leaf.notBefore == Date(timeIntervalSince1970: notBefore.timeIntervalSince1970.rounded(.down)))
        #expect(leaf.notAfter == Date(timeIntervalSince1970: notAfter.timeIntervalSince1970.rounded(.down)))
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.intermediate.certificatePEM, to: "inter.pem")
            try folder.write(leaf.certificatePEM, to: "leaf.pem")
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem"], in: folder)
            if let error = validityCase.verifyError {
                #expect(!result.succeeded)
                #expect(result.output.contains(error), "\(result.output)")
            } else {
                #expect(result.succeeded, "\(result.output)")
            }
            let dates = try OpenSSLTool.x509(leaf, ["-dates", "-dateopt", "iso_8601"], in: folder)
            #expect(dates == "notBefore=\(Self.iso(leaf.notBefore))\nnotAfter=\(Self.iso(leaf.notAfter))\n")
        }
    }

    @Test func expiringInFiveDaysIsCaughtByCheckend() throws {
        let leaf = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "soon.lab.test", notAfter: Date(timeIntervalSinceNow: 5 * day), key: .ecdsa(curve: .p256), keySource: .shared))
        try withScratchFolder { folder in
            let file = try folder.write(leaf.certificatePEM, to: "soon.pem")
            let withinSix = try OpenSSLTool.run(["x509", "-in", file.path, "-noout", "-checkend", "\(Int(6 * day))"], in: folder)
            #expect(!withinSix.succeeded)
            #expect(withinSix.output.contains("Certificate will expire"))
            let withinFour = try OpenSSLTool.run(["x509", "-in", file.path, "-noout", "-checkend", "\(Int(4 * day))"], in: folder)
            #expect(withinFour.succeeded)
            #expect(withinFour.output.contains("Certificate will not expire"))
        }
    }

    /// UTCTime ends with 2049; later dates must be GeneralizedTime, and earlier ones (back to 1950) still UTCTime.
    @Test(arguments: [
        ("1950-01-01 00:00:00Z", "2049-12-31 23:59:59Z"),
        ("2049-06-01 00:00:00Z", "2051-06-01 12:30:00Z"),
        ("2000-01-01 00:00:00Z", "9999-12-31 23:59:59Z"),
    ])
    func distantDatesAreEncoded(_ from: String, _ until: String) throws {
        let credential = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "far.lab.test", notBefore: try #require(Self.date(from)), notAfter: try #require(Self.date(until)),
            key: .ecdsa(curve: .p256), keySource: .shared))
        try withScratchFolder { folder in
            let dates = try OpenSSLTool.x509(credential, ["-dates", "-dateopt", "iso_8601"], in: folder)
            #expect(dates == "notBefore=\(from)\nnotAfter=\(until)\n")
        }
    }

    @Test func selfSignedLeafIsReportedAsSelfSigned() throws {
        let chain = try LabFixtures.chain.get()
        let leaf = try LabPKI.selfSigned(LabCertificateSpec(
            commonName: "self.lab.test", subjectAltNames: [.dns("self.lab.test")], key: .rsa(bits: 2048), keySource: .shared))
        #expect(leaf.isSelfSigned && leaf.subject == leaf.issuer)
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(leaf.certificatePEM, to: "self.pem")
            let result = try OpenSSLTool.run(["verify", "-CAfile", "root.pem", "self.pem"], in: folder)
            #expect(!result.succeeded)
            #expect(result.output.contains("self-signed certificate") || result.output.contains("self signed certificate"),
                    "\(result.output)")
        }
    }

    /// SHA-1 and MD5 still sign; a verifier at Debian's TLS security level (2) refuses them,
    /// while one with no level set (openssl verify's default) accepts them.
    @Test(arguments: [LabDigest.sha1, .md5])
    func weakDigestsSignButFailAtDebiansSecurityLevel(_ digest: LabDigest) throws {
        let chain = try LabFixtures.chain.get()
        let weak = try LabPKI.issue(
            LabCertificateSpec(commonName: "weak.lab.test", key: .rsa(bits: 2048), keySource: .shared, digest: digest),
            by: chain.intermediate)
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.intermediate.certificatePEM, to: "inter.pem")
            try folder.write(weak.certificatePEM, to: "weak.pem")
            let verify = ["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem"]
            let plain = try OpenSSLTool.run(verify + ["weak.pem"], in: folder)
            #expect(plain.succeeded, "\(plain.output)")
            let level2 = try OpenSSLTool.run(verify + ["-auth_level", "2", "weak.pem"], in: folder)
            #expect(!level2.succeeded)
            #expect(level2.output.contains("CA signature digest algorithm too weak"), "\(level2.output)")
        }
    }

    @Test func rsa1024KeyFailsAtSecurityLevel2EvenWithSHA256() throws {
        let chain = try LabFixtures.chain.get()
        let small = try LabPKI.issue(
            LabCertificateSpec(commonName: "small.lab.test", key: .rsa(bits: 1024), keySource: .shared), by: chain.intermediate)
        try withScratchFolder { folder in
            try folder.write(chain.root.certificatePEM, to: "root.pem")
            try folder.write(chain.intermediate.certificatePEM, to: "inter.pem")
            try folder.write(small.certificatePEM, to: "small.pem")
            let result = try OpenSSLTool.run(
                ["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "-auth_level", "2", "small.pem"], in: folder)
            #expect(!result.succeeded)
            #expect(result.output.contains("EE certificate key too weak"), "\(result.output)")
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date).replacingOccurrences(of: "T", with: " ") + "Z"
    }

    static func date(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text.replacingOccurrences(of: " ", with: "T"))
    }
}
