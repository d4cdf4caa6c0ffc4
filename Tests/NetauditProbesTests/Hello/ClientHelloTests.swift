@testable import NetauditProbes
import Testing

struct ClientHelloTests {
    private static func suites(_ codes: UInt16...) -> [CipherSuite] {
        codes.map { CipherSuite.describing($0) }
    }

    /// A valid host name of exactly `length` bytes: labels of 60 "h", dot-separated.
    private static func hostName(length: Int) -> String {
        var characters = [Character](repeating: "h", count: length)
        for index in stride(from: 60, to: length - 1, by: 61) { characters[index] = "." }
        return String(characters)
    }

    /// Hand-checked: TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256 and AES128-SHA, SNI example.org.
    @Test func tls12FixtureIsByteExact() throws {
        let hello = try ClientHello(
            version: .tls1_2, cipherSuites: Self.suites(0xC02F, 0x002F), serverName: "example.org",
            random: HelloBytes.countingRandom
        )
        let expected = HelloBytes.hex("""
            16 0301 0092                      // record: handshake, TLS 1.0 record version, 146 bytes
            01 00008e                         // client_hello, 142 bytes
            0303                              // client_version TLS 1.2
            000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
            00                                // empty session id
            0004 c02f 002f                    // 2 suites
            01 00                             // compression: null
            0061                              // 97 bytes of extensions
            0000 0010 000e 00 000b 6578616d706c652e6f7267     // server_name example.org
            000a 000a 0008 001d 0017 0018 0019                // supported_groups
            000b 0002 01 00                                   // ec_point_formats: uncompressed
            000d 0030 002e 0403 0503 0603 0807 0808 0804 0805 0806 0809 080a 080b
                           0401 0501 0601 0303 0301 0302 0402 0502 0602 0203 0201 0202
            ff01 0001 00                                      // renegotiation_info, empty
            """)
        #expect(hello.bytes == expected)
        #expect(hello.recordVersion == 0x0301)
        #expect(hello.serverName == "example.org")
        #expect(Array(hello.handshakeMessage) == Array(expected[5...]))
    }

    /// Hand-checked: SSLv3, 3DES and RC4, no extensions (so no SNI even though a name is
    /// given), the renegotiation SCSV appended.
    @Test func sslv3FixtureIsByteExact() throws {
        let hello = try ClientHello(
            version: .ssl3, cipherSuites: Self.suites(0x000A, 0x0005), serverName: "example.org",
            random: HelloBytes.countingRandom
        )
        let expected = HelloBytes.hex("""
            16 0300 0031                      // record: handshake, SSLv3, 49 bytes
            01 00002d                         // client_hello, 45 bytes
            0300                              // client_version SSLv3
            000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
            00                                // empty session id
            0006 000a 0005 00ff               // 2 suites + TLS_EMPTY_RENEGOTIATION_INFO_SCSV
            01 00                             // compression: null
            """)
        #expect(hello.bytes == expected)
        #expect(hello.recordVersion == 0x0300)
        #expect(hello.serverName == nil)
        #expect(hello.offeredCodes == [0x000A, 0x0005, 0x00FF])
        #expect(hello.cipherSuites.map(\.code) == [0x000A, 0x0005])
    }

    /// Hand-checked: TLS 1.0 to an IP literal with one non-ECC suite: renegotiation_info only.
    @Test func tls10ToAnAddressFixtureIsByteExact() throws {
        let hello = try ClientHello(
            version: .tls1_0, cipherSuites: Self.suites(0x0005), serverName: "192.0.2.7",
            random: HelloBytes.countingRandom
        )
        let expected = HelloBytes.hex("""
            16 0301 0034
            01 000030
            0301
            000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
            00
            0002 0005
            01 00
            0005 ff01 0001 00
            """)
        #expect(hello.bytes == expected)
        #expect(hello.serverName == nil)
    }

