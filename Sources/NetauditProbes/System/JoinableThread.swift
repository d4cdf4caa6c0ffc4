#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A pthread that runs one closure and can be joined. Foundation's `Thread` cannot be
/// joined, and the probe loop and the lab servers must return from `stop()` only once
/// their threads are gone (a test counts the threads left behind). It lives in the probes
/// module, with the other OS primitives, so that the core model imports no C.
public final class JoinableThread: @unchecked Sendable {
    /// What the new thread runs; retained for it until it starts (Unmanaged hand-over).
    private final class Start {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// The thread, for pthread calls such as naming it.
    public let handle: pthread_t
    /// Set once joined, so that a second join does nothing (joining twice is undefined).
    private let joined = Mutex(false)

    /// Starts a thread that runs `body`; throws the pthread_create(3) error code.
    public init(_ body: @escaping @Sendable () -> Void) throws(ThreadStartError) {
        let start = Unmanaged.passRetained(Start(body: body)).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(&thread, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            start.body()
            return nil
        }, start)
        guard code == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw ThreadStartError(code: code)
        }
        handle = thread
    }

    /// Waits for the thread to end (pthread_join(3)); later calls return at once.
    public func join() {
        let first = joined.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if first { pthread_join(handle, nil) }
    }

    deinit { join() }
}

/// pthread_create(3) failed (usually EAGAIN: a thread or memory limit).
public struct ThreadStartError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public var description: String { "cannot start a thread: \(String(cString: strerror(code))) (errno \(code))" }
}
