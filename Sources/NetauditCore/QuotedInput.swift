/// Input text as a message may quote it: at most `limit` characters between single quotes,
/// control and other invisible characters escaped (`\n`, `\u{0}`, `\u{202e}`), then `…`
/// when cut. A message never echoes more of a file than that, whatever the file holds (a
/// secret's line, terminal escapes, a right-to-left override).
public enum QuotedInput {
    /// How much of a path as the input writes it a message quotes: enough for any real
    /// include path, never a file's worth.
    public static let pathLimit = 60
    /// How much of a path netaudit resolved (a file that exists, so at most a few hundred
    /// characters) a message quotes.
    public static let resolvedPathLimit = 200

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
            return scalar.isInvisibleOrControl ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
    }
}

extension Unicode.Scalar {
    /// A character that is not shown as itself but acts on what is shown: control
    /// characters (C0, DEL, C1: terminal escapes), format characters (the bidirectional
    /// overrides, zero-width characters), separators, unassigned and private code points.
    /// Quotes in messages and text in reports escape these (`QuotedInput`, `displaySafe`).
    public var isInvisibleOrControl: Bool {
        switch properties.generalCategory {
        case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
