import Foundation
@testable import NetauditDaemon
import Testing

/// The `process_*` series: /proc's texts parsed as client_golang reads them, and this test
/// process read for real.
struct ProcessMetricsTests {
    /// A /proc/self/stat whose command name holds a space and a parenthesis, as proc(5) allows.
    static let stat = "4242 (net audit) d) S 1 4242 4242 0 -1 4194560 2391 0 0 0 1234 567 0 0 20 0 9 0 "
        + "250000 987654321 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
    static let status = "Name:\tnetaudit\nVmPeak:\t  990000 kB\nVmSize:\t  964506 kB\nVmRSS:\t   12000 kB\nThreads:\t9\n"
    static let limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             96367                96367                processes
        Max open files            524288               524288               files
        Max locked memory         8388608              8388608              bytes

        """
    static let systemStat = "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1796556361\nprocesses 7\n"

    @Test func procTextsAreReadAsThePrometheusClientsDo() {
        let metrics = ProcessMetrics.parse(stat: Self.stat, status: Self.status, limits: Self.limits,
                                           systemStat: Self.systemStat, openFDs: 17)
        #expect(metrics == ProcessMetrics(cpuSeconds: 18.01, residentBytes: 12_288_000, virtualBytes: 987_654_321,
                                          openFDs: 17, maxFDs: 524_288, startTime: 1_796_556_361 + 2500))
        let lines = Set(metrics.text().split(separator: "\n").map(String.init))
        for line in ["process_cpu_seconds_total 18.01", "process_resident_memory_bytes 12288000.0",
                     "process_virtual_memory_bytes 987654321.0", "process_open_fds 17.0", "process_max_fds 524288.0",
                     "process_start_time_seconds 1796558861.0", "# TYPE process_cpu_seconds_total counter",
                     "# TYPE process_max_fds gauge"] {
            #expect(lines.contains(line), "missing: \(line)")
        }
    }

    /// What /proc does not give is left out, not reported as 0.
    @Test func missingTextsLeaveTheirSeriesOut() {
        let metrics = ProcessMetrics.parse(stat: nil, status: "Name:\tx\n", limits: nil, systemStat: nil, openFDs: nil)
        #expect(metrics == ProcessMetrics())
        #expect(metrics.text().isEmpty)
        let noBoot = ProcessMetrics.parse(stat: Self.stat, status: nil, limits: nil, systemStat: "cpu 1\n", openFDs: nil)
        #expect(noBoot.startTime == nil && noBoot.cpuSeconds == 18.01)
    }

    /// This process: the values are there and plausible.
    @Test func thisProcess() throws {
        let before = Date().timeIntervalSince1970
        let metrics = ProcessMetrics.read()
        let open = try #require(metrics.openFDs)
        let limit = try #require(metrics.maxFDs)
        #expect(open >= 3 && open <= limit)
        let resident = try #require(metrics.residentBytes)
        #expect(resident > 1_000_000)
        #expect(try #require(metrics.virtualBytes) >= resident)
        #expect(try #require(metrics.cpuSeconds) > 0)
        let started = try #require(metrics.startTime)
        #expect(started <= before + 1 && started > before - 86_400, "started \(started), now \(before)")
        // And in /metrics, beside the daemon's own series.
        let text = DaemonMetrics().render()
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                     "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            #expect(text.contains("\n\(name) "), "missing \(name)")
        }
    }
}
