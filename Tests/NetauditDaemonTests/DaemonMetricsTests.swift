import Foundation
import NetauditCore
import NetauditDaemon
import NetauditStore
import NetauditStoreSQLite
import Testing

/// `/metrics` from a real store: the documented series with their labels and values.
struct DaemonMetricsTests {
    @Test func theNetworkAsTheLatestRunsShowIt() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let inventory = Fixtures.inventory
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let audit = try await store.beginRun(kind: .audit, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        try await store.record(Fixtures.endpoint("52", compliant: false, expiresIn: 10, now: now), in: audit)
        for link in [Fixtures.link("52", up: true), Fixtures.link("21583", up: true), Fixtures.link("21584", up: true)] {
            try await store.record(link, in: audit)
        }
        try await store.finishRun(audit, state: .complete, endedAt: now)
        let sweep = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        for link in [Fixtures.link("52", up: true), Fixtures.link("21583", up: false), Fixtures.link("21584", up: true, loss: 0.4)] {
            try await store.record(link, in: sweep)
        }
        try await store.finishRun(sweep, state: .complete, endedAt: now.addingTimeInterval(300))

        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store, now: now)
        metrics.runEnded(kind: .linkSweep, state: .complete, duration: .seconds(12))
        let text = metrics.render()
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            #"netaudit_agency_connected{agency="21583",level="commune",parent="52"} 0.0"#,
            #"netaudit_agency_connected{agency="52",level="province",parent=""} 1.0"#,
            #"netaudit_link_up{agency="21584",level="commune",parent="52",address="127.0.1.2",method="icmp"} 1.0"#,
            #"netaudit_link_loss_ratio{agency="21584",level="commune",parent="52",address="127.0.1.2",method="icmp"} 0.4"#,
            #"netaudit_link_rtt_seconds{agency="52",level="province",parent="",address="127.0.0.52",method="tcp:9"} 0.002"#,
            #"netaudit_level_connection_ratio{level="commune"} 0.5"#,
            #"netaudit_level_connection_target_ratio{level="commune"} 1.0"#,
            #"netaudit_level_agencies{level="commune"} 2.0"#,
            #"netaudit_level_connected_agencies{level="province"} 1.0"#,
            #"netaudit_endpoint_compliant{agency="52",level="province",parent="",url="https://gialai.test/"} 0.0"#,
            #"netaudit_endpoint_tls_up{agency="52",level="province",parent="",url="https://gialai.test/"} 1.0"#,
            #"netaudit_endpoint_tls_version_info{agency="52",level="province",parent="",url="https://gialai.test/",version="TLSv1.3"} 1.0"#,
            "netaudit_endpoint_cert_expiry_timestamp_seconds{agency=\"52\",level=\"province\",parent=\"\",url=\"https://gialai.test/\"} \(now.addingTimeInterval(864_000).timeIntervalSince1970)",
            #"netaudit_findings{rule="link.down",severity="critical",level="commune"} 1.0"#,
            #"netaudit_findings{rule="proto.tls1_0",severity="high",level="province"} 1.0"#,
            #"netaudit_last_run_id{kind="link_sweep"} 2.0"#,
            #"netaudit_last_run_id{kind="audit"} 1.0"#,
            #"netaudit_runs_total{kind="link_sweep",state="complete"} 1"#,
            #"netaudit_runs_total{kind="audit",state="aborted"} 0"#,
            #"netaudit_run_duration_seconds_count{kind="link_sweep"} 1"#,
        ]
        for line in expected {
            #expect(lines.contains(line), "missing: \(line)\n\(text)")
        }
        #expect(text.contains("# TYPE netaudit_agency_connected gauge"))
        #expect(text.contains("# HELP netaudit_link_up "))
        // Links come from the newest run with links (the sweep, where 21583 is down), not the audit.
        #expect(lines.contains(#"netaudit_link_up{agency="21583",level="commune",parent="52",address="127.0.1.1",method="icmp"} 0.0"#))
        #expect(lines.contains(#"netaudit_link_loss_ratio{agency="21583",level="commune",parent="52",address="127.0.1.1",method="icmp"} 1.0"#))
        #expect(!text.contains("netaudit_link_rtt_seconds{agency=\"21583\""))
    }
}
