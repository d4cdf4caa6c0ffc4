import Foundation
import NetauditCore
import Testing

struct IPAddressTests {
    // MARK: IPv4

    @Test(arguments: [
        ("127.0.0.1", UInt32(0x7F00_0001)),
        ("0.0.0.0", UInt32(0)),
        ("255.255.255.255", UInt32(0xFFFF_FFFF)),
        ("127.0.0.10", UInt32(0x7F00_000A)),
        ("198.51.100.254", UInt32(0xC633_64FE)),
        ("1.0.0.0", UInt32(0x0100_0000)),
    ])
    func parsesDottedQuadIPv4(_ text: String, _ value: UInt32) {
        let address = IPAddress(text)
        #expect(address == .v4(value))
        #expect(address?.isIPv6 == false)
        #expect(address?.description == text)
    }

    @Test(arguments: [
        "127.0.0.01",       // leading zero
        "0127.0.0.1",        // leading zero, octal to other tools
        "00.0.0.0",
        "1.2.3.000",
        "256.0.0.1",        // out of range
        "1.2.3.256",
        "1000.1.1.1",
        "1..2.3",           // empty parts
        ".1.2.3",
        "1.2.3.",
        "...",
        "",
        "1.2.3",            // too few parts
        "1",
        "1.2.3.4.5",        // too many parts
        " 1.2.3.4",         // spaces
        "1.2.3.4 ",
        "1.2. 3.4",
        "+1.2.3.4",         // signs
        "1.2.3.-4",
        "1.2.+3.4",
        "0x7f.0.0.1",       // other notations
        "a.b.c.d",
        "2130706433",
        "1.2.3.4/32",
        "\u{0661}.2.3.4",   // ARABIC-INDIC DIGIT ONE: a number, but not ASCII
        "\u{FF11}.2.3.4",   // FULLWIDTH DIGIT ONE
    ])
    func refusesMalformedIPv4(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func octetInitialiserMatchesParsing() {
        #expect(IPAddress(127, 0, 0, 1) == IPAddress("127.0.0.1"))
        #expect(IPAddress(198, 51, 100, 254) == .v4(0xC633_64FE))
        #expect(IPAddress(0, 0, 0, 0) == .v4(0))
        #expect(IPAddress(255, 255, 255, 255).description == "255.255.255.255")
    }

    // MARK: IPv6

    @Test(arguments: [
        ("::1", UInt64(0), UInt64(1)),
        ("::", UInt64(0), UInt64(0)),
        ("2001:db8::1", UInt64(0x2001_0DB8_0000_0000), UInt64(1)),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", UInt64(0x2001_0DB8_0000_0000), UInt64(1)),
        ("1:2:3:4:5:6:7:8", UInt64(0x0001_0002_0003_0004), UInt64(0x0005_0006_0007_0008)),
        ("FE80::ABCD", UInt64(0xFE80_0000_0000_0000), UInt64(0xABCD)),
        ("fe80::abcd", UInt64(0xFE80_0000_0000_0000), UInt64(0xABCD)),
        ("1::", UInt64(0x0001_0000_0000_0000), UInt64(0)),
        ("1:2:3:4:5:6:7::", UInt64(0x0001_0002_0003_0004), UInt64(0x0005_0006_0007_0000)),
        ("::2:3:4:5:6:7:8", UInt64(0x0000_0002_0003_0004), UInt64(0x0005_0006_0007_0008)),
        ("1:2::7:8", UInt64(0x0001_0002_0000_0000), UInt64(0x0000_0000_0007_0008)),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UInt64.max, UInt64.max),
        ("::ffff:127.0.0.1", UInt64(0), UInt64(0x0000_FFFF_7F00_0001)),
        ("::127.0.0.1", UInt64(0), UInt64(0x0000_0000_7F00_0001)),
        ("1:2:3:4:5:6:1.2.3.4", UInt64(0x0001_0002_0003_0004), UInt64(0x0005_0006_0102_0304)),
        ("64:ff9b::192.0.2.33", UInt64(0x0064_FF9B_0000_0000), UInt64(0x0000_0000_C000_0221)),
    ])
    func parsesIPv6TextForms(_ text: String, _ high: UInt64, _ low: UInt64) {
        let address = IPAddress(text)
        #expect(address == .v6(high, low))
        #expect(address?.isIPv6 == true)
    }

