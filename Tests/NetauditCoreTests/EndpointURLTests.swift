import Foundation
import NetauditCore
import Testing

struct EndpointURLTests {
    struct Accepted: Sendable, CustomTestStringConvertible {
        var text: String
        var host: String
        var port: Int
        var path: String
        var description: String
        var address: IPAddress? = nil

        var testDescription: String { text }
    }

    @Test(arguments: [
        Accepted(text: "https://example.org", host: "example.org", port: 443, path: "/",
                 description: "https://example.org/"),
        Accepted(text: "https://example.org/", host: "example.org", port: 443, path: "/",
                 description: "https://example.org/"),
        Accepted(text: "https://example.org:8443/portal", host: "example.org", port: 8443, path: "/portal",
                 description: "https://example.org:8443/portal"),
        Accepted(text: "https://example.org:443/x", host: "example.org", port: 443, path: "/x",
                 description: "https://example.org/x"),
        Accepted(text: "https://example.org:1", host: "example.org", port: 1, path: "/",
                 description: "https://example.org:1/"),
        Accepted(text: "https://example.org:65535", host: "example.org", port: 65535, path: "/",
                 description: "https://example.org:65535/"),
        Accepted(text: "https://example.org/a/b?x=1&y=2", host: "example.org", port: 443, path: "/a/b?x=1&y=2",
                 description: "https://example.org/a/b?x=1&y=2"),
        Accepted(text: "https://example.org?x=1", host: "example.org", port: 443, path: "/?x=1",
                 description: "https://example.org/?x=1"),
        Accepted(text: "https://example.org:8443?x=1", host: "example.org", port: 8443, path: "/?x=1",
                 description: "https://example.org:8443/?x=1"),
        Accepted(text: "https://example.org/a#section", host: "example.org", port: 443, path: "/a",
                 description: "https://example.org/a"),
        Accepted(text: "https://example.org#section", host: "example.org", port: 443, path: "/",
                 description: "https://example.org/"),
        Accepted(text: "https://example.org/a?b=c#d", host: "example.org", port: 443, path: "/a?b=c",
                 description: "https://example.org/a?b=c"),
        Accepted(text: "HTTPS://Portal.GiaLai.GOV.vn/Path/To", host: "portal.gialai.gov.vn", port: 443,
                 path: "/Path/To", description: "https://portal.gialai.gov.vn/Path/To"),
        Accepted(text: "hTtPs://LOCALHOST:8443", host: "localhost", port: 8443, path: "/",
                 description: "https://localhost:8443/"),
        Accepted(text: "https://example.org./", host: "example.org.", port: 443, path: "/",
                 description: "https://example.org./"),
        Accepted(text: "https://xn--bcher-kva.example/", host: "xn--bcher-kva.example", port: 443, path: "/",
                 description: "https://xn--bcher-kva.example/"),
        Accepted(text: "https://127.0.0.1:8443/x", host: "127.0.0.1", port: 8443, path: "/x",
                 description: "https://127.0.0.1:8443/x", address: .v4(0x7F00_0001)),
        Accepted(text: "https://127.0.0.1", host: "127.0.0.1", port: 443, path: "/",
                 description: "https://127.0.0.1/", address: .v4(0x7F00_0001)),
        Accepted(text: "https://[::1]:8443/health", host: "::1", port: 8443, path: "/health",
                 description: "https://[::1]:8443/health", address: .v6(0, 1)),
        Accepted(text: "https://[::1]", host: "::1", port: 443, path: "/",
                 description: "https://[::1]/", address: .v6(0, 1)),
        Accepted(text: "https://[2001:DB8:0::0:1]:443/", host: "2001:db8::1", port: 443, path: "/",
                 description: "https://[2001:db8::1]/", address: .v6(0x2001_0DB8_0000_0000, 1)),
        Accepted(text: "https://[::ffff:127.0.0.1]/", host: "::ffff:127.0.0.1", port: 443, path: "/",
                 description: "https://[::ffff:127.0.0.1]/", address: .v6(0, 0xFFFF_7F00_0001)),
    ])
    func parses(_ expected: Accepted) throws {
        let url = try EndpointURL.parse(expected.text).get()
        #expect(url.host == expected.host)
        #expect(url.port == expected.port)
        #expect(url.path == expected.path)
        #expect(url.hostAddress == expected.address)
        #expect(url.description == expected.description)
        // The canonical text reads back to the same URL.
        #expect(EndpointURL.parse(url.description) == .success(url))
    }

