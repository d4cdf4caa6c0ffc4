import ArgumentParser
import Foundation
import NetauditAudit
import NetauditCore
import NetauditInventory
import NetauditPolicy
import NetauditProbes
import NetauditReports
import NetauditHistory
import NetauditStore
import NetauditStores
import Synchronization

/// Output formats of the audit report.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, html, xlsx

    /// The report's bytes: text in UTF-8, or an .xlsx workbook.
    func render(_ report: AuditReport, labels: ReportLabels, colour: Bool = false) throws -> Data {
        switch self {
        case .table: return Data(report.table(labels, colour: colour).utf8)
        case .json: return Data(try report.json().utf8)
        case .csv: return Data(report.csv(labels).utf8)
        case .html: return Data(report.html(labels).utf8)
        case .xlsx:
            do { return try report.xlsx(labels) } catch { throw UserError("cannot make the xlsx report: \(error)") }
        }
    }
}

enum ReportLanguage: String, ExpressibleByArgument, CaseIterable {
    case en, vi
    var labels: ReportLabels { ReportLabels.named(rawValue)! }
}

/// `netaudit audit`: plan, probe, evaluate, store, report; the exit status says whether the
/// targets are met.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit an inventory: probe every link and endpoint, judge, store, report.",
        discussion: """
            Probes every agency's link (ICMP or TCP) and every TLS endpoint of the inventory, judges them with the baseline policy (docs/policy.md), stores the run with every observation and finding (--db), and prints the report: per level, agencies connected against the connection target and the gap; per unit; the gap list with causes; certificates expiring within 30 days. A progress line shows on a terminal. Ctrl-C stops the run; what was measured stays stored (each result as it is measured) and the run is marked aborted; --resume RUN completes it later. A link sweep (--links-only) never speaks for TLS: its report shows the endpoints of the latest full audit, named with its age, or says that TLS was not checked. ICMP links need root, CAP_NET_RAW or ICMP datagram sockets (net.ipv4.ping_group_range): without them the audit is refused before anything is probed.

            EXIT STATUS:
              0  every level meets its connection target and every endpoint is compliant
              1  a target is missed or an endpoint is not compliant (for --links-only: in the latest full audit, which the report shows; with none stored, TLS is "not checked" and the status speaks for the connection only)
              2  usage error, invalid inventory, or no right to send ICMP echoes (nothing probed, nothing stored)
              3  internal error
            """
    )

    @Option(help: ArgumentHelp("The inventory's top YAML file, or its folder (default: the one --config names).", valueName: "path"))
    var inventory: String?

    @Option(help: ArgumentHelp("The results store: a SQLite file (created if missing) or a postgresql:// URL (docs/postgresql.md). Default: netaudit.sqlite, or the database --config names.", valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("The site this auditor writes in a shared PostgreSQL store (default: site: of --config, else the code of the inventory's top agency); a SQLite file ignores it. docs/postgresql.md.", valueName: "code"))
    var site: String?

    @Option(help: ArgumentHelp("With a postgresql:// --db: the local SQLite file the run is written into first and shipped from, kept there while the server does not answer (default: spool: of --config, else $STATE_DIRECTORY, /var/lib/netaudit as root, or ~/.local/state/netaudit: spool.sqlite or spool-SITE.sqlite). docs/postgresql.md.", valueName: "file"))
    var spool: String?

    @Option(help: ArgumentHelp("Take the inventory, the store, the extra trust anchors and the retention from the daemon's configuration file (docs/configuration.md), as systemd's netaudit-audit.service does.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Extra trust anchors (PEM), added to the inventory's (repeatable).", valueName: "pem"))
    var caFiles: [String] = []

    @Option(help: ArgumentHelp("Audit only the agency with this code and the agencies below it.", valueName: "code"))
    var only: String?

    @Flag(help: "Probe the links only.")
    var linksOnly = false

    @Flag(help: "Probe the TLS endpoints only.")
    var tlsOnly = false

    @Option(name: .customLong("run-timeout"), help: ArgumentHelp("Deadline of the whole run, e.g. 30m (default: the inventory's probe.run_timeout, 1h). Past it, the run is stopped and stored as aborted, with what it measured.", valueName: "duration"))
    var runTimeout: String?

    @Option(help: ArgumentHelp("Complete the aborted run with this id: take over what it measured and probe only what it lacks, as a new run that refers to it (same inventory, kind and --only; the inventory must not have changed).", valueName: "run"))
    var resume: Int64?

    @Option(help: ArgumentHelp("After the run, delete the link sweeps and TLS-only runs (raw rows) that ended more than N days ago; full audits, outages and daily roll-ups are kept (--history-days). Default: the configuration's retention with --config, else keep all.", valueName: "days"))
    var keepDays: Int?

    @Option(help: ArgumentHelp("After the run, delete full audits, state intervals and daily roll-ups older than N days (default: the configuration's retention with --config, else keep all).", valueName: "days"))
    var historyDays: Int?

    @OptionGroup var report: ReportOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if linksOnly && tlsOnly { throw ValidationError("--links-only and --tls-only exclude each other.") }
        if let keepDays, keepDays < 1 { throw ValidationError("--keep-days must be at least 1.") }
        if let historyDays, historyDays < 1 { throw ValidationError("--history-days must be at least 1.") }
        if inventory == nil && config == nil && resume == nil {
            throw ValidationError("Missing expected argument '--inventory <path>' (or --config <file>).")
        }
        if resume != nil && (linksOnly || tlsOnly || only != nil) {
            throw ValidationError("--resume takes the kind and the scope of the run it completes: leave out --links-only, --tls-only and --only.")
        }
        if let runTimeout, (Duration(text: runTimeout) ?? .zero) <= .zero {
            throw ValidationError("--run-timeout '\(runTimeout)': write a positive number and a unit, e.g. 90s, 30m, 2h.")
        }
        try report.refuseBinaryOnTerminal(toFile: output != nil)
    }

    func run() async throws {
        var daemonConfiguration: DaemonConfiguration?
        if let config {
            do { daemonConfiguration = try AuditSetup.loadConfiguration(config) } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        let db = self.db ?? daemonConfiguration?.database ?? "netaudit.sqlite"
        // Retention only when asked for (an option, or the configuration's tiers).
        var history = daemonConfiguration?.history ?? HistorySettings(rawDays: 36_500, historyDays: 36_500)
        if let keepDays { history.rawDays = keepDays }
        if let historyDays { history.historyDays = historyDays }
        let prunes = keepDays != nil || historyDays != nil || daemonConfiguration != nil
        let site = self.site ?? daemonConfiguration?.site
        // With a URL, runs are written into the spool first: its run ids are the ones printed.
        let spool = Stores.isURL(db) ? self.spool ?? daemonConfiguration?.spool ?? Stores.defaultSpool(site: site) : nil
        let resumed = try await resume.asyncMap { try await Self.resumable(RunID($0), db: db, history: history, spool: spool) }
        let inventoryPath = self.inventory ?? daemonConfiguration?.inventory ?? resumed!.inventoryPath
        let caFiles = self.caFiles + (daemonConfiguration?.caFiles ?? [])
        var inventory = try loadInventory(inventoryPath)
        for file in caFiles where !FileManager.default.isReadableFile(atPath: file) {
            throw UserError("--ca-file '\(file)' cannot be read")
        }
        inventory.trustAnchors += caFiles
        if let only, !inventory.allAgencies.contains(where: { $0.code == only }) {
            throw UserError("--only \(only): no agency with this code in the inventory")
        }
        var plan = AuditPlan(inventory: inventory, inventoryPath: inventoryPath,
                             kind: linksOnly ? .linkSweep : (tlsOnly ? .tlsOnly : .audit), only: only)
        if let resumed { plan = try Self.plan(resuming: resumed, inventory: inventory, inventoryPath: inventoryPath) }
        // Without the right to send ICMP every link would be "not probed": refused up front,
        // before the store is touched, as one message.
        if let refusal = plan.icmpRefusal { throw UserError(refusal) }
        let trust: TrustStores
        do {
            trust = try TrustStores(governmentAnchors: inventory.trustAnchors, intermediates: inventory.trustIntermediates)
        } catch { throw UserError("\(error)") }
        let store: any ResultStore
        // The site is the whole inventory's top agency unless named, also for a run of a
        // subtree (--only), whose stored inventory starts lower.
        let storeSite = site ?? inventory.agencies.first?.code
        do { store = try await Stores.open(db, history: history, site: storeSite, spool: spool) } catch { throw UserError("\(error)") }
        for recovered in store.recoveredRuns {
            printError("netaudit: run \(recovered) was cut off earlier; it is now marked aborted")
        }
        let engine = ProbeEngine(.init(allow: inventory.allow))
        defer { engine.shutdown() }
        Self.warnAboutDescriptors(engine)
        let policy: Policy
        do { policy = try Policy(inventory: inventory.policy) } catch { throw UserError("policy: \(error)") }
        let runner = AuditRunner(store: store, policy: policy, trust: trust, engine: engine)
        let progress = ProgressLine()
        let deadline = runTimeout.flatMap { Duration(text: $0) }
        let task = Task { try await runner.run(plan, deadline: deadline, resuming: resumed?.id) { progress.show($0) } }
        let interrupt = SignalWatch { task.cancel() }
        let id: RunID
        do {
            id = try await task.value
        } catch let error as StoreError {
            progress.clear()
            throw UserError("\(error)")
        }
        interrupt.stop()
        progress.clear()
        if prunes {
            do { _ = try await store.prune(now: Date()) } catch { printError("netaudit: retention: \(error)") }
        }
        let auditReport: AuditReport
        do { auditReport = try await AuditReport.load(from: store, run: id) } catch { throw UserError("\(error)") }
        if let spooling = store as? SpoolingStore {
            // The run is in the spool; shipping it gets a moment, and the user hears if it waits.
            let state = await spooling.flush(timeout: .seconds(30))
            if let remote = try? await spooling.spool.shippedID(of: id) {
                printError("netaudit: run \(id) of the spool \(state.path) is run \(remote) of \(state.target)")
            }
            if state.pending > 0 {
                printError("netaudit: warning: run \(id) is kept in the spool \(state.path) (\(state.pending) run\(state.pending == 1 ? "" : "s") waiting): "
                           + "\(state.lastError ?? "not shipped yet"); it is shipped by the next audit or the daemon with this spool, "
                           + "or by `netaudit store copy --from \(state.path) --to URL`")
            }
        }
        try? await store.close()
        let text = try self.report.render(auditReport, colour: output == nil && isatty(1) == 1)
        if let output {
            do { try Self.write(text, to: output) } catch {
                throw UserError("cannot write the report to \(error) (the run is stored as run \(id))")
            }
        } else {
            FileHandle.standardOutput.write(text)
        }
        if auditReport.run.state == RunState.aborted.rawValue { throw ExitCode(ExitStatus.targetsMissed) }
        if !auditReport.summary.targetsMet { throw ExitCode(ExitStatus.targetsMissed) }
    }
}

