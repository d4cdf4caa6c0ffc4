/// Text from outside (agency names, certificate subjects, URLs, server messages) as a report
/// may show it: on a terminal, in a CSV cell, in an HTML page. Control characters (C0 with
/// tab and newline, DEL, C1), the bidirectional and zero-width format characters and the
/// rest of `Unicode.Scalar.isInvisibleOrControl` become visible `<U+XXXX>` escapes, so
/// that no value can move the cursor, recolour the terminal, fake a line or a cell, or make
/// a report read other than it is. Vietnamese letters and marks are untouched.
extension String {
    public var displaySafe: String {
        guard unicodeScalars.contains(where: \.isInvisibleOrControl) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            if scalar.isInvisibleOrControl {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
