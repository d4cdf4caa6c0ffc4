internal import CNetauditShims
import Foundation
import NetauditCore

/// The open-file limit of the process, and how many checks fit in it.
public enum ProcessLimits {
    /// Raises the soft limit of open files to the hard limit (1024 soft by default; 524288
    /// hard under systemd): a national sweep holds thousands of sockets. Called once at
    /// start by the CLI and the daemon (and again, harmlessly, by every probe engine);
    /// returns the budget in force afterwards.
    @discardableResult
    public static func raiseOpenFiles() -> DescriptorBudget {
        var limit = rlimit()
        if getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
        }
        return DescriptorBudget.current()
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }

    /// The soft and hard limits of open files (RLIM_INFINITY, all ones, as Int.max).
    static func openFiles() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return (Int.max, Int.max) }
        func value(_ raw: rlim_t) -> Int { raw > rlim_t(Int.max) ? Int.max : Int(raw) }
        return (value(limit.rlim_cur), value(limit.rlim_max))
    }

    /// Descriptors open now (/proc/self/fd, less the one that lists it).
    static func openDescriptors() -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0
        return max(0, entries - 1)
    }
}

/// How many endpoint checks can run at once within the open-file limit. An endpoint check
/// holds at most 6 sockets at once (HTTPS, plain HTTP, four hellos), a TCP link series
/// about as many (overlapping connects), and curl may add a resolver socket pair: 8 per
/// check. Beside the checks, the process keeps `reserve` descriptors for what else it
/// opens while probing: the results store (SQLite and its journal), the ICMP sockets,
/// curl's wake-up pair, logs, the daemon's HTTP server and webhook.
public struct DescriptorBudget: Sendable, Hashable {
    /// The soft limit of open files (RLIMIT_NOFILE).
    public let softLimit: Int
    /// The hard limit: the most an unprivileged process can raise the soft one to.
    public let hardLimit: Int
    /// Descriptors already open when the budget was taken.
    public let openAtStart: Int

    /// Descriptors one check may hold at once.
    public static let perCheck = 8
    /// Descriptors kept for the rest of the process.
    public static let reserve = 24

    public init(softLimit: Int, hardLimit: Int, openAtStart: Int) {
        self.softLimit = softLimit
        self.hardLimit = hardLimit
        self.openAtStart = openAtStart
    }

    /// The budget of this process now.
    public static func current() -> DescriptorBudget {
        let (soft, hard) = ProcessLimits.openFiles()
        return DescriptorBudget(softLimit: soft, hardLimit: hard, openAtStart: ProcessLimits.openDescriptors())
    }

    /// Checks that fit at once; 0 when not even one does for sure (they then run one at a
    /// time, and a connection that finds no descriptor is retried until its deadline).
    public var checksThatFit: Int {
        guard softLimit != Int.max else { return Int.max }
        return max(0, (softLimit - openAtStart - Self.reserve) / Self.perCheck)
    }

    /// The smallest soft limit that holds one check beside what is open and the reserve.
    public var minimumLimit: Int { openAtStart + Self.reserve + Self.perCheck }

    /// `concurrency` checks at once, or fewer if the limit does not hold that many; at least 1.
    public func concurrency(atMost concurrency: Int) -> Int {
        max(1, min(concurrency, checksThatFit))
    }
}

/// errno values that mean netaudit itself ran short, not that the target failed.
enum LocalResources {
    /// A `LocalFailure` for `code` from `call` (`socket()`, `connect()`), or nil when the
    /// error is not netaudit's own (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH… are answers).
    static func failure(errno code: Int32, during call: String) -> LocalFailure? {
        let reason: LocalFailure.Reason
        switch code {
        case EMFILE, ENFILE: reason = .outOfDescriptors
        case ENOBUFS, ENOMEM, EADDRNOTAVAIL, EAGAIN: reason = .outOfResources
        default: return nil
        }
        return LocalFailure(reason: reason, message: "\(call): \(String(cString: strerror(code))) (\(name(code)))")
    }

    private static func name(_ code: Int32) -> String {
        switch code {
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EAGAIN: return "EAGAIN"
        default: return "errno \(code)"
        }
    }
}
