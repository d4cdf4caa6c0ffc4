import Foundation
import NetauditDaemon
import NetauditStore
import NetauditStoreSQLite
import Testing
import Yams

/// Prometheus' own checker on what netaudit ships: the alert rules (checked, and their unit
/// tests run) and the text of `/metrics`. promtool comes from Debian's prometheus package
/// (scripts/setup-debian extracts it).
struct PrometheusToolTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `promtool ARGUMENTS` in `directory` with `input` on standard input.
    static func promtool(_ arguments: [String], in directory: String = repository, input: String = "") throws -> (Int32, String) {
        try run("promtool", arguments, in: directory, input: input)
    }

    /// Whether `tool` is on the PATH.
    static func installed(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    static func run(_ tool: String, _ arguments: [String], in directory: String = repository, input: String = "") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func theAlertRulesAreValidAndFireWhenTheyShould() async throws {
        let folder = Self.repository + "/docs/prometheus"
        let check = try Self.promtool(["check", "rules", "netaudit.rules.yml"], in: folder)
        #expect(check.0 == 0, "\(check.1)")
        #expect(check.1.contains("SUCCESS: 7 rules found"))
        let test = try Self.promtool(["test", "rules", "netaudit.rules.test.yml"], in: folder)
        #expect(test.0 == 0, "\(test.1)")
    }

    /// `promtool check metrics` lints the exposition: syntax, naming, help texts.
    @Test func theMetricsTextPassesPromtool() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let run = try await store.beginRun(kind: .audit, inventory: Fixtures.inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        for link in [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true)] {
            try await store.record(link, in: run)
        }
        try await store.record(Fixtures.endpoint("52", compliant: false, expiresIn: 10), in: run)
        try await store.finishRun(run, state: .complete)
        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store)
        metrics.runEnded(kind: .audit, state: .complete, duration: .seconds(3))
        metrics.alert(.agencyDown)
        metrics.webhook(delivered: true)
        metrics.reload(accepted: false)
        metrics.spool(SpoolState(path: "/var/lib/netaudit/spool.sqlite", target: "postgresql://a@h/d", pending: 3,
                                 oldestPending: Date(timeIntervalSince1970: 1_800_000_000), lastError: "unavailable"))
        let (status, output) = try Self.promtool(["check", "metrics"], input: metrics.render())
        #expect(status == 0, "\(output)\n\(metrics.render())")
    }

    /// amtool (Debian's prometheus-alertmanager, extracted by scripts/setup-debian) accepts the
    /// Alertmanager example.
    @Test(.enabled(if: PrometheusToolTests.installed("amtool"), "amtool is not installed (scripts/setup-debian takes it out of prometheus-alertmanager)"))
    func theAlertmanagerExampleIsValid() throws {
        let (status, output) = try Self.run("amtool", ["check-config", "alertmanager-inhibit.yml"], in: Self.repository + "/docs/prometheus")
        #expect(status == 0, "\(output)")
        #expect(output.contains("1 inhibit rules"), "\(output)")
    }

    /// One district outage pages once: the alerts netaudit.rules.test.yml expects (which
    /// promtool checks fire, above) for a district and its communes down, and for the
    /// province node down, put through the inhibit rules of alertmanager-inhibit.yml as
    /// Alertmanager applies them. What is left is NetauditAgencyDown, once per agency that is
    /// itself down.
    @Test func theInhibitionLeavesOnePagePerNodeDown() throws {
        let folder = Self.repository + "/docs/prometheus"
        let config = try #require(try Yams.load(yaml: String(contentsOfFile: folder + "/alertmanager-inhibit.yml", encoding: .utf8)) as? [String: Any])
        let rules = try #require(config["inhibit_rules"] as? [[String: Any]]).map(InhibitRule.init)
        #expect(rules.count == 1)
        let tests = try #require(try Yams.load(yaml: String(contentsOfFile: folder + "/netaudit.rules.test.yml", encoding: .utf8)) as? [String: Any])

        var outages = 0
        for group in try #require(tests["tests"] as? [[String: Any]]) {
            // Every alert the group expects, by evaluation time.
            var firing: [String: [[String: String]]] = [:]
            for expectation in group["alert_rule_test"] as? [[String: Any]] ?? [] {
                let name = try #require(expectation["alertname"] as? String)
                let time = "\(expectation["eval_time"] ?? "")"
                for alert in expectation["exp_alerts"] as? [[String: Any]] ?? [] {
                    let labels = try #require(alert["exp_labels"] as? [String: Any])
                    firing[time, default: []].append(labels.mapValues { "\($0)" }.merging(["alertname": name]) { $1 })
                }
            }
            for (time, alerts) in firing where alerts.contains(where: { $0["alertname"] == "NetauditAgencyUnreachable" }) {
                outages += 1
                let pages = alerts.filter { alert in !rules.contains { $0.inhibits(alert, among: alerts) } }
                let down = alerts.filter { $0["alertname"] == "NetauditAgencyDown" }
                #expect(!down.isEmpty, "at \(time): no NetauditAgencyDown beside the unreachable agencies")
                #expect(pages.map { $0["agency"] ?? "" }.sorted() == down.map { $0["agency"] ?? "" }.sorted(), "at \(time): \(pages)")
                // Each unreachable agency's cause is a node that is down or unreachable itself.
                for alert in alerts where alert["alertname"] == "NetauditAgencyUnreachable" {
                    #expect(alerts.contains { $0["agency"] == alert["cause"] }, "\(alert)")
                }
                // Not vacuous: with a root cause that is not down, the alert would page.
                var elsewhere = try #require(alerts.first(where: { $0["alertname"] == "NetauditAgencyUnreachable" }))
                elsewhere["root_cause"] = "99999"
                #expect(!rules.contains { $0.inhibits(elsewhere, among: alerts + [elsewhere]) })
            }
        }
        #expect(outages == 2, "the district outage and the province outage of netaudit.rules.test.yml")
    }

    /// The Grafana dashboard: importable JSON (a datasource input, a title, unique panel ids),
    /// every query valid PromQL (promtool), and every metric it queries documented in
    /// docs/metrics.md; the same for the alert rules.
    @Test func theDashboardQueriesDocumentedMetrics() throws {
        let path = Self.repository + "/docs/grafana/netaudit-dashboard.json"
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(!(dashboard["title"] as? String ?? "").isEmpty)
        let inputs = dashboard["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let all = panels + panels.flatMap { $0["panels"] as? [[String: Any]] ?? [] }
        let ids = all.compactMap { $0["id"] as? Int }
        #expect(ids.count == all.count && Set(ids).count == ids.count, "panel ids: \(ids)")
        var expressions = all.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 10)
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        expressions += variables.compactMap { $0["definition"] as? String }
        // What the issue asks of it.
        for metric in ["netaudit_level_connection_ratio", "netaudit_level_connection_target_ratio", "netaudit_agency_info",
                       "netaudit_link_loss_ratio", "netaudit_link_rtt_seconds", "netaudit_endpoint_earliest_cert_expiry_timestamp_seconds",
                       "netaudit_findings", "netaudit_endpoint_finding"] {
            #expect(expressions.contains { $0.contains(metric) }, "no panel queries \(metric)")
        }

        let documentation = try String(contentsOfFile: Self.repository + "/docs/metrics.md", encoding: .utf8)
        let rules = try String(contentsOfFile: Self.repository + "/docs/prometheus/netaudit.rules.yml", encoding: .utf8)
        let histograms = ["netaudit_run_duration_seconds"]
        for text in expressions + [rules] {
            for name in try Self.metricNames(in: text) {
                let base = histograms.first(where: { name.hasPrefix($0 + "_") && ["_bucket", "_sum", "_count"].contains(String(name.dropFirst($0.count))) }) ?? name
                #expect(documentation.contains("| `\(base)` |"), "\(base) is queried but not in the tables of docs/metrics.md")
            }
        }

        guard Self.installed("promtool") else { return }
        // promtool checks recording rules' PromQL: each query as one (Grafana's $rule as a regex).
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recorded: [[String: String]] = expressions.filter { !$0.hasPrefix("label_values(") }.enumerated().map { index, expression in
            ["record": "netaudit_dashboard:query_\(index)", "expr": expression.replacingOccurrences(of: "$rule", with: ".+")]
        }
        let group: [String: Any] = ["name": "dashboard", "rules": recorded]
        let file: [String: Any] = ["groups": [group]]
        try Yams.dump(object: file).write(toFile: folder + "/dashboard.rules.yml", atomically: true, encoding: .utf8)
        let (status, output) = try Self.promtool(["check", "rules", "dashboard.rules.yml"], in: folder)
        #expect(status == 0, "\(output)")
    }

    /// The metric names in a PromQL text: netaudit_… and process_… identifiers.
    static func metricNames(in text: String) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: "\\b(?:netaudit|process)_[a-z0-9_]+")
        return Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { String(text[$0]) }
        })
    }
}

