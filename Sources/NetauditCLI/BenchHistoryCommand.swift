import ArgumentParser
import Foundation
import NetauditCore
import NetauditHistory
import NetauditInventory
import NetauditPolicy
import NetauditReports
import NetauditStore
import NetauditStores

/// `netaudit bench history`: writes seeded synthetic history through the store's writer,
/// exactly as runs write it, then measures the store and the period reports on it.
struct BenchHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Generate seeded synthetic history in a new store, then measure its size and the period reports on it.",
        discussion: """
            Writes DAYS of synthetic runs over the inventory into a new SQLite store through the store's own writer, as the daemon and the audit write them: beginRun, the link results in batches (record(links:…)), finishRun, which extends the state intervals and rolls up each day that ended. Nothing is probed: the links and endpoints of the inventory are never contacted; their observations are drawn from a seeded generator and judged by the inventory's policy (Policy.evaluateLink, evaluateEndpoint), so the rows are those a real run would store.

            What the generator draws (the same for the same --seed): every link up with a round trip of its own and small jitter, an occasional lost echo and a rare degraded sweep; a few links that flap (down and up every few sweeps for hours); now and then one agency down for a while; now and then a node others depend on (`via`) down for hours, its dependents down with `link.unreachable`; planned gaps (the daemon stopped for an hour or two: no runs at all); an occasional aborted run (half its results, then aborted). With --full-audit-daily, the first sweep after 02:00 each day is a full audit with every endpoint checked (mostly compliant; a few with an expired certificate, TLS 1.0 or no HSTS; unreachable while their link is down). After each generated day, retention is applied as the daemon does (prune(now:)), with the raw tier of --raw-days.

            Progress goes to stderr. Then a markdown table goes to stdout: the store's size (file and WAL after a checkpoint), rows per table, the generation rate, the time to load and render (table, JSON, HTML) the period report of the last full month and of the whole generated period, and the store's cost of one more link sweep (begin, each result in its own transaction as the runner writes them, finish; and with one batch), median of 5.

            --continue goes on with an existing store after its newest run (after a kill, say): the run the killed process left `running` is found aborted at the open, as after a crash, and generation resumes one sweep later, with the same seed (the draws of a day depend on the seed and the day only).
            """
    )

    @Option(help: ArgumentHelp("Inventory file or folder.", valueName: "path"))
    var inventory: String

    @Option(help: ArgumentHelp("The SQLite store to create (refused if it exists, unless --continue).", valueName: "file"))
    var db: String

    @Option(help: "Days of history to generate.")
    var days = 30

    @Option(help: ArgumentHelp("Interval between two link sweeps.", valueName: "duration"))
    var every = "5m"

    @Flag(help: "One full audit a day (links and every endpoint), at the first sweep after 02:00.")
    var fullAuditDaily = false

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("First day (yyyy-MM-dd, in --time-zone); default: DAYS days before today.", valueName: "date"))
    var start: String?

    @Option(help: ArgumentHelp("Time zone days are cut in.", valueName: "identifier"))
    var timeZone = "Asia/Ho_Chi_Minh"

    @Option(help: ArgumentHelp("Raw tier of retention: days link sweeps are kept (the history's default: 14). Retention runs after each generated day.", valueName: "days"))
    var rawDays = 14

    @Option(help: ArgumentHelp("Link results per record(links:…) transaction.", valueName: "n"))
    var batch = 64

    @Flag(name: .customLong("continue"), help: "Go on with an existing store, one sweep after its newest run, until the end of the period (--start and --days as before).")
    var continuing = false

    @Flag(help: "Generate only: no report or sweep timings (the table still has size and rows).")
    var noMeasure = false

    func validate() throws {
        guard days >= 1, days <= 3660 else { throw ValidationError("--days must be from 1 to 3660.") }
        guard let step = Duration(text: every), step >= .seconds(10) else { throw ValidationError("--every '\(every)' is not a duration of 10 s or more.") }
        guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("--time-zone '\(timeZone)' is not a time zone.") }
        guard rawDays >= 1 else { throw ValidationError("--raw-days must be 1 or more.") }
        guard batch >= 1 else { throw ValidationError("--batch must be 1 or more.") }
        if let start, HistoryDay.dayInterval(start, timeZone: TimeZone(identifier: timeZone)!) == nil {
            throw ValidationError("--start '\(start)' is not a day (yyyy-MM-dd).")
        }
    }

    func run() async throws {
        let zone = TimeZone(identifier: timeZone)!
        let calendar = HistoryDay.calendar(zone)
        let loaded: Inventory
        do { loaded = try InventoryLoader().load(path: inventory) } catch { throw UserError("\(error)") }
        let policy: Policy
        do { policy = try Policy(inventory: loaded.policy) } catch { throw UserError("\(error)") }
        let exists = FileManager.default.fileExists(atPath: db)
        if exists && !continuing { throw UserError("\(db) exists: the generator writes a new store (give another --db, or --continue)") }
        if !exists && continuing { throw UserError("\(db) does not exist: nothing to continue") }
        let firstDay: Date
        if let start {
            firstDay = HistoryDay.dayInterval(start, timeZone: zone)!.start
        } else {
            firstDay = calendar.date(byAdding: .day, value: -days, to: calendar.startOfDay(for: Date()))!
        }
        let end = calendar.date(byAdding: .day, value: days, to: firstDay)!
        let step = BenchTLSCommand.seconds(Duration(text: every)!)
        let settings = HistorySettings(maxGap: max(900, step * 3), timeZone: zone, rawDays: rawDays)
        let store: any ResultStore
        do { store = try await Stores.open(db, history: settings) } catch { throw UserError("\(error)") }
        var from = firstDay
        if continuing, let newest = try await store.runs(limit: 1).first {
            from = newest.startedAt.addingTimeInterval(step)
        }
        let generator = HistoryGenerator(inventory: loaded, policy: policy, inventoryPath: inventory,
                                         inventoryHash: InventoryFingerprint.sha256(files: loaded.files), seed: seed,
                                         step: step, timeZone: zone, fullAuditDaily: fullAuditDaily, batch: batch)
        let clock = ContinuousClock()
        let began = clock.now
        let tally = try await generator.generate(into: store, from: from, firstDay: firstDay, end: end)
        let generation = BenchTLSCommand.seconds(clock.now - began)
        var lines = ["netaudit bench history: \(inventory) (\(loaded.allAgencies.count) agencies, "
                     + "\(loaded.allAgencies.filter { $0.link != nil }.count) links, \(loaded.endpointKeys.count) endpoints), "
                     + "\(days) days from \(HistoryDay.day(of: firstDay, timeZone: zone)) every \(every)"
                     + (fullAuditDaily ? " + a daily full audit" : "") + ", seed \(seed), raw tier \(rawDays) days", "",
                     "| figure | value |", "|---|---|"]
        lines.append("| generated | \(tally.runs) runs (\(tally.sweeps) sweeps, \(tally.audits) full audits, \(tally.aborted) aborted), "
                     + "\(tally.linkResults) link results, \(tally.endpointResults) endpoint results, \(tally.gaps) planned gaps |")
        lines.append(String(format: "| generation | %.1f s: %.1f runs/s, %.0f link results/s (%.2f s in prune) |", generation,
                            Double(tally.runs) / generation, Double(tally.linkResults) / generation, tally.pruneSeconds))
        try await Stores.checkpoint(store)
        let size = Self.fileSize(db), wal = Self.fileSize(db + "-wal")
        lines.append(String(format: "| store size (after checkpoint) | %.1f MB file + %.1f MB WAL = %.1f MB |",
                            Double(size) / 1e6, Double(wal) / 1e6, Double(size + wal) / 1e6))
        for (table, rows) in try await Stores.tableRowCounts(store) { lines.append("| rows: \(table) | \(rows) |") }
        if !noMeasure {
            let reportNow = end
            let lastMonth = Self.lastFullMonth(from: firstDay, to: end, calendar: calendar)
            if let lastMonth {
                let label = "month report \(HistoryDay.day(of: lastMonth.from, timeZone: zone).prefix(7))"
                lines += try await Self.timeReport(label, store: store, period: lastMonth, now: reportNow)
            } else {
                lines.append("| month report | no full calendar month in the generated period |")
            }
            lines += try await Self.timeReport("whole-period report (\(days) days)", store: store,
                                               period: ReportPeriod(from: firstDay, to: end), now: reportNow)
            lines += try await generator.timeSweepWrites(store: store, after: end)
        }
        try await store.close()
        printOut(lines.joined(separator: "\n") + "\n")
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// The newest calendar month wholly inside [from, to).
    static func lastFullMonth(from: Date, to: Date, calendar: Calendar) -> ReportPeriod? {
        let parts = calendar.dateComponents([.year, .month], from: to)
        var monthStart = calendar.date(from: parts)!
        while monthStart >= from {
            let monthEnd = calendar.date(byAdding: .month, value: 1, to: monthStart)!
            if monthEnd <= to { return ReportPeriod(from: monthStart, to: monthEnd) }
            monthStart = calendar.date(byAdding: .month, value: -1, to: monthStart)!
        }
        return nil
    }

    /// Load, then render as table, JSON and HTML: each timed, and the total.
    static func timeReport(_ label: String, store: any ResultStore, period: ReportPeriod, now: Date) async throws -> [String] {
        let clock = ContinuousClock()
        var start = clock.now
        let report = try await PeriodReport.load(from: store, period: period, now: now)
        let load = BenchTLSCommand.seconds(clock.now - start)
        start = clock.now
        let table = report.table()
        let tableTime = BenchTLSCommand.seconds(clock.now - start)
        start = clock.now
        let json = try report.json()
        let jsonTime = BenchTLSCommand.seconds(clock.now - start)
        start = clock.now
        let html = report.html()
        let htmlTime = BenchTLSCommand.seconds(clock.now - start)
        let total = load + tableTime + jsonTime + htmlTime
        return ["| \(label) " + String(format: "| %.3f s (load %.3f s, table %.3f s, JSON %.3f s, HTML %.3f s; %d/%d/%d KB) |",
                       total, load, tableTime, jsonTime, htmlTime, table.utf8.count / 1000, json.utf8.count / 1000,
                       html.utf8.count / 1000)]
    }
}

