import Foundation
import NetauditCore
import NetauditPolicy
import NetauditProbes
import NetauditReports
import NetauditStore
import Prometheus
import Synchronization

/// What `/metrics` serves, in Prometheus' text format (docs/metrics.md). Two parts:
///
/// - the process's own counters and histograms (runs, alerts, webhook deliveries,
///   reloads), which only ever grow while the daemon lives;
/// - the state of the network as the store's latest runs show it (per agency, endpoint,
///   rule and level), rebuilt from the store after every run, so that it also shows the
///   runs of `netaudit audit` started by the timer or by hand, and an agency removed from
///   the inventory disappears with the next run instead of lingering.
public final class DaemonMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let snapshot = Mutex<(text: String, links: RunID?, tls: RunID?)>(("", nil, nil))
    private let durationBuckets: [Duration] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600].map { .seconds($0) }

    public init() {
        registry.makeGauge(descriptor: .named("netaudit_build_info", "netaudit's version; always 1."), labels: [("version", ProbeLibraries.netauditVersion)]).set(1.0)
        // Every counter exists from the start, at 0: a rate over it works from the first scrape.
        for kind in [RunKind.linkSweep, .audit] {
            for state in [RunState.complete, .aborted] {
                _ = runCounter(kind, state)
            }
        }
        AlertEvent.Kind.allCases.forEach { _ = alertCounter($0) }
        [true, false].forEach { _ = webhookCounter(delivered: $0); _ = reloadCounter(accepted: $0) }
    }

    private func runCounter(_ kind: RunKind, _ state: RunState) -> Counter {
        registry.makeCounter(descriptor: .named("netaudit_runs_total", "Runs this daemon ended, by kind and final state."), labels: [("kind", kind.rawValue), ("state", state.rawValue)])
    }

    public func runEnded(kind: RunKind, state: RunState, duration: Duration) {
        runCounter(kind, state).increment()
        registry.makeDurationHistogram(descriptor: .named("netaudit_run_duration_seconds", "How long this daemon's runs took, by kind."), labels: [("kind", kind.rawValue)], buckets: durationBuckets)
            .recordNanoseconds(Int64(duration.seconds * 1e9))
    }

    public func alert(_ kind: AlertEvent.Kind) { alertCounter(kind).increment() }

    private func alertCounter(_ kind: AlertEvent.Kind) -> Counter {
        registry.makeCounter(descriptor: .named("netaudit_alerts_total", "State changes announced (logged, and sent to the webhook when one is set)."), labels: [("event", kind.rawValue)])
    }

    public func webhook(delivered: Bool) { webhookCounter(delivered: delivered).increment() }

    private func webhookCounter(delivered: Bool) -> Counter {
        registry.makeCounter(descriptor: .named("netaudit_webhook_deliveries_total", "Alert events POSTed to the webhook: delivered, or given up after every attempt."), labels: [("outcome", delivered ? "delivered" : "failed")])
    }

    public func reload(accepted: Bool) { reloadCounter(accepted: accepted).increment() }

    private func reloadCounter(accepted: Bool) -> Counter {
        registry.makeCounter(descriptor: .named("netaudit_reloads_total", "Reloads (SIGHUP): accepted, or refused for errors (the previous setup stays)."), labels: [("outcome", accepted ? "accepted" : "refused")])
    }

    /// The spool of a store shipping to PostgreSQL: runs waiting, since when, and whether
    /// the last attempt failed.
    public func spool(_ state: SpoolState) {
        registry.makeGauge(descriptor: .named("netaudit_spool_pending_runs", "Runs kept in the local spool, not yet shipped to the central PostgreSQL store."))
            .set(Double(state.pending))
        registry.makeGauge(descriptor: .named("netaudit_spool_oldest_pending_timestamp_seconds", "When the oldest run waiting in the spool started (Unix time; 0 when none waits)."))
            .set(state.oldestPending?.timeIntervalSince1970 ?? 0)
        registry.makeGauge(descriptor: .named("netaudit_spool_shipping_failing", "1 when the last attempt to ship to the central store failed (see /status for why), else 0."))
            .set(state.lastError == nil ? 0.0 : 1.0)
    }

    /// The whole text of `/metrics`: the daemon's, the process's (read now) and the network's.
    public func render() -> String {
        registry.emitToString() + ProcessMetrics.read().text() + snapshot.withLock { $0.text }
    }

    /// Rebuilds the network part from the store's latest complete runs of the inventory at
    /// `inventoryPath` (any inventory when nil), unless it already shows them. Of two
    /// refreshes at once, the one with the newer runs wins.
    /// Returns whether it rebuilt anything.
    @discardableResult
    public func refresh(from store: any ResultReader, inventoryPath: String? = nil, now: Date = Date()) async throws(StoreError) -> Bool {
        let linksID = try await store.latestRunID(kinds: [.linkSweep, .audit], inventoryPath: inventoryPath)
        let tlsID = try await store.latestRunID(kinds: [.audit, .tlsOnly], inventoryPath: inventoryPath)
        let current = snapshot.withLock { ($0.links, $0.tls) }
        if current.0 == linksID && current.1 == tlsID && (linksID != nil || tlsID != nil) { return false }
        let links = linksID == nil ? nil : try await store.run(linksID!)
        let tls = tlsID == nil ? nil : try await store.run(tlsID!)
        let text = Self.networkText(links: links, linkResults: links == nil ? [] : try await store.linkResults(run: links!.id),
                                    tls: tls, endpointResults: tls == nil ? [] : try await store.endpointResults(run: tls!.id), now: now)
        snapshot.withLock { shown in
            let older = (shown.links.map { $0 > (links?.id ?? RunID(0)) } ?? false) || (shown.tls.map { $0 > (tls?.id ?? RunID(0)) } ?? false)
            if !older { shown = (text, links?.id, tls?.id) }
        }
        return true
    }

    static func networkText(links: RunRecord?, linkResults: [LinkResult], tls: RunRecord?, endpointResults: [EndpointResult], now: Date) -> String {
        let registry = PrometheusCollectorRegistry()
        var findingCounts: [[String]: Int] = [:]

        for record in [links, tls].compactMap({ $0 }) {
            let ended = record.endedAt ?? record.startedAt
            registry.makeGauge(descriptor: .named("netaudit_last_run_timestamp_seconds", "When the latest complete run of each kind the metrics show ended (Unix time)."), labels: [("kind", record.kind.rawValue)])
                .set(ended.timeIntervalSince1970)
            registry.makeGauge(descriptor: .named("netaudit_last_run_id", "The store's id of that run (netaudit report --run ID)."), labels: [("kind", record.kind.rawValue)]).set(Double(record.id.value))
        }

        // Who the agencies are, from the inventory the links (else the endpoints) were judged with.
        if let inventory = (links ?? tls)?.inventory {
            for (agency, parent) in inventory.allAgenciesWithParent {
                registry.makeGauge(descriptor: .named("netaudit_agency_info", "The inventory's agencies, with their name; always 1."),
                                   labels: [("agency", agency.code), ("name", agency.name), ("level", agency.level), ("parent", parent ?? "")])
                    .set(1.0)
            }
        }

        if let links {
            let results = linkResults
            let byCode = Dictionary(results.map { ($0.agencyCode, $0) }, uniquingKeysWith: { _, last in last })
            let outages = LinkOutages(inventory: links.inventory, results: byCode)
            for (agency, parent) in links.inventory.allAgenciesWithParent {
                let labels = [("agency", agency.code), ("level", agency.level), ("parent", parent ?? "")]
                let result = byCode[agency.code]
                registry.makeGauge(descriptor: .named("netaudit_agency_connected", "1 when the agency's link to the dedicated network is up or degraded, 0 when it is down, unreachable or not configured."), labels: labels)
                    .set(Policy.isConnected(result?.state) ? 1.0 : 0.0)
                result?.findings.forEach { findingCounts[[$0.id, $0.severity.rawValue, agency.level], default: 0] += 1 }
                guard let link = agency.link else { continue }
                let condition = outages.condition(of: agency.code)
                for state in LinkOutages.states {
                    registry.makeGauge(descriptor: .named("netaudit_link_state", "The agency's link as the policy judged it: 1 for its state (up, degraded, down, unreachable behind a via node that is down, not_probed), 0 for the others."), labels: labels + [("state", state)])
                        .set(state == condition ? 1.0 : 0.0)
                }
                if condition == LinkCondition.unreachable.rawValue {
                    let blamed = outages.cause(of: agency.code)
                    registry.makeGauge(descriptor: .named("netaudit_link_unreachable_cause_info", "For each unreachable agency: the via node its link is blamed on (cause) and the first node up that chain that is down itself (root_cause); always 1."),
                                       labels: labels + [("cause", blamed.cause ?? ""), ("root_cause", blamed.root ?? "")])
                        .set(1.0)
                }
                let linkLabels = labels + [("address", link.address.description), ("method", link.method.description)]
                registry.makeGauge(descriptor: .named("netaudit_link_up", "1 when the link answered (up or degraded), 0 when not."), labels: linkLabels)
                    .set(Policy.isConnected(result?.state) ? 1.0 : 0.0)
                guard let observation = result?.observation, observation.sent > 0 else { continue }
                registry.makeGauge(descriptor: .named("netaudit_link_loss_ratio", "Share of echo requests or connects without an answer in the latest series (0 to 1)."), labels: linkLabels)
                    .set(observation.lossPercent / 100)
                if let roundTrip = observation.roundTrip {
                    registry.makeGauge(descriptor: .named("netaudit_link_rtt_seconds", "Median round-trip time of the latest series."), labels: linkLabels)
                        .set(roundTrip.median / 1000)
                }
            }
            let summary = AuditSummary(inventory: links.inventory, links: results, endpoints: [], now: now)
            for level in summary.levels {
                let labels = [("level", level.level)]
                registry.makeGauge(descriptor: .named("netaudit_level_agencies", "Agencies of each level in the inventory."), labels: labels)
                    .set(Double(level.figures.agencies))
                registry.makeGauge(descriptor: .named("netaudit_level_connected_agencies", "Agencies of each level whose link is up or degraded."), labels: labels)
                    .set(Double(level.figures.connected))
                registry.makeGauge(descriptor: .named("netaudit_level_connection_ratio", "Connected agencies of each level over all of them (0 to 1)."), labels: labels)
                    .set(level.figures.connectionRate / 100)
                registry.makeGauge(descriptor: .named("netaudit_level_connection_target_ratio", "The connection target of each level (0 to 1; the plan's is 1)."), labels: labels)
                    .set(level.targetPercent / 100)
            }
        }

        if let tls {
            let parents = Dictionary(tls.inventory.allAgenciesWithParent.map { ($0.agency.code, ($0.agency.level, $0.parent)) }, uniquingKeysWith: { first, _ in first })
            for result in endpointResults {
                let (level, parent) = parents[result.agencyCode] ?? ("", nil)
                let labels = [("agency", result.agencyCode), ("level", level), ("parent", parent ?? ""), ("url", result.observation.url)]
                result.findings.forEach { findingCounts[[$0.id, $0.severity.rawValue, level], default: 0] += 1 }
                registry.makeGauge(descriptor: .named("netaudit_endpoint_tls_up", "1 when a modern TLS handshake with the endpoint succeeded."), labels: labels)
                    .set(result.observation.connection.modernHandshake ? 1.0 : 0.0)
                registry.makeGauge(descriptor: .named("netaudit_endpoint_compliant", "1 when the endpoint meets the security baseline (no critical or high finding)."), labels: labels)
                    .set(result.verdict == .compliant ? 1.0 : 0.0)
                if let version = result.observation.session?.protocolVersion {
                    registry.makeGauge(descriptor: .named("netaudit_endpoint_tls_version_info", "The TLS version negotiated by a modern client; always 1."), labels: labels + [("version", version.rawValue)]).set(1.0)
                }
                if let leaf = result.observation.certificates.first {
                    registry.makeGauge(descriptor: .named("netaudit_endpoint_cert_expiry_timestamp_seconds", "When the endpoint's certificate expires (Unix time)."), labels: labels)
                        .set(leaf.notAfter.timeIntervalSince1970)
                }
                // As blackbox_exporter's probe_ssl_earliest_cert_expiry: the chain as the server sent it.
                if let earliest = result.observation.certificates.map(\.notAfter).min() {
                    registry.makeGauge(descriptor: .named("netaudit_endpoint_earliest_cert_expiry_timestamp_seconds", "When the first certificate of the chain the endpoint sent expires (Unix time), as blackbox_exporter's probe_ssl_earliest_cert_expiry."), labels: labels)
                        .set(earliest.timeIntervalSince1970)
                }
                for finding in result.findings {
                    registry.makeGauge(descriptor: .named("netaudit_endpoint_finding", "Each finding of the latest full audit on each endpoint, by rule id and severity; always 1."),
                                       labels: [("agency", result.agencyCode), ("url", result.observation.url), ("rule", finding.id), ("severity", finding.severity.rawValue)])
                        .set(1.0)
                }
            }
        }

        for (key, count) in findingCounts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            registry.makeGauge(descriptor: .named("netaudit_findings", "Findings of the latest runs, by rule id, severity and level (links from the latest run with links, endpoints from the latest full audit)."), labels: [("rule", key[0]), ("severity", key[1]), ("level", key[2])])
                .set(Double(count))
        }
        return registry.emitToString()
    }
}

extension MetricNameDescriptor {
    /// A full metric name (netaudit_…) with its help text.
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
