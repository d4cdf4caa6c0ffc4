import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Testing

/// A link sweep checks no TLS endpoint, so no view of it may say that every endpoint is
/// compliant: a full audit with bad endpoints, then a sweep, then every view (the report
/// in each format and its exit status, the daemon's `/`, `/status` and STATUS line).
@Suite(.serialized) struct SweepTLSViewTests {
    /// Both links up (TCP to a closed port answers), one endpoint good and one expired.
    static func write(_ folder: String, lab: RunningLab) throws {
        func endpoint(_ id: String) throws -> String {
            let main = try lab.endpoint(for: id)
            return "{url: \"https://\(main.hostName):\(main.port)/\", address: \(main.address)}"
        }
        try DaemonCommandTests.inventory(endpoints: "\(try endpoint("good-ecdsa")), \(try endpoint("expired"))")
            .write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
    }

    @Test func aSweepAfterABadAuditNeverReadsAsCompliant() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa", "expired"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.write(folder, lab: lab)
        let database = folder + "/r.sqlite"
        let base = ["--inventory", folder + "/inventory.yaml", "--db", database, "--ca-file", lab.trust.publicRoot.path]

        // First, a sweep with no full audit stored: TLS is "not checked", never compliant.
        let lonely = try CLIRunner.run(["audit"] + base + ["--links-only"])
        #expect(lonely.status == 0, "links met, TLS said nothing of: \(lonely.stderr)")
        #expect(lonely.stdout.contains("TLS not checked in this run, and no complete full audit of this inventory is stored"), "\(lonely.stdout)")
        #expect(lonely.stdout.contains("Result: every level meets its connection target; TLS not checked in this run."), "\(lonely.stdout)")
        #expect(!lonely.stdout.contains("every endpoint is compliant"))
        let lonelyJSON = try AuditCommandTests.json(try CLIRunner.run(["report", "--db", database, "--format", "json"]).stdout)
        #expect((lonelyJSON["summary"] as? [String: Any])?["tls_checked"] as? Bool == false)
        #expect(lonelyJSON["endpoints_from"] == nil)

        let audit = try CLIRunner.run(["audit"] + base)
        #expect(audit.status == 1, "the expired endpoint: \(audit.stderr)")
        let sweep = try CLIRunner.run(["audit"] + base + ["--links-only"])
        #expect(sweep.status == 1, "the sweep shows the audit's expired endpoint: \(sweep.stdout)")

        // `report` of the latest run (the sweep), every format.
        let table = try CLIRunner.run(["report", "--db", database])
        #expect(table.status == 1, "\(table.stdout)")
        #expect(table.stdout.contains("netaudit run 3 (link_sweep, complete)"))
        #expect(table.stdout.contains("TLS endpoints: from audit run 2 (started "), "\(table.stdout)")
        #expect(table.stdout.contains("Result: every level meets its connection target; endpoints not compliant (TLS as of run 2, "), "\(table.stdout)")
        #expect(table.stdout.contains("CRITICAL cert.expired"), "the expired certificate is listed: \(table.stdout)")
        #expect(!table.stdout.contains("every endpoint is compliant"))

