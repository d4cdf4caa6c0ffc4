import Foundation
import Testing

/// Runs the built `netaudit` executable (it sits beside the test bundle) and collects
/// what it printed and its exit status: the exit statuses are a contract with scripts.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NETAUDIT_BINARY"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        // On Linux the runner is `…/debug/netauditPackageTests.xctest`; elsewhere it may sit inside a bundle.
        while !folder.path.isEmpty && folder.path != "/" {
            let candidate = folder.appendingPathComponent("netaudit").path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return repository + "/.build/debug/netaudit"
    }

    /// Stops a `netaudit lab` (or daemon) started by a test, by its PID: SIGTERM, sent again
    /// every second while it runs (a signal that arrives while the child is still arming its
    /// signal handling can be lost), then SIGKILL after 10 s; waits for its exit.
    static func stop(_ process: Process) {
        for attempt in 0..<100 where process.isRunning {
            if attempt % 10 == 0 { kill(process.processIdentifier, SIGTERM) }
            usleep(100_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs `netaudit ARGUMENTS` (or another executable, behind an optional wrapper such as
    /// `unshare --net`) and collects its output and status; `environment` adds to (or, with
    /// nil values, removes from) this process's environment.
    static func run(_ arguments: [String], in directory: String = repository, executable: String? = nil,
                    wrapper: [String] = [], environment: [String: String?] = [:]) throws -> Result {
        let process = Process()
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value }
            process.environment = merged
        }
        let command = wrapper + [executable ?? binary] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