extension AuditCommand {
    /// The run `--resume` names, if it can be resumed: it exists and was aborted.
    static func resumable(_ id: RunID, db: String, history: HistorySettings, spool: String? = nil) async throws -> RunRecord {
        guard Stores.isURL(db) || FileManager.default.fileExists(atPath: db) else { throw UserError("--resume \(id): no results store at '\(db)'") }
        let record: RunRecord?
        let resumption: RunID?
        do {
            let store = try await Stores.open(db, history: history, spool: spool)  // for writing: it recovers a run cut off
            record = try await store.run(id)
            resumption = try await store.resumption(of: id)
            try await store.close()
        } catch { throw UserError("\(error)") }
        guard let record else { throw UserError("--resume \(id): no run \(id) in '\(db)'") }
        if let resumption { throw UserError("--resume \(id): run \(resumption) resumes it already") }
        switch record.state {
        case .complete: throw UserError("--resume \(id): run \(id) is complete; there is nothing to resume")
        case .running: throw UserError("--resume \(id): run \(id) is still running (pid \(record.pid) on \(record.host))")
        case .aborted: return record
        }
    }

    /// The plan of the aborted run `record`: its kind and scope over the same inventory,
    /// which must be unchanged (a resumed run completes that run, not a newer one).
    static func plan(resuming record: RunRecord, inventory: Inventory, inventoryPath: String) throws -> AuditPlan {
        let hash = InventoryFingerprint.sha256(files: inventory.files)
        guard hash == record.inventoryHash else {
            throw UserError("--resume \(record.id): the inventory \(inventoryPath) has changed since run \(record.id) (sha256 \(hash.prefix(12))…, was \(record.inventoryHash.prefix(12))…); run a new audit instead")
        }
        // A run with --only stored just that subtree (its top differs from the inventory's).
        let top = record.inventory.agencies.map(\.code)
        let only = top != inventory.agencies.map(\.code) ? top.first : nil
        return AuditPlan(inventory: inventory, inventoryPath: inventoryPath, kind: record.kind, only: only)
    }

