/// Input text as a message may quote it: at most `limit` characters between single quotes,
/// control and other invisible characters escaped (`\n`, `\u{0}`, `\u{202e}`), then `…`
/// when cut. A message never echoes more of a file than that, whatever the file holds (a
/// secret's line, terminal escapes, a right-to-left override).
public enum QuotedInput {
    public static func quote(_ text: some StringProtocol, limit: Int = 40) -> String {
        var out = ""
        var count = 0
        for character in text {
            guard count < limit else { return "'" + out + "…'" }
            count += 1
            for scalar in character.unicodeScalars { out += escaped(scalar) }
        }
        return "'" + out + "'"
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "'": return "\\'"
        case "\\": return "\\\\"
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator:
                return "\\u{\(String(scalar.value, radix: 16))}"
            default:
                return String(scalar)
            }
        }
    }
}
