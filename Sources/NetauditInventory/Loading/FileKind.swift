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
