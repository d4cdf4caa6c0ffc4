import ArgumentParser
import Foundation
import NetauditAudit
import NetauditCore
import NetauditInventory
import NetauditReports
import NetauditStore
import NetauditStores

/// `netaudit store`: the results store itself: its schema, its soundness, its spool, and
/// moving a province's SQLite history into the central PostgreSQL store.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Migrate or check a results store (SQLite or PostgreSQL), and copy a SQLite store into PostgreSQL.",
        subcommands: [StoreMigrateCommand.self, StoreCheckCommand.self, StoreCopyCommand.self]
    )
}

/// The store and settings a `store` subcommand works on: --db, else --config's database.
struct StoreSelection: ParsableArguments {
    @Option(help: ArgumentHelp("The results store: a SQLite file or a postgresql:// URL (default: the database --config names, else netaudit.sqlite).", valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("Take the store, the site, the spool and the history settings from the daemon's configuration file.", valueName: "file"))
    var config: String?

    func resolve() throws -> (db: String, configuration: DaemonConfiguration?) {
        var configuration: DaemonConfiguration?
        if let config {
            do { configuration = try AuditSetup.loadConfiguration(config) } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        return (db ?? configuration?.database ?? "netaudit.sqlite", configuration)
    }
}

struct StoreMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring a store's schema to this netaudit's version (creating it if missing), and say which version it is at.",
        discussion: """
            Every writing open migrates a store; this does only that, so that the owner of a PostgreSQL database can migrate it before the site roles (which may not create or alter anything) write into it (docs/postgresql.md, "Least privilege"). A store written by a newer netaudit is refused and left alone.

            EXIT STATUS:
              0  the store is at this netaudit's schema version
              2  no such store (a SQLite file is created), a bad URL or option, a store too new, or the role may not migrate it
              3  internal error
            """
    )

    @OptionGroup var selection: StoreSelection

    func run() async throws {
        let (db, configuration) = try selection.resolve()
        let store: any ResultStore
        do { store = try await Stores.open(db, history: configuration?.history ?? .standard) } catch { throw UserError("\(error)") }
        let description: Stores.Description
        do { description = try await Stores.describe(store) } catch {
            try? await store.close()
            throw UserError("\(error)")
        }
        try? await store.close()
        printOut("\(description.location): \(description.backend) store at schema version \(description.schemaVersion) (this netaudit's latest: \(description.latestSchemaVersion))")
    }
}

struct StoreCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a store: its schema version, its integrity, and the spool of an auditor that writes to PostgreSQL.",
        discussion: """
            Reads the store without changing it: the schema version (against this netaudit's), the backend's integrity check (SQLite's integrity_check and foreign keys; in PostgreSQL, history applied to every complete run and one open interval per subject), and the number of runs. With a postgresql:// store and a spool (--spool, spool: of --config, or the default place `audit` and the daemon use), the spool too: its runs not yet shipped, since when, and its own integrity.

            EXIT STATUS:
              0  sound, at this netaudit's schema version, and nothing waits in the spool
              1  a problem found: an integrity problem, an older schema (run `netaudit store migrate`), or runs waiting in the spool
              2  no such store, a bad URL or option, or a store written by a newer netaudit
              3  internal error
            """
    )

    @OptionGroup var selection: StoreSelection

    @Option(help: ArgumentHelp("The spool of an auditor writing to the --db URL (default: spool: of --config, else where `audit` keeps it).", valueName: "file"))
    var spool: String?

    @Option(help: ArgumentHelp("The site whose default spool to look at (default: site: of --config).", valueName: "code"))
    var site: String?

    @Option(help: "Output: table or json.")
    var format: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    struct Report: Encodable {
        var store: Stores.Description
        var integrity: String
        var runs: Int
        var spool: Stores.SpoolInspection?
        var ok: Bool
        var reachable = true
    }

    func run() async throws {
        let (db, configuration) = try selection.resolve()
        let history = configuration?.history ?? .standard
        guard Stores.isURL(db) || FileManager.default.fileExists(atPath: db) else { throw UserError("no results store at '\(db)'") }
        var report: Report
        do {
            report = try await Self.inspect(db, history: history)
        } catch where error.code == .unavailable && Stores.isURL(db) {
            // The server does not answer: said, and the spool is still looked at.
            report = Report(store: .init(backend: "postgresql", location: error.path, schemaVersion: 0, latestSchemaVersion: 0),
                            integrity: "not reached: \(error.message)", runs: 0, spool: nil, ok: false, reachable: false)
        } catch {
            throw UserError("\(error)")
        }
        if Stores.isURL(db) {
            let site = self.site ?? configuration?.site
            let path = spool ?? configuration?.spool ?? Stores.defaultSpool(site: site)
            if FileManager.default.fileExists(atPath: path) {
                do {
                    let state = try await Stores.inspectSpool(path, history: history)
                    report.spool = state
                    if state.integrity != "ok" || state.pending > 0 { report.ok = false }
                } catch { throw UserError("spool: \(error)") }
            } else if spool != nil {
                throw UserError("--spool '\(path)': no such file")
            }
        }
        switch format {
        case .json: printOut(try JSONOutput.render(report))
        case .table: printOut(Self.text(report))
        }
        if !report.ok { throw ExitCode(ExitStatus.targetsMissed) }
    }

    static func inspect(_ db: String, history: HistorySettings) async throws(StoreError) -> Report {
        let store = try await Stores.open(db, access: .readOnly, history: history)
        do {
            let description = try await Stores.describe(store)
            let integrity = try await store.integrityCheck()
            let runs = try await Stores.runCount(store)
            try await store.close()
            return Report(store: description, integrity: integrity, runs: runs, spool: nil,
                          ok: integrity == "ok" && description.schemaVersion == description.latestSchemaVersion)
        } catch {
            try? await store.close()
            throw error
        }
    }

    static func text(_ report: Report) -> String {
        guard report.reachable else {
            return (["store      \(report.store.location) (\(report.store.backend)): \(report.integrity)"] + spoolLines(report) + ["not ok"])
                .joined(separator: "\n")
        }
        var lines = ["store      \(report.store.location) (\(report.store.backend))",
                     "schema     version \(report.store.schemaVersion)"
                        + (report.store.schemaVersion == report.store.latestSchemaVersion ? " (current)" : " — this netaudit's is \(report.store.latestSchemaVersion): run `netaudit store migrate`"),
                     "integrity  \(report.integrity)",
                     "runs       \(report.runs)"]
        lines += spoolLines(report)
        lines.append(report.ok ? "ok" : "not ok")
        return lines.joined(separator: "\n")
    }

    static func spoolLines(_ report: Report) -> [String] {
        let formatter = ISO8601DateFormatter()
        var lines: [String] = []
        if let spool = report.spool {
            lines.append("spool      \(spool.path) (schema version \(spool.schemaVersion), integrity \(spool.integrity))")
            lines.append(spool.pending == 0 ? "           every ended run shipped" + (spool.running > 0 ? "; \(spool.running) running" : "")
                         : "           \(spool.pending) run\(spool.pending == 1 ? "" : "s") waiting to be shipped since \(spool.oldestPending.map(formatter.string) ?? "?")"
                            + (spool.running > 0 ? "; \(spool.running) running" : ""))
        }
        return lines
    }
}

struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a SQLite store's runs and history into a PostgreSQL store (a province moving to the central database, or a spool shipped by hand).",
        discussion: """
            Every ended run of FILE, oldest end first, each in one transaction with its results, findings and the history it extends, as the site --site names (default: each run's inventory's top agency). A run the target has already (the same run id, kept in every store: `RunRecord.uid`) is not written again, so a copy that was cut off, or one repeated, stores each run once. Runs still running in FILE are left (copy again once they ended).

            FILE is opened for writing: a store of an earlier netaudit is upgraded in place (as any audit would) so that its runs keep their ids; each run copied is marked shipped, so a spool copied by hand is then empty. Stop the auditor writing FILE first if another host writes the site (the site's writer is one host at a time).

            EXIT STATUS:
              0  every ended run is in the target
              2  no such file, a bad URL, a site another host writes, or the role may not write
              3  internal error
            """
    )

    @Option(help: ArgumentHelp("The SQLite store to copy from.", valueName: "file"))
    var from: String

    @Option(help: ArgumentHelp("The PostgreSQL store to copy into.", valueName: "url"))
    var to: String

    @Option(help: ArgumentHelp("The site the runs are written as (default: each run's inventory's top agency).", valueName: "code"))
    var site: String?

    @Option(help: ArgumentHelp("Take the history settings (time zone, max gap) from the daemon's configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The time zone the target's daily roll-ups are cut in, e.g. Asia/Ho_Chi_Minh (default: history.time_zone of --config, or the machine's): the one its auditors use.", valueName: "zone"))
    var timeZone: String?

    func validate() throws {
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone '\(timeZone)': not a time zone (e.g. Asia/Ho_Chi_Minh, UTC).")
        }
        guard Stores.isURL(to) else { throw ValidationError("--to is a postgresql:// URL.") }
        guard !Stores.isURL(from) else { throw ValidationError("--from is a SQLite file.") }
    }

    func run() async throws {
        var history = HistorySettings.standard
        if let config {
            do { history = try AuditSetup.loadConfiguration(config).history } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        if let timeZone { history.timeZone = TimeZone(identifier: timeZone)! }
        let progress = ProgressLine()
        let outcome: Stores.CopyOutcome
        do {
            outcome = try await Stores.copy(from: from, to: to, history: history, site: site) { done, total in
                progress.show("copying run \(done) of \(total)")
            }
        } catch {
            progress.clear()
            throw UserError("\(error)")
        }
        progress.clear()
        printOut("copied \(outcome.copied) run\(outcome.copied == 1 ? "" : "s") from \(from); \(outcome.alreadyThere) already there"
                 + (outcome.running > 0 ? "; \(outcome.running) still running, not copied" : ""))
    }
}
