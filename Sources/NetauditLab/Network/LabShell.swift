import Foundation

/// Runs the system tools the network lab builds with (`ip` from iproute2, `nft` from
/// nftables): one process per batch, its standard error kept for the message.
enum LabShell {
    /// The first of `names` found in the system's sbin and bin folders.
    static func tool(_ name: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `arguments` (the first is a tool name) with `input` on standard input; throws
    /// with its standard error when it fails.
    static func run(_ arguments: [String], input: String? = nil, what: String) throws(LabNetworkError) {
        guard let path = tool(arguments[0]) else {
            throw LabNetworkError("\(what): \(arguments[0]) is not installed (Debian: apt-get install \(arguments[0] == "nft" ? "nftables" : "iproute2"))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(arguments.dropFirst())
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw LabNetworkError("\(what): could not start \(path): \(error.localizedDescription)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let message = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw LabNetworkError("\(what): \(([path] + process.arguments!).joined(separator: " ")) failed (exit \(process.terminationStatus))"
                                  + (text.isEmpty ? "" : ": \(text)"))
        }
    }

    /// `ip -batch -` in the lab's own namespace, or `ip -n NAMESPACE -batch -`.
    static func ip(_ lines: [String], in namespace: String? = nil, what: String) throws(LabNetworkError) {
        guard !lines.isEmpty else { return }
        let arguments = ["ip"] + (namespace.map { ["-n", $0] } ?? []) + ["-batch", "-"]
        try run(arguments, input: lines.joined(separator: "\n") + "\n", what: what)
    }
}
