import NetauditCore
import Testing

struct DisplayTextTests {
    @Test(arguments: [
        ("Sở Công Thương", "Sở Công Thương"),  // Vietnamese letters and marks untouched
        ("Xã Ia\u{0301} Ka", "Xã Ia\u{0301} Ka"),
        ("evil\u{202E}gnp.exe", "evil<U+202E>gnp.exe"),
        ("\u{1B}[2J\u{1B}[31mFAKE", "<U+001B>[2J<U+001B>[31mFAKE"),
        ("a\u{9B}b\u{85}c\u{7F}", "a<U+009B>b<U+0085>c<U+007F>"),
        ("line\nfake line\r\tx\u{0}", "line<U+000A>fake line<U+000D><U+0009>x<U+0000>"),
        ("\u{2066}\u{2069}\u{200E}\u{200F}\u{061C}\u{202A}", "<U+2066><U+2069><U+200E><U+200F><U+061C><U+202A>"),
        ("zero\u{200B}width\u{2028}", "zero<U+200B>width<U+2028>"),
    ])
    func controlAndBidiCharactersAreShownNotObeyed(_ raw: String, _ shown: String) {
        #expect(raw.displaySafe == shown)
    }
}
