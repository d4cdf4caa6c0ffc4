import Foundation

/// Who owns a running run (every backend records it with the run): host, process id, the process's start time (so a reused pid is
/// not mistaken for the owner) and the kernel's boot id (so a run cut off by a power loss
/// or a reboot is recognised even if a process got the same pid since).
public struct ProcessIdentity: Sendable {
    public let host: String
    public let pid: Int32
    public let startTicks: Int64
    public let bootID: String

    public init(host: String, pid: Int32, startTicks: Int64, bootID: String) {
        self.host = host
        self.pid = pid
        self.startTicks = startTicks
        self.bootID = bootID
    }

    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(host: ProcessInfo.processInfo.hostName, pid: pid,
                               startTicks: startTicks(of: pid) ?? 0, bootID: bootID)
    }

    public static var bootID: String {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }

    /// Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot.
    public static func startTicks(of pid: Int32) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? Int64(fields[19]) : nil  // field 22 counted from 1, after "pid (comm)"
    }

    /// Whether the owner may still be writing: same machine, same boot, same process.
    public var isAlive: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return true }  // another machine's: not ours to judge
        guard bootID == Self.bootID else { return false }
        if let ticks = Self.startTicks(of: pid) { return ticks == startTicks }
        // /proc/PID hidden: another user's process under ProtectProc=invisible (systemd's
        // netaudit user and an audit run by hand as root). kill(pid, 0) still tells whether
        // it exists: EPERM means it does, and it is taken as the owner.
        return kill(pid, 0) == -1 && errno == EPERM
    }

    public var goneReason: String {
        bootID == Self.bootID ? "cut off: process \(pid) ended without finishing the run"
                              : "cut off: the machine restarted during the run"
    }
}
