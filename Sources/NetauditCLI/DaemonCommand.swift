import NetauditAudit
import ArgumentParser
import Foundation
import NetauditDaemon
import NetauditInventory
import NetauditStore
import NetauditStores

/// `netaudit daemon`: continuous auditing, the systemd service (systemd/netaudit.service).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Audit continuously: a link sweep every few minutes, a full audit each day, HTTP status and metrics.",
        discussion: """
            Reads the configuration (docs/configuration.md) and the inventory it names, refusing either whole with FILE:LINE:COLUMN messages before anything starts. Then runs a link sweep of every agency every schedules.link_sweep.every (default 5m) and a full audit (links and TLS endpoints) each day at schedules.full_audit.at, into the results store shared with `netaudit audit`; announces state changes (agency down or recovered, endpoint newly non-compliant, certificate entering its last 7 days) once each in the log and to the webhook if one is set (with an empty store, the first run's state is one initial_state digest instead); serves /metrics, /status, /healthz and the latest HTML report on http.listen (default 127.0.0.1:9464), over HTTPS with http.tls and behind a user and password with http.basic_auth.

            Speaks systemd's notify protocol when $NOTIFY_SOCKET is set (READY=1, STATUS=, RELOADING=1, STOPPING=1, WATCHDOG=1) and logs one line per event on standard error with journald priority prefixes (<3> error … <7> debug); when standard error is the journal ($JOURNAL_STREAM), through journald's native protocol with the line's fields as journal fields (journalctl AGENCY=23599 RULE=link.down).

            SIGHUP reloads the configuration and the inventory (an invalid edit is logged and the previous ones stay in force); SIGTERM or SIGINT stops gracefully: runs in flight are cancelled and marked aborted, the store is closed.

            EXIT STATUS:
              0  stopped by SIGTERM or SIGINT; with --check: the configuration and the inventory are valid
              2  invalid configuration or inventory, results store that cannot be opened, HTTP address that cannot be served, or TLS certificate and key that cannot be loaded
              3  internal error
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config = DaemonConfiguration.defaultPath

    @Flag(help: "Check the configuration and the inventory, print a summary, and exit (0 when valid, 2 when not).")
    var check = false

    func run() async throws {
        if check {
            let setup: AuditSetup
            do {
                setup = try AuditSetup.load(try AuditSetup.loadConfiguration(config))
            } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.invalidInput)
            }
            let configuration = setup.configuration
            var store = ""
            if Stores.isURL(configuration.database) {
                // A URL is checked as the daemon will read it (no connection is made).
                do { _ = try StoreLocation.parse(configuration.database) } catch {
                    printError("\(config): database: \(error.message)")
                    throw ExitCode(ExitStatus.invalidInput)
                }
                let site = configuration.site ?? setup.inventory.agencies.first?.code ?? "-"
                store = """

                      site       \(site)\(configuration.site == nil ? " (the inventory's top agency)" : "")
                      spool      \(configuration.spool ?? Stores.defaultSpool(site: configuration.site))
                    """
            }
            printOut("""
                \(config): valid
                  inventory  \(setup.inventoryPath) (\(setup.inventory.allAgencies.count) agencies)
                  database   \(configuration.database)\(store)
                  link sweep \(configuration.linkSweep.enabled ? "every \(configuration.linkSweep.every.text), jitter \(configuration.linkSweep.jitter.text)" : "off")
                  full audit \(configuration.fullAudit.enabled ? "daily at \(configuration.fullAudit.at), jitter \(configuration.fullAudit.jitter.text)" : "off")
                  http       \(configuration.http.enabled ? configuration.http.listenText + Self.security(configuration.http) : "off")
                  webhook    \(configuration.webhook?.redactedURL ?? "none")
                  retention  raw sweeps \(configuration.retention.rawDays.map { "\($0) days" } ?? "kept"), history \(configuration.retention.historyDays.map { "\($0) days" } ?? "kept")
                  history    not observed past \(configuration.historyKeeping.maxGap.text) between sweeps (\(configuration.historyKeeping.endpointMaxGap.text) for endpoints), days in \(configuration.historyKeeping.timeZone.identifier)

                """)
            return
        }
        let status = await Daemon.run(configurationPath: config)
        if status != 0 { throw ExitCode(status) }
    }

    /// ` (https, basic auth for prometheus)`; nothing for plain HTTP without authentication.
    static func security(_ http: DaemonConfiguration.HTTPSettings) -> String {
        let parts = (http.tls != nil ? ["https"] : []) + (http.basicAuth.map { ["basic auth for \($0.user)"] } ?? [])
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }
}
