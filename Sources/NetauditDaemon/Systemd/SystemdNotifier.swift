import Foundation
import NetauditProbes

/// systemd's readiness protocol (sd_notify(3)): `READY=1`, `STATUS=…`, `RELOADING=1`,
/// `STOPPING=1`, `WATCHDOG=1`, each a datagram to the socket named by `$NOTIFY_SOCKET`.
/// Without that variable (not started by systemd) every call does nothing. The datagram
/// itself goes through ``NotifySocket`` of the probes module, which owns the C calls.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends `fields` (e.g. `["READY=1", "STATUS=…"]`) as one message; returns the errno
    /// value when the socket refused it (systemd is gone, the path is wrong), nil otherwise.
    @discardableResult
    public func notify(_ fields: [String]) -> Int32? {
        guard let socketPath else { return nil }
        // One field per line: a newline inside STATUS would cut it.
        let text = fields.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        return NotifySocket.send(text, to: socketPath)
    }

    /// CLOCK_MONOTONIC in microseconds, for `MONOTONIC_USEC=` beside `RELOADING=1`.
    public static func monotonicMicroseconds() -> UInt64 { MonotonicClock.microseconds }

    /// The watchdog interval systemd expects keep-alives within (`WatchdogSec=`), when it
    /// is set for this process (`WATCHDOG_USEC`, and `WATCHDOG_PID` naming us if present).
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], pid != String(getpid()) { return nil }
        return .microseconds(microseconds)
    }
}
