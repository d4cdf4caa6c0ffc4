extension Duration {
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

    /// The shortest text `Duration(text:)` reads back: `200ms`, `1s`, `1.5s`, `5m`.
    public var text: String {
        let (seconds, attoseconds) = components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        func trimmed(_ value: Double) -> String {
            value == value.rounded() ? String(Int64(value)) : String(value)
        }
        if milliseconds < 1000 || milliseconds.truncatingRemainder(dividingBy: 1000) != 0 && milliseconds < 10_000 {
            if milliseconds >= 1000 { return trimmed(milliseconds / 1000) + "s" }
            return trimmed(milliseconds) + "ms"
        }
        let wholeSeconds = milliseconds / 1000
        if wholeSeconds.truncatingRemainder(dividingBy: 3600) == 0 { return trimmed(wholeSeconds / 3600) + "h" }
        if wholeSeconds.truncatingRemainder(dividingBy: 60) == 0 { return trimmed(wholeSeconds / 60) + "m" }
        return trimmed(wholeSeconds) + "s"
    }
}
