import Foundation
import NetauditDaemon
import NetauditLab
import Testing

/// sd_notify's datagrams, received on a socket the test owns (what systemd would do).
struct SystemdNotifierTests {
    @Test func messagesReachTheSocketNamedByNOTIFY_SOCKET() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let socket = try LabNotifySocket(path: folder + "/notify")
        defer { socket.stop() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.notify(["READY=1", "STATUS=line one\nline two"]) == nil)
        #expect(notifier.notify(["WATCHDOG=1"]) == nil)
        for _ in 0..<50 where socket.messages.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(socket.messages == ["READY=1\nSTATUS=line one line two", "WATCHDOG=1"])
        #expect(socket.messages(with: "READY=1").count == 1)
    }

    @Test func withoutTheVariableNothingIsSent() {
        #expect(SystemdNotifier(environment: [:]).notify(["READY=1"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify"]).notify(["READY=1"]) == ENOENT)
    }

    @Test func theWatchdogIntervalIsOursOnly() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
