import ArgumentParser
import Foundation
import NetauditCore
import NetauditPolicy
import NetauditProbes
import NetauditReports

/// `netaudit probe`: one link (or, with the TLS probe, one endpoint), every observation,
/// for an operator debugging it (think blackbox_exporter's debug=true).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe one TLS endpoint or one link and print every observation.",
        discussion: """
            netaudit probe https://HOST[:PORT][/PATH] checks one TLS endpoint: one real HTTPS request (status, redirect, HSTS, timings, the negotiated session and the certificate chain as sent), netaudit's own verification of the chain against Debian's bundle (or the --public-ca-file anchors instead) and, separately, the --ca-file anchors (with the --intermediates-file certificates as known intermediates, to tell an incomplete chain from an untrusted one), the protocol versions SSLv3 … TLS 1.3, the weak cipher classes, DHE (and its group size), the ECDHE group and TLS 1.2 CBC suites the server accepts (with hand-built hellos), whether each certificate is revoked (the stapled OCSP response, the OCSP responders of its AIA, its CRL distribution points: fetched inside the allowed networks only), a missing intermediate fetched from the AIA caIssuers URL, and whether plain HTTP redirects to https. --address pins the connection (like curl's --resolve). The output ends with the findings of the baseline policy (rule id, severity, message, evidence; docs/policy.md) and the endpoint's verdict: compliant, noncompliant or unreachable.

            netaudit probe --link ADDRESS sends an ICMP echo series to ADDRESS (or TCP connects with --method tcp --port N) and prints what came back: answers, loss, round-trip times, and the state the policy reads (up, degraded, down).

            The address must be inside the allowed networks (--allow, default loopback only): netaudit never sends traffic elsewhere.

            EXIT STATUS:
              0  the link is up; the endpoint answered TLS
              1  the link is degraded or down; the endpoint did not complete a handshake
              2  usage error or invalid input
            """
    )

    @Argument(help: ArgumentHelp("The TLS endpoint to check, https://HOST[:PORT][/PATH].", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Probe the link to this IPv4 or IPv6 address instead of an endpoint.", valueName: "address"))
    var link: String?

    @Option(help: ArgumentHelp("Connect to this address instead of resolving the URL's host.", valueName: "address"))
    var address: String?

    @Option(help: ArgumentHelp("Send this server name (SNI) and verify the certificate against it.", valueName: "name"))
    var sni: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Extra trust anchors (PEM), e.g. the Government CA root (repeatable).", valueName: "pem"))
    var caFiles: [String] = []

    @Option(name: .customLong("public-ca-file"), help: ArgumentHelp("Anchors of public trust (PEM), instead of Debian's bundle: an offline or custom bundle (repeatable).", valueName: "pem"))
    var publicCAFiles: [String] = []

    @Option(name: .customLong("intermediates-file"), help: ArgumentHelp("Known intermediate CA certificates (PEM), never anchors: a server that omits one is an incomplete chain, not an untrusted one (repeatable).", valueName: "pem"))
    var intermediatesFiles: [String] = []

    @Option(help: ArgumentHelp("Port of the plain-HTTP check (0 skips it).", valueName: "port"))
    var httpPort = 80

    @Flag(help: "Skip the hand-built hellos (protocol versions, weak ciphers, static RSA, DHE, ECDHE, CBC).")
    var noHellos = false

    @Flag(help: "Skip revocation checking (stapled OCSP, the AIA's OCSP responders, CRLs) and chain completion from the AIA caIssuers URL: no fetch beside the endpoint.")
    var noRevocation = false

    @Option(help: "How to probe: icmp (an echo series) or tcp (connects; needs --port).")
    var method: MethodName = .icmp

    @Option(help: ArgumentHelp("TCP port, with --method tcp.", valueName: "port"))
    var port: Int?

    @Option(help: "Requests in the series.")
    var count = 5

    @Option(help: ArgumentHelp("Spacing between requests, e.g. 200ms.", valueName: "duration"))
    var interval = "200ms"

    @Option(help: ArgumentHelp("Link: how long to wait for each answer (default 1s). Endpoint: deadline of the whole check (default 10s).", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("A network netaudit may probe (repeatable; default: 127.0.0.0/8 and ::1/128).", valueName: "cidr"))
    var allow: [String] = []

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Language of the finding messages in the text output: en or vi (the JSON keeps English).")
    var lang: ReportLanguage = .en

    enum MethodName: String, ExpressibleByArgument, CaseIterable { case icmp, tcp }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        switch (url, link) {
        case (nil, nil): throw ValidationError("Give a URL to check an endpoint, or --link ADDRESS to probe a link.")
        case (_?, _?): throw ValidationError("Give either a URL or --link, not both.")
        case (let url?, nil):
            if case .failure(let problem) = EndpointURL.parse(url) { throw ValidationError("'\(url)' is not an endpoint URL: \(problem).") }
            if let address, IPAddress(address) == nil { throw ValidationError("--address '\(address)' is not an IPv4 or IPv6 address.") }
            if let sni, !EndpointURL.isValidHostName(sni) { throw ValidationError("--sni '\(sni)' is not a host name.") }
            guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be from 0 to 65535.") }
        case (nil, let link?):
            guard IPAddress(link) != nil else { throw ValidationError("--link '\(link)' is not an IPv4 or IPv6 address.") }
        }
        if method == .tcp {
            guard let port, (1...65535).contains(port) else { throw ValidationError("--method tcp needs --port from 1 to 65535.") }
        } else if port != nil {
            throw ValidationError("--port is only used with --method tcp.")
        }
        guard (1...1000).contains(count) else { throw ValidationError("--count must be from 1 to 1000.") }
        for (name, value) in [("--interval", interval), ("--timeout", timeout ?? "1s")] {
            guard let duration = Duration(text: value), duration > .zero else {
                throw ValidationError("\(name) '\(value)' is not a duration such as 200ms or 1s.")
            }
        }
        for network in allow where IPNetwork(network) == nil {
            throw ValidationError("--allow '\(network)' is not a network such as 127.0.0.0/8.")
        }
    }

    func run() async throws {
        let networks = allow.isEmpty ? IPNetwork.loopback : allow.compactMap(IPNetwork.init)
        if let url { return try await probeEndpoint(url, networks: networks) }
        let address = IPAddress(link!)!
        guard networks.permits(address) else {
            throw UserError("\(address) is outside the allowed target networks (\(networks.map(\.description).joined(separator: ", "))); see --allow")
        }
        let policy = Policy()  // read before probing, while descriptors are sure to be free
        let engine = ProbeEngine(.init(allow: networks))
        defer { engine.shutdown() }
        let linkMethod: Link.Method = method == .tcp ? .tcp(port: port!) : .icmp
        let settings = LinkProbeSettings(count: count, interval: Duration(text: interval)!, timeout: Duration(text: timeout ?? "1s")!)
        let link = Link(address: address, method: linkMethod)
        let observation = await engine.probeLink(link, settings: settings)
        let findings = policy.evaluateLink(of: Agency(code: "-", name: "-", level: "-", link: link), observation: observation)
        let thresholds = policy.profile.linkThresholds
        switch format {
        case .text: printOut(LinkProbeReport.text(observation, findings: findings, thresholds: thresholds, labels: lang.labels))
        case .json: printOut(try LinkProbeReport.json(observation, findings: findings, thresholds: thresholds))
        }
        if observation.state() != .up { throw ExitCode(ExitStatus.targetsMissed) }
    }

    private func probeEndpoint(_ text: String, networks: [IPNetwork]) async throws {
        let endpointURL = try EndpointURL.parse(text).get()
        let endpoint = Endpoint(url: endpointURL, address: address.flatMap(IPAddress.init), sni: sni?.lowercased())
        for target in [endpoint.address, endpointURL.hostAddress].compactMap({ $0 }) where !networks.permits(target) {
            throw UserError("\(target) is outside the allowed target networks (\(networks.map(\.description).joined(separator: ", "))); see --allow")
        }
        let trust: TrustStores
        do {
            trust = try TrustStores(publicBundles: publicCAFiles.isEmpty ? nil : publicCAFiles, governmentAnchors: caFiles,
                                    intermediates: intermediatesFiles)
        } catch {
            throw UserError("\(error)")
        }
        let policy = Policy()  // read before probing, while descriptors are sure to be free
        let engine = ProbeEngine(.init(allow: networks))
        defer { engine.shutdown() }
        let settings = TLSProbeSettings(timeout: Duration(text: timeout ?? "10s")!, httpPort: httpPort == 0 ? nil : httpPort,
                                        checkProtocolsAndCiphers: !noHellos, checkRevocation: !noRevocation)
        let observation = await engine.probeEndpoint(endpoint, settings: settings, trust: trust)
        let evaluation = policy.evaluateEndpoint(observation, now: Date())
        switch format {
        case .text: printOut(TLSProbeReport.text(observation, evaluation: evaluation, labels: lang.labels))
        case .json: printOut(try TLSProbeReport.json(observation, evaluation: evaluation))
        }
        if let local = evaluation.notProbed {
            printError("netaudit: not probed in full: \(local.summary) (\(local.message)); \(local.count) connections not made, nothing judged")
            throw ExitCode(ExitStatus.targetsMissed)
        }
        if !(observation.connection.modernHandshake || observation.connection.legacyHandshake == true) {
            throw ExitCode(ExitStatus.targetsMissed)
        }
    }
}