/// One inhibit rule of an Alertmanager configuration, applied as Alertmanager does: a target
/// alert is inhibited when another alert that matches the source matchers fires with the same
/// values (absent = empty) of the `equal` labels.
struct InhibitRule {
    struct Matcher {
        var label: String, operation: String, value: String

        init(_ text: String) throws {
            let pattern = try NSRegularExpression(pattern: #"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$"#)
            guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let label = Range(match.range(at: 1), in: text), let operation = Range(match.range(at: 2), in: text),
                  let value = Range(match.range(at: 3), in: text) else { throw CocoaError(.formatting) }
            self.label = String(text[label])
            self.operation = String(text[operation])
            self.value = String(text[value])
        }

        func matches(_ labels: [String: String]) -> Bool {
            let actual = labels[label] ?? ""
            let full = actual.range(of: "^(?:\(value))$", options: .regularExpression) != nil
            switch operation {
            case "=": return actual == value
            case "!=": return actual != value
            case "=~": return full
            default: return !full
            }
        }
    }

    var source: [Matcher], target: [Matcher], equal: [String]

    init(_ rule: [String: Any]) throws {
        source = try (rule["source_matchers"] as? [String] ?? []).map(Matcher.init)
        target = try (rule["target_matchers"] as? [String] ?? []).map(Matcher.init)
        equal = rule["equal"] as? [String] ?? []
        guard !source.isEmpty, !target.isEmpty else { throw CocoaError(.formatting) }
    }

    func inhibits(_ alert: [String: String], among firing: [[String: String]]) -> Bool {
        guard target.allSatisfy({ $0.matches(alert) }) else { return false }
        return firing.contains { other in
            other != alert && source.allSatisfy { $0.matches(other) } && equal.allSatisfy { (other[$0] ?? "") == (alert[$0] ?? "") }
        }
    }
}