/// What the generator draws with, beside NetauditCore's SplitMix64.
extension SeededGenerator {
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    /// A stable value for a text (agency code), independent of Swift's per-process hashing.
    static func mix(_ text: String, _ salt: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ salt
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var g = SeededGenerator(seed: h)
        return g.next()
    }
}

/// What was generated.
struct GenerationTally {
    var runs = 0, sweeps = 0, audits = 0, aborted = 0, linkResults = 0, endpointResults = 0, gaps = 0
    var pruneSeconds = 0.0
}

/// The draws of one day: planned gaps, outages, flapping links.
struct DayPlan {
    /// Seconds from the day's start: [from, to).
    var gaps: [Range<Double>] = []
    /// Agency code → outage windows in seconds from the day's start (the agency down).
    var down: [String: [Range<Double>]] = [:]
    /// Agency code → flapping window and its period in sweeps.
    var flapping: [String: (window: Range<Double>, period: Int)] = [:]
}

struct HistoryGenerator {
    let inventory: Inventory
    let policy: Policy
    let inventoryPath: String
    let inventoryHash: String
    let seed: UInt64
    let step: Double
    let timeZone: TimeZone
    let fullAuditDaily: Bool
    let batch: Int
    let agencies: [Agency]
    /// Agencies other links depend on (`via`), the nodes a district outage takes down.
    let nodes: [String]
    let byCode: [String: Agency]