        let json = try AuditCommandTests.json(try CLIRunner.run(["report", "--db", database, "--format", "json"]).stdout)
        #expect((json["run"] as? [String: Any])?["kind"] as? String == "link_sweep")
        #expect((json["endpoints_from"] as? [String: Any])?["id"] as? Int == 2)
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["tls_checked"] as? Bool == true && summary["targets_met"] as? Bool == false)
        #expect((summary["endpoints"] as? [[String: Any]])?.compactMap { $0["verdict"] as? String }.sorted() == ["compliant", "noncompliant"])

        let html = try CLIRunner.run(["report", "--db", database, "--format", "html"])
        #expect(html.status == 1)
        #expect(html.stdout.contains("<p class=\"verdict bad\">Result: every level meets its connection target; endpoints not compliant"), "\(html.stdout)")
        #expect(html.stdout.contains("TLS endpoints: from audit run 2"))

        let csv = try CLIRunner.run(["report", "--db", database, "--format", "csv"])
        #expect(csv.stdout.contains(",2,1,cert.expired"), "the province row: 2 endpoints, 1 compliant: \(csv.stdout)")

        // The daemon over the same store: its views show the audit's TLS, with its run.
        try """
            inventory: inventory.yaml
            database: r.sqlite
            trust: {ca_files: ["\(lab.trust.publicRoot.path)"]}
            schedules:
              link_sweep: {every: 1h, jitter: 0s}
              full_audit: {enabled: false}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try DaemonCommandTests.RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { daemon.stop() }
        let store = try SQLiteStore(path: database)
        #expect(try await daemon.wait(20) { try await DaemonCommandTests.linkRuns(store).count >= 3 }, "the daemon's sweep at start\n\(daemon.log)")
        let port = try #require(daemon.port, "\(daemon.log)")
        let (_, statusText) = try await DaemonCommandTests.get(port, "/status")
        let tls = try #require(try AuditCommandTests.json(statusText)["tls"] as? [String: Any], "\(statusText)")
        #expect(tls["run"] as? Int == 2 && tls["endpoints"] as? Int == 2 && tls["compliant"] as? Int == 1, "\(tls)")
        #expect(daemon.wait(5) {
            daemon.notify.messages.contains { $0.contains("STATUS=last link sweep") && $0.contains("TLS (run 2, ") && $0.contains("): 1/2 endpoints compliant") }
        }, "\(daemon.notify.messages)")
        let (pageStatus, page) = try await DaemonCommandTests.get(port, "/?lang=en")  // the pages are Vietnamese by default
        #expect(pageStatus == 200)
        #expect(page.contains("link_sweep") || page.contains("link sweep"))
        #expect(page.contains("<p class=\"verdict bad\">"), "\(page)")
        #expect(page.contains("TLS endpoints: from audit run 2"), "\(page)")
        #expect(!page.contains("every endpoint is compliant"))
    }

    /// A TLS-only run of a part of the inventory (`--only`) is not the province's TLS: the
    /// daemon counts the endpoints it did not check as not checked, never "all compliant".
    @Test func aRunOfAPartIsNotTheWholeProvincesTLS() async throws {
        let lab = try LabCatalogue.standard().start(only: ["good-ecdsa", "expired"])
        defer { lab.stop() }
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.write(folder, lab: lab)
        let part = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/r.sqlite",
                                      "--tls-only", "--only", "21583"])
        #expect(part.status == 0, "the commune has no endpoint: \(part.stderr)")
        try """
            inventory: inventory.yaml
            database: r.sqlite
            schedules: {link_sweep: {enabled: false}, full_audit: {enabled: false}}
            http: {listen: "127.0.0.1:0"}
            """.write(toFile: folder + "/netaudit.yaml", atomically: true, encoding: .utf8)
        let daemon = try DaemonCommandTests.RunningDaemon(config: folder + "/netaudit.yaml", folder: folder, watchdogMicroseconds: nil)
        defer { daemon.stop() }
        #expect(daemon.wait(20) { daemon.port != nil }, "\(daemon.log)")
        let port = try #require(daemon.port)
        let (_, statusText) = try await DaemonCommandTests.get(port, "/status")
        let tls = try #require(try AuditCommandTests.json(statusText)["tls"] as? [String: Any], "\(statusText)")
        #expect(tls["run"] as? Int == 1 && tls["endpoints"] as? Int == 2 && tls["compliant"] as? Int == 0
                && tls["not_checked"] as? Int == 2, "\(tls)")
        #expect(daemon.wait(5) { daemon.notify.messages.contains { $0.contains("): 0/2 endpoints compliant, 2 not checked") } },
                "\(daemon.notify.messages)")
    }
}
