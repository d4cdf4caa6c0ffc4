#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CNetauditShims
import NetauditCore
import Synchronization

/// What systemd does for a `Type=notify` service, for tests: a datagram socket to pass as
/// `$NOTIFY_SOCKET`, and every message received on it, in order (`READY=1`, `STATUS=…`).
/// It stands for journald's socket too (native log records, ``datagrams``).
public final class LabNotifySocket: Sendable {
    public let path: String
    private let descriptor: LabDescriptor
    /// Shared with the reader thread.
    private final class Shared: Sendable {
        let received = Mutex<[String]>([])
        let datagrams = Mutex<[[UInt8]]>([])
        let stopping = Atomic<Bool>(false)
    }

    private let shared = Shared()
    private let reader: LabThread

    public init(path: String) throws(LabServerError) {
        let fd = na_notify_listen(path)
        guard fd >= 0 else { throw LabServerError(.socket, "notify socket \(path): \(LabErrno.text(-fd))", errno: -fd) }
        self.path = path
        let descriptor = LabDescriptor(fd)
        self.descriptor = descriptor
        let shared = self.shared
        reader = try LabThread(name: "lab-notify") {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var poller = pollfd(fd: descriptor.fd, events: Int16(POLLIN), revents: 0)
            while !shared.stopping.load(ordering: .relaxed) {
                guard poll(&poller, 1, 100) > 0 else { continue }
                let count = recv(descriptor.fd, &buffer, buffer.count, 0)
                if count > 0 {
                    let text = String(decoding: buffer[0..<count], as: UTF8.self)
                    shared.received.withLock { $0.append(text) }
                    shared.datagrams.withLock { $0.append(Array(buffer[0..<count])) }
                }
            }
        }
    }

    /// Every datagram so far, its bytes as sent (binary: journald's native records).
    public var datagrams: [[UInt8]] { shared.datagrams.withLock { $0 } }

    /// Every message so far, each as sent (fields separated by newlines).
    public var messages: [String] { shared.received.withLock { $0 } }

    /// The messages holding `field` (e.g. `READY=1`) as one of their lines.
    public func messages(with field: String) -> [String] {
        messages.filter { $0.split(separator: "\n").contains { $0 == field } }
    }

    /// Stops reading and removes the socket file.
    public func stop() {
        shared.stopping.store(true, ordering: .relaxed)
        reader.join()
        unlink(path)
    }

    deinit { stop() }
}
