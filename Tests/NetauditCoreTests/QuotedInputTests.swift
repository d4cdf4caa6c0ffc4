import NetauditCore
import Testing

/// What a message may quote of a file: short, and nothing a terminal or a reader would
/// take for something else.
struct QuotedInputTests {
    @Test(arguments: [
        ("nmae", "'nmae'"),
        ("Tỉnh Gia Lai", "'Tỉnh Gia Lai'"),
        ("a\tb\nc\r", "'a\\tb\\nc\\r'"),
        ("nul\u{0}bell\u{7}esc\u{1B}[2J", "'nul\\u{0}bell\\u{7}esc\\u{1b}[2J'"),
        ("evil\u{202E}gnp.exe", "'evil\\u{202e}gnp.exe'"),
        ("it's \\", "'it\\'s \\\\'"),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(QuotedInput.quote(text) == expected)
    }

    @Test func cutsAfterFortyCharacters() {
        let secret = "root:$6$" + String(repeating: "x", count: 100) + ":19000:0:99999:7:::"
        #expect(QuotedInput.quote(secret) == "'root:$6$" + String(repeating: "x", count: 32) + "…'")
        #expect(QuotedInput.quote(String(repeating: "a", count: 40)) == "'" + String(repeating: "a", count: 40) + "'")
        #expect(QuotedInput.quote("abcdef", limit: 3) == "'abc…'")
    }

    /// An endpoint URL's problem names the host or port it refuses: quoted the same way.
    @Test func urlProblemsQuoteShort() {
        let host = String(repeating: "h_", count: 100) + ".test"
        guard case .failure(let problem) = EndpointURL.parse("https://\(host)/") else {
            Issue.record("accepted")
            return
        }
        #expect(problem.description == "'" + String(repeating: "h_", count: 20) + "…' is not a valid host name or IP address")
    }
}
