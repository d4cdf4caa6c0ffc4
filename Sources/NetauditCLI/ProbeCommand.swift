import ArgumentParser
import Foundation
import NetauditCore
import NetauditProbes
import NetauditReports

/// `netaudit probe`: one link (or, with the TLS probe, one endpoint), every observation,
/// for an operator debugging it (think blackbox_exporter's debug=true).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe one link and print every observation.",
        discussion: """
            netaudit probe --link ADDRESS sends an ICMP echo series to ADDRESS (or TCP connects with --method tcp --port N) and prints what came back: answers, loss, round-trip times, and the state the policy reads (up, degraded, down).

            The address must be inside the allowed networks (--allow, default loopback only): netaudit never sends traffic elsewhere.

            EXIT STATUS:
              0  the link is up
              1  the link is degraded or down
              2  usage error or invalid input
            """
    )

    @Option(help: ArgumentHelp("Probe the link to this IPv4 or IPv6 address.", valueName: "address"))
    var link: String

    @Option(help: "How to probe: icmp (an echo series) or tcp (connects; needs --port).")
    var method: MethodName = .icmp

    @Option(help: ArgumentHelp("TCP port, with --method tcp.", valueName: "port"))
    var port: Int?

    @Option(help: "Requests in the series.")
    var count = 5

    @Option(help: ArgumentHelp("Spacing between requests, e.g. 200ms.", valueName: "duration"))
    var interval = "200ms"

    @Option(help: ArgumentHelp("How long to wait for each answer, e.g. 1s.", valueName: "duration"))
    var timeout = "1s"

    @Option(help: ArgumentHelp("A network netaudit may probe (repeatable; default: 127.0.0.0/8 and ::1/128).", valueName: "cidr"))
    var allow: [String] = []

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    enum MethodName: String, ExpressibleByArgument, CaseIterable { case icmp, tcp }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard IPAddress(link) != nil else { throw ValidationError("--link '\(link)' is not an IPv4 or IPv6 address.") }
        if method == .tcp {
            guard let port, (1...65535).contains(port) else { throw ValidationError("--method tcp needs --port from 1 to 65535.") }
        } else if port != nil {
            throw ValidationError("--port is only used with --method tcp.")
        }
        guard (1...1000).contains(count) else { throw ValidationError("--count must be from 1 to 1000.") }
        for (name, value) in [("--interval", interval), ("--timeout", timeout)] {
            guard let duration = Duration(text: value), duration > .zero else {
                throw ValidationError("\(name) '\(value)' is not a duration such as 200ms or 1s.")
            }
        }
        for network in allow where IPNetwork(network) == nil {
            throw ValidationError("--allow '\(network)' is not a network such as 127.0.0.0/8.")
        }
    }

    func run() async throws {
        let address = IPAddress(link)!
        let networks = allow.isEmpty ? IPNetwork.loopback : allow.compactMap(IPNetwork.init)
        guard networks.permits(address) else {
            throw UserError("\(address) is outside the allowed target networks (\(networks.map(\.description).joined(separator: ", "))); see --allow")
        }
        let engine = ProbeEngine(.init(allow: networks))
        defer { engine.shutdown() }
        let linkMethod: Link.Method = method == .tcp ? .tcp(port: port!) : .icmp
        let settings = LinkProbeSettings(count: count, interval: Duration(text: interval)!, timeout: Duration(text: timeout)!)
        let observation = await engine.probeLink(Link(address: address, method: linkMethod), settings: settings)
        switch format {
        case .text: printOut(LinkProbeReport.text(observation))
        case .json: printOut(try LinkProbeReport.json(observation))
        }
        if observation.state() != .up { throw ExitCode(ExitStatus.targetsMissed) }
    }
}
