import Foundation
import NetauditCore
import NetauditDaemon
import NetauditPolicy
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

    /// A province node, a district behind it and communes behind the district, judged by the
    /// real policy: the link state series, one per state, and the cause of each unreachable
    /// agency; the agency names (UTF-8, and escaped as the text format wants).
    @Test func linkStatesCausesAndNames() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let inventory = Fixtures.chain
        let policy = Policy()
        // 625 is down; 23638 and 23641 behind it are silent too; 23644 answers; 622 was not
        // conclusively probed (no ICMP socket).
        let silent: Set<String> = ["625", "23638", "23641"]
        let run = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        var states: [String: LinkState?] = [:]
        for agency in inventory.allAgencies {
            guard let link = agency.link else { continue }
            var observation = LinkObservation(address: link.address, method: link.method, sent: 5, received: silent.contains(agency.code) ? 0 : 5,
                                              roundTrip: silent.contains(agency.code) ? nil : RoundTripStatistics(milliseconds: [3, 4, 5]))
            if agency.code == "622" { observation.problem = "no ICMP socket" }
            let state = policy.linkState(observation)
            states[agency.code] = state
            let findings = policy.evaluateLink(of: agency, observation: observation, viaState: link.via.flatMap { states[$0] ?? nil })
            try await store.record(LinkResult(agencyCode: agency.code, observation: observation, state: state, findings: findings), in: run)
        }
        try await store.finishRun(run, state: .complete)

        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store)
        let text = metrics.render()
        let lines = Set(text.split(separator: "\n").map(String.init))
        func stateLines(_ code: String, _ parent: String, _ level: String, _ current: String) -> [String] {
            ["up", "degraded", "down", "unreachable", "not_probed"].map {
                "netaudit_link_state{agency=\"\(code)\",level=\"\(level)\",parent=\"\(parent)\",state=\"\($0)\"} \($0 == current ? "1.0" : "0.0")"
            }
        }
        let expected = stateLines("64", "", "province", "up") + stateLines("625", "64", "district", "down")
            + stateLines("23638", "625", "commune", "unreachable") + stateLines("23641", "625", "commune", "unreachable")
            + stateLines("23644", "625", "commune", "up") + stateLines("622", "64", "district", "not_probed") + [
            #"netaudit_link_unreachable_cause_info{agency="23638",level="commune",parent="625",cause="625",root_cause="625"} 1.0"#,
            #"netaudit_link_unreachable_cause_info{agency="23641",level="commune",parent="625",cause="625",root_cause="625"} 1.0"#,
            #"netaudit_agency_info{agency="64",name="Tỉnh Gia Lai",level="province",parent=""} 1.0"#,
            #"netaudit_agency_info{agency="625",name="Huyện KBang",level="district",parent="64"} 1.0"#,
            #"netaudit_agency_info{agency="23644",name="Xã \"Đăk\" Roong \\ mới\nbản 2",level="commune",parent="625"} 1.0"#,
            #"netaudit_agency_info{agency="SNV",name="Sở Nội vụ",level="province",parent="64"} 1.0"#,
            "# TYPE netaudit_link_state gauge",
        ]
        for line in expected {
            #expect(lines.contains(line), "missing: \(line)\n\(text)")
        }
        // Only unreachable agencies have a cause; each agency with a link has five states.
        #expect(text.components(separatedBy: "netaudit_link_unreachable_cause_info{").count - 1 == 2)
        #expect(text.components(separatedBy: "netaudit_link_state{").count - 1 == 7 * 5)
        #expect(lines.filter { $0.hasPrefix("netaudit_link_state{") && $0.hasSuffix(" 1.0") }.count == 7)
        // NetauditAgencyDown's series: only the district that is itself down.
        #expect(lines.filter { $0.hasPrefix("netaudit_link_state{") && $0.contains(#"state="down"} 1.0"#) }
            == [#"netaudit_link_state{agency="625",level="district",parent="64",state="down"} 1.0"#])
    }

    /// The province node down: its district unreachable behind it, and the communes behind
    /// the district unreachable with the district as cause and the province as root cause.
    @Test func theRootCauseIsTheFirstNodeDownUpTheChain() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let inventory = Fixtures.chain
        let policy = Policy()
        let run = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        var states: [String: LinkState?] = [:]
        for agency in inventory.allAgencies {
            guard let link = agency.link else { continue }
            let observation = LinkObservation(address: link.address, method: link.method, sent: 5, received: 0, roundTrip: nil)
            let state = policy.linkState(observation)
            states[agency.code] = state
            let findings = policy.evaluateLink(of: agency, observation: observation, viaState: link.via.flatMap { states[$0] ?? nil })
            try await store.record(LinkResult(agencyCode: agency.code, observation: observation, state: state, findings: findings), in: run)
        }
        try await store.finishRun(run, state: .complete)
        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store)
        let lines = Set(metrics.render().split(separator: "\n").map(String.init))
        for line in [
            #"netaudit_link_state{agency="64",level="province",parent="",state="down"} 1.0"#,
            #"netaudit_link_state{agency="625",level="district",parent="64",state="unreachable"} 1.0"#,
            #"netaudit_link_unreachable_cause_info{agency="625",level="district",parent="64",cause="64",root_cause="64"} 1.0"#,
            #"netaudit_link_unreachable_cause_info{agency="23638",level="commune",parent="625",cause="625",root_cause="64"} 1.0"#,
            #"netaudit_link_unreachable_cause_info{agency="SNV",level="province",parent="64",cause="64",root_cause="64"} 1.0"#,
        ] {
            #expect(lines.contains(line), "missing: \(line)\n\(lines.sorted().joined(separator: "\n"))")
        }
    }

    /// Per endpoint: one series per finding, and the earliest expiry of the chain it sent
    /// (an intermediate expiring before the leaf).
    @Test func endpointFindingsAndTheEarliestExpiryOfTheChain() async throws {
        let folder = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var endpoint = Fixtures.endpoint("52", compliant: false, expiresIn: 40, now: now)
        var intermediate = endpoint.observation.certificates[0]
        intermediate.subject = "CN=Lab Intermediate"
        intermediate.isCA = true
        intermediate.notAfter = now.addingTimeInterval(86_400 * 10)
        endpoint.observation.certificates.append(intermediate)
        endpoint.findings.append(Finding(id: "cert.chain_incomplete", severity: .medium, message: "chain"))
        let run = try await store.beginRun(kind: .audit, inventory: Fixtures.inventory, inventoryPath: "inventory.yaml", inventoryHash: "x")
        try await store.record(endpoint, in: run)
        try await store.finishRun(run, state: .complete)
        let metrics = DaemonMetrics()
        try await metrics.refresh(from: store, now: now)
        let text = metrics.render()
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            #"netaudit_endpoint_finding{agency="52",url="https://gialai.test/",rule="proto.tls1_0",severity="high"} 1.0"#,
            #"netaudit_endpoint_finding{agency="52",url="https://gialai.test/",rule="cert.chain_incomplete",severity="medium"} 1.0"#,
            "netaudit_endpoint_earliest_cert_expiry_timestamp_seconds{agency=\"52\",level=\"province\",parent=\"\",url=\"https://gialai.test/\"} \(now.addingTimeInterval(864_000).timeIntervalSince1970)",
            "netaudit_endpoint_cert_expiry_timestamp_seconds{agency=\"52\",level=\"province\",parent=\"\",url=\"https://gialai.test/\"} \(now.addingTimeInterval(86_400 * 40).timeIntervalSince1970)",
            // The names come from the audit's inventory when no run has links.
            #"netaudit_agency_info{agency="21583",name="Xã Ia Ka",level="commune",parent="52"} 1.0"#,
        ] {
            #expect(lines.contains(line), "missing: \(line)\n\(text)")
        }
        #expect(text.components(separatedBy: "netaudit_endpoint_finding{").count - 1 == 2)
    }
}
