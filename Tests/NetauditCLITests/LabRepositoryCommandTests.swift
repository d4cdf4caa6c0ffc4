#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetauditLab
import Testing

/// `netaudit lab` with the TLS-depth cases: it lists them, starts the PKI repository with a
/// case that names it, and prints the repository's URL, which answers.
@Suite(.serialized) struct LabRepositoryCommandTests {
    @Test func listsTheCasesAndPrintsTheRepository() throws {
        let list = try CLIRunner.run(["lab", "--list"])
        for id in ["https-downgrade", "ocsp-stapled-revoked", "ocsp-revoked", "ocsp-good", "ocsp-responder-down", "crl-revoked",
                   "aia-incomplete-chain", "pki-repository"] {
            #expect(list.stdout.split(separator: "\n").contains(Substring(id)), "\(id) in \(list.stdout)")
        }

        let (lab, lines) = try ProbeLabCommandTests.startLab(["--only", "ocsp-revoked"])
        defer { CLIRunner.stop(lab) }
        #expect(lines.first == "netaudit lab: 2 cases on loopback", "the repository comes with ocsp-revoked: \(lines)")
        let line = try #require(lines.first { $0.hasPrefix("PKI repository: http://127.77.0.") }, "\(lines)")
        let url = try #require(URL(string: String(line.dropFirst("PKI repository: ".count))))
        #expect(url.host == "\(LabCatalogue.address(of: LabCatalogue.repositoryID)!)")
        #expect(lines.contains { $0.hasPrefix("  down:  http://127.77.0.") && $0.hasSuffix("/ocsp (refuses connections)") }, "\(lines)")

        // The repository answers: the lab root's certificate, DER.
        let connection = try TestSocket(host: url.host!, port: UInt16(url.port!))
        connection.send("GET /ca/lab-root.cer HTTP/1.1\r\nHost: \(url.host!)\r\n\r\n")
        let answer = connection.receiveAll()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.contains("\r\nContent-Type: application/pkix-cert\r\n"), "\(answer)")
    }
}

/// A blocking IPv4 TCP client for one exchange.
private final class TestSocket {
    private let fd: Int32

    init(host: String, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything until the peer closes (or five seconds without a byte).
    func receiveAll() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
