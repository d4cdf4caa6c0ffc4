import Foundation
import NetauditLab
import Testing

/// The `openssl` command-line tool, run as a subprocess: the independent oracle that
/// checks what NetauditLab's PKI made with OpenSSL's C API.
enum OpenSSLTool {
    struct Result {
        let status: Int32
        /// Standard output and standard error, together.
        let output: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs `openssl arguments…` in `folder` and waits for it.
    static func run(_ arguments: [String], in folder: URL) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs `openssl x509 -noout options…` on `certificate` (written to a file in `folder`).
    static func x509(_ certificate: LabCredential, _ options: [String], in folder: URL) throws -> String {
        let file = try folder.write(certificate.certificatePEM, to: "x509-\(certificate.serialNumber).pem")
        let result = try run(["x509", "-in", file.path, "-noout"] + options, in: folder)
        #expect(result.succeeded, "openssl x509 \(options): \(result.output)")
        return result.output
    }

    private static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("openssl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ToolMissing()
    }

    struct ToolMissing: Error, CustomStringConvertible {
        var description: String { "the openssl command-line tool is not installed (Debian: apt-get install openssl)" }
    }
}

/// Runs `body` with a fresh temporary folder, removed afterwards whatever happens.
func withScratchFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("netaudit-lab-pki-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}

extension URL {
    /// Writes `text` to the file `name` in this folder; returns the file.
    @discardableResult
    func write(_ text: String, to name: String) throws -> URL {
        let file = appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }
}

/// Seconds in a day, for readable validity offsets.
let day: TimeInterval = 86400
