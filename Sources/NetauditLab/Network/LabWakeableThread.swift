#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
internal import CNetauditShims

/// A network-lab thread that sleeps in poll(2) with a wake-up pipe among its descriptors
/// (``wakeFD``): ``stop()`` writes to the pipe, and the thread, seeing it readable, returns;
/// stop then joins it. The late echo responder and the link schedule are such threads.
final class LabWakeableThread: Sendable {
    private let wake: (reader: LabDescriptor, writer: LabDescriptor)
    private let thread: Mutex<LabThread?> = Mutex(nil)

    /// The descriptor to poll for POLLIN: readable once ``stop()`` is called.
    var wakeFD: Int32 { wake.reader.fd }

    /// `what` names the thread's job in errors.
    init(_ what: String) throws(LabNetworkError) {
        var pipe: [Int32] = [-1, -1]
        let piped = pipe.withUnsafeMutableBufferPointer { na_lab_pipe($0.baseAddress) }
        guard piped == 0 else { throw LabNetworkError("\(what): pipe: \(LabErrno.text(-piped))") }
        wake = (LabDescriptor(pipe[0]), LabDescriptor(pipe[1]))
    }

    /// Starts the thread, named `name`, running `body` (which returns once ``wakeFD`` is readable).
    func start(name: String, _ body: @escaping @Sendable () -> Void) throws(LabNetworkError) {
        do {
            let started = try LabThread(name: name, body)
            thread.withLock { $0 = started }
        } catch {
            throw LabNetworkError("\(name): \(error)")
        }
    }

    /// Wakes the thread and waits for it to end; idempotent.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wake.writer.fd, &byte, 1)
        let running = thread.withLock { thread -> LabThread? in defer { thread = nil }; return thread }
        running?.join()
    }
}
