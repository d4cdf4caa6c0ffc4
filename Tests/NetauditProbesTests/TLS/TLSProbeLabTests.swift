import Foundation
import NetauditCore
import NetauditLab
import NetauditPolicy
@testable import NetauditProbes
import Testing

/// Every lab case, probed as an audit would, and what the probe must observe of it.
struct TLSProbeLabTests {
    // MARK: Good servers

    @Test(arguments: ["good-rsa", "good-ecdsa"])
    func aGoodServerIsSeenWhole(_ id: String) async throws {
        let observation = try await ProbeLab.probe(id)
        #expect(observation.problem == nil)
        #expect(observation.connection == ConnectionOutcome(tcpConnected: true, modernHandshake: true))
        let http = try #require(observation.http)
        #expect(http.status == 200)
        #expect(http.hstsMaxAge == 63_072_000)
        #expect(http.timings.tls != nil && http.timings.firstByte != nil)
        let session = try #require(observation.session)
        #expect(session.protocolVersion == .tls1_3)
        #expect(session.cipher.hasPrefix("TLS_AES_") || session.cipher.hasPrefix("TLS_CHACHA20"))
        #expect(session.keyExchange == "x25519")
        #expect(session.ocspStapled)
        #expect(observation.certificates.count == 2)  // leaf and intermediate, as sent
        let leaf = try #require(observation.certificates.first)
        #expect(leaf.subjectAltNames.contains("\(id).lab.test"))
        #expect(leaf.keyType == (id == "good-rsa" ? "RSA" : "EC"))
        #expect(leaf.keyBits == (id == "good-rsa" ? 2048 : 256))
        #expect(leaf.signatureAlgorithm == "sha256WithRSAEncryption")  // the (RSA) intermediate's signature
        #expect(leaf.curve == (id == "good-rsa" ? nil : "prime256v1"))
        #expect(leaf.sha256Fingerprint.count == 64)
        let trust = try #require(observation.trust)
        #expect(trust.publicTrust.trusted)
        #expect(trust.publicTrust.anchor?.contains("netaudit lab root") == true)
        #expect(trust.governmentTrust?.trusted == false)
        #expect(trust.hostnameMatches)
        #expect(Dictionary(uniqueKeysWithValues: observation.protocols.map { ($0.version, $0.accepted) })
                == [.ssl3: false, .tls1_0: false, .tls1_1: false, .tls1_2: true, .tls1_3: true])
        #expect(observation.weakCiphers.map(\.name) == ["null", "anonymous", "export", "des", "triple_des", "rc4"])
        #expect(observation.weakCiphers.allSatisfy { $0.accepted == false && $0.testedWith == .tls1_2 })
        #expect(observation.staticRSA?.accepted == false)
        #expect(observation.plainHTTP?.redirectsToHTTPS == true)
        // And the baseline policy finds nothing to report above info (it staples OCSP: nothing at all).
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        #expect(evaluation.findings.isEmpty, "\(evaluation.findings.map(\.id))")
        #expect(evaluation.verdict == .compliant)
        #expect(evaluation.anchor?.store == .public)
    }

    @Test func aGovernmentCAChainIsTrustedByGovernmentTrustOnly() async throws {
        let trust = try #require(try await ProbeLab.probe("government-ca").trust)
        #expect(!trust.publicTrust.trusted)
        #expect(trust.publicTrust.problem == .untrustedRoot)
        #expect(trust.governmentTrust?.trusted == true)
        #expect(trust.governmentTrust?.anchor?.contains("Government") == true)
    }

    // MARK: Certificates

    @Test(arguments: [
        ("expired", ChainVerification.Problem.expired),
        ("not-yet-valid", .notYetValid),
        ("self-signed", .selfSigned),
        ("untrusted-root", .untrustedRoot),
    ])
    func certificateProblemsAreToldApart(_ id: String, _ problem: ChainVerification.Problem) async throws {
        let observation = try await ProbeLab.probe(id)
        #expect(observation.connection.modernHandshake)  // netaudit verifies; curl does not refuse
        let trust = try #require(observation.trust)
        #expect(!trust.publicTrust.trusted)
        #expect(trust.publicTrust.problem == problem, "\(trust.publicTrust)")
        #expect(trust.publicTrust.code > 0 && !trust.publicTrust.message.isEmpty)
    }

    @Test func aLeafForAnotherNameDoesNotMatch() async throws {
        let observation = try await ProbeLab.probe("wrong-host")
        let trust = try #require(observation.trust)
        #expect(trust.publicTrust.trusted)
        #expect(!trust.hostnameMatches)
        #expect(trust.hostnameCode == 62 && trust.hostnameMessage == "hostname mismatch")
        let finding = try #require(Policy().evaluateEndpoint(observation, now: Date()).findings.first { $0.id == "cert.hostname_mismatch" })
        #expect(finding.evidence["trust.hostname.code"] == "62")
        #expect(finding.evidence["trust.hostname.message"] == "hostname mismatch")
    }

    @Test func aMissingIntermediateIsAnIncompleteChainUnderPublicTrust() async throws {
        // The lab intermediate is a known intermediate (as a browser preloads those of public
        // CAs): the server omits an intermediate that exists, it is not untrusted.
        let observation = try await ProbeLab.probe("incomplete-chain")
        #expect(observation.certificates.count == 1)
        let trust = try #require(observation.trust)
        #expect(!trust.publicTrust.trusted)
        #expect(trust.publicTrust.problem == .incompleteChain, "\(trust.publicTrust)")
        #expect(trust.publicTrust.code == 20)  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, of the chain as sent
        #expect(trust.governmentTrust?.problem == .untrustedRoot)  // the lab root is no government anchor
        let ids = Policy().evaluateEndpoint(observation, now: Date()).findings.map(\.id)
        #expect(ids.contains("cert.chain_incomplete"), "\(ids)")
        #expect(!ids.contains("cert.untrusted"), "\(ids)")
    }

    @Test func aMissingIntermediateThatNobodyKnowsIsAnUntrustedRoot() async throws {
        let lab = try ProbeLab.lab()
        let plain = try #require(try await ProbeLab.probe("incomplete-chain", knownIntermediates: false).trust)
        #expect(plain.publicTrust.problem == .untrustedRoot)
        // Government trust: an anchors file that also holds the intermediate makes it known there.
        let observation = try await ProbeLab.probe("incomplete-chain", extraGovernment: [lab.trust.publicRoot.path, lab.trust.labIntermediate.path],
                                                   knownIntermediates: false)
        #expect(observation.trust?.governmentTrust?.problem == .incompleteChain)
        #expect(observation.trust?.publicTrust.problem == .untrustedRoot)
    }

    @Test func weakCertificatesAreDescribed() async throws {
        let sha1 = try #require(try await ProbeLab.probe("sha1-signed").certificates.first)
        #expect(sha1.signatureAlgorithm == "sha1WithRSAEncryption")
        let small = try #require(try await ProbeLab.probe("rsa-1024").certificates.first)
        #expect(small.keyType == "RSA" && small.keyBits == 1024)
        let expiring = try #require(try await ProbeLab.probe("expiring-5-days").certificates.first)
        let days = expiring.notAfter.timeIntervalSinceNow / 86_400
        #expect(days > 4 && days <= 5.01)
        let long = try #require(try await ProbeLab.probe("long-validity").certificates.first)
        #expect(abs(long.notAfter.timeIntervalSince(long.notBefore) / 86_400 - 825) < 1)
    }

    // MARK: Protocols and ciphers

    @Test(arguments: [("tls1_0-only", TLSProtocolVersion.tls1_0), ("tls1_1-only", .tls1_1)])
    func anOldProtocolOnlyServerNeedsTheLegacyClient(_ id: String, _ version: TLSProtocolVersion) async throws {
        let observation = try await ProbeLab.probe(id)
        #expect(!observation.connection.modernHandshake)
        #expect(observation.connection.legacyHandshake == true)
        #expect(observation.connection.failure == .handshake)
        #expect(observation.session?.protocolVersion == version)
        #expect(observation.session?.legacy == true)
        #expect(observation.certificates.count == 2)  // the chain is still seen
        let accepted = observation.protocols.filter { $0.accepted == true }.map(\.version)
        #expect(accepted == [version])
        #expect(observation.weakCiphers.first?.testedWith == version)
    }

    @Test func aTLS13OnlyServerHasNoLegacySuites() async throws {
        let observation = try await ProbeLab.probe("tls1_3-only")
        #expect(observation.protocols.filter { $0.accepted == true }.map(\.version) == [.tls1_3])
        #expect(observation.weakCiphers.allSatisfy { $0.accepted == false })
        #expect(observation.staticRSA?.accepted == false)
    }

    @Test func staticRSAOnlyMeansNoForwardSecrecy() async throws {
        let observation = try await ProbeLab.probe("static-rsa-only")
        #expect(observation.session?.cipher.hasPrefix("TLS_RSA_WITH_") == true)
        #expect(observation.session?.keyExchange == nil)
        #expect(observation.staticRSA?.accepted == true)
        #expect(observation.acceptance(of: .tls1_3) == false)
    }

    @Test(.enabled(if: LabLighttpd.executable() != nil)) func tripleDESIsSeenOnARealServer() async throws {
        let observation = try await ProbeLab.probe("3des")
        #expect(observation.connection.modernHandshake)
        let tripleDES = try #require(observation.weakCiphers.first { $0.name == "triple_des" })
        #expect(tripleDES.accepted == true)
        #expect(tripleDES.detail == "TLS_RSA_WITH_3DES_EDE_CBC_SHA")
        #expect(observation.weakCiphers.filter { $0.accepted == true }.map(\.name) == ["triple_des"])
    }

    @Test(arguments: [
        ("crafted-rc4", "rc4", TLSProtocolVersion.tls1_2),
        ("crafted-export", "export", .tls1_0),
        ("crafted-ssl3", "rc4", .ssl3),
        ("crafted-null", "null", .tls1_2),
        ("crafted-anon", "anonymous", .tls1_2),
        ("crafted-des", "des", .tls1_2),
    ])
    func weakSuitesAreFoundWithHandBuiltHellos(_ id: String, _ weak: String, _ best: TLSProtocolVersion) async throws {
        let observation = try await ProbeLab.probe(id)
        #expect(observation.connection.tcpConnected)
        #expect(observation.connection.failure == .handshake)  // no real handshake: these servers only say hello
        let accepted = observation.protocols.filter { $0.accepted == true }.map(\.version)
        #expect(accepted.max() == best)
        let entry = try #require(observation.weakCiphers.first { $0.name == weak })
        #expect(entry.accepted == true, "\(observation.weakCiphers)")
        #expect(entry.testedWith == best)
    }

    // MARK: Key exchange and CBC (issue 11)

    @Test func aDHEGroupOf1024BitsIsWeak() async throws {
        let observation = try await ProbeLab.probe("dhe-1024")
        #expect(observation.connection.modernHandshake)
        let dhe = try #require(observation.dhe)
        #expect(dhe.accepted == true, "\(dhe)")
        #expect(dhe.dhBits == 1024, "\(dhe)")
        #expect(dhe.suite?.hasPrefix("TLS_DHE_RSA_WITH_AES_") == true, "\(dhe)")
        #expect(dhe.export == false && dhe.testedWith == .tls1_2)
        #expect(observation.ecdhe?.accepted == true && observation.ecdhe?.group == "x25519", "\(String(describing: observation.ecdhe))")
        #expect(observation.cbc?.accepted == false, "\(String(describing: observation.cbc))")  // its DHE suites are AES-GCM
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        // It staples no OCSP response and names no revocation source (info): nothing else than
        // the DH group is wrong.
        #expect(evaluation.findings.map(\.id) == ["kex.dh_weak", "cert.revocation_unknown", "ocsp.no_stapling"],
                "\(evaluation.findings.map(\.id))")
        let finding = try #require(evaluation.findings.first)
        #expect(finding.severity == .high)
        #expect(finding.evidence["kex.dh_bits"] == "1024")
        #expect(finding.evidence["threshold.dh_min_bits"] == "2048")
        #expect(finding.evidence["cipher.suites"] == dhe.suite)
        #expect(evaluation.verdict == .noncompliant)
    }

    @Test func aServerWithoutAEADSuitesAcceptsCBC() async throws {
        let observation = try await ProbeLab.probe("cbc-only")
        #expect(observation.connection.modernHandshake)
        let cbc = try #require(observation.cbc)
        #expect(cbc.accepted == true, "\(cbc)")
        #expect(cbc.detail.hasPrefix("TLS_ECDHE_RSA_WITH_AES_") && cbc.detail.contains("_CBC_"), "\(cbc)")
        #expect(cbc.testedWith == .tls1_2)
        #expect(observation.dhe?.accepted == false)
        #expect(observation.ecdhe?.accepted == true)
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        #expect(Set(evaluation.findings.map(\.id)) == ["cipher.cbc", "proto.tls1_3_missing", "ocsp.no_stapling", "cert.revocation_unknown"],
                "\(evaluation.findings.map(\.id))")
        let finding = try #require(evaluation.findings.first { $0.id == "cipher.cbc" })
        #expect(finding.severity == .low)
        #expect(finding.evidence["cipher.suites"] == cbc.detail)
        #expect(evaluation.verdict == .compliant)  // low and medium findings are warnings
    }

    @Test(arguments: ["good-rsa", "good-ecdsa"])
    func aGoodServerRefusesDHEAndCBC(_ id: String) async throws {
        let observation = try await ProbeLab.probe(id)
        #expect(observation.dhe?.accepted == false, "\(String(describing: observation.dhe))")
        #expect(observation.dhe?.dhBits == nil)
        #expect(observation.cbc?.accepted == false, "\(String(describing: observation.cbc))")
        let ecdhe = try #require(observation.ecdhe)
        #expect(ecdhe.accepted == true && ecdhe.group == "x25519", "\(ecdhe)")
        #expect(ecdhe.suite.map { CipherSuite.catalogued(named: $0)?.isAEAD == true } == true, "\(ecdhe)")
    }

    @Test func aDHEGroupOf512BitsIsCritical() async throws {
        let observation = try await ProbeLab.probe("crafted-dhe-512")
        let dhe = try #require(observation.dhe)
        #expect(dhe.accepted == true && dhe.dhBits == 512, "\(dhe)")
        #expect(dhe.suite == "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" && !dhe.export, "\(dhe)")
        #expect(observation.ecdhe?.accepted == false)
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        let finding = try #require(evaluation.findings.first { $0.id == "kex.dh_weak" }, "\(evaluation.findings.map(\.id))")
        #expect(finding.severity == .critical)
        #expect(finding.evidence["kex.dh_bits"] == "512")
        #expect(finding.evidence["threshold.dh_critical_bits"] == "1024")
        #expect(evaluation.verdict == .noncompliant)
        // Its export DHE suite is found by the weak-class hellos, as before.
        #expect(observation.weakCiphers.first { $0.name == "export" }?.detail == "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA")
    }

    @Test func theECDHEGroupIsReadPastAMegabyteOfCertificates() async throws {
        let observation = try await ProbeLab.probe("huge-chain", timeout: .seconds(8))
        let ecdhe = try #require(observation.ecdhe)
        #expect(ecdhe.accepted == true && ecdhe.group == "x25519", "\(ecdhe)")
    }

    @Test func staticRSAOnlyAcceptsCBCButNoEphemeralKeyExchange() async throws {
        let observation = try await ProbeLab.probe("static-rsa-only")
        #expect(observation.cbc?.accepted == true && observation.cbc?.detail.hasPrefix("TLS_RSA_WITH_AES_") == true,
                "\(String(describing: observation.cbc))")
        #expect(observation.dhe?.accepted == false && observation.ecdhe?.accepted == false)
    }

    @Test func sslv3IsSeen() async throws {
        let observation = try await ProbeLab.probe("crafted-ssl3")
        #expect(observation.acceptance(of: .ssl3) == true)
        #expect(observation.acceptance(of: .tls1_0) == false)
    }

    // MARK: HTTP

    @Test func hstsHeadersAreRead() async throws {
        let present = try #require(try await ProbeLab.probe("hsts-present").http)
        #expect(present.hstsMaxAge == 63_072_000 && present.hstsIncludeSubDomains)
        let missing = try #require(try await ProbeLab.probe("hsts-missing").http)
        #expect(missing.strictTransportSecurity == nil && missing.hstsMaxAge == nil)
        let short = try #require(try await ProbeLab.probe("hsts-short").http)
        #expect(short.hstsMaxAge == 86_400)
    }

    @Test func anHTTPSRedirectIsRecordedWithItsTarget() async throws {
        let observation = try await ProbeLab.probe("https-redirect")
        #expect(observation.connection.modernHandshake)
        let http = try #require(observation.http)
        #expect(http.status == 302)
        #expect(http.location == LabCatalogue.httpsRedirectTarget)  // recorded, not followed
        #expect(http.hstsMaxAge == 63_072_000)
        #expect(observation.trust?.publicTrust.trusted == true)
    }

    @Test func ocspStaplingIsSeenWhereTheServerStaples() async throws {
        // good-rsa staples (see aGoodServerIsSeenWhole); hsts-present is as good but staples nothing.
        let stapled = try #require(try await ProbeLab.probe("good-ecdsa").session)
        #expect(stapled.ocspStapled)
        let observation = try await ProbeLab.probe("hsts-present")
        let session = try #require(observation.session)
        #expect(!session.ocspStapled)
        let finding = Policy().evaluateEndpoint(observation, now: Date()).findings.first { $0.id == "ocsp.no_stapling" }
        #expect(finding?.severity == .info)
    }

    @Test func plainHTTPWithAndWithoutRedirect() async throws {
        let redirect = try #require(try await ProbeLab.probe("http-redirect").plainHTTP)
        #expect(redirect.answered && redirect.status == 301 && redirect.redirectsToHTTPS)
        let plain = try #require(try await ProbeLab.probe("http-no-redirect").plainHTTP)
        #expect(plain.answered && plain.status == 200 && !plain.redirectsToHTTPS)
    }

    @Test func aPlainHTTPRedirectToAnotherHostIsNoRedirectToThisSite() async throws {
        let observation = try await ProbeLab.probe("http-redirect-elsewhere")
        let plain = try #require(observation.plainHTTP)
        #expect(plain.answered && plain.status == 301 && plain.location == LabCatalogue.elsewhereRedirectTarget)
        #expect(observation.trust?.hostnameMatches == true)  // its own certificate is fine; the target is not named in it
        let findings = Policy().evaluateEndpoint(observation, now: Date()).findings
        let finding = try #require(findings.first { $0.id == "http.no_https_redirect" }, "\(findings.map(\.id))")
        #expect(finding.evidence["http.plain.location"] == LabCatalogue.elsewhereRedirectTarget)
        #expect(finding.message.contains("portal.elsewhere.test"))
        // A redirect to the endpoint's own host is still one.
        let home = try await ProbeLab.probe("http-redirect")
        #expect(!Policy().evaluateEndpoint(home, now: Date()).findings.contains { $0.id == "http.no_https_redirect" })
    }

    @Test func headersBeyondCurlsLimitAreSaidUnreadableNotHSTSMissing() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let observation = try await ProbeLab.probe("many-headers")
        #expect(clock.now - started < .seconds(12))
        #expect(observation.connection.modernHandshake && observation.trust?.publicTrust.trusted == true)
        let http = try #require(observation.http)
        #expect(http.status == 200)
        let reason = try #require(http.unreadable)
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        let ids = evaluation.findings.map(\.id)
        #expect(ids.contains("http.response_unreadable") && !ids.contains("http.hsts_missing"), "\(ids)")
        #expect(evaluation.findings.first { $0.id == "http.response_unreadable" }?.evidence["http.message"] == reason)
        #expect(evaluation.verdict == .compliant)
    }

    // MARK: Too much of something: the probe ends within its deadline and judges sensibly

    @Test func aLeafWithTenThousandNamesIsReadWholeAndJudged() async throws {
        let observation = try await ProbeLab.probe("many-sans", timeout: .seconds(8))
        #expect(observation.duration < 8.5)
        #expect(observation.connection.modernHandshake)
        let leaf = try #require(observation.certificates.first)
        #expect(leaf.subjectAltNames.count == LabCatalogue.manySANsCount)
        #expect(leaf.subjectAltNames.last == "127.77.0.39" && leaf.subjectAltNames.contains("many-sans.lab.test"))
        #expect(observation.trust?.hostnameMatches == true && observation.trust?.publicTrust.trusted == true)
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        #expect(evaluation.verdict == .compliant, "\(evaluation.findings.map(\.id))")
    }

    @Test func aChainOfAMegabyteIsAFailedHandshakeWithinTheDeadline() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let observation = try await ProbeLab.probe("huge-chain", timeout: .seconds(8))
        #expect(observation.duration < 8.5, "\(observation.duration)")
        #expect(clock.now - started < .seconds(12))
        // OpenSSL's clients refuse a certificate list over 100 kB (SSL_CTX_set_max_cert_list),
        // as browsers refuse such monsters: no client completes the handshake.
        #expect(observation.connection.tcpConnected && !observation.connection.modernHandshake, "\(observation.connection)")
        #expect(observation.connection.failure == .handshake && observation.connection.legacyHandshake == false)
        #expect(observation.connection.message?.contains("excessive message size") == true, "\(observation.connection)")
        // The chain as served: leaf, intermediate, and the padding copies: over a megabyte.
        let catalogue = try LabCatalogue.standard()
        guard case .server(.tls(let tls))? = catalogue["huge-chain"]?.service else { Issue.record("huge-chain is not TLS"); return }
        let intermediate = catalogue.authorities.intermediate.certificateDER.count
        #expect(tls.credential.certificateDER.count + intermediate * (1 + tls.chainPadding) > 1_000_000)
        #expect(observation.acceptance(of: .tls1_2) == true)  // the server does speak TLS 1.2
        let evaluation = Policy().evaluateEndpoint(observation, now: Date())
        #expect(evaluation.findings.map(\.id) == ["tls.handshake_failed"], "\(evaluation.findings.map(\.id))")
        #expect(evaluation.verdict == .noncompliant)
    }

    @Test(arguments: [("garbage", ConnectionOutcome.Failure.notTLS), ("noise", .notTLS), ("trickle", .tlsTimeout)])
    func aServerThatSpeaksNoTLSGetsOneConnectionFinding(_ id: String, _ failure: ConnectionOutcome.Failure) async throws {
        let observation = try await ProbeLab.probe(id, timeout: .seconds(3))
        #expect(observation.duration < 3.5, "\(observation.duration)")
        #expect(observation.connection.failure == failure, "\(observation.connection)")
        // Nothing made up from bytes that are no TLS: one finding, about the connection.
        #expect(observation.protocols.allSatisfy { $0.accepted != true })
        let ids = Policy().evaluateEndpoint(observation, now: Date()).findings.map(\.id)
        #expect(ids == [failure == .tlsTimeout ? "tls.unreachable" : "tls.handshake_failed"], "\(ids)")
    }

    // MARK: Failures end within their deadline

    @Test(arguments: [
        ("refused", ConnectionOutcome.Failure.refused, false),
        ("tarpit", .tlsTimeout, true),
        ("garbage", .notTLS, true),
        ("reset", .reset, true),
        ("trickle", .tlsTimeout, true),
    ])
    func aBrokenServerEndsAsAClearFailureWithinItsDeadline(_ id: String, _ failure: ConnectionOutcome.Failure,
                                                           _ tcp: Bool) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let observation = try await ProbeLab.probe(id, timeout: .seconds(2))
        let took = clock.now - started
        // Its own clock says it kept the deadline; the wall clock around it allows for a
        // machine busy with the rest of the suite.
        #expect(observation.duration < 2.3, "the probe took \(observation.duration) s")
        #expect(took < .milliseconds(3500), "took \(took)")
        #expect(observation.connection.failure == failure, "\(observation.connection)")
        #expect(observation.connection.tcpConnected == tcp)
        #expect(!observation.connection.modernHandshake)
        #expect(observation.http == nil && observation.session == nil && observation.certificates.isEmpty)
        #expect(observation.weakCiphers.allSatisfy { $0.accepted != true })
    }
}
