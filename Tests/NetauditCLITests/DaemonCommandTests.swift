import NetauditCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Testing

/// `netaudit daemon` end to end: the binary, a lab province, a `NOTIFY_SOCKET` the test
/// owns, the HTTP port, the store, SIGHUP and SIGTERM.
@Suite(.serialized) struct DaemonCommandTests {
    /// A daemon started by the test, its standard error going to a file.
    final class RunningDaemon {
        let process = Process()
        let logPath: String
        let notify: LabNotifySocket

        init(config: String, folder: String, watchdogMicroseconds: Int? = 1_000_000) throws {
            logPath = folder + "/daemon.log"
            notify = try LabNotifySocket(path: folder + "/notify")
            FileManager.default.createFile(atPath: logPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["daemon", "--config", config]
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = notify.path
            if let watchdogMicroseconds { environment["WATCHDOG_USEC"] = String(watchdogMicroseconds) }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// Waits until `condition` holds, at most `seconds`.
        func wait(_ seconds: Double, for condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return try condition()
        }

        /// `wait` for a condition that reads the store.
        func wait(_ seconds: Double, for condition: () async throws -> Bool) async rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try await condition() { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return try await condition()
        }

        /// The port from the "listening on http://127.0.0.1:PORT/" line.
        var port: Int? {
            guard let range = log.range(of: #"listening on http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else { return nil }
            return Int(log[range].split(separator: ":").last!.dropLast())
        }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            notify.stop()
        }
    }

    static func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func inventory(endpoints: String, extraCommune: Bool = false, broken: Bool = false) -> String {
        """
        levels: [province, commune]
        probe: {link: {count: 1, timeout: 300ms}, tls: {timeout: 5s, http_port: 1}}
        agencies:
          - code: "52"
            name: "Tỉnh Gia Lai"
            level: province
            link: {address: 127.0.0.1, method: tcp, port: 9}
            endpoints: [\(endpoints)]
            children:
              - {code: "21583", name: "Xã Ia Ka", level: commune, link: {address: 127.0.0.1, method: tcp, port: 9}}
        \(extraCommune ? "      - {code: \"21584\", name: \"Xã Ia Grai\", level: commune, link: {address: 127.0.0.2, method: tcp, port: 9}}" : "")
        \(broken ? "      - {code: \"21585\", nmae: \"Xã Ia Tô\", level: commune}" : "")
        """
    }

    static func linkRuns(_ store: SQLiteStore) async throws -> [RunRecord] {
        try await store.runs(limit: 500).filter { $0.kind == .linkSweep && $0.state == .complete }
    }

    @Test func readyWatchdogSweepsMetricsReloadAndStop() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa", "expired"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func endpoint(_ id: String) throws -> String {
            let main = try lab.endpoint(for: id)
            return "{url: \"https://\(main.hostName):\(main.port)/\", address: \(main.address)}"
        }
        let endpoints = "\(try endpoint("good-ecdsa")), \(try endpoint("expired"))"
        try Self.inventory(endpoints: endpoints).write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: state/results.sqlite
            trust: {ca_files: ["\(lab.trust.publicRoot.path)"]}
            schedules:
              link_sweep: {every: 2s, jitter: 0s}
              full_audit: {at: "03:00", at_start: true, jitter: 0s}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)

        let daemon = try RunningDaemon(config: folder + "/netaudit.yaml", folder: folder)
        defer { daemon.stop() }
        #expect(daemon.wait(20) { !daemon.notify.messages(with: "READY=1").isEmpty }, "no READY=1\n\(daemon.log)")
        let port = try #require(daemon.port, "\(daemon.log)")
        #expect(daemon.wait(5) { daemon.notify.messages(with: "WATCHDOG=1").count >= 3 }, "watchdog pings: \(daemon.notify.messages)")

