import Foundation
import NetauditCore
import Testing

struct IPNetworkTests {
    @Test(arguments: [
        ("127.0.0.0/8", "127.0.0.0", 8, "127.0.0.0/8"),
        ("::1/128", "::1", 128, "::1/128"),
        ("127.1.2.3", "127.1.2.3", 32, "127.1.2.3/32"),          // a bare address is a host
        ("::1", "::1", 128, "::1/128"),
        ("0.0.0.0/0", "0.0.0.0", 0, "0.0.0.0/0"),
        ("::/0", "::", 0, "::/0"),
        ("127.0.0.128/25", "127.0.0.128", 25, "127.0.0.128/25"),
        ("198.18.0.0/15", "198.18.0.0", 15, "198.18.0.0/15"),
        ("255.255.255.255/32", "255.255.255.255", 32, "255.255.255.255/32"),
        ("2001:0DB8::/32", "2001:db8::", 32, "2001:db8::/32"),
        ("2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::", 65, "2001:db8:0:0:8000::/65"),
        ("::ffff:0:0/96", "::ffff:0:0", 96, "::ffff:0.0.0.0/96"),
        ("fe80::/10", "fe80::", 10, "fe80::/10"),
        ("2001:db8::/127", "2001:db8::", 127, "2001:db8::/127"),
    ])
    func parses(_ text: String, _ address: String, _ length: Int, _ description: String) throws {
        let network = try #require(IPNetwork(text))
        #expect(network.address == IPAddress(address))
        #expect(network.prefixLength == length)
        #expect(network.description == description)
        #expect(IPNetwork(description) == network)
    }

    @Test(arguments: [
        "127.0.0.1/8",          // host bits set: must not widen silently
        "127.0.0.129/25",
        "::1/127",
        "2001:db8::1/64",
        "2001:db8::8000:0:0:1/65",
        "127.0.0.0/33",         // prefix too long
        "127.0.0.0/08",         // leading zero, as refused in addresses
        "::/129",
        "/33",
        "/",
        "",
        "127.0.0.0/",
        "127.0.0.0/-1",
        "127.0.0.0/+8",
        "127.0.0.0/ 8",
        "127.0.0.0/8 ",
        "127.0.0.0/0008",
        "127.0.0.0/8/8",
        "127.0.0.0/8x",
        "127.0.0.0/0x8",
        "foo/8",
        "127.0.0.01/32",
        "fe80::%eth0/64",
    ])
    func refuses(_ text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test(arguments: [
        ("127.0.0.0/8", "127.0.0.1", true),
        ("127.0.0.0/8", "127.255.255.255", true),
        ("127.0.0.0/8", "127.0.0.0", true),
        ("127.0.0.0/8", "128.0.0.0", false),
        ("127.0.0.0/8", "126.255.255.255", false),
        ("127.0.0.128/25", "127.0.0.128", true),
        ("127.0.0.128/25", "127.0.0.255", true),
        ("127.0.0.128/25", "127.0.0.127", false),
        ("127.0.0.128/25", "127.0.1.128", false),
        ("192.0.2.1", "192.0.2.1", true),
        ("192.0.2.1", "192.0.2.2", false),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("0.0.0.0/0", "1.2.3.4", true),
        ("0.0.0.0/0", "0.0.0.0", true),
        ("::1/128", "::1", true),
        ("::1/128", "::2", false),
        ("::1/128", "::", false),
        ("::/0", "2001:db8::1", true),
        ("::/0", "::", true),
        ("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8::/32", "2001:db9::", false),
        ("2001:db8::/32", "2001:db7:ffff::", false),
        ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true),
        ("2001:db8::/64", "2001:db8:0:1::", false),
        ("2001:db8::8000:0:0:0/65", "2001:db8::ffff:0:0:1", true),
        ("2001:db8::8000:0:0:0/65", "2001:db8::7fff:ffff:ffff:ffff", false),
        ("2001:db8::/127", "2001:db8::1", true),
        ("2001:db8::/127", "2001:db8::2", false),
        ("fe80::/10", "febf::1", true),
        ("fe80::/10", "fec0::1", false),
        // Never across address families, whatever the prefix.
        ("127.0.0.0/8", "::ffff:127.0.0.1", false),
        ("127.0.0.0/8", "::1", false),
        ("0.0.0.0/0", "::", false),
        ("0.0.0.0/0", "::ffff:1.2.3.4", false),
        ("::/0", "0.0.0.0", false),
        ("::/0", "127.0.0.1", false),
        ("::ffff:0:0/96", "127.0.0.1", false),
    ])
    func contains(_ network: String, _ address: String, _ expected: Bool) throws {
        let network = try #require(IPNetwork(network))
        let address = try #require(IPAddress(address))
        #expect(network.contains(address) == expected)
    }

    @Test func loopbackIsTheTwoLoopbackNetworks() {
        #expect(IPNetwork.loopback.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(IPNetwork.loopback == [IPNetwork("127.0.0.0/8"), IPNetwork("::1/128")])
    }

    @Test(arguments: [
        ("127.0.0.1", true),
        ("127.1.2.3", true),
        ("127.255.255.255", true),
        ("::1", true),
        ("128.0.0.1", false),
        ("126.255.255.255", false),
        ("0.0.0.0", false),
        ("::", false),
        ("::2", false),
        ("::ffff:127.0.0.1", false),
        ("2001:db8::1", false),
    ])
    func loopbackPermits(_ address: String, _ expected: Bool) throws {
        #expect(IPNetwork.loopback.permits(try #require(IPAddress(address))) == expected)
    }

    @Test func permitsChecksEveryNetworkOfTheList() throws {
        let allow = [IPNetwork("198.18.0.0/15")!, IPNetwork("192.0.2.0/24")!, IPNetwork("2001:db8::/32")!]
        #expect(allow.permits(try #require(IPAddress("198.18.200.1"))))
        #expect(allow.permits(try #require(IPAddress("192.0.2.77"))))
        #expect(allow.permits(try #require(IPAddress("2001:db8::5"))))
        #expect(!allow.permits(try #require(IPAddress("198.51.100.1"))))
        #expect(!allow.permits(try #require(IPAddress("127.0.0.1"))))
        #expect(![IPNetwork]().permits(try #require(IPAddress("127.0.0.1"))))
    }

    @Test func codableRoundTrip() throws {
        let networks = [IPNetwork("127.0.0.0/8")!, IPNetwork("2001:0DB8::/32")!, IPNetwork("127.1.2.3")!]
        let data = try JSONEncoder().encode(networks)
        #expect(String(decoding: data, as: UTF8.self) == #"["127.0.0.0\/8","2001:db8::\/32","127.1.2.3\/32"]"#)
        #expect(try JSONDecoder().decode([IPNetwork].self, from: data) == networks)
    }

    @Test(arguments: [#""127.0.0.1/8""#, #""::/129""#, #""""#, "8"])
    func decodingRefusesWhatIsNotANetwork(_ json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(IPNetwork.self, from: Data(json.utf8))
        }
    }
}
