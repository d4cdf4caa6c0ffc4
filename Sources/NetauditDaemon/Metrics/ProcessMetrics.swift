import Foundation
import Prometheus

/// The standard `process_*` series of Prometheus' client libraries (their "process
/// collector"; swift-prometheus has none), read from Linux's /proc at each scrape with the
/// same semantics as client_golang's: CPU time in seconds, memory in bytes, descriptors open
/// against the soft limit, and the start time as Unix time. A value /proc does not give is
/// left out rather than made up.
struct ProcessMetrics: Sendable, Equatable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var startTime: Double?

    /// Clock ticks per second of the times in /proc/PID/stat: USER_HZ, which Linux fixes at
    /// 100 for user space whatever the kernel's own HZ (procfs in Go assumes the same).
    static let ticksPerSecond = 100.0

    /// This process, now.
    static func read(proc: String = "/proc") -> ProcessMetrics {
        func file(_ path: String) -> String? { try? String(contentsOfFile: proc + "/" + path, encoding: .utf8) }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: proc + "/self/fd")).map { max(0, $0.count - 1) }
        return parse(stat: file("self/stat"), status: file("self/status"), limits: file("self/limits"),
                     systemStat: file("stat"), openFDs: descriptors)
    }

    /// The values from the texts of /proc/self/stat, /proc/self/status, /proc/self/limits
    /// and /proc/stat (any of them nil when unreadable), and the count of /proc/self/fd
    /// (less the descriptor that listed it).
    static func parse(stat: String?, status: String?, limits: String?, systemStat: String?, openFDs: Int?) -> ProcessMetrics {
        var metrics = ProcessMetrics()
        // Fields after "pid (comm)", which may hold spaces and parentheses: the state is
        // field 3 of proc(5), so field N is at index N - 3.
        if let stat, let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15) { metrics.cpuSeconds = (user + system) / ticksPerSecond }
            metrics.virtualBytes = field(23)
            if let started = field(22), let boot = systemStat.flatMap(bootTime) {
                metrics.startTime = boot + started / ticksPerSecond
            }
        }
        // VmRSS in kB: the resident set without reading the page size.
        if let status, let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Double($0) }) {
            metrics.residentBytes = kilobytes * 1024
        }
        if let limits, let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) {
            let soft = line.dropFirst("Max open files".count).split(separator: " ", omittingEmptySubsequences: true).first
            metrics.maxFDs = soft.flatMap { Double($0) }
        }
        metrics.openFDs = openFDs.map { Double($0) }
        return metrics
    }

    /// `btime` of /proc/stat: when the system booted (Unix time).
    private static func bootTime(_ systemStat: String) -> Double? {
        systemStat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }

    /// The series in Prometheus' text format (the names and help texts of client_golang).
    func text() -> String {
        let registry = PrometheusCollectorRegistry()
        if let cpuSeconds {
            registry.makeCounter(descriptor: .named("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."))
                .increment(by: cpuSeconds)
        }
        let gauges: [(String, String, Double?)] = [
            ("process_resident_memory_bytes", "Resident memory size in bytes.", residentBytes),
            ("process_virtual_memory_bytes", "Virtual memory size in bytes.", virtualBytes),
            ("process_open_fds", "Number of open file descriptors.", openFDs),
            ("process_max_fds", "Maximum number of open file descriptors.", maxFDs),
            ("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", startTime),
        ]
        for (name, help, value) in gauges {
            guard let value else { continue }
            registry.makeGauge(descriptor: .named(name, help)).set(value)
        }
        return registry.emitToString()
    }
}
