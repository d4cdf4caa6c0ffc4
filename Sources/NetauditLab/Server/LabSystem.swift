#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
internal import CNetauditShims
import NetauditCore
internal import NetauditProbes  // JoinableThread

/// A file descriptor (a socket or a pipe end) owned by this object: closed in deinit.
///
/// `@unchecked Sendable` because a connection is handed from the acceptor thread to a worker
/// through the server's locked queue; one thread at a time uses it, and only the owner
/// closes it (by dropping the last reference).
final class LabDescriptor: @unchecked Sendable {
    let fd: Int32

    /// Takes ownership of `fd`.
    init(_ fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

/// A named lab thread: ``LabServer/stop()`` joins it, so it returns only once its threads are gone.
final class LabThread: Sendable {
    private let thread: JoinableThread

    /// Starts a thread named `name` (at most 15 bytes are kept) that runs `body`.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws(LabServerError) {
        do {
            thread = try JoinableThread(body)
        } catch {
            throw LabServerError(.thread, "pthread_create (\(name)): \(LabErrno.text(error.code))", errno: error.code)
        }
        na_lab_name_thread(thread.handle, name)  // from here, so that the name is there when init returns
    }

    /// Waits for the thread to end (pthread_join(3)); later calls return at once.
    func join() { thread.join() }
}

/// Text for errno values.
enum LabErrno {
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) + " (errno \(code))" }
}

extension IPAddress {
    /// The address family for the socket shims.
    var socketFamily: Int32 { isIPv6 ? Int32(AF_INET6) : Int32(AF_INET) }
}

extension Duration {
    /// Whole milliseconds, at least 0 (attoseconds are cut).
    var labMilliseconds: Int {
        let (seconds, attoseconds) = components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
