import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NetauditLab
import NetauditProbes
import Synchronization
import Testing

/// The OS primitives the probes module offers the rest of netaudit (the daemon, the CLI,
/// the lab), so that those import no C themselves.
@Suite(.serialized) struct SystemPrimitivesTests {
    @Test func aThreadRunsItsBodyAndJoins() throws {
        let ran = Mutex(false)
        let thread = try JoinableThread { ran.withLock { $0 = true } }
        thread.join()
        thread.join()  // a second join does nothing
        #expect(ran.withLock { $0 })
    }

    @Test func aNotificationIsOneDatagram() async throws {
        let folder = NSTemporaryDirectory() + "netaudit-notify-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let socket = try LabNotifySocket(path: folder + "/notify")
        defer { socket.stop() }
        #expect(NotifySocket.send("READY=1\nSTATUS=up", to: socket.path) == nil)
        for _ in 0..<50 where socket.messages.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(socket.messages == ["READY=1\nSTATUS=up"])
        #expect(NotifySocket.send("READY=1", to: folder + "/nobody") == ENOENT)
    }

    @Test func theMonotonicClockIsCLOCK_MONOTONIC() {
        func now() -> UInt64 {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
        }
        let before = now()
        let value = MonotonicClock.microseconds
        let after = now()
        #expect(before <= value && value <= after)
    }

    @Test func theStopSignalsAreUnblocked() {
        var blocked = sigset_t(), previous = sigset_t(), current = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGHUP)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        StopSignals.unblock()
        pthread_sigmask(SIG_SETMASK, nil, &current)
        #expect(sigismember(&current, SIGHUP) == 0)
        #expect(sigismember(&current, SIGTERM) == 0)
        #expect(sigismember(&current, SIGINT) == 0)
    }
}