    /// Writes the report to `path` (ReportFile): a regular file atomically, anything else
    /// that exists (`/dev/null`, a FIFO, a terminal) in place, never replaced.
    static func write(_ text: String, to path: String) throws {
        try ReportFile.write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        try ReportFile.write(data, to: path)
    }

    /// Says so when the open-file limit holds fewer checks at once than the engine would run:
    /// the run is slower, and below one check's worth some checks may not be made at all.
    static func warnAboutDescriptors(_ engine: ProbeEngine) {
        let budget = engine.descriptorBudget
        guard engine.maxConcurrentProbes < engine.configuration.maxConcurrentProbes else { return }
        let limit = "netaudit may open \(budget.softLimit) files (ulimit -n, LimitNOFILE; \(budget.openAtStart) open already)"
        if budget.checksThatFit == 0 {
            printError("netaudit: error: \(limit): too few for even one check (a check needs up to \(DescriptorBudget.perCheck), "
                       + "and \(DescriptorBudget.reserve) are kept for the rest); nothing will be probed: raise the limit to at least "
                       + "\(budget.minimumLimit)")
        } else {
            printError("netaudit: warning: \(limit): probing \(engine.maxConcurrentProbes) checks at a time instead of "
                       + "\(engine.configuration.maxConcurrentProbes); raise the limit for a faster run")
        }
    }
}

