import Foundation

/// A TCP listener on 127.0.0.1 with a port chosen by the kernel, closed when released.
/// It only accepts connections into its backlog (the kernel completes the handshake).
final class LoopbackListener {
    let fd: Int32
    let port: Int

    init(backlog: Int32 = 128) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// A TCP port on 127.0.0.1 that is open but never answers a SYN: a listener with a backlog of
/// 0 whose accept queue is filled by connections nobody accepts. Linux then drops further
/// SYNs (the client retransmits and its connect times out, as behind a firewall that drops),
/// where a closed port would answer with a reset.
final class SilentPort {
    private let listener: LoopbackListener
    private var fillers: [Int32] = []
    var port: Int { listener.port }

    init() throws {
        listener = try LoopbackListener(backlog: 0)
        // Connect until one connect no longer completes: the queue is full.
        for _ in 0..<8 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EMFILE) }
            fillers.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = UInt16(listener.port).bigEndian
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&poller, 1, 200) == 0 { return }  // this one hangs: nothing more gets in
        }
        throw POSIXError(.EAGAIN)  // the kernel kept accepting: the port would not be silent
    }

    deinit {
        for fd in fillers { close(fd) }
    }
}
