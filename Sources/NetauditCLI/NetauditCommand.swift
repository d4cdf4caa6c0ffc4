import ArgumentParser
import NetauditCore
import NetauditProbes

/// `netaudit`: the root command. Subcommands are thin: they parse, call a module, print.
public struct NetauditCommand: AsyncParsableCommand {
    public static let version = NetauditVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "netaudit",
        abstract: "Audit a province's e-government network: agencies' links to the dedicated data network and their TLS endpoints.",
        discussion: """
            netaudit reads an inventory of state agencies (province > district > commune, or whatever levels the inventory declares), probes each agency's link to the dedicated data network and its TLS endpoints, and measures each level against its connection target (100% by default).

            EXIT STATUS:
              0  success; for audit and report: every level meets its connection target and every endpoint is compliant
              1  audit, report: a level misses its target or an endpoint is not compliant; probe: the link is not up, or the endpoint completed no handshake
              2  usage error or invalid input (bad option, invalid inventory or CSV); nothing was probed
              3  internal error (a bug: please report it with the command line)
            """,
        version: "\(version) (\(ProbeLibraries.current()))",
        subcommands: [AuditCommand.self, ReportCommand.self, DaemonCommand.self, StoreCommand.self, InventoryCommand.self, ProbeCommand.self, LabCommand.self, BenchCommand.self]
    )

    public init() {}
}

/// Exit statuses, documented in `netaudit --help` and the README.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let targetsMissed: Int32 = 1
    public static let invalidInput: Int32 = 2
    public static let internalError: Int32 = 3
}

/// A failure the user can fix (a file that cannot be written, an option that does not fit):
/// printed as `netaudit: message` and ends with exit status 2.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
