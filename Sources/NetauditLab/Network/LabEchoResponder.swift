#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
internal import CNetauditShims
import NetauditCore
internal import NetauditProbes

/// Answers echo requests late, for the lab's slow links. This kernel has no `netem` qdisc
/// (and no NFQUEUE), so delay comes from user space: in each slow agency's namespace the
/// kernel's own echo replies are off (`net.ipv4.icmp_echo_ignore_all`), and one thread of
/// the lab reads the requests from a raw ICMP socket opened in that namespace and sends
/// each reply after the agency's delay, give or take its jitter (uniformly at random).
/// Only echoes are late: TCP to a slow agency is not (see docs/lab-network.md for why).
final class LabEchoResponder: Sendable {
    private struct Listener: @unchecked Sendable {
        let socket: LabDescriptor
        let echo: LabNetworkPlan.LateEcho
    }

    private let listeners: [Listener]
    private let thread: LabWakeableThread
    /// Replies sent, for the tests.
    let replies = Atomic<Int>(0)

    init(_ echoes: [LabNetworkPlan.LateEcho]) throws(LabNetworkError) {
        var listeners: [Listener] = []
        for echo in echoes {
            let fd = na_netns_raw_icmp("/run/netns/" + echo.namespace)
            guard fd >= 0 else { throw LabNetworkError("late echoes of \(echo.code): a raw ICMP socket in \(echo.namespace): \(LabErrno.text(-fd))") }
            listeners.append(Listener(socket: LabDescriptor(fd), echo: echo))
        }
        thread = try LabWakeableThread("late echoes")
        self.listeners = listeners
        guard !listeners.isEmpty else { return }
        try thread.start(name: "lab-echo") { [self] in self.loop() }
    }

    /// A reply waiting for its time.
    private struct Pending {
        let due: ContinuousClock.Instant
        let listener: Int
        let message: [UInt8]
        let source: [UInt8]
        let destination: [UInt8]
    }

    private func loop() {
        var pending: [Pending] = []
        var generator = SystemRandomNumberGenerator()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            var fds = [pollfd(fd: thread.wakeFD, events: Int16(POLLIN), revents: 0)]
                + listeners.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
            let now = ContinuousClock.now
            let timeout = pending.map { max(0, ($0.due - now).labMilliseconds) }.min() ?? -1
            let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: timeout))
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { return }  // stop() wrote to the pipe
            for (index, listener) in listeners.enumerated() where fds[index + 1].revents & Int16(POLLIN) != 0 {
                while true {
                    var source: [UInt8] = [0, 0, 0, 0], destination: [UInt8] = [0, 0, 0, 0]
                    let count = buffer.withUnsafeMutableBufferPointer { bytes in
                        source.withUnsafeMutableBufferPointer { from in
                            destination.withUnsafeMutableBufferPointer { to in
                                na_netns_recv_icmp(listener.socket.fd, bytes.baseAddress, bytes.count, from.baseAddress, to.baseAddress)
                            }
                        }
                    }
                    guard count >= 0 else { break }
                    // Echo requests to the agency's own addresses only (a router also sees others').
                    guard count >= 8, buffer[0] == 8, buffer[1] == 0,
                          listener.echo.addresses.contains(IPAddress(destination[0], destination[1], destination[2], destination[3])) else { continue }
                    var reply = Array(buffer[0..<count])
                    reply[0] = 0  // echo reply
                    reply[2] = 0
                    reply[3] = 0
                    let sum = Self.checksum(reply)
                    reply[2] = UInt8(sum >> 8)
                    reply[3] = UInt8(sum & 0xff)
                    let delay = listener.echo.delay, jitter = listener.echo.jitter
                    let offset = jitter > .zero
                        ? Duration.nanoseconds(Int64.random(in: -jitter.nanoseconds...jitter.nanoseconds, using: &generator)) : .zero
                    pending.append(Pending(due: .now + delay + offset, listener: index, message: reply,
                                           source: destination, destination: source))
                }
            }
            let due = ContinuousClock.now
            pending.removeAll { reply in
                guard reply.due <= due else { return false }
                let sent = reply.message.withUnsafeBufferPointer { message in
                    reply.source.withUnsafeBufferPointer { from in
                        reply.destination.withUnsafeBufferPointer { to in
                            na_netns_send_icmp(listeners[reply.listener].socket.fd, message.baseAddress, message.count, from.baseAddress, to.baseAddress)
                        }
                    }
                }
                if sent > 0 { replies.add(1, ordering: .relaxed) }
                return true
            }
        }
    }

    /// The Internet checksum (RFC 1071) of an ICMP message, as the probes compute it.
    static func checksum(_ bytes: [UInt8]) -> UInt16 { InternetChecksum.of(bytes) }

    /// Ends the thread and closes the sockets; idempotent.
    func stop() { thread.stop() }

    deinit { stop() }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
