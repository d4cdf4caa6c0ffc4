extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Parses the durations of netaudit's YAML files: a number and a unit, `250ms`, `1s`,
    /// `1.5s`, `5m`, `1h`. A bare number is refused: `timeout: 5` would be ambiguous.
    public init?(text: String) {
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  number.first != ".", number.last != ".",
                  let value = Double(number), value.isFinite else { return nil }
            let nanoseconds = (value * scale * 1e9).rounded()
            guard nanoseconds <= 1e18 else { return nil }
            self = .nanoseconds(Int64(nanoseconds))
            return
        }
        return nil
    }

    /// The shortest text `Duration(text:)` reads back: `200ms`, `1s`, `1.5s`, `5m`, `0.0001ms`
    /// (to the nanosecond, without exponent notation). Negative durations get a leading `-`,
    /// which no setting accepts.
    public var text: String {
        if self < .zero { return "-" + (Duration.zero - self).text }
        let (seconds, attoseconds) = components
        let nanoseconds = attoseconds / 1_000_000_000
        func decimals(_ value: Int64, digits: Int) -> String {
            var text = String(value)
            text = String(repeating: "0", count: max(0, digits - text.count)) + text
            while text.last == "0" { text.removeLast() }
            return text
        }
        if nanoseconds == 0 {
            if seconds != 0 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        if seconds == 0 {
            let milliseconds = nanoseconds / 1_000_000
            let rest = nanoseconds % 1_000_000
            return rest == 0 ? "\(milliseconds)ms" : "\(milliseconds).\(decimals(rest, digits: 6))ms"
        }
        return "\(seconds).\(decimals(nanoseconds, digits: 9))s"
    }
}
