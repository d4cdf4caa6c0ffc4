import Foundation
import Glibc
@testable import NetauditProbes

/// An `openssl s_server` child process on 127.0.0.1, with a throwaway RSA certificate, for
/// the live hello tests. Stopped by its own PID (`stop()`), never by name.
final class LoopbackOpenSSLServer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let port: UInt16
    private let process: Process
    private let directory: URL

    private init(port: UInt16, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Generates a key and self-signed certificate, starts `openssl s_server -www` with the
    /// extra `arguments` on a free loopback port, and waits until it accepts connections.
    static func start(_ arguments: [String]) throws -> LoopbackOpenSSLServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-hello-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var succeeded = false
        defer { if !succeeded { try? FileManager.default.removeItem(at: directory) } }

        let key = directory.appendingPathComponent("key.pem").path
        let cert = directory.appendingPathComponent("cert.pem").path
        let request = try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                               "-days", "1", "-subj", "/CN=localhost"])
        guard request == 0 else { throw Failure(description: "openssl req failed with status \(request)") }

        for _ in 0..<3 {  // another process may take the free port between probe and bind
            let port = try freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            // -naccept 2 (the readiness probe and the exchange): should the test process die
            // before `stop()`, the server still exits after serving its one test.
            process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-naccept", "2",
                                 "-cert", cert, "-key", key, "-www", "-quiet"] + arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let server = LoopbackOpenSSLServer(port: port, process: process, directory: directory)
            if server.waitUntilAccepting(timeout: 5) {
                succeeded = true
                return server
            }
            server.terminateProcess()
        }
        throw Failure(description: "openssl s_server did not start listening")
    }

    /// Terminates the server by its PID and removes its temporary folder.
    func stop() {
        terminateProcess()
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGTERM to this child's PID, then SIGKILL to the same PID: a child started from the
    /// test runner inherits a signal mask with SIGTERM blocked (Foundation's `Process` on
    /// Linux does not reset the mask of the threads Swift Testing runs on), so SIGTERM alone
    /// leaves s_server running and `waitUntilExit()` waiting forever.
    private func terminateProcess() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(0.2)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    private func waitUntilAccepting(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { return false }
            if let socket = try? LoopbackClient.connect(port: port) {
                close(socket)
                return true
            }
            usleep(50_000)
        }
        return false
    }

    private static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Binds port 0 on 127.0.0.1 to let the kernel pick a free port, then releases it.
    private static func freeLoopbackPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = LoopbackClient.address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// A blocking TCP client to 127.0.0.1 only: sends a ClientHello and reads the answer.
enum LoopbackClient {
    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1, and nothing else
        return address
    }

    static func connect(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackOpenSSLServer.Failure(description: "socket: errno \(errno)") }
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw LoopbackOpenSSLServer.Failure(description: "connect: errno \(code)")
        }
        return fd
    }

    /// Sends `hello`, feeds what comes back to a parser until it decides, the server closes
    /// or `timeout` seconds pass without data, and judges the answer.
    static func exchange(_ hello: ClientHello, port: UInt16, timeout: Int = 3) throws -> (result: ServerHelloParser.Result, answer: HelloAnswer) {
        let fd = try connect(port: port)
        defer { close(fd) }
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))

        var sent = 0
        while sent < hello.bytes.count {
            let count = hello.bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw LoopbackOpenSSLServer.Failure(description: "send: errno \(errno)") }
            sent += count
        }

        var parser = ServerHelloParser()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !parser.result.isFinal {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                parser.finish()  // closed, reset or timed out
            } else {
                parser.feed(buffer[..<count])
            }
        }
        return (parser.result, HelloAnswer(offered: hello, answer: parser.result))
    }
}
