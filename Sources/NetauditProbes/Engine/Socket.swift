internal import CNetauditShims
import Foundation
import NetauditCore

/// A socket descriptor owned by exactly one Swift object and closed in `deinit`: no path
/// can leak it, which the "no descriptor left behind" test of the engine checks.
final class SocketHandle {
    let fd: Int32

    /// Opens a non-blocking, close-on-exec socket; the errno text on failure.
    init(family: Int32, type: Int32, protocol: Int32) throws(SocketError) {
        let fd = socket(family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), `protocol`)
        guard fd >= 0 else { throw SocketError(code: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends a datagram to `address` (non-blocking); nil on success, else the errno.
    func send(_ bytes: [UInt8], to address: IPAddress, port: UInt16 = 0) -> Int32? {
        let target = address.bytes
        let result = na_sendto_ip(fd, bytes, bytes.count, address.family, target, port)
        return result < 0 ? Int32(-result) : nil
    }

    /// Reads one datagram; nil when nothing is waiting (EAGAIN) or on error.
    func receive(into buffer: inout [UInt8]) -> (length: Int, source: IPAddress?)? {
        var family: Int32 = 0
        var source = [UInt8](repeating: 0, count: 16)
        let capacity = buffer.count
        let result = na_recvfrom_ip(fd, &buffer, capacity, &family, &source)
        guard result >= 0 else { return nil }
        return (Int(result), IPAddress(family: family, bytes: source))
    }

    /// Starts a non-blocking connect: 0 when done at once, else the errno (EINPROGRESS…).
    func connect(to address: IPAddress, port: UInt16) -> Int32 {
        let result = na_connect_ip(fd, address.family, address.bytes, port)
        return result == 0 ? 0 : -result
    }

    /// The outcome of a non-blocking connect (SO_ERROR).
    var pendingError: Int32 { na_socket_error(fd) }

    func setLingerReset() { _ = na_set_linger_reset(fd) }
    func setReceiveBuffer(bytes: Int32) -> Int32 { na_set_receive_buffer(fd, bytes) }
    var localPort: Int32 { na_local_port(fd) }
}

/// An errno from a socket call, with the system's text.
struct SocketError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { String(cString: strerror(code)) }
}

extension IPAddress {
    /// AF_INET or AF_INET6.
    var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// The address in 4 or 16 bytes from a socket address family.
    init?(family: Int32, bytes: [UInt8]) {
        switch family {
        case AF_INET:
            self = IPAddress(bytes[0], bytes[1], bytes[2], bytes[3])
        case AF_INET6:
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high, low)
        default:
            return nil
        }
    }
}
