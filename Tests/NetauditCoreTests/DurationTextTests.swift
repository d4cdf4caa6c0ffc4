import NetauditCore
import Testing

struct DurationTextTests {
    @Test(arguments: [
        ("200ms", Duration.milliseconds(200)),
        ("250ms", .milliseconds(250)),
        ("1ms", .milliseconds(1)),
        ("0.5ms", .microseconds(500)),
        ("1s", .seconds(1)),
        ("1.5s", .milliseconds(1500)),
        ("0.1s", .milliseconds(100)),
        ("90s", .seconds(90)),
        ("0s", .zero),
        ("5m", .seconds(300)),
        ("1.5m", .seconds(90)),
        ("1h", .seconds(3600)),
        ("1.25h", .seconds(4500)),
        ("24h", .seconds(86400)),
        ("1000000000s", .seconds(1_000_000_000)),   // 10^18 ns, the largest accepted
    ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(Duration(text: text) == expected)
    }

    @Test(arguments: [
        "5",            // a bare number is ambiguous
        "",
        "ms",
        "s",
        "m",
        "h",
        "-1s",
        "+1s",
        ".5s",
        "1.s",
        "1..5s",
        "1.2.3s",
        "1e3ms",
        "1d",
        "1w",
        "1sec",
        "1min",
        "5mm",
        "1hs",
        "1S",
        "1MS",
        "1 s",
        " 1s",
        "1s ",
        "1s1",
        "\u{0661}s",        // ARABIC-INDIC DIGIT ONE
        "\u{FF11}s",        // FULLWIDTH DIGIT ONE
        "1000000001s",      // beyond 10^18 ns
        "300000h",
    ])
    func refuses(_ text: String) {
        #expect(Duration(text: text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(200), "200ms"),
        (.milliseconds(1), "1ms"),
        (.milliseconds(999), "999ms"),
        (.microseconds(500), "0.5ms"),
        (.microseconds(1250), "1.25ms"),
        (.nanoseconds(100), "0.0001ms"),            // the smallest value printed without an exponent
        (.nanoseconds(1_000_001), "1.000001ms"),
        (.seconds(1), "1s"),
        (.milliseconds(1500), "1.5s"),
        (.milliseconds(1001), "1.001s"),
        (.milliseconds(9999), "9.999s"),
        (.seconds(10), "10s"),
        (.milliseconds(10500), "10.5s"),
        (.milliseconds(60500), "60.5s"),
        (.seconds(59), "59s"),
        (.seconds(90), "90s"),
        (.seconds(60), "1m"),
        (.seconds(300), "5m"),
        (.seconds(5400), "90m"),
        (.seconds(3600), "1h"),
        (.seconds(7200), "2h"),
        (.seconds(86400), "24h"),
        (.seconds(3601), "3601s"),
        (.seconds(1_000_000_000), "1000000000s"),
    ])
    func printsTextThatReadsBack(_ duration: Duration, _ text: String) {
        #expect(duration.text == text)
        #expect(Duration(text: text) == duration)
    }

    @Test(arguments: [
        0, 1, 10, 100, 999, 1000, 1001, 1999, 2500, 9999, 10_000, 10_001, 59_999, 60_000, 61_000,
        90_000, 3_599_000, 3_600_000, 3_600_500, 3_601_000, 86_400_000, 123_456_789,
    ])
    func everyMillisecondValueRoundTrips(_ milliseconds: Int64) {
        let duration = Duration.milliseconds(milliseconds)
        #expect(Duration(text: duration.text) == duration, "\(duration.text)")
    }

    @Test(arguments: [(Int64(1), "0.000001ms"), (10, "0.00001ms"), (99, "0.000099ms"), (1_000_001, "1.000001ms"),
                      (1_500_000_001, "1.500000001s")])
    func subMicrosecondValuesPrintWithoutExponentAndRoundTrip(_ nanoseconds: Int64, _ text: String) {
        let duration = Duration.nanoseconds(nanoseconds)
        #expect(duration.text == text)
        #expect(Duration(text: duration.text) == duration, "\(duration.text)")
    }

    @Test func hugeAndNegativeDurationsPrintWithoutCrashing() {
        #expect(Duration.seconds(Int64.max).text == "\(Int64.max)s")
        #expect(Duration.seconds(-1).text == "-1s")
        #expect(Duration(text: "-1s") == nil)  // no setting takes a negative duration
        #expect(Duration.zero.text == "0s")
    }
}