    init(inventory: Inventory, policy: Policy, inventoryPath: String, inventoryHash: String, seed: UInt64, step: Double,
         timeZone: TimeZone, fullAuditDaily: Bool, batch: Int) {
        self.inventory = inventory
        self.policy = policy
        self.inventoryPath = inventoryPath
        self.inventoryHash = inventoryHash
        self.seed = seed
        self.step = step
        self.timeZone = timeZone
        self.fullAuditDaily = fullAuditDaily
        self.batch = batch
        // Nodes before the links that depend on them, as the runner judges them.
        agencies = inventory.allAgencies
        byCode = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        nodes = Array(Set(agencies.compactMap { $0.link?.via })).sorted()
    }

    /// The plan of the day starting at `day`: drawn from the seed and the day only.
    func plan(day: Date) -> DayPlan {
        var rng = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(bitPattern: Int64(day.timeIntervalSince1970)))
        var plan = DayPlan()
        // The daemon stopped for an hour or two, on about one day in twelve.
        if rng.chance(1.0 / 12) {
            let from = Double.random(in: 0..<(86_400 - 7200), using: &rng)
            plan.gaps.append(from..<(from + Double.random(in: 3600...7200, using: &rng)))
        }
        let linked = agencies.filter { $0.link != nil }
        guard !linked.isEmpty else { return plan }
        // A node others depend on down for 1–6 hours, on about one day in four.
        if !nodes.isEmpty, rng.chance(0.25) {
            let node = nodes[Int.random(in: 0..<nodes.count, using: &rng)]
            let from = Double.random(in: 0..<80_000, using: &rng)
            plan.down[node, default: []].append(from..<(from + Double.random(in: 3600...21_600, using: &rng)))
        }
        // Single agencies down 15 min – 3 h: about one link in 150 a day.
        let single = max(1, linked.count / 150)
        for _ in 0..<Int.random(in: 0...single, using: &rng) {
            let agency = linked[Int.random(in: 0..<linked.count, using: &rng)]
            let from = Double.random(in: 0..<85_000, using: &rng)
            plan.down[agency.code, default: []].append(from..<(from + Double.random(in: 900...10_800, using: &rng)))
        }
        // Flapping links: about one link in 400 a day, for 2–8 hours, every 1–4 sweeps.
        let flaps = max(1, linked.count / 400)
        for _ in 0..<Int.random(in: 0...flaps, using: &rng) {
            let agency = linked[Int.random(in: 0..<linked.count, using: &rng)]
            let from = Double.random(in: 0..<60_000, using: &rng)
            plan.flapping[agency.code] = (from..<(from + Double.random(in: 7200...28_800, using: &rng)), Int.random(in: 1...4, using: &rng))
        }
        return plan
    }

    func generate(into store: any ResultStore, from: Date, firstDay: Date, end: Date) async throws -> GenerationTally {
        let calendar = HistoryDay.calendar(timeZone)
        var tally = GenerationTally()
        var day = calendar.startOfDay(for: max(from, firstDay))
        let clock = ContinuousClock()
        let began = clock.now
        var lastProgress = began
        while day < end {
            let next = calendar.date(byAdding: .day, value: 1, to: day)!
            let plan = plan(day: day)
            tally.gaps += plan.gaps.count
            var rng = SeededGenerator(seed: seed ^ 0x5EED ^ UInt64(bitPattern: Int64(day.timeIntervalSince1970)) &* 31)
            var auditDone = false
            var sweep = 0
            var t = day
            while t < next && t < end {
                defer { sweep += 1; t = t.addingTimeInterval(step) }
                let offset = t.timeIntervalSince(day)
                // Same draws on a rerun of the same day, whether or not this sweep is written.
                let abort = rng.chance(0.002)
                let sweepSeed = rng.next()
                let skipped = t < from || plan.gaps.contains(where: { $0.contains(offset) })
                // The daily audit: the first sweep after 02:00 that is written (one written
                // before a --continue counts as done).
                let audit = fullAuditDaily && !auditDone && offset >= 7200 && !skipped
                if audit || (t < from && offset >= 7200) { auditDone = true }
                if skipped { continue }
                try await writeRun(store: store, at: t, offset: offset, sweep: sweep, plan: plan, audit: audit, abort: abort,
                                   seed: sweepSeed, tally: &tally)
                if clock.now - lastProgress > .seconds(2) {
                    lastProgress = clock.now
                    let elapsed = BenchTLSCommand.seconds(clock.now - began)
                    printError("bench history: \(HistoryDay.day(of: t, timeZone: timeZone)) \(Self.timeOfDay(offset)), "
                               + String(format: "%d runs, %d link results, %.0f results/s", tally.runs, tally.linkResults, Double(tally.linkResults) / max(elapsed, 0.001)))
                }
            }
            // Retention as the daemon applies it, as of the end of the day.
            let pruneStart = clock.now
            _ = try await store.prune(now: min(next, end))
            tally.pruneSeconds += BenchTLSCommand.seconds(clock.now - pruneStart)
            day = next
        }
        return tally
    }

    static func timeOfDay(_ offset: Double) -> String {
        String(format: "%02d:%02d", Int(offset) / 3600, Int(offset) % 3600 / 60)
    }

    /// One run at `t`: a sweep, or the daily full audit; aborted halfway when `abort`.
    func writeRun(store: any ResultStore, at t: Date, offset: Double, sweep: Int, plan: DayPlan, audit: Bool, abort: Bool,
                  seed: UInt64, tally: inout GenerationTally) async throws {
        var rng = SeededGenerator(seed: seed)
        let links = linkResults(at: t, offset: offset, sweep: sweep, plan: plan, rng: &rng)
        let id = try await store.beginRun(kind: audit ? .audit : .linkSweep, inventory: inventory, inventoryPath: inventoryPath,
                                          inventoryHash: inventoryHash, startedAt: t, resuming: nil)
        tally.runs += 1
        let count = abort ? links.count / 2 : links.count
        var written = 0
        while written < count {
            let chunk = Array(links[written..<min(written + batch, count)])
            try await store.record(links: chunk, endpoints: [], in: id, at: t.addingTimeInterval(2))
            written += chunk.count
        }
        tally.linkResults += count
        if abort {
            try await store.finishRun(id, state: .aborted, note: "interrupted", endedAt: t.addingTimeInterval(3))
            tally.aborted += 1
            return
        }
        var duration = 3.0
        if audit {
            let states = Dictionary(links.map { ($0.agencyCode, $0.state) }, uniquingKeysWith: { first, _ in first })
            let endpoints = endpointResults(at: t.addingTimeInterval(5), linkStates: states, rng: &rng)
            var index = 0
            while index < endpoints.count {
                let chunk = Array(endpoints[index..<min(index + batch, endpoints.count)])
                try await store.record(links: [], endpoints: chunk, in: id, at: t.addingTimeInterval(30))
                index += chunk.count
            }
            tally.endpointResults += endpoints.count
            tally.audits += 1
            duration = 60
        } else {
            tally.sweeps += 1
        }
        try await store.finishRun(id, state: .complete, note: nil, endedAt: t.addingTimeInterval(duration))
    }

    /// Every agency's link result at `t`, judged by the policy with its node's state.
    func linkResults(at t: Date, offset: Double, sweep: Int, plan: DayPlan, rng: inout SeededGenerator) -> [LinkResult] {
        var observations: [String: LinkObservation] = [:]
        var states: [String: LinkState] = [:]
        let count = inventory.probe.linkCount
        for agency in agencies {
            guard let link = agency.link else { continue }
            let down = plan.down[agency.code]?.contains { $0.contains(offset) } == true
                || plan.flapping[agency.code].map { $0.window.contains(offset) && (sweep / $0.period) % 2 == 0 } == true
                || (link.via.map { via in plan.down[via]?.contains { $0.contains(offset) } == true } ?? false)
            let observation = observe(agency: agency, link: link, at: t, down: down, count: count, rng: &rng)
            observations[agency.code] = observation
            states[agency.code] = policy.linkState(observation)
        }
        return agencies.map { agency in
            let observation = observations[agency.code]
            let via = agency.link?.via
            let findings = policy.evaluateLink(of: agency, observation: observation, viaState: via.flatMap { states[$0] }, viaCode: via)
            return LinkResult(agencyCode: agency.code, observation: observation, state: states[agency.code], findings: findings)
        }
    }

    func observe(agency: Agency, link: Link, at t: Date, down: Bool, count: Int, rng: inout SeededGenerator) -> LinkObservation {
        let transport: LinkObservation.Transport = link.method == .icmp ? .icmpDatagram : .tcp
        if down {
            return LinkObservation(address: link.address, method: link.method, transport: transport, sent: count, received: 0,
                                   started: t, duration: Double(count) * 0.2 + 1)
        }
        // Each link's own base round trip (2–60 ms), jitter of a few percent.
        let base = 2 + Double(SeededGenerator.mix(agency.code, seed) % 5800) / 100
        var received = count
        if rng.chance(0.03) { received -= 1 }
        let degraded = rng.chance(0.003)
        if degraded { received = max(1, count / 2 - 1) }
        let samples = (0..<received).map { _ in max(0.1, base * (degraded ? 4 : 1) * Double.random(in: 0.92...1.12, using: &rng)) }
        return LinkObservation(address: link.address, method: link.method, transport: transport, sent: count, received: received,
                               refused: link.method == .icmp ? 0 : received, roundTrip: RoundTripStatistics(milliseconds: samples),
                               firstReply: t.addingTimeInterval(base / 1000), lastReply: t.addingTimeInterval(Double(count - 1) * 0.2 + base / 1000),
                               started: t, duration: Double(count - 1) * 0.2 + base / 1000)
    }

    /// Every endpoint checked at `t`: its profile is the agency's (stable over time), and it
    /// is unreachable while its agency's link is down.
    func endpointResults(at t: Date, linkStates: [String: LinkState?], rng: inout SeededGenerator) -> [EndpointResult] {
        var results: [EndpointResult] = []
        for agency in agencies {
            for endpoint in agency.endpoints {
                let url = endpoint.url.description
                let host = endpoint.sni ?? (URL(string: url)?.host ?? "localhost")
                let profile = SeededGenerator.mix(url, seed) % 100
                let unreachable = (linkStates[agency.code] ?? nil) == .down || rng.chance(0.005)
                let observation = unreachable
                    ? TLSObservation(url: url, serverName: host, address: endpoint.address, port: 443, started: t, duration: 10,
                                     connection: ConnectionOutcome(tcpConnected: false, failure: .connectTimeout, message: "Connection timed out after 10000 milliseconds"))
                    : Self.tlsObservation(url: url, host: host, address: endpoint.address, at: t, profile: profile)
                let evaluation = policy.evaluateEndpoint(observation, now: t)
                results.append(EndpointResult(agencyCode: agency.code, observation: observation, verdict: evaluation.verdict,
                                              findings: evaluation.findings))
            }
        }
        return results
    }

    /// A TLS observation as the probe makes one: profile 0–79 good, 80–87 TLS 1.0 still
    /// accepted, 88–93 no HSTS, 94–96 expired certificate, 97–99 self-signed.
    static func tlsObservation(url: String, host: String, address: IPAddress?, at t: Date, profile: UInt64) -> TLSObservation {
        let expired = (94...96).contains(profile), selfSigned = profile >= 97
        let notAfter = expired ? t.addingTimeInterval(-86_400 * 20) : t.addingTimeInterval(86_400 * 200)
        let leaf = CertificateObservation(subject: "CN=\(host)", issuer: selfSigned ? "CN=\(host)" : "CN=Lab Issuing CA,O=netaudit lab",
                                          serialNumber: String(profile, radix: 16), subjectAltNames: [host],
                                          notBefore: t.addingTimeInterval(-86_400 * 100), notAfter: notAfter, keyType: "RSA", keyBits: 2048,
                                          signatureAlgorithm: "sha256WithRSAEncryption",
                                          sha256Fingerprint: String(repeating: String(format: "%02x", profile), count: 32),
                                          isCA: false, selfSigned: selfSigned)
        let problem: ChainVerification.Problem? = expired ? .expired : (selfSigned ? .selfSigned : nil)
        let chain = ChainVerification(trusted: !expired && !selfSigned, problem: problem,
                                      code: expired ? 10 : (selfSigned ? 18 : 0),
                                      message: expired ? "certificate has expired" : (selfSigned ? "self-signed certificate" : "ok"),
                                      anchor: expired || selfSigned ? nil : "CN=Lab Root CA", path: [])
        let tls10 = (80...87).contains(profile)
        let protocols: [ProtocolAcceptance] = [
            ProtocolAcceptance(version: .ssl3, accepted: false, detail: "handshake_failure"),
            ProtocolAcceptance(version: .tls1_0, accepted: tls10, detail: tls10 ? "accepted" : "protocol_version"),
            ProtocolAcceptance(version: .tls1_1, accepted: tls10, detail: tls10 ? "accepted" : "protocol_version"),
            ProtocolAcceptance(version: .tls1_2, accepted: true, detail: "accepted"),
            ProtocolAcceptance(version: .tls1_3, accepted: true, detail: "accepted"),
        ]
        let weak = ["NULL", "anonymous", "EXPORT", "DES", "3DES", "RC4"].map {
            CipherClassAcceptance(name: $0, accepted: false, detail: "handshake_failure", testedWith: .tls1_2)
        }
        let hsts = (88...93).contains(profile) ? nil : "max-age=31536000; includeSubDomains"
        return TLSObservation(url: url, serverName: host, address: address, port: 443, started: t, duration: 0.4,
                              connection: ConnectionOutcome(tcpConnected: true, modernHandshake: true),
                              http: HTTPObservation(status: 200, strictTransportSecurity: hsts,
                                                    timings: PhaseTimings(dns: 0, connect: 0.002, tls: 0.01, firstByte: 0.03, total: 0.04)),
                              session: TLSSessionObservation(protocolVersion: .tls1_3, cipher: "TLS_AES_128_GCM_SHA256",
                                                             cipherOpenSSLName: "TLS_AES_128_GCM_SHA256", keyExchange: "x25519"),
                              certificates: [leaf], trust: TrustObservation(publicTrust: chain, hostnameMatches: true),
                              protocols: protocols, weakCiphers: weak,
                              staticRSA: CipherClassAcceptance(name: "static RSA", accepted: false, detail: "handshake_failure", testedWith: .tls1_2),
                              plainHTTP: PlainHTTPObservation(port: 80, answered: true, status: 301, location: url))
    }

    /// The store's cost of one more link sweep after `after`: begin, each result in its own
    /// transaction as the runner writes them, finish; and the same with one batch. Median
    /// of 5 each.
    func timeSweepWrites(store: any ResultStore, after: Date) async throws -> [String] {
        let clock = ContinuousClock()
        var perResult: [Double] = [], batched: [Double] = []
        var t = after
        let plan = DayPlan()
        for round in 0..<10 {
            var rng = SeededGenerator(seed: seed ^ UInt64(round))
            let links = linkResults(at: t, offset: 0, sweep: round, plan: plan, rng: &rng)
            let start = clock.now
            let id = try await store.beginRun(kind: .linkSweep, inventory: inventory, inventoryPath: inventoryPath,
                                              inventoryHash: inventoryHash, startedAt: t, resuming: nil)
            if round % 2 == 0 {
                for result in links { try await store.record(result, in: id, at: t.addingTimeInterval(2)) }
            } else {
                try await store.record(links: links, endpoints: [], in: id, at: t.addingTimeInterval(2))
            }
            try await store.finishRun(id, state: .complete, note: nil, endedAt: t.addingTimeInterval(3))
            let seconds = BenchTLSCommand.seconds(clock.now - start)
            if round % 2 == 0 { perResult.append(seconds) } else { batched.append(seconds) }
            t = t.addingTimeInterval(step)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let count = agencies.count
        return [String(format: "| sweep write, %d results one by one (begin + %d record + finish) | %.1f ms (median of 5; min %.1f, max %.1f) |",
                       count, count, median(perResult) * 1000, perResult.min()! * 1000, perResult.max()! * 1000),
                String(format: "| sweep write, %d results in one batch (begin + record(links:) + finish) | %.1f ms (median of 5; min %.1f, max %.1f) |",
                       count, median(batched) * 1000, batched.min()! * 1000, batched.max()! * 1000)]
    }
}