    @Test(arguments: [
        ":::",
        "::::",
        "1::2::3",                  // two '::'
        "::1::",
        "1:2:3:4:5:6:7:8:9",        // nine groups
        "1:2:3:4:5:6:7",            // seven groups, no '::'
        "1:2:3:4:5:6:7:8::",        // '::' standing for no group at all
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4::5:6:7:8",
        "1:2:3:4:5:6:7:1.2.3.4",    // nine groups with the IPv4 tail
        "fe80::1%eth0",             // zone ids
        "fe80::1%1",
        "fe80::1%",
        "12345::1",                 // groups longer than four hex digits
        "::10000",
        "2001:00db8::1",
        "1:::2",
        ":1::2",
        "1::2:",
        ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:",
        "::g",                      // not hex
        "::-1",
        "::+1",
        "1.2.3.4::",                // IPv4 part only at the end
        "1.2.3.4::1",
        "::1.2.3.4:5",
        "::256.0.0.1",              // invalid IPv4 tail
        "::1.2.3.04",
        "::1.2.3",
        " ::1",
        "::1 ",
        "[::1]",
        ":",
        "1:2",
        "::1/128",
    ])
    func refusesMalformedIPv6(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    // MARK: RFC 5952 text

    @Test(arguments: [
        ("2001:0db8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:1:0:0:0:0:0:0", "0:1::"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),          // the longest run is compressed
        ("1:0:0:0:2:0:0:3", "1::2:0:0:3"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),        // the first of two equal runs
        ("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group stays
        ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("00ab:0cd::", "ab:cd::"),
        ("fe80:0:0:0:0200:5eff:fe00:5301", "fe80::200:5eff:fe00:5301"),
        ("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),  // IPv4-mapped, RFC 5952 section 5
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
    ])
    func printsRFC5952Text(_ text: String, _ expected: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == expected)
        #expect(IPAddress(expected) == address)
    }

    // MARK: bytes

    @Test func bytesAreInNetworkOrder() throws {
        #expect(try #require(IPAddress("127.0.0.1")).bytes == [127, 0, 0, 1])
        #expect(try #require(IPAddress("198.51.100.254")).bytes == [198, 51, 100, 254])
        #expect(try #require(IPAddress("2001:db8::1")).bytes
            == [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(try #require(IPAddress("::ffff:127.20.30.40")).bytes
            == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 20, 30, 40])
        #expect(try #require(IPAddress("1:2:3:4:5:6:7:8")).bytes
            == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
        #expect(IPAddress.v6(0, 0).bytes == [UInt8](repeating: 0, count: 16))
    }

    // MARK: Codable

    @Test func codableRoundTripUsesTheCanonicalText() throws {
        let addresses = [IPAddress("127.0.0.1")!, IPAddress("2001:0DB8::0:1")!, IPAddress("::")!]
        let data = try JSONEncoder().encode(addresses)
        #expect(String(decoding: data, as: UTF8.self) == #"["127.0.0.1","2001:db8::1","::"]"#)
        #expect(try JSONDecoder().decode([IPAddress].self, from: data) == addresses)
    }

    @Test func decodingNormalisesTheText() throws {
        let data = Data(#"["0:0:0:0:0:0:0:1", "FE80::1"]"#.utf8)
        #expect(try JSONDecoder().decode([IPAddress].self, from: data) == [.v6(0, 1), .v6(0xFE80 << 48, 1)])
    }

    @Test(arguments: [#""127.0.0.01""#, #""fe80::1%eth0""#, #""""#, "42"])
    func decodingRefusesWhatIsNotAnAddress(_ json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(IPAddress.self, from: Data(json.utf8))
        }
    }
}