    @Test(arguments: [
        ("http://example.org/", EndpointURL.Problem.scheme),
        ("ftp://example.org/", .scheme),
        ("example.org", .scheme),
        ("https:/example.org", .scheme),
        ("https:example.org", .scheme),
        ("", .scheme),
        ("http://user@example.org", .scheme),
        ("https://", .missingHost),
        ("https:///path", .missingHost),
        ("https://?q=1", .missingHost),
        ("https://#top", .missingHost),
        ("https://:8443/", .missingHost),
        ("https://user@example.org/", .userInfo),
        ("https://user:secret@example.org/", .userInfo),
        ("https://@example.org/", .userInfo),
        ("https://my_host.example/", .badHost("my_host.example")),
        ("https://Bad_Host.Example/", .badHost("Bad_Host.Example")),
        ("https://127.0.0.300/", .badHost("127.0.0.300")),
        ("https://127.0.0.01/", .badHost("127.0.0.01")),
        ("https://1.2.3/", .badHost("1.2.3")),
        ("https://1.2.3.4.5/", .badHost("1.2.3.4.5")),
        ("https://-bad.example/", .badHost("-bad.example")),
        ("https://bad-.example/", .badHost("bad-.example")),
        ("https://a..b/", .badHost("a..b")),
        ("https://.example/", .badHost(".example")),
        ("https://ex%41mple.org/", .badHost("ex%41mple.org")),
        ("https://exämple.org/", .badHost("exämple.org")),
        ("https://[::1/", .badHost("[::1")),
        ("https://[::1]x/", .badHost("[::1]x")),
        ("https://[127.0.0.1]/", .badHost("127.0.0.1")),
        ("https://[fe80::1%25eth0]/", .badHost("fe80::1%25eth0")),
        ("https://[::g]/", .badHost("::g")),
        ("https://[]/", .badHost("")),
        ("https://example.org:0/", .badPort("0")),
        ("https://example.org:65536/", .badPort("65536")),
        ("https://example.org:100000/", .badPort("100000")),
        ("https://example.org:abc/", .badPort("abc")),
        ("https://example.org:/", .badPort("")),
        ("https://example.org:", .badPort("")),
        ("https://example.org:-1/", .badPort("-1")),
        ("https://example.org:+443/", .badPort("+443")),
        ("https://example.org:1:2/", .badPort("1:2")),
        ("https://[::1]:/", .badPort("")),
        ("https://[::1]:0/", .badPort("0")),
        ("https://[::1]:65536/", .badPort("65536")),
        ("https://example.org /", .whitespace),
        (" https://example.org/", .whitespace),
        ("https://example.org/a b", .whitespace),
        ("https://example.org/\t", .whitespace),
        ("https://example.org\n", .whitespace),
        ("https://example.org/\u{00A0}", .whitespace),
        ("http ://user@example.org:0", .whitespace),   // white space is reported first
        ("https://example.org/\u{7}", .whitespace),      // and control characters
        ("https://::1/", .unbracketedIPv6("::1")),
        ("https://2001:db8::1/", .unbracketedIPv6("2001:db8::1")),
    ])
    func refuses(_ text: String, _ problem: EndpointURL.Problem) {
        #expect(EndpointURL.parse(text) == .failure(problem))
    }

