import Foundation
@testable import NetauditProbes
import Testing

struct HelloCipherCatalogueTests {
    @Test func everyCodeAndNameIsUnique() {
        let codes = CipherSuite.catalogue.map(\.code)
        let names = CipherSuite.catalogue.map(\.name)
        #expect(Set(codes).count == codes.count)
        #expect(Set(names).count == names.count)
        #expect(codes == codes.sorted(), "the catalogue is kept in code order")
    }

    @Test func namesFollowTheRegistryPattern() {
        for suite in CipherSuite.catalogue {
            #expect(suite.name.hasPrefix("TLS_"), "\(suite)")
            #expect(suite.keyExchange != .other, "every catalogued suite has a known key exchange: \(suite)")
            #expect(suite.name.contains("_WITH_") == (suite.keyExchange != .tls13), "\(suite)")
        }
    }

    @Test(arguments: [
        (UInt16(0x0005), "TLS_RSA_WITH_RC4_128_SHA"),
        (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
        (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
        (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
        (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
        (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
        (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
        (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"),
        (0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
        (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
        (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        (0x0001, "TLS_RSA_WITH_NULL_MD5"),
        (0x0002, "TLS_RSA_WITH_NULL_SHA"),
        (0x003B, "TLS_RSA_WITH_NULL_SHA256"),
        (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
        (0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"),
        (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        (0x1301, "TLS_AES_128_GCM_SHA256"),
    ])
    func knownCodes(_ code: UInt16, _ name: String) throws {
        let suite = try #require(CipherSuite.catalogued(code))
        #expect(suite.name == name)
        #expect(CipherSuite.catalogued(named: name)?.code == code)
    }

    struct Classification: Sendable, CustomTestStringConvertible {
        let name: String
        let keyExchange: CipherSuite.KeyExchange
        let primary: WeakCipherClass?
        let all: Set<WeakCipherClass>
        init(_ name: String, _ keyExchange: CipherSuite.KeyExchange, _ primary: WeakCipherClass?, _ all: Set<WeakCipherClass>) {
            self.name = name
            self.keyExchange = keyExchange
            self.primary = primary
            self.all = all
        }
        var testDescription: String { name }
    }

    @Test(arguments: [
        Classification("TLS_RSA_WITH_RC4_128_SHA", .rsa, .rc4, [.rc4]),
        Classification("TLS_RSA_EXPORT_WITH_RC4_40_MD5", .rsa, .export, [.export, .rc4]),
        Classification("TLS_DH_anon_WITH_RC4_128_MD5", .anonymousDH, .anonymous, [.anonymous, .rc4]),
        Classification("TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", .anonymousDH, .anonymous, [.anonymous, .export, .rc4]),
        Classification("TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", .anonymousDH, .anonymous, [.anonymous, .export, .des]),
        Classification("TLS_ECDH_anon_WITH_NULL_SHA", .anonymousECDH, .null, [.null, .anonymous]),
        Classification("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", .dhe, .export, [.export, .des]),
        Classification("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", .rsa, .export, [.export, .rc4]),
        Classification("TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", .dhe, .export, [.export, .des]),
        Classification("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", .ecdhe, .tripleDES, [.tripleDES]),
        Classification("TLS_DH_RSA_WITH_DES_CBC_SHA", .staticDH, .des, [.des]),
        Classification("TLS_ECDH_ECDSA_WITH_RC4_128_SHA", .staticECDH, .rc4, [.rc4]),
        Classification("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", .ecdhe, nil, []),
        Classification("TLS_RSA_WITH_IDEA_CBC_SHA", .rsa, nil, []),
        Classification("TLS_CHACHA20_POLY1305_SHA256", .tls13, nil, []),
    ])
    func classification(_ row: Classification) throws {
        let suite = try #require(CipherSuite.catalogued(named: row.name))
        #expect(suite.keyExchange == row.keyExchange)
        #expect(suite.weakClass == row.primary)
        #expect(suite.weaknesses == row.all)
    }

    @Test(arguments: WeakCipherClass.allCases)
    func everyWeakClassHasSuites(_ weakClass: WeakCipherClass) throws {
        let suites = weakClass.suites
        #expect(!suites.isEmpty)
        #expect(suites.allSatisfy { $0.weakClass == weakClass })
        // Short enough for a TLS 1.2 hello under 256 bytes even with a long SNI name.
        let hello = try ClientHello(version: .tls1_2, cipherSuites: suites, serverName: String(repeating: "a", count: 60) + ".example",
                                    random: HelloBytes.countingRandom, padding: .none)
        #expect(hello.handshakeMessage.count < 256, "\(weakClass): \(hello.handshakeMessage.count) bytes")
    }

    @Test func weakClassesAreDisjointAndComplete() {
        let lists = WeakCipherClass.allCases.map { Set($0.suites.map(\.code)) }
        let all = lists.reduce(into: Set<UInt16>()) { $0.formUnion($1) }
        #expect(all.count == lists.map(\.count).reduce(0, +), "no suite is offered under two classes")
        let weak = Set(CipherSuite.catalogue.filter { !$0.weaknesses.isEmpty }.map(\.code))
        #expect(all == weak, "every weak suite is offered by some probe")
    }

    @Test(arguments: [
        (WeakCipherClass.null, [UInt16(0x0001), 0x0002, 0x003B, 0xC001, 0xC006, 0xC00B, 0xC010, 0xC015]),
        (.des, [0x0009, 0x000C, 0x000F, 0x0012, 0x0015]),
        (.tripleDES, [0x000A, 0x000D, 0x0010, 0x0013, 0x0016, 0xC003, 0xC008, 0xC00D, 0xC012]),
        (.rc4, [0x0004, 0x0005, 0x0066, 0xC002, 0xC007, 0xC00C, 0xC011]),
        (.export, [0x0003, 0x0006, 0x0008, 0x000B, 0x000E, 0x0011, 0x0014, 0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065]),
    ])
    func weakClassLists(_ weakClass: WeakCipherClass, _ codes: [UInt16]) {
        #expect(weakClass.suites.map(\.code) == codes)
    }

    @Test func anonymousListHasEveryAnonymousSuiteExceptNull() {
        let codes = WeakCipherClass.anonymous.suites.map(\.code)
        #expect(codes.count == 26)
        for code: UInt16 in [0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x00A6, 0x00A7, 0xC016, 0xC017, 0xC018, 0xC019] {
            #expect(codes.contains(code), "0x\(String(code, radix: 16))")
        }
        #expect(!codes.contains(0xC015), "ECDH_anon_WITH_NULL is NULL")
        #expect(WeakCipherClass.anonymous.suites.allSatisfy { $0.name.contains("_anon_") })
    }

    @Test func staticRSAIsEveryRSAKeyTransportSuite() {
        let suites = CipherSuite.staticRSA
        #expect(suites.count == 29)
        #expect(suites.allSatisfy { $0.name.hasPrefix("TLS_RSA_WITH_") })
        #expect(suites.allSatisfy { !$0.hasForwardSecrecy })
        let expected = CipherSuite.catalogue.filter { $0.name.hasPrefix("TLS_RSA_WITH_") }
        #expect(suites == expected)
        #expect(suites.contains { $0.code == 0x002F })
        #expect(suites.contains { $0.code == 0x009C })
        #expect(!suites.contains { $0.code == 0x0003 }, "RSA_EXPORT belongs to the export probe")
    }

    @Test func broadTLS12CoversEveryFamily() throws {
        let suites = CipherSuite.broadTLS12
        #expect(suites.count == CipherSuite.broadTLS12Codes.count, "every listed code is catalogued")
        #expect(Set(suites.map(\.code)).count == suites.count)
        #expect(suites.first?.code == 0xC02C)
        for code: UInt16 in [0xC02F, 0xC02B, 0xCCA8, 0xC013, 0x009E, 0x0033, 0x009C, 0x002F, 0x000A, 0xC012, 0x0005] {
            #expect(suites.contains { $0.code == code }, "0x\(String(code, radix: 16))")
        }
        #expect(!suites.contains { $0.weakClass == .null || $0.weakClass == .anonymous || $0.weakClass == .export || $0.weakClass == .des })
        #expect(!suites.contains { $0.keyExchange == .tls13 })
    }

    @Test(arguments: [
        (UInt16(0x0005), TLSVersion.ssl3),
        (0x000A, .ssl3),
        (0x0003, .ssl3),
        (0x002F, .ssl3),
        (0xC013, .tls1_0),
        (0xC011, .tls1_0),
        (0x003C, .tls1_2),
        (0x009C, .tls1_2),
        (0xC02F, .tls1_2),
        (0xC024, .tls1_2),
        (0xCCA8, .tls1_2),
        (0xC0AE, .tls1_2),
        (0xC09C, .tls1_2),
        (0x1301, .tls1_3),
    ])
    func minimumVersion(_ code: UInt16, _ version: TLSVersion) throws {
        #expect(try #require(CipherSuite.catalogued(code)).minimumVersion == version)
    }

    /// The SSLv3 hello cannot be padded (no extensions), so what it offers must stay under
    /// 256 bytes: everything the version and weak-class probes offer, less the TLS 1.2-only
    /// suites, does.
    @Test func sslv3HelloOfEveryUsableSuiteStaysShort() throws {
        let all = CipherSuite.broadTLS12 + WeakCipherClass.allCases.flatMap(\.suites)
        let usable = all.filter { $0.minimumVersion <= .ssl3 }
        let hello = try ClientHello(version: .ssl3, cipherSuites: usable, random: HelloBytes.countingRandom)
        #expect(hello.handshakeMessage.count < 256, "\(hello.handshakeMessage.count) bytes")
        let unfiltered = try ClientHello(version: .ssl3, cipherSuites: all, random: HelloBytes.countingRandom)
        #expect((256...511).contains(unfiltered.handshakeMessage.count), "the unfiltered SSLv3 hello lands in the F5 range")
    }

    @Test func describingNamesUnknownCodes() {
        #expect(CipherSuite.describing(0x002F).name == "TLS_RSA_WITH_AES_128_CBC_SHA")
        #expect(CipherSuite.describing(0x0A0A).name == "UNKNOWN_0x0A0A")
        #expect(CipherSuite.catalogued(0x008A) == nil, "PSK suites are not catalogued")
        #expect(CipherSuite.describing(0x000A).description == "TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000A)")
    }

    @Test func encodesAsJSON() throws {
        let suite = try #require(CipherSuite.catalogued(0x0018))
        let data = try JSONEncoder().encode(suite)
        #expect(try JSONDecoder().decode(CipherSuite.self, from: data) == suite)
    }

    /// The installed OpenSSL knows the IANA names (`-stdname`) of the suites it implements:
    /// wherever the catalogue and OpenSSL both know a code, they must agree on the name.
    @Test func namesAgreeWithOpenSSL() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var compared = 0
        for line in output.split(separator: "\n") {
            // "          0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 …"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0].hasPrefix("0x") else { continue }
            let hex = fields[0].replacingOccurrences(of: "0x", with: "").replacingOccurrences(of: ",", with: "")
            guard let code = UInt16(hex, radix: 16), let suite = CipherSuite.catalogued(code) else { continue }
            #expect(suite.name == String(fields[2]), "0x\(hex)")
            compared += 1
        }
        #expect(compared >= 80, "OpenSSL 3 knows at least 80 of the catalogued suites")
    }
}
