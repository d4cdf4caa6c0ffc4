import Foundation

/// `--output FILE` of `audit` and `report`: the rendered report written whole or not at all.
enum ReportFile {
    /// Why a report could not be written, in words that name the file.
    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `data` to `path`. A regular file (or a new one) is written atomically: into a
    /// temporary file in the same folder, flushed to disk, then renamed over `path`, so a
    /// reader never sees half a report and a failure leaves the old file (or none) in place.
    /// Anything else that exists (`/dev/null`, a FIFO, a terminal) is written in place,
    /// never replaced.
    static func write(_ data: Data, to path: String) throws(WriteError) {
        let manager = FileManager.default
        let attributes = try? manager.attributesOfItem(atPath: path)
        if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
            if type == .typeDirectory { throw WriteError(description: "'\(path)' is a folder") }
            guard let handle = FileHandle(forWritingAtPath: path) else { throw WriteError(description: "'\(path)' cannot be opened for writing") }
            defer { try? handle.close() }
            do { try handle.write(contentsOf: data) } catch { throw WriteError(description: "'\(path)': \(error.localizedDescription)") }
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw WriteError(description: "'\(path)': no folder '\(folder)'")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".\(UUID().uuidString.prefix(8)).tmp"
        // The mode of the file it replaces (0644 less the umask for a new one).
        let mode = attributes?[.posixPermissions]
        guard manager.createFile(atPath: temporary, contents: nil, attributes: mode.map { [.posixPermissions: $0] }) else {
            throw WriteError(description: "'\(path)': cannot create a file in '\(folder)' (permission denied?)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw WriteError(description: "'\(path)': \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            try? manager.removeItem(atPath: temporary)
            throw WriteError(description: "'\(path)': cannot replace it (\(code == EACCES || code == EPERM ? "permission denied" : "error \(code)"))")
        }
    }
}
