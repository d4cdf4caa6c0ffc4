#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Synchronization
internal import CNetauditShims
import NetauditInventory

/// Cuts and restores the agencies whose links change while the lab runs (`flap`, `outage`),
/// at the times the scenario gives from the lab's start: one thread that sleeps until the
/// next change and then replaces the blackhole routes in the agency's gate.
final class LabLinkSchedule: Sendable {
    struct Entry: Sendable {
        let site: LabNetworkPlan.Site
        let conduct: NetworkScenario.Conduct
    }

    private let entries: [Entry]
    private let start: ContinuousClock.Instant
    private let thread: LabWakeableThread
    private let report: @Sendable (String) -> Void

    /// `start`: the instant the scenario's times count from (when the routes of time zero were set).
    init(_ entries: [Entry], start: ContinuousClock.Instant, report: @escaping @Sendable (String) -> Void) throws(LabNetworkError) {
        self.entries = entries
        self.start = start
        self.report = report
        thread = try LabWakeableThread("link schedule")
        guard !entries.isEmpty else { return }
        try thread.start(name: "lab-links") { [self] in self.loop() }
    }

    private func loop() {
        var cut = entries.map { $0.conduct.isCut(at: .zero) }
        while true {
            let elapsed = ContinuousClock.now - start
            let next = entries.compactMap { $0.conduct.nextChange(after: elapsed) }.min()
            var fds = [pollfd(fd: thread.wakeFD, events: Int16(POLLIN), revents: 0)]
            let timeout = next.map { Int32(clamping: max(0, ($0 - elapsed).labMilliseconds)) } ?? -1
            let ready = poll(&fds, 1, timeout)
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { return }
            let now = ContinuousClock.now - start
            for (index, entry) in entries.enumerated() {
                let wanted = entry.conduct.isCut(at: now)
                guard wanted != cut[index] else { continue }
                do {
                    try LabShell.ip(LabNetworkPlan.cutCommands(entry.site, cut: wanted), in: entry.site.gate,
                                    what: "\(wanted ? "cutting" : "restoring") \(entry.site.code)")
                    cut[index] = wanted
                    report("\(Self.clock()) \(entry.site.code) \(wanted ? "down" : "up") (\(entry.conduct.flap != nil ? "flap" : "outage"))")
                } catch {
                    report("\(Self.clock()) \(entry.site.code): \(error)")
                    cut[index] = wanted  // not retried in a loop: said once
                }
            }
        }
    }

    /// Wall-clock time of day, to the millisecond, for the change lines.
    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss.SSS"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }

    func stop() { thread.stop() }

    deinit { stop() }
}
