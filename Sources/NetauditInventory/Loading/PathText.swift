import Foundation

/// Paths as the operator sees them: an included file is named relative to the working
/// directory the same way the top file was, so messages point where the operator looks.
enum PathText {
    /// `relative` seen from the folder of `file`, normalised; absolute paths stay as they are.
    static func resolve(_ relative: String, from file: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        let folder = (file as NSString).deletingLastPathComponent
        return normalize(folder.isEmpty ? relative : folder + "/" + relative)
    }

    /// Removes `.` components and folds `x/..`, keeping leading `..` of a relative path.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute, parts.isEmpty { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The file's identity for include-cycle detection: absolute, symbolic links resolved.
    static func identity(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: normalize(absolute)).resolvingSymlinksInPath().path
    }

    /// Whether `identity` (absolute, resolved) is `folder` itself or under it.
    static func isInside(_ identity: String, folder: String) -> Bool {
        folder == "/" || identity.hasPrefix(folder + "/")
    }

    /// Whether the last component holds a wildcard (`*`, `?`).
    static func isPattern(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name.contains("*") || name.contains("?")
    }

    /// The files of the folder of `pattern` whose names match its last component, sorted.
    /// Wildcards apply to the file name only; hidden files match only an explicit dot.
    static func expand(_ pattern: String) -> [String] {
        let folder = (pattern as NSString).deletingLastPathComponent
        let namePattern = (pattern as NSString).lastPathComponent
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return listed
            .filter { !($0.hasPrefix(".") && !namePattern.hasPrefix(".")) && matches(Array($0), Array(namePattern)) }
            .sorted()
            .map { folder.isEmpty ? $0 : folder + "/" + $0 }
            .filter { var isFolder: ObjCBool = false
                      return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && !isFolder.boolValue }
    }

    private static func matches(_ name: [Character], _ pattern: [Character]) -> Bool {
        var n = 0, p = 0, starP = -1, starN = 0
        while n < name.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == name[n]) {
                n += 1; p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                starP = p; starN = n; p += 1
            } else if starP >= 0 {
                p = starP + 1; starN += 1; n = starN
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