        // A complete link sweep and the full audit at start, in the store.
        let store = try SQLiteStore(path: folder + "/state/results.sqlite")
        #expect(try await daemon.wait(20) {
            let sweeps = try await Self.linkRuns(store).count
            let audit = try await store.latestRun(kinds: [.audit])
            return sweeps >= 1 && audit != nil
        }, "\(daemon.log)")
        let sweep = try #require(try await Self.linkRuns(store).first)
        #expect(try await store.linkResults(run: sweep.id).map(\.state) == [.up, .up])
        #expect(daemon.log.contains("<6>link sweep complete: run "))
        // A fresh store: the first audit's endpoints are one digest, not an alert per endpoint.
        #expect(daemon.log.contains("1 of 2 endpoints not compliant, 0 unreachable, 1 certificate expiring within 7 days; from now on each change is announced"),  // the expired one
                "the endpoints' initial state is announced\n\(daemon.log)")
        #expect(daemon.log.contains("event=initial_state"))
        #expect(!daemon.log.contains("event=endpoint_noncompliant"), "\(daemon.log)")
        #expect(daemon.notify.messages.contains { message in
            message.split(separator: "\n").contains { $0.hasPrefix("STATUS=last link sweep") && $0.contains("connected: province 1/1 (100.0%, target 100%)") }
        }, "\(daemon.notify.messages)")

        // The metrics are rebuilt from the store beside the schedules: wait for the audit's.
        var (metricsStatus, metrics) = try await Self.get(port, "/metrics")
        for _ in 0..<100 where !(metrics.contains("netaudit_endpoint_compliant{") && metrics.contains("netaudit_run_duration_seconds_count{kind=\"audit\"}")) {
            try await Task.sleep(for: .milliseconds(100))
            (metricsStatus, metrics) = try await Self.get(port, "/metrics")
        }
        #expect(metricsStatus == 200)
        for series in [
            #"netaudit_agency_connected{agency="21583",level="commune",parent="52"} 1.0"#,
            #"netaudit_link_up{agency="52",level="province",parent="",address="127.0.0.1",method="tcp:9"} 1.0"#,
            #"netaudit_link_rtt_seconds{agency="52""#,
            #"netaudit_level_connection_ratio{level="commune"} 1.0"#,
            #"netaudit_level_connection_target_ratio{level="province"} 1.0"#,
            #"netaudit_endpoint_cert_expiry_timestamp_seconds{agency="52",level="province",parent="",url="https://expired.lab.test:"#,
            #"netaudit_endpoint_tls_version_info{agency="52",level="province",parent="",url="https://good-ecdsa.lab.test:"#,
            #"netaudit_endpoint_compliant{agency="52",level="province",parent="",url="https://expired.lab.test:"#,
            #"netaudit_findings{rule="cert.expired",severity="critical",level="province"} 1.0"#,
            #"netaudit_runs_total{kind="link_sweep",state="complete"} "#,
            #"netaudit_run_duration_seconds_count{kind="audit"} 1"#,
            #"netaudit_alerts_total{event="endpoint_noncompliant"} 0"#,
        ] {
            #expect(metrics.contains(series), "missing \(series)")
        }
        // Every metric docs/metrics.md documents is served, and nothing undocumented (the
        // spool's only with a PostgreSQL store: DaemonSpoolTests; the cause of unreachable
        // agencies only when one is: DaemonMetricsTests).
        let documentation = try String(contentsOfFile: CLIRunner.repository + "/docs/metrics.md", encoding: .utf8)
        let documented = Set(documentation.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `netaudit_") || line.hasPrefix("| `process_"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }).filter { !$0.hasPrefix("netaudit_spool_") && $0 != "netaudit_link_unreachable_cause_info" }
        let served = Set(metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(documented.count >= 20)
        #expect(served == documented, "served, not documented: \(served.subtracting(documented)); documented, not served: \(documented.subtracting(served))")
        let (statusCode, statusText) = try await Self.get(port, "/status")
        #expect(statusCode == 200)
        let status = try AuditCommandTests.json(statusText)
        let schedules = try #require(status["schedules"] as? [String: Any])
        #expect(((schedules["link_sweep"] as? [String: Any])?["last"] as? [String: Any])?["state"] as? String == "complete")
        #expect(((schedules["audit"] as? [String: Any])?["last"] as? [String: Any])?["compliant_endpoints"] as? Int == 1)
        #expect(try await Self.get(port, "/healthz") == (200, "ok\n"))
        let (pageStatus, page) = try await Self.get(port, "/?lang=vi")
        #expect(pageStatus == 200 && page.contains("<title>netaudit · lần kiểm tra ") && page.contains("commune"), "\(page)")
        #expect(try await Self.get(port, "/?kind=nonsense").0 == 400)
        #expect(page.contains("href=\"/period?lang=vi\""), "the latest run links to the month's period report")
        // Without ?lang the pages are in http.language, Vietnamese by default, finding messages
        // included; ?lang=en overrides it.
        let (defaultStatus, defaultPage) = try await Self.get(port, "/")
        #expect(defaultStatus == 200 && defaultPage.contains("<title>netaudit · lần kiểm tra "), "\(defaultPage.prefix(600))")
        #expect(defaultPage.contains("href=\"/period?lang=vi\"") && !defaultPage.contains("<title>netaudit · run "))
        let (englishStatus, english) = try await Self.get(port, "/?lang=en")
        #expect(englishStatus == 200 && english.contains("<title>netaudit · run ") && english.contains("href=\"/period?lang=en\""))
        #expect(try await Self.get(port, "/period").1.contains("href=\"/?lang=vi\""))
        #expect(try await Self.get(port, "/?lang=fr").0 == 400)
        // The current month's period report, from the history the sweeps made.
        let (periodStatus, period) = try await Self.get(port, "/period?lang=vi")
        #expect(periodStatus == 200 && period.contains("<svg") && period.contains("href=\"/?lang=vi\""), "\(period.prefix(600))")
        #expect(try await Self.get(port, "/period?month=2026-13").0 == 400)

        // A broken inventory: refused with its place, the old one stays in force.
        try Self.inventory(endpoints: endpoints, extraCommune: true, broken: true)
            .write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let reloadsBefore = daemon.notify.messages(with: "RELOADING=1").count
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.wait(10) { daemon.notify.messages(with: "RELOADING=1").count == reloadsBefore + 1 })
        #expect(daemon.wait(10) { daemon.log.contains("reload refused") }, "\(daemon.log)")
        #expect(daemon.log.contains("<3>\(folder)/inventory.yaml:12:25: unknown key 'nmae' in agency (did you mean 'name'?)"), "\(daemon.log)")
        let lastMessages = daemon.notify.messages.split { $0.contains("RELOADING=1") }.last ?? []
        #expect(daemon.wait(5) { (daemon.notify.messages.split { $0.contains("RELOADING=1") }.last ?? []).contains { $0.hasPrefix("READY=1") } }, "\(lastMessages)")
        let afterRefusal = try #require(try await Self.linkRuns(store).first).id
        #expect(try await daemon.wait(10) { (try await Self.linkRuns(store).first?.id ?? afterRefusal) > afterRefusal }, "sweeps go on after a refused reload")
        let sweepAfterRefusal = try #require(try await Self.linkRuns(store).first)
        #expect(try await store.linkResults(run: sweepAfterRefusal.id).count == 2, "the old inventory is still in force")

        // A valid edit: used from the next sweep on.
        try Self.inventory(endpoints: endpoints, extraCommune: true).write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.wait(10) { daemon.log.contains("<5>reloaded: inventory") }, "\(daemon.log)")
        #expect(try await daemon.wait(15) {
            guard let run = try await Self.linkRuns(store).first else { return false }
            return try await store.linkResults(run: run.id).count == 3
        }, "\(daemon.log)")

        // SIGTERM: a clean stop well within the unit's TimeoutStopSec (45 s).
        let start = Date()
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.wait(15) { !daemon.process.isRunning })
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 10, "stopped after \(seconds) s")
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0)
        #expect(!daemon.notify.messages(with: "STOPPING=1").isEmpty)
        #expect(daemon.log.hasSuffix("<5>stopped\n"), "\(daemon.log)")
        let runs = try await store.runs(limit: 500)
        #expect(runs.allSatisfy { $0.state == .complete || ($0.state == .aborted && $0.note == "interrupted") })
        #expect(try await store.integrityCheck() == "ok")
    }

    /// An inventory that takes seconds to load (150,000 agencies in one file), as a large
    /// province on a slow disk would: while a SIGHUP reload reads it, the watchdog pings
    /// and HTTP answers, and a SIGTERM in the middle stops the daemon at once, the load
    /// abandoned (it used to run on the concurrency pool, and the stop waited for it).
    @Test func aSlowReloadNeitherStarvesTheWatchdogNorHoldsTheStop() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.inventory(endpoints: "").write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: results.sqlite
            schedules:
              link_sweep: {enabled: false}
              full_audit: {enabled: false}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: 400_000)
        defer { daemon.stop() }
        #expect(daemon.wait(20) { !daemon.notify.messages(with: "READY=1").isEmpty }, "\(daemon.log)")
        let port = try #require(daemon.port, "\(daemon.log)")

        var large = "levels: [province, commune]\nagencies:\n  - code: \"52\"\n    name: \"Tỉnh Gia Lai\"\n    level: province\n    children:\n"
        for i in 0..<150_000 {
            large += "      - {code: \"c\(i)\", name: \"Xã \(i)\", level: commune, link: {address: 127.\(1 + i / 62_500).\(i / 250 % 250).\(i % 250 + 1), method: tcp, port: 9}}\n"
        }
        try large.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.wait(10) { !daemon.notify.messages(with: "RELOADING=1").isEmpty })
        let pings = daemon.notify.messages(with: "WATCHDOG=1").count
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await Self.get(port, "/healthz") == (200, "ok\n"))
        #expect(daemon.notify.messages(with: "WATCHDOG=1").count >= pings + 3, "the watchdog goes on while the inventory loads")
        // The scenario holds only if the load is still running now.
        #expect(!daemon.log.contains("reloaded:") && !daemon.log.contains("reload refused"), "\(daemon.log)")

        let start = Date()
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.wait(60) { !daemon.process.isRunning })
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 3, "stopped after \(seconds) s")
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0)
        #expect(daemon.log.contains("<5>reload abandoned: the daemon is stopping"), "\(daemon.log)")
        #expect(daemon.log.hasSuffix("<5>stopped\n"), "\(daemon.log)")
    }

    /// SIGTERM while a full audit waits on a server that never answers: the probes are
    /// cancelled at once and the run is marked aborted, with what it measured kept.
    @Test func sigtermDuringARunAbortsItAndStopsAtOnce() async throws {
        let lab = try LabCatalogue.standard().start(only: ["tarpit"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tarpit = try lab.endpoint(for: "tarpit")
        try AuditCommandTests.writeOneAgency(to: folder, url: "https://\(tarpit.hostName):\(tarpit.port)/", address: "\(tarpit.address)",
                                             probe: "{link: {count: 1, timeout: 300ms}, tls: {timeout: 30s, http_port: 1}}")
        try """
            inventory: inventory.yaml
            database: results.sqlite
            schedules:
              link_sweep: {enabled: false}
              full_audit: {at_start: true, jitter: 0s}
            http: {enabled: false}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { daemon.stop() }
        #expect(daemon.wait(20) { !daemon.notify.messages(with: "READY=1").isEmpty }, "\(daemon.log)")
        #expect(daemon.wait(10) { daemon.log.contains("full audit started") })
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        // The link is stored; the endpoint hangs on the tarpit.
        #expect(try await daemon.wait(10) {
            guard let run = try await store.runs().first else { return false }
            return try await store.linkResults(run: run.id).count == 1
        })
        let start = Date()
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.wait(15) { !daemon.process.isRunning })
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(daemon.process.terminationStatus == 0)
        let run = try #require(try await store.runs().first)
        #expect(run.kind == .audit && run.state == .aborted && run.note == "interrupted")
        #expect(try await store.linkResults(run: run.id).count == 1)
        #expect(daemon.log.contains("<4>full audit aborted: run \(run.id.value)"), "\(daemon.log)")
    }

    /// The daemon sweeping every second while audits run beside it on the same store (the
    /// timer's netaudit-audit.service, or an operator): no "database is locked", no result lost.
    @Test func theDaemonAndAuditsShareTheStore() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var communes = ""
        for index in 1...40 {
            communes += "      - {code: \"C\(index)\", name: \"Xã \(index)\", level: commune, link: {address: 127.3.0.\(index), method: tcp, port: 9}}\n"
        }
        try """
            levels: [province, commune]
            probe: {link: {count: 2, interval: 10ms, timeout: 300ms}}
            agencies:
              - code: "52"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                children:
            \(communes)
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: results.sqlite
            schedules: {link_sweep: {every: 1s, jitter: 0s}, full_audit: {enabled: false}}
            http: {enabled: false}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { daemon.stop() }
        #expect(daemon.wait(20) { !daemon.notify.messages(with: "READY=1").isEmpty }, "\(daemon.log)")
        // Audits back to back until the daemon has swept three times beside them.
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        var audits = 0
        while audits < 60, try await Self.linkRuns(store).count < 3 {
            let audit = try CLIRunner.run(["audit", "--config", folder + "/netaudit.yaml", "--format", "json"])
            #expect(audit.status == 0, "\(audit.stderr)")
            #expect(!audit.stderr.contains("locked"))
            audits += 1
        }
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.wait(15) { !daemon.process.isRunning })
        #expect(!daemon.log.contains("locked") && !daemon.log.contains("<3>"), "\(daemon.log)")
        let runs = try await store.runs(limit: 500)
        #expect(runs.filter { $0.kind == .audit && $0.state == .complete }.count == audits)
        #expect(runs.filter { $0.kind == .linkSweep && $0.state == .complete }.count >= 3)
        for run in runs where run.state == .complete {
            #expect(try await store.linkResults(run: run.id).count == 41, "run \(run.id) (\(run.kind)) lost results")
        }
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test func checkSaysTheSiteAndSpoolOfAPostgreSQLStoreAndRefusesAPasswordInItsURL() throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.inventory(endpoints: "").write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        try """
            inventory: inventory.yaml
            database: "postgresql://netaudit_52@127.0.0.1:5432/netaudit?sslmode=disable"
            spool: state/spool.sqlite
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let check = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml", "--check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("site       52 (the inventory's top agency)"), "\(check.stdout)")
        #expect(check.stdout.contains("spool      \(folder)/state/spool.sqlite"), "\(check.stdout)")
        try """
            inventory: inventory.yaml
            database: "postgresql://netaudit_52:secret@127.0.0.1:5432/netaudit"
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let refused = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml", "--check"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("a password is never taken from the URL"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("secret") && !refused.stdout.contains("secret"))
    }

    @Test func aBadConfigurationStartsNothing() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "database: results.sqlite\nschedules:\n  link_sweep: {every: 5 minutes}\n"
            .write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("<3>\(folder)/netaudit.yaml:3:23: invalid schedules.link_sweep.every '5 minutes'"), "\(result.stderr)")
        #expect(result.stderr.contains("1 problem in the configuration \(folder)/netaudit.yaml; nothing started"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/results.sqlite"))

        let check = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml", "--check"])
        #expect(check.status == 2 && check.stderr.contains("netaudit.yaml:3:23:"))
    }

    /// The HTTP address is taken: a clear message and exit 2 (the unit does not restart on
    /// it), the store closed cleanly.
    @Test func anAddressInUseIsAClearError() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa"])
        defer { lab.stop() }
        let taken = try lab.endpoint(for: "good-ecdsa")
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditCommandTests.writeSmallProvince(to: folder, communeName: "Xã Ia Ka")
        try """
            inventory: inventory.yaml
            database: results.sqlite
            schedules: {link_sweep: {enabled: false}, full_audit: {enabled: false}}
            http: {listen: "\(taken.address):\(taken.port)"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("<3>cannot serve HTTP on \(taken.address):\(taken.port) (http.listen): "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("<5>stopped\n"))
    }

    /// What netaudit-audit.service runs: the inventory and the store come from the
    /// daemon's configuration.
    @Test func anAuditWithTheDaemonsConfiguration() async throws {
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AuditCommandTests.writeSmallProvince(to: folder, communeName: "Xã Ia Ka")
        try "inventory: inventory.yaml\ndatabase: state/results.sqlite\n"
            .write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let check = try CLIRunner.run(["daemon", "--config", folder + "/netaudit.yaml", "--check"])
        #expect(check.status == 0)
        #expect(check.stdout.contains("\(folder)/netaudit.yaml: valid\n  inventory  \(folder)/inventory.yaml (2 agencies)"))
        let audit = try CLIRunner.run(["audit", "--config", folder + "/netaudit.yaml", "--format", "json",
                                       "--output", folder + "/state/last-audit.json"])
        #expect(audit.status == 1, "\(audit.stderr)")  // the commune has no link: the target is missed
        let store = try SQLiteStore(path: folder + "/state/results.sqlite")
        #expect(try await store.runs().first?.state == .complete)
        #expect(FileManager.default.fileExists(atPath: folder + "/state/last-audit.json"))
    }
}
