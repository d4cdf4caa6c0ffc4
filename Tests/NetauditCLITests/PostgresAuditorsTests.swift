import Foundation
import Glibc
import NetauditStores
import NetauditTestSupport
import Testing

/// Several auditors, one PostgreSQL (issue 12), with the real binary: three `netaudit audit`
/// processes of three sites and a `netaudit daemon` of a fourth write into one database at
/// once, each as its site's role; the site a run is written under comes from `--site`,
/// `site:` or the inventory; the password comes from systemd's credentials folder.
///
/// Each process has its own `STATE_DIRECTORY` (a site's machine), so its runs go through
/// its own spool (the default with a URL) and are counted once shipped. Every probe goes to
/// 127.0.0.1: port 9 (closed: the reset counts as an answer, the link is
/// up) and a `Blackhole` (no answer: the link is down, with its findings).
@Suite(.serialized, .enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.unavailableReason ?? "")))
struct PostgresAuditorsTests {
    static let docs = CLIRunner.repository + "/docs"

    /// A site's province: the top agency `site` and commune `site`1 up, commune `site`2
    /// down (the blackhole), commune `site`3 without a link.
    static func writeInventory(site: String, down: Blackhole, to path: String) throws {
        try """
            levels: [province, commune]
            probe: {link: {count: 1, timeout: 300ms}}
            agencies:
              - code: "\(site)"
                name: "Tỉnh \(site)"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                children:
                  - {code: "\(site)1", name: "Xã một", level: commune, link: {address: 127.0.0.1, method: tcp, port: 9}}
                  - {code: "\(site)2", name: "Xã hai", level: commune, link: {address: \(down.address), method: tcp, port: \(down.port)}}
                  - {code: "\(site)3", name: "Xã ba", level: commune}
            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A daemon configuration: `database`, a link sweep every second, a full audit at start.
    static func writeDaemonConfiguration(database: String, site: String?, to folder: String) throws {
        try """
            inventory: inventory.yaml
            database: \(database)
            \(site.map { "site: \"\($0)\"" } ?? "")
            schedules:
              link_sweep: {every: 1s, jitter: 0s}
              full_audit: {at: "03:00", at_start: true, jitter: 0s}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
    }