    @Test(arguments: [
        (EndpointURL.Problem.scheme, "the scheme must be https://"),
        (.missingHost, "it has no host"),
        (.userInfo, "user names and passwords do not belong in an inventory"),
        (.badHost("my_host"), "'my_host' is not a valid host name or IP address"),
        (.badHost("127.0.0.300"), "'127.0.0.300' is not a valid host name or IP address"),
        (.badPort("65536"), "'65536' is not a port between 1 and 65535"),
        (.badPort(""), "'' is not a port between 1 and 65535"),
        (.whitespace, "it contains white space or control characters"),
        (.unbracketedIPv6("::1"), "write an IPv6 address in brackets: https://[::1]/"),
    ])
    func problemDescriptions(_ problem: EndpointURL.Problem, _ text: String) {
        #expect(problem.description == text)
    }

    @Test func equalURLsFromDifferentSpellings() throws {
        let a = try EndpointURL.parse("HTTPS://EXAMPLE.org:443").get()
        let b = try EndpointURL.parse("https://example.org/#x").get()
        let c = try EndpointURL.parse("https://example.org:8443/").get()
        #expect(a == b)
        #expect(a != c)
    }

    // MARK: host names

    static let label63 = String(repeating: "a", count: 63)
    static let label64 = String(repeating: "a", count: 64)
    /// 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters.
    static let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")

    static let hostNames: [(String, Bool)] = [
        ("a", true),
        ("example.org", true),
        ("EXAMPLE.org", true),
        ("example.org.", true),             // a final dot is allowed
        ("a-b.c--d.e1", true),
        ("1a.example", true),
        ("123", true),                      // syntax only: parse() refuses all-numeric hosts
        (label63, true),
        (label64, false),
        (label63 + ".example", true),
        (label64 + ".example", false),
        ("x." + label64, false),
        (name253, true),
        (name253 + ".", true),              // 253 without the final dot
        (name253 + "b", false),             // 254
        (name253 + "b.", false),
        ("", false),
        (".", false),
        ("..", false),
        ("example.org..", false),
        (".example", false),
        ("a..b", false),
        ("-a", false),
        ("a-", false),
        ("a.-b.c", false),
        ("a.b-.c", false),
        ("a_b", false),
        ("a b", false),
        ("a*b", false),
        ("ä.example", false),
        ("\u{0661}.example", false),        // a digit, but not ASCII
    ]

    @Test(arguments: hostNames)
    func validHostNames(_ name: String, _ expected: Bool) {
        #expect(EndpointURL.isValidHostName(name) == expected)
    }

    @Test func hostNameLengthLimitsApplyThroughParse() {
        #expect((try? EndpointURL.parse("https://\(Self.label63).example/").get()) != nil)
        #expect(EndpointURL.parse("https://\(Self.label64).example/") == .failure(.badHost("\(Self.label64).example")))
        #expect((try? EndpointURL.parse("https://\(Self.name253)/").get())?.host == Self.name253)
        #expect(EndpointURL.parse("https://\(Self.name253)b/") == .failure(.badHost(Self.name253 + "b")))
    }

    // MARK: Codable

    @Test func codableRoundTripUsesTheCanonicalText() throws {
        let urls = try ["HTTPS://Example.org:443/a?b#c", "https://[::1]:8443", "https://127.0.0.1:1/"]
            .map { try EndpointURL.parse($0).get() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(urls)
        #expect(String(decoding: data, as: UTF8.self)
            == #"["https://example.org/a?b","https://[::1]:8443/","https://127.0.0.1:1/"]"#)
        #expect(try JSONDecoder().decode([EndpointURL].self, from: data) == urls)
    }

    @Test func decodingReportsTheProblem() {
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EndpointURL.self, from: Data(#""http://example.org/""#.utf8))
        }
        guard case .dataCorrupted(let context)? = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription == "the scheme must be https://")
    }
}
