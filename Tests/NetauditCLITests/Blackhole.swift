import Foundation
import Glibc

/// A loopback TCP address that answers nothing, as a link whose far end is down: a listener
/// whose accept queue is full, so the kernel drops every new SYN and connects time out
/// (a closed port would answer with a reset, which a link probe counts as an answer).
final class Blackhole {
    let address: String
    let port: UInt16
    private var descriptors: [Int32] = []

    init(address: String) throws {
        self.address = address
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BlackholeError("socket: errno \(errno)") }
        descriptors.append(listener)
        var name = sockaddr_in()
        name.sin_family = sa_family_t(AF_INET)
        name.sin_port = 0
        inet_pton(AF_INET, address, &name.sin_addr)
        let bound = withUnsafePointer(to: &name) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 0) == 0 else { throw BlackholeError("bind/listen \(address): errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &name) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: name.sin_port)
        // Fill the accept queue (backlog 0 holds one connection) and never accept.
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        descriptors.append(client)
        let connected = withUnsafePointer(to: &name) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BlackholeError("filling the queue of \(address): errno \(errno)") }
    }

    deinit { descriptors.forEach { close($0) } }
}

struct BlackholeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