    /// `netaudit daemon --config FOLDER/netaudit.yaml`, its standard error in FOLDER/daemon.log.
    /// `credentials`: the daemon's `CREDENTIALS_DIRECTORY`, as systemd sets it. Its
    /// `STATE_DIRECTORY` (where its spool is) is `folder`, as for every process here: one
    /// machine per site, never /var/lib/netaudit.
    static func startDaemon(in folder: String, credentials: String? = nil) throws -> Process {
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        daemon.arguments = ["daemon", "--config", folder + "/netaudit.yaml"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = nil
        environment["WATCHDOG_USEC"] = nil
        environment["CREDENTIALS_DIRECTORY"] = credentials
        environment["STATE_DIRECTORY"] = folder
        daemon.environment = environment
        FileManager.default.createFile(atPath: folder + "/daemon.log", contents: nil)
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/daemon.log"))
        daemon.standardInput = FileHandle.nullDevice
        try daemon.run()
        return daemon
    }

    static func log(_ folder: String) -> String { (try? String(contentsOfFile: folder + "/daemon.log", encoding: .utf8)) ?? "" }

    /// The runs the daemon reported complete ("link sweep complete: run N", "full audit complete: run N").
    static func daemonCompleteRuns(_ folder: String) -> Int {
        log(folder).split(separator: "\n").filter { $0.contains(" complete: run ") }.count
    }

    static func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    /// Rows of `query`, run as the owner (who is not subject to the sites' policies), each
    /// split at `|`.
    static func rows(_ server: PostgresServer, _ database: String, _ query: String, as user: String = "netaudit") throws -> [[String]] {
        try server.sql(query, database: database, user: user).split(separator: "\n")
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// A fresh database, migrated by its owner (`netaudit`) with netaudit's own open, as an
    /// operator does once after installing; then the roles of docs/postgresql-roles.sql.
    static func migratedDatabase(_ server: PostgresServer) async throws -> String {
        let url = try server.createDatabase()
        let owner = try await Stores.open(url)
        try await owner.close()
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        try server.sqlFile(docs + "/postgresql-roles.sql", database: database)
        return database
    }

    /// One JSON report of `netaudit audit --format json`, as far as these tests read it.
    struct Printed {
        let state: String
        /// Per agency in the gap list, the rule ids of its findings.
        let findings: [String: [String]]

        init(_ output: String) throws {
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            let run = try #require(object?["run"] as? [String: Any])
            state = run["state"] as? String ?? "?"
            let gaps = (object?["summary"] as? [String: Any])?["gaps"] as? [[String: Any]] ?? []
            var findings: [String: [String]] = [:]
            for gap in gaps {
                let ids = (gap["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                if let code = gap["code"] as? String, !ids.isEmpty { findings[code] = ids.sorted() }
            }
            self.findings = findings
        }
    }

    /// What the auditors' processes printed, per site, in the order they ran.
    final class Printouts: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [String: [CLIRunner.Result]] = [:]

        func add(_ result: CLIRunner.Result?, for site: String) {
            lock.lock()
            defer { lock.unlock() }
            if let result { collected[site, default: []].append(result) }
        }

        var results: [String: [CLIRunner.Result]] {
            lock.lock()
            defer { lock.unlock() }
            return collected
        }
    }

    // MARK: - Three auditors and a daemon at once

    /// Issue 12: "Three auditors of three sites and a daemon run in parallel into one database:
    /// every run and result is there, exactly once." Each auditor runs as its site's role
    /// (docs/postgresql-site-role.sql), as the daemon does. Runs are counted by what the
    /// processes printed (three reports each; the daemon's "complete: run" log lines) and
    /// by what PostgreSQL holds, never by comparing run ids.
    @Test func threeAuditorsAndADaemonOfFourSitesWriteEveryRunOnceIntoOneDatabase() async throws {
        let server = try PostgresServer.shared()
        let database = try await Self.migratedDatabase(server)
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let down = try Blackhole(address: "127.0.0.1")
        let auditorSites = ["52", "64", "66"], daemonSite = "68"
        var urls: [String: String] = [:]
        for site in auditorSites + [daemonSite] {
            let role = "auditor_\(site)_\(database.suffix(8))"
            try server.sqlFile(Self.docs + "/postgresql-site-role.sql", database: database, variables: ["role": role, "site": site])
            urls[site] = server.url(database: database, user: role)
            try FileManager.default.createDirectory(atPath: folder + "/" + site, withIntermediateDirectories: true)
            try Self.writeInventory(site: site, down: down, to: folder + "/\(site)/inventory.yaml")
        }
        try Self.writeDaemonConfiguration(database: urls[daemonSite]!, site: nil, to: folder + "/" + daemonSite)

        let daemon = try Self.startDaemon(in: folder + "/" + daemonSite)
        defer { CLIRunner.stop(daemon) }
        // Three auditors at once, each three runs in a row (a link sweep between two full
        // audits), on threads of their own: blocking waits stay off the concurrency pool.
        let printed = Printouts()
        let group = DispatchGroup()
        for site in auditorSites {
            let url = urls[site]!
            group.enter()
            Thread {
                for index in 0..<3 {
                    let result = try? CLIRunner.run(["audit", "--inventory", folder + "/\(site)/inventory.yaml", "--db", url,
                                                     "--format", "json"] + (index == 1 ? ["--links-only"] : []),
                                                    environment: ["STATE_DIRECTORY": folder + "/" + site])
                    printed.add(result, for: site)
                }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success, "the auditors did not finish within 60 s")
        // The daemon worked alongside: at least its full audit and two sweeps, then SIGTERM.
        #expect(Self.waitUntil(20) { Self.daemonCompleteRuns(folder + "/" + daemonSite) >= 3 }, "\(Self.log(folder + "/" + daemonSite))")
        CLIRunner.stop(daemon)
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "\(Self.log(folder + "/" + daemonSite))")
        let daemonReported = Self.daemonCompleteRuns(folder + "/" + daemonSite)
        // The daemon shipped its runs as they ended, and at SIGTERM what was left (a run cut
        // off, one that had just ended): its spool is empty.
        let shipped = try Self.rows(server, database, "SELECT count(*) FROM runs WHERE site = '\(daemonSite)' AND state = 'complete'")
        #expect(Int(shipped.first?.first ?? "") ?? 0 == daemonReported, "\(shipped), reported \(daemonReported)")
        let check = try CLIRunner.run(["store", "check", "--db", urls[daemonSite]!, "--spool", folder + "/\(daemonSite)/spool.sqlite"])
        #expect(check.stdout.contains("every ended run shipped"), "\(check.stdout)\(check.stderr)")

        func sql(_ query: String) throws -> [[String]] { try Self.rows(server, database, query) }
        let daemonComplete = try Self.checkRuns(sql, auditorSites: auditorSites, daemonSite: daemonSite, daemonReported: daemonReported)
        try Self.checkLinkResults(sql, runs: 3 * auditorSites.count + daemonComplete)
        try Self.checkFindings(sql, printed: printed.results, daemonSite: daemonSite)
        // And they did run at once: runs of different sites overlap in time.
        #expect(try sql("""
            SELECT count(*) > 0 FROM runs a JOIN runs b ON a.site < b.site AND a.started_at < b.ended_at AND b.started_at < a.ended_at
            """) == [["t"]])
    }

    typealias SQL = (String) throws -> [[String]]

    /// Exactly the sites written; three complete runs per auditor; the daemon's as many as it
    /// reported, none left running. Returns the daemon's complete runs.
    static func checkRuns(_ sql: SQL, auditorSites: [String], daemonSite: String, daemonReported: Int) throws -> Int {
        let states = try sql("SELECT site, state, count(*) FROM runs GROUP BY site, state ORDER BY site, state")
        let daemonRows = states.filter { $0[0] == daemonSite }
        let daemonComplete = Int(daemonRows.first { $0[1] == "complete" }?[2] ?? "0") ?? 0
        // A run in flight when SIGTERM came (at most one per kind: a sweep and a full audit) may
        // be stored complete without its log line, or aborted.
        #expect(daemonComplete >= daemonReported && daemonComplete <= daemonReported + 2, "\(states), reported \(daemonReported)")
        #expect(daemonRows.allSatisfy { $0[1] == "complete" || ($0[1] == "aborted" && Int($0[2])! <= 2) }, "\(daemonRows)")
        #expect(states == auditorSites.map { [$0, "complete", "3"] } + daemonRows)
        return daemonComplete
    }

    /// Every complete run: one link result per agency with a link, of its own site's agencies
    /// only; no duplicate (run, agency); no result or finding of one site in another's run.
    static func checkLinkResults(_ sql: SQL, runs: Int) throws {
        let perRun = try sql("""
            SELECT r.site, r.id, string_agg(l.agency_code || '=' || l.state, ',' ORDER BY l.agency_code)
            FROM runs r LEFT JOIN link_results l ON l.run_id = r.id WHERE r.state = 'complete' GROUP BY r.site, r.id ORDER BY r.id
            """)
        #expect(perRun.count == runs)
        for row in perRun {
            #expect(row[2] == "\(row[0])=up,\(row[0])1=up,\(row[0])2=down", "run \(row[1]) of site \(row[0])")
        }
        #expect(try sql("SELECT run_id, agency_code FROM link_results GROUP BY run_id, agency_code HAVING count(*) > 1").isEmpty)
        for table in ["link_results", "findings"] {
            #expect(try sql("""
                SELECT t.run_id, t.agency_code FROM \(table) t JOIN runs r ON r.id = t.run_id
                WHERE t.site <> r.site OR left(t.agency_code, 2) <> r.site
                """).isEmpty, "\(table)")
        }
        #expect(try sql("SELECT count(*) FROM endpoint_results") == [["0"]])
    }

    /// Each auditor's runs hold the findings its reports printed (the down commune's
    /// link.down, the one without a link's link.unconfigured), report by report; the
    /// daemon's runs the same for its own communes.
    static func checkFindings(_ sql: SQL, printed: [String: [CLIRunner.Result]], daemonSite: String) throws {
        func findings(site: String, complete: Bool) throws -> [String] {
            try sql("""
                SELECT r.id, coalesce(string_agg(f.agency_code || ':' || f.rule_id, ',' ORDER BY f.agency_code, f.rule_id), '')
                FROM runs r LEFT JOIN findings f ON f.run_id = r.id WHERE r.site = '\(site)' \(complete ? "AND r.state = 'complete'" : "")
                GROUP BY r.id ORDER BY r.id
                """).map { $0[1] }
        }
        var perCommune: [String]?  // "2:link.down", … (the codes less the site's)
        for (site, results) in printed.sorted(by: { $0.key < $1.key }) {
            let reports = try results.map { try Printed($0.stdout) }
            #expect(reports.count == 3 && reports.allSatisfy { $0.state == "complete" }, "site \(site): \(results.map(\.stderr))")
            #expect(results.allSatisfy { $0.status == 1 }, "site \(site)")  // stored; commune 2 is down
            #expect(reports.allSatisfy { $0.findings.keys.sorted() == ["\(site)2", "\(site)3"] }, "\(reports.map(\.findings))")
            let lists = reports.map { report in report.findings.sorted { $0.key < $1.key }.flatMap { code, ids in ids.map { "\(code):\($0)" } } }
            // Each process's runs in the order it made them (their ids increase).
            #expect(try findings(site: site, complete: false) == lists.map { $0.joined(separator: ",") }, "site \(site)")
            perCommune = perCommune ?? lists.first?.map { String($0.dropFirst(site.count)) }
        }
        let expected = (perCommune ?? []).map { daemonSite + $0 }.joined(separator: ",")
        let daemon = try findings(site: daemonSite, complete: true)
        #expect(!expected.isEmpty && daemon.allSatisfy { $0 == expected }, "\(daemon)")
    }

    // MARK: - The site a run is written under

    /// `--site` of `netaudit audit`, else the inventory's top agency; `site:` of the daemon's
    /// configuration: each reaches `runs.site` (and the results' `site`).
    @Test func theSiteComesFromSiteOptionSiteSettingOrTheInventorysTopAgency() async throws {
        let server = try PostgresServer.shared()
        let database = try await Self.migratedDatabase(server)
        let url = server.url(database: database, user: "netaudit")
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let down = try Blackhole(address: "127.0.0.1")
        try Self.writeInventory(site: "52", down: down, to: folder + "/inventory.yaml")

        let state = ["STATE_DIRECTORY": folder]
        let named = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", url, "--site", "99", "--links-only"],
                                      environment: state)
        #expect(named.status == 1, "\(named.stderr)")  // commune 522 is down
        let unnamed = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", url, "--links-only"], environment: state)
        #expect(unnamed.status == 1, "\(unnamed.stderr)")
        try Self.writeDaemonConfiguration(database: url, site: "98", to: folder)
        let daemon = try Self.startDaemon(in: folder)
        defer { CLIRunner.stop(daemon) }
        // Until a run of the daemon's is in PostgreSQL (shipped from its spool).
        #expect(Self.waitUntil(20) {
            (try? Self.rows(server, database, "SELECT count(*) FROM runs WHERE site = '98' AND state = 'complete'")) != [["0"]]
        }, "\(Self.log(folder))")
        CLIRunner.stop(daemon)

        func sql(_ query: String) throws -> [[String]] { try Self.rows(server, database, query) }
        let sites = try sql("SELECT site, count(*) FROM runs WHERE state = 'complete' GROUP BY site ORDER BY site")
        #expect(sites.map { $0[0] } == ["52", "98", "99"], "\(sites)")
        #expect(sites.filter { $0[0] != "98" }.map { $0[1] } == ["1", "1"])
        #expect(try sql("SELECT count(*) FROM link_results l JOIN runs r ON r.id = l.run_id WHERE l.site <> r.site") == [["0"]])
        #expect(try sql("SELECT DISTINCT site FROM link_results ORDER BY site").map { $0[0] } == ["52", "98", "99"])
    }

    // MARK: - The password from systemd's credentials

    /// A role that must give a password (SCRAM-SHA-256) gets in with the one in
    /// `$CREDENTIALS_DIRECTORY/netaudit-db-password` (what `LoadCredential=` provides), and
    /// not without it or with another.
    @Test func thePasswordIsReadFromSystemdsCredentialsFolder() async throws {
        let server = try PostgresServer.shared()
        let role = "password_" + UUID().uuidString.prefix(8).lowercased()
        try server.createPasswordRole(role, password: "s3cret ü'x")
        let url = try server.createDatabase(owner: role)
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let down = try Blackhole(address: "127.0.0.1")
        try Self.writeInventory(site: "52", down: down, to: folder + "/inventory.yaml")
        for (name, password) in [("right", "s3cret ü'x\n"), ("wrong", "guess\n")] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: folder + "/\(name)/netaudit-db-password", contents: Data(password.utf8),
                                           attributes: [.posixPermissions: 0o600])
        }
        let audit = ["audit", "--inventory", folder + "/inventory.yaml", "--db", url, "--links-only"]

        let without = try CLIRunner.run(audit, environment: ["CREDENTIALS_DIRECTORY": nil, "STATE_DIRECTORY": folder])
        #expect(without.status == 2, "\(without.stderr)")
        #expect(without.stderr.contains("the server asks for a password: give it with passfile= or LoadCredential=netaudit-db-password"),
                "\(without.stderr)")
        let wrong = try CLIRunner.run(audit, environment: ["CREDENTIALS_DIRECTORY": folder + "/wrong", "STATE_DIRECTORY": folder])
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("password authentication failed for user \"\(role)\""), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("guess"))
        let right = try CLIRunner.run(audit, environment: ["CREDENTIALS_DIRECTORY": folder + "/right", "STATE_DIRECTORY": folder])
        #expect(right.status == 1, "\(right.stderr)")  // stored; commune 522 is down
        #expect(try Self.rows(server, database, "SELECT site, state FROM runs", as: "postgres") == [["52", "complete"]])
        // The daemon, as netaudit.service with the drop-in's LoadCredential= starts it.
        try Self.writeDaemonConfiguration(database: url, site: nil, to: folder)
        let daemon = try Self.startDaemon(in: folder, credentials: folder + "/right")
        defer { CLIRunner.stop(daemon) }
        // Until a run of the daemon's is in PostgreSQL (shipped from its spool).
        #expect(Self.waitUntil(20) {
            (try? Self.rows(server, database, "SELECT count(*) > 1 FROM runs WHERE state = 'complete'", as: "postgres")) == [["t"]]
        }, "\(Self.log(folder))")
        CLIRunner.stop(daemon)
        #expect(daemon.terminationStatus == 0, "\(Self.log(folder))")
    }
}
