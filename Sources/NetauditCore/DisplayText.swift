/// Text from outside (agency names, certificate subjects, URLs, server messages) as a report
/// may show it: on a terminal, in a CSV cell, in an HTML page. Control characters (C0 with
/// tab and newline, DEL, C1) and the bidirectional controls that reorder what is shown
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) become visible `<U+XXXX>`
/// escapes, so that no value can move the cursor, recolour the terminal, fake a line or a
/// cell, or make a report read other than it is. Vietnamese letters and marks are untouched.
extension String {
    public var displaySafe: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            if Self.needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