/// `netaudit report`: any stored run, or a period of history, rendered without probing.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a stored run (the newest by default), or a period of history, without probing.",
        discussion: """
            A run: the newest, or --run ID, exactly as `audit` printed it: the connection verdict (every level against its target) and the TLS verdict (endpoints compliant) apart, the agencies not connected and those not compliant in two lists. Times are local (the TZ environment variable, else the machine's zone), the zone shown; with --lang vi days are dd/mm/yyyy. The JSON keeps UTC.

            The store: --db, or the database: of the daemon's configuration file (--config /etc/netaudit/netaudit.yaml), not both. --output FILE writes the report (any format, any report below) to FILE, whole or not at all, and prints nothing.

            A period (--month 2026-11, --year 2026, or --from DATE --to DATE with days as yyyy-MM-dd, --to included): what the history kept of it: per level and per unit the availability (time connected / time observed), the agencies connected throughout, the daily connection rate (mean and minimum) against the target and the days it was met; the endpoints' compliance over the period (days not compliant, the day fixed); every outage (agency, path, start, end or ongoing, duration, down or unreachable, the node it is blamed on) and the units and agencies with the most outage time and the most outages. Days are cut in the history's time zone (--time-zone, or history.time_zone of --config, or the machine's). Time nothing observed (the daemon stopped, runs aborted, sweeps further apart than history.max_gap) is "not observed" and counts neither way. docs/results-schema.md describes the JSON.

            One site (--site CODE, a shared PostgreSQL store): every report above, from that site's runs and history only, exactly as from a SQLite file holding them.

            The national report (--national): one row per site of the store, from its latest complete audit or link sweep (connection) and its latest complete audit or TLS-only run (endpoints), with how old the run is; a site whose run ended more than --stale-after ago (default 24h), or that has none, is stale: its agencies are shown as not observed and never counted as connected. Then the per-level totals over the sites (the fresh sites' figures, the stale sites' agencies apart and counted as not connected in the gap), and each fresh site's agencies not connected, with level and path. With --month, --year or --from/--to: each site's period figures (availability, daily rates, days met, outages) and their totals per level. A SQLite file is one site. docs/results-schema.md ("National report") describes the JSON.

            EXIT STATUS:
              0  a run: every target met and every endpoint compliant; a period: every level met its target on every day it was observed, and every endpoint observed stayed compliant; national: no site stale, every level and every site met its targets (and, with a period, throughout)
              1  not so
              2  a missing store, run or history; a bad option; a --config file that cannot be read or has problems; an --output file that cannot be written (nothing is written then)
              3  internal error
            """
    )

    @Option(help: ArgumentHelp("The results store: a SQLite file or a postgresql:// URL (default: netaudit.sqlite). Not with --config.", valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("Read the store (database:) and the history settings (time zone, max gap) from the daemon's configuration file, e.g. /etc/netaudit/netaudit.yaml, instead of --db. A file that cannot be read or has problems: exit 2, naming it.", valueName: "file"))
    var config: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report (any format, any report) to this file instead of standard output: whole or not at all (a temporary file in the same folder, renamed over it).", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The run to render (default: the newest).", valueName: "id"))
    var run: Int64?

    @Option(help: ArgumentHelp("A period report of this calendar month.", valueName: "yyyy-MM"))
    var month: String?

    @Option(help: ArgumentHelp("A period report of this calendar year.", valueName: "yyyy"))
    var year: String?

    @Option(help: ArgumentHelp("A period report from this day (or ISO 8601 time) on; with --to.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("The last day of the period (included), or an ISO 8601 time (excluded); with --from.", valueName: "date"))
    var to: String?

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The time zone days are cut in, e.g. Asia/Ho_Chi_Minh.", valueName: "zone"))
    var timeZone: String?

    @Flag(help: "The national report: one row per site of the store from its latest complete runs, the per-level totals over all sites, each site's gaps; with --month/--year/--from, the period's figures per site and in total. Its CSV has one row per site.")
    var national = false

    @Option(help: ArgumentHelp("Report on this site only (a shared PostgreSQL store): its runs and its history, exactly as a SQLite file of that site. With a SQLite file, the file's site (its newest run's top agency) must be this one.", valueName: "code"))
    var site: String?

    @Option(name: .customLong("stale-after"), help: ArgumentHelp("With --national: a site whose latest complete audit or link sweep ended longer ago than this (e.g. 24h, 90m) is stale: its agencies are not counted as connected. Default: 24h.", valueName: "duration"))
    var staleAfter: String?

    @OptionGroup var options: ReportOptions

    /// How old a site's latest connectivity run may be before the national report calls it stale.
    static let defaultStaleAfter: TimeInterval = 24 * 3600

    func validate() throws {
        if db != nil && config != nil { throw ValidationError("--db and --config both name the store: give one of them.") }
        let periods = [month != nil, year != nil, from != nil || to != nil].filter { $0 }.count
        if periods > 1 { throw ValidationError("Give one period: --month, --year, or --from and --to.") }
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together.") }
        if periods > 0 && run != nil { throw ValidationError("--run renders one run; leave it out for a period report.") }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone '\(timeZone)': not a time zone (e.g. Asia/Ho_Chi_Minh, UTC).")
        }
        if national && run != nil { throw ValidationError("--national reports every site's latest runs; leave --run out.") }
        if national && site != nil { throw ValidationError("--national reports every site; --site reports one: give one of them.") }
        if let staleAfter {
            guard national else { throw ValidationError("--stale-after goes with --national.") }
            guard let duration = Duration(text: staleAfter), duration > .zero else {
                throw ValidationError("--stale-after '\(staleAfter)': write a duration such as 24h, 90m or 3600s.")
            }
        }
        if options.format == .xlsx && (periods > 0 || national) {
            throw ValidationError("--format xlsx renders one run; write a period or national report as table, json, csv or html.")
        }
        try options.refuseBinaryOnTerminal(toFile: output != nil)
    }

    func run() async throws {
        var configuration: DaemonConfiguration?
        if let config {
            do { configuration = try AuditSetup.loadConfiguration(config) } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        let db = self.db ?? configuration?.database ?? "netaudit.sqlite"
        var history = configuration?.history ?? .standard
        if let timeZone { history.timeZone = TimeZone(identifier: timeZone)! }
        guard Stores.isURL(db) || FileManager.default.fileExists(atPath: db) else { throw UserError("no results store at '\(db)'") }
        let opened: any ResultStore
        // Read only: a report writes nothing, so it works on a read-only store or a full disk.
        do { opened = try await Stores.open(db, access: .readOnly, history: history) } catch { throw UserError("\(error)") }
        if national { return try await renderNational(opened, history: history) }
        let store: any ResultReader & HistoryReader
        if let site {
            // One site's view: every read (runs, results, history) of that site only.
            guard let sites = opened as? any SiteReader else { throw UserError("--site: '\(db)' cannot tell its sites apart") }
            do { store = try await sites.siteView(site) } catch { throw UserError("--site \(site): \(error)") }
        } else {
            store = opened
        }
        if let period = try period(history.timeZone) {
            let report: PeriodReport
            do { report = try await PeriodReport.load(from: store, period: period) } catch { throw UserError("\(error)") }
            try emit(try options.render(report, colour: colour))
            if !report.targetsMetThroughout { throw ExitCode(ExitStatus.targetsMissed) }
            return
        }
        let report: AuditReport
        do { report = try await AuditReport.load(from: store, run: run.map(RunID.init)) } catch { throw UserError("\(error)") }
        try emit(try options.render(report, colour: colour))
        if !report.summary.targetsMet { throw ExitCode(ExitStatus.targetsMissed) }
    }

    /// `--national`: every site's latest runs, and with a period its history's figures.
    private func renderNational(_ opened: any ResultStore, history: HistorySettings) async throws {
        guard let store = opened as? any SiteReader & ResultReader else { throw UserError("--national: '\(opened.location)' cannot tell its sites apart") }
        let staleAfter = staleAfter.flatMap { Duration(text: $0) }.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            ?? Self.defaultStaleAfter
        let report: NationalReport
        do {
            report = try await NationalReport.load(from: store, staleAfter: staleAfter, period: try period(history.timeZone), history: history)
        } catch let error as StoreError { throw UserError("\(error)") }
        guard !report.sites.isEmpty else { throw UserError("--national: no run stored yet in '\(opened.location)'") }
        try emit(try options.render(report, colour: colour))
        if !report.targetsMet { throw ExitCode(ExitStatus.targetsMissed) }
    }

    /// Colours only for a terminal, never into a file.
    private var colour: Bool { output == nil && isatty(1) == 1 }

    /// The rendered report, to standard output or (`--output`) to its file, whole.
    private func emit(_ text: String) throws {
        try emit(Data(text.utf8))
    }

    private func emit(_ data: Data) throws {
        guard let output else { return FileHandle.standardOutput.write(data) }
        do { try ReportFile.write(data, to: output) } catch { throw UserError("cannot write the report to \(error)") }
    }

    /// The period the options name, nil for a run report.
    private func period(_ zone: TimeZone) throws -> ReportPeriod? {
        if let month {
            guard let period = ReportPeriod.month(month, timeZone: zone) else { throw UserError("--month '\(month)': write it as yyyy-MM, e.g. 2026-11") }
            return period
        }
        if let year {
            guard let period = ReportPeriod.year(year, timeZone: zone) else { throw UserError("--year '\(year)': write it as yyyy, e.g. 2026") }
            return period
        }
        if let from, let to {
            guard let period = ReportPeriod.dates(from: from, to: to, timeZone: zone) else {
                throw UserError("--from '\(from)' --to '\(to)': write days as yyyy-MM-dd (or ISO 8601 times), --from before --to")
            }
            return period
        }
        return nil
    }
}

/// How a report is written: the options `audit` and `report` share.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report format: table, json (docs/results-schema.md), csv (one row per agency, UTF-8 with BOM), html (one self-contained page) or xlsx (a run only: an Excel workbook with typed cells, to a file or a redirect, never a terminal; docs/results-schema.md).")
    var format: ReportFormat = .table

    @Option(help: "Language of the report's labels and finding messages: en or vi (agency names are always as in the inventory; the JSON keeps English messages).")
    var lang: ReportLanguage = .en

    /// `colour`: the output is a terminal (the table then colours verdicts and severities,
    /// unless NO_COLOR is set).
    func render(_ report: AuditReport, colour: Bool = false) throws -> Data {
        let colour = colour && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        return try format.render(report, labels: lang.labels, colour: colour)
    }

    /// An xlsx workbook is binary: refused on a terminal (standard output, with no file to
    /// write it to), before anything is probed or read.
    func refuseBinaryOnTerminal(toFile: Bool) throws {
        guard format == .xlsx, !toFile, isatty(1) == 1 else { return }
        throw ValidationError("--format xlsx writes a binary workbook, not text for a terminal: write it to a file with --output FILE, or redirect standard output (> report.xlsx).")
    }

    /// A period or national report, in the same formats.
    func render(_ report: some FormattedReport, colour: Bool = false) throws -> String {
        let colour = colour && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        switch format {
        case .table: return report.table(lang.labels, colour: colour)
        case .json: return try report.json()
        case .csv: return report.csv(lang.labels)
        case .html: return report.html(lang.labels)
        case .xlsx: throw UserError("--format xlsx renders one run; write a period or national report as table, json, csv or html")
        }
    }
}

/// The live progress line of an audit, on a terminal only (standard error).
final class ProgressLine: Sendable {
    private let enabled = isatty(2) == 1

    func show(_ progress: AuditProgress) {
        guard enabled else { return }
        let (seconds, _) = progress.elapsed.components
        printErrorRaw("\r\u{1B}[K\(progress.done)/\(progress.total) agencies done, \(progress.failures) failed checks so far, \(seconds) s")
    }

    func show(_ text: String) {
        if enabled { printErrorRaw("\r\u{1B}[K\(text)") }
    }

    func clear() {
        if enabled { printErrorRaw("\r\u{1B}[K") }
    }
}

/// Runs `action` on the first SIGINT or SIGTERM (the audit stops and marks its run
/// aborted); a second one ends the process at once (status 130).
final class SignalWatch: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let count = Atomic<Int>(0)

    init(_ action: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                let seen = self.count.wrappingAdd(1, ordering: .relaxed).newValue
                if seen == 1 { action() } else { exit(130) }
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        sources.forEach { $0.cancel() }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

func printErrorRaw(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