    @Test(arguments: [
        ("example.org", "example.org"),
        ("Portal.Province.GOV.", "Portal.Province.GOV"),
        ("localhost", "localhost"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("1.2.3.example", "1.2.3.example"),
        ("host_1.corp", "host_1.corp"),
        ("192.0.2.1", nil),
        ("192.0.2.1.", nil),
        ("10.1", nil),
        ("0x7f.1", nil),
        ("2130706433", nil),
        ("::1", nil),
        ("[::1]", nil),
        ("2001:db8::1", nil),
        ("fe80::1%eth0", nil),
        ("", nil),
        (".", nil),
        ("a..b", nil),
        ("bad name.example", nil),
        ("bücher.example", nil),
        (String(repeating: "a", count: 64) + ".example", nil),
        (String(repeating: "abcdefg.", count: 32) + "example", nil),
    ] as [(String, String?)])
    func serverNameIndication(_ name: String, _ expected: String?) throws {
        #expect(ClientHello.serverNameIndication(for: name) == expected)
        let hello = try ClientHello(version: .tls1_2, cipherSuites: Self.suites(0x002F), serverName: name, random: HelloBytes.countingRandom)
        let decoded = try #require(DecodedClientHello(hello.bytes))
        #expect(decoded.extensionTypes.contains(0) == (expected != nil))
        #expect(hello.serverName == expected)
    }

    @Test(arguments: [TLSVersion.tls1_0, .tls1_1, .tls1_2])
    func extensionsDependOnVersionAndSuites(_ version: TLSVersion) throws {
        let plain = try #require(DecodedClientHello(
            ClientHello(version: version, cipherSuites: Self.suites(0x002F, 0x000A), serverName: "a.example", random: HelloBytes.countingRandom).bytes))
        let ecc = try #require(DecodedClientHello(
            ClientHello(version: version, cipherSuites: Self.suites(0x002F, 0xC013), serverName: "a.example", random: HelloBytes.countingRandom).bytes))
        let signatureAlgorithms: [UInt16] = version == .tls1_2 ? [13] : []
        #expect(plain.extensionTypes == [0] + signatureAlgorithms + [0xFF01])
        #expect(ecc.extensionTypes == [0, 10, 11] + signatureAlgorithms + [0xFF01])
        #expect(plain.clientVersion == UInt16(version.rawValue))
        #expect(plain.recordVersion == 0x0301)
        #expect(plain.compression == [0])
        #expect(ecc.data(of: 10) == HelloBytes.hex("0008 001d 0017 0018 0019"))
        #expect(ecc.data(of: 11) == [1, 0])
        #expect(ecc.data(of: 0xFF01) == [0])
    }

    @Test func signatureAlgorithmsIncludeTheRequiredSchemes() throws {
        let decoded = try #require(DecodedClientHello(
            ClientHello(version: .tls1_2, cipherSuites: CipherSuite.broadTLS12, random: HelloBytes.countingRandom).bytes))
        let data = try #require(decoded.data(of: 13))
        var reader = TestReader(data)
        let length = reader.u16()
        #expect(length.map(Int.init) == data.count - 2)
        var schemes: [UInt16] = []
        while let scheme = reader.u16() { schemes.append(scheme) }
        // rsa_pkcs1_sha1, ecdsa_sha1, rsa_pkcs1_sha256/384/512, ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256/384/512
        for required: UInt16 in [0x0201, 0x0203, 0x0401, 0x0501, 0x0601, 0x0403, 0x0804, 0x0805, 0x0806] {
            #expect(schemes.contains(required), "0x\(String(required, radix: 16))")
        }
        #expect(Set(schemes).count == schemes.count)
    }

    @Test func sslv3HasNoExtensionsBlockEvenForEccSuites() throws {
        let hello = try ClientHello(version: .ssl3, cipherSuites: Self.suites(0xC011, 0x0005), serverName: "a.example", random: HelloBytes.countingRandom)
        let decoded = try #require(DecodedClientHello(hello.bytes))
        #expect(!decoded.hasExtensionsBlock)
        #expect(decoded.recordVersion == 0x0300)
        #expect(decoded.suites == [0xC011, 0x0005, 0x00FF])
    }

    /// RFC 7685: a hello message of 256…511 bytes is padded to exactly 512 (or just past it
    /// when fewer than 4 bytes were missing); others are left alone.
    @Test func paddingKeepsTheMessageOutOfTheF5Range() throws {
        var sawPadding = false
        var sawOvershoot = false
        let extra = CipherSuite.staticRSA + WeakCipherClass.tripleDES.suites
        // Every unpadded length from ~250 to ~560 bytes: SNI names of 1…253 bytes, with 0, 12 or 24 more suites.
        for suites in [CipherSuite.broadTLS12, CipherSuite.broadTLS12 + extra.prefix(20), CipherSuite.broadTLS12 + extra.prefix(40)] {
            for nameLength in 1...253 {
                let name = Self.hostName(length: nameLength)
                let padded = try ClientHello(version: .tls1_2, cipherSuites: suites, serverName: name, random: HelloBytes.countingRandom)
                let unpadded = try ClientHello(version: .tls1_2, cipherSuites: suites, serverName: name, random: HelloBytes.countingRandom, padding: .none)
                let decoded = try #require(DecodedClientHello(padded.bytes))
                #expect(!(256...511).contains(padded.handshakeMessage.count), "SNI \(name.utf8.count) bytes")
                #expect(decoded.recordLength == padded.handshakeMessage.count)
                if (256...511).contains(unpadded.handshakeMessage.count) {
                    sawPadding = true
                    #expect(decoded.extensionTypes.last == 21)
                    #expect(decoded.data(of: 21)?.allSatisfy { $0 == 0 } == true)
                    if unpadded.handshakeMessage.count <= 508 {
                        #expect(padded.handshakeMessage.count == 512)
                    } else {
                        sawOvershoot = true
                        #expect(padded.handshakeMessage.count == unpadded.handshakeMessage.count + 5)
                    }
                } else {
                    #expect(padded.bytes == unpadded.bytes)
                }
            }
        }
        #expect(sawPadding)
        #expect(sawOvershoot)
    }

    @Test func shortHellosAreNotPadded() throws {
        let hello = try ClientHello(version: .tls1_2, cipherSuites: WeakCipherClass.rc4.suites, serverName: "intranet.example", random: HelloBytes.countingRandom)
        let decoded = try #require(DecodedClientHello(hello.bytes))
        #expect(!decoded.extensionTypes.contains(21))
        #expect(hello.handshakeMessage.count < 256)
    }

    @Test func duplicateSuitesAreDropped() throws {
        let hello = try ClientHello(version: .tls1_2, cipherSuites: Self.suites(0x002F, 0x0035, 0x002F), random: HelloBytes.countingRandom)
        #expect(hello.cipherSuites.map(\.code) == [0x002F, 0x0035])
        #expect(DecodedClientHello(hello.bytes)?.suites == [0x002F, 0x0035])
    }

    @Test func defaultRandomIsFreshAnd32Bytes() throws {
        let a = try ClientHello(version: .tls1_2, cipherSuites: Self.suites(0x002F))
        let b = try ClientHello(version: .tls1_2, cipherSuites: Self.suites(0x002F))
        #expect(a.random.count == 32)
        #expect(a.random != b.random)
        #expect(Array(a.bytes[11..<43]) == a.random)
    }

    @Test func invalidRequestsThrow() {
        #expect(throws: ClientHello.BuildError.unsupportedVersion(.tls1_3)) {
            try ClientHello(version: .tls1_3, cipherSuites: Self.suites(0x1301), random: HelloBytes.countingRandom)
        }
        #expect(throws: ClientHello.BuildError.noCipherSuites) {
            try ClientHello(version: .tls1_2, cipherSuites: [], random: HelloBytes.countingRandom)
        }
        #expect(throws: ClientHello.BuildError.randomLength(31)) {
            try ClientHello(version: .tls1_2, cipherSuites: Self.suites(0x002F), random: Array(repeating: 0, count: 31))
        }
        let many = (0..<9000).map { CipherSuite(code: UInt16($0), name: "TLS_X_\($0)") }
        #expect(throws: ClientHello.BuildError.self) {
            try ClientHello(version: .tls1_2, cipherSuites: many, random: HelloBytes.countingRandom)
        }
    }
}
