@testable import NetauditProbes
import NetauditCore
import Testing

/// The suites of the DHE, ECDHE and CBC hellos, and that each makes a valid hello.
struct KeyExchangeHelloTests {
    @Test(arguments: [TLSVersion.ssl3, .tls1_0, .tls1_1, .tls1_2])
    func theDHEHelloOffersEveryDHESuiteExportLast(_ version: TLSVersion) throws {
        let suites = HelloPlan.dheSuites(for: version)
        #expect(suites.allSatisfy { $0.keyExchange == .dhe && $0.minimumVersion <= version })
        #expect(suites.contains { $0.code == 0x0033 } && suites.contains { $0.code == 0x0014 })  // DHE-RSA-AES128-SHA, EXP-EDH-DES
        #expect(suites.contains { $0.code == 0x009E } == (version == .tls1_2))  // AES-GCM only in TLS 1.2
        let firstExport = try #require(suites.firstIndex { $0.weaknesses.contains(.export) })
        #expect(suites[firstExport...].allSatisfy { $0.weaknesses.contains(.export) })
        let hello = try ClientHello(version: version, cipherSuites: suites, serverName: "dhe.lab.test")
        #expect(DecodedClientHello(hello.bytes)?.extensionTypes.contains(10) != true, "no supported_groups: no ECC suite")
        #expect(DecodedClientHello(hello.bytes) != nil || version == .ssl3)
    }

    @Test(arguments: [TLSVersion.tls1_0, .tls1_1, .tls1_2])
    func theECDHEHelloOffersStrongECDHESuitesAEADFirst(_ version: TLSVersion) throws {
        let suites = HelloPlan.ecdheSuites(for: version)
        #expect(!suites.isEmpty)
        #expect(suites.allSatisfy { $0.keyExchange == .ecdhe && $0.weakClass == nil })
        #expect(suites.first?.isAEAD == (version == .tls1_2))
        let hello = try ClientHello(version: version, cipherSuites: suites, serverName: "ecdhe.lab.test")
        #expect(DecodedClientHello(hello.bytes)?.extensionTypes.contains(10) == true, "supported_groups offered")
    }

    @Test func theCBCHelloOffersOnlyCBCSuitesOutsideTheWeakClasses() throws {
        let suites = HelloPlan.cbcSuites
        #expect(suites.allSatisfy { $0.isCBC && !$0.isAEAD && $0.weakClass == nil })
        #expect(suites.allSatisfy { [.ecdhe, .dhe, .rsa].contains($0.keyExchange) })
        for code: UInt16 in [0xC013, 0xC014, 0xC027, 0xC028, 0xC009, 0x002F, 0x0035, 0x003C, 0x0033, 0x0041] {
            #expect(suites.contains { $0.code == code }, "\(code)")
        }
        for code: UInt16 in [0xC02F, 0x009C, 0xCCA8, 0x000A, 0xC012, 0x0005, 0x0014] {  // AEAD, 3DES, RC4, EXPORT
            #expect(!suites.contains { $0.code == code }, "\(code)")
        }
        let hello = try ClientHello(version: .tls1_2, cipherSuites: suites, serverName: "cbc.lab.test")
        #expect(hello.cipherSuites.count == suites.count)
    }

    @Test func aeadAndCBCAreReadFromTheName() {
        #expect(CipherSuite.describing(0xC02F).isAEAD && !CipherSuite.describing(0xC02F).isCBC)
        #expect(CipherSuite.describing(0xCCA8).isAEAD)
        #expect(CipherSuite.describing(0xC0AC).isAEAD)  // AES-CCM
        #expect(CipherSuite.describing(0x1301).isAEAD)  // TLS 1.3
        #expect(CipherSuite.describing(0xC013).isCBC && !CipherSuite.describing(0xC013).isAEAD)
        #expect(!CipherSuite.describing(0x0005).isCBC && !CipherSuite.describing(0x0005).isAEAD)  // RC4
    }
}
