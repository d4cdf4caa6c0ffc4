import Foundation

/// What kind of file a path names, so that only regular files are read: opening a FIFO
/// blocks until someone writes to it, a device may never end, and a folder has no text.
enum FileKind {
    /// Why `path` (symbolic links followed) cannot be read as an input file, or nil when
    /// it is a regular file. Nothing is opened: the answer comes from `stat`.
    static func problem(_ path: String) -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else {
            return FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
        }
        switch attributes[.type] as? FileAttributeType {
        case .typeRegular?:
            return FileManager.default.isReadableFile(atPath: resolved) ? nil : "permission denied"
        case .typeDirectory?: return "it is a folder"
        case .typeCharacterSpecial?: return "it is a character device, not a regular file"
        case .typeBlockSpecial?: return "it is a block device, not a regular file"
        case .typeSocket?: return "it is a socket, not a regular file"
        // Foundation names every `stat` type but one: S_IFIFO is reported as unknown.
        default: return "it is a FIFO (named pipe), not a regular file"
        }
    }
}

/// Input text as a message may quote it: at most `limit` characters between single quotes,
/// control and other non-printable characters escaped (`\n`, `\u{0}`), then `…` when cut.
/// A message never echoes more of a file than that, whatever the file holds.
func quoted(_ text: some StringProtocol, limit: Int = 40) -> String {
    var out = ""
    var count = 0
    for character in text {
        guard count < limit else { return "'" + out + "…'" }
        count += 1
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            default:
                let printable = !scalar.properties.generalCategory.isControlOrUnassigned && scalar.properties.generalCategory != .format
                    && scalar.properties.generalCategory != .lineSeparator && scalar.properties.generalCategory != .paragraphSeparator
                out += printable ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
    }
    return "'" + out + "'"
}

private extension Unicode.GeneralCategory {
    var isControlOrUnassigned: Bool {
        switch self {
        case .control, .unassigned, .surrogate, .privateUse: return true
        default: return false
        }
    }
}
