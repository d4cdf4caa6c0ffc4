#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import Foundation
import Synchronization
internal import CNetauditShims
public import NetauditCore
public import NetauditInventory

/// The network lab, built and running: a simulated dedicated network of Linux network
/// namespaces for one inventory and scenario (``LabNetworkPlan`` is its design), the
/// agencies' TLS endpoints served inside it, late echoes for slow links, and the links that
/// flap or go down for a while changing on time. Needs root (CAP_SYS_ADMIN and
/// CAP_NET_ADMIN). An audit runs inside ``auditorNamespace`` on ``inventoryPath``.
///
/// Everything it creates is a namespace named after ``prefix`` (`nalab<pid>_<n>-…`):
/// interfaces, routes and nftables tables live and die with them. ``stop()`` removes
/// them all; a lab that died without stopping leaves namespaces whose process is gone,
/// which the next lab removes first (``removeLeftovers()``).
public final class LabNetwork: Sendable {
    public let plan: LabNetworkPlan
    /// The lab's copy of the inventory (lab addresses), its main file.
    public let inventoryPath: String
    /// The Government CA root and intermediate that the endpoints' certificates chain to (`--ca-file`).
    public let governmentBundle: URL
    /// What each endpoint serves.
    public let served: [LabInventory.Served]
    public var prefix: String { plan.prefix }
    public var auditorNamespace: String { plan.auditor.name }

    private let folder: URL
    private let endpoints: LabInventory
    private let responder: LabEchoResponder
    private let schedule: LabLinkSchedule
    private let stopped = Mutex(false)

    private static let serial = Atomic<Int>(0)

    /// Designs and builds the lab. `report` receives a line for each change of a link while
    /// the lab runs (and for anything that went wrong doing it).
    public init(inventory: Inventory, inventoryName: String = "inventory", scenario: NetworkScenario,
                report: @escaping @Sendable (String) -> Void = { _ in }) throws(LabNetworkError) {
        guard geteuid() == 0 else {
            throw LabNetworkError("the network lab needs root (it creates network namespaces): run it as root, or use the loopback lab (netaudit lab --inventory)")
        }
        let number = Self.serial.add(1, ordering: .relaxed).newValue
        let prefix = "nalab\(getpid())_\(number)"
        let plan = try LabNetworkPlan(inventory: inventory, scenario: scenario, prefix: prefix)
        self.plan = plan
        Self.live.withLock { _ = $0.insert(prefix) }
        Self.removeLeftovers()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-lab-network-\(prefix)")
        self.folder = folder
        var built = false
        defer {
            if !built {
                Self.delete(plan.namespaces.map(\.name))
                try? FileManager.default.removeItem(at: folder)
                Self.live.withLock { _ = $0.remove(prefix) }
            }
        }

        // The namespaces and the veth pairs between them, then what is inside each.
        try LabShell.ip(plan.rootCommands, what: "creating the lab's namespaces")
        for namespace in plan.namespaces {
            for (path, value) in namespace.sysctls {
                let result = na_netns_write_sysctl(namespace.path, path, value)
                guard result == 0 else { throw LabNetworkError("\(namespace.name): writing \(value) to \(path): \(LabErrno.text(-result))") }
            }
            try LabShell.ip(namespace.commands, in: namespace.name, what: "setting up \(namespace.name)")
            if let script = namespace.nftables {
                try LabShell.run(["ip", "netns", "exec", namespace.name, LabShell.tool("nft") ?? "nft", "-f", "-"], input: script,
                                 what: "loading the nftables rules of \(namespace.name) (loss, ICMP filter)")
            }
        }
        let start = ContinuousClock.now

        // The lab's copy of the inventory, with lab addresses.
        let copy = folder.appendingPathComponent("inventory")
        do {
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            let files = InventoryWriter(split: true, header: [
                "The network lab's copy of \(inventoryName), with the lab's addresses (\(LabNetworkPlan.range), inside its namespaces only).",
                "Written by netaudit lab --network; removed when the lab stops.",
            ]).render(plan.inventory, mainName: "inventory.yaml")
            for file in files {
                let url = copy.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: url)
            }
        } catch {
            throw LabNetworkError("writing the lab's inventory to \(copy.path): \(error.localizedDescription)")
        }
        inventoryPath = copy.appendingPathComponent("inventory.yaml").path

        // The endpoints, each in its agency's namespace, named as the lab's inventory names
        // them (an address as a URL's host is the lab's).
        var placements: [LabInventory.Placement] = []
        var placed: Set<String> = []
        var position = 0
        for agency in plan.inventory.allAgencies {
            guard let site = plan.sites[agency.code] else { continue }
            let conduct = scenario.conduct(of: agency.code)
            for (index, endpoint) in agency.endpoints.enumerated() {
                position += 1
                let address = site.endpointAddresses[index], port = UInt16(endpoint.url.port)
                guard placed.insert("\(address) \(port)").inserted else { continue }  // one server per address and port
                let kind = conduct.tls?.rawValue ?? (scenario.tlsPattern == .demo ? LabInventory.behaviour(at: position) : "good")
                placements.append(LabInventory.Placement(agencyCode: agency.code, agencyName: agency.name, host: endpoint.serverName,
                                                         address: address, port: port, kind: kind, namespace: "/run/netns/" + site.namespace))
            }
        }
        let tcp = plan.tcpPorts.map {
            LabEndpoint(address: $0.address, port: $0.port, behaviour: .plainHTTP(status: 200, headers: []), namespace: "/run/netns/" + $0.namespace)
        }
        do {
            endpoints = try LabInventory(placements: placements, httpPort: UInt16(clamping: inventory.probe.httpPort), additional: tcp)
        } catch {
            throw LabNetworkError("serving the endpoints: \(error)")
        }
        governmentBundle = endpoints.governmentBundle
        served = endpoints.served
        do {
            responder = try LabEchoResponder(plan.lateEchoes)
            let changing = inventory.allAgencies.compactMap { agency -> LabLinkSchedule.Entry? in
                let conduct = scenario.conduct(of: agency.code)
                guard conduct.changesOverTime, conduct.link != .down, let site = plan.sites[agency.code] else { return nil }
                return LabLinkSchedule.Entry(site: site, conduct: conduct)
            }
            schedule = try LabLinkSchedule(changing, start: start, report: report)
        } catch {
            endpoints.stop()
            throw error
        }
        built = true
    }

    /// Runs `command` (a program looked up on PATH, and its arguments) inside the auditor's
    /// namespace, with NETAUDIT_LAB_INVENTORY, NETAUDIT_LAB_CA_FILE and NETAUDIT_LAB_NAMESPACE
    /// set, its standard input and output the lab's; `started` gets its PID (to pass signals
    /// on). Returns its exit status as a shell gives it (128 + N for signal N).
    public func run(_ command: [String], started: @Sendable (Int32) -> Void = { _ in }) throws(LabNetworkError) -> Int32 {
        guard let ip = LabShell.tool("ip") else { throw LabNetworkError("ip (iproute2) is not installed") }
        setenv("NETAUDIT_LAB_INVENTORY", inventoryPath, 1)
        setenv("NETAUDIT_LAB_CA_FILE", governmentBundle.path, 1)
        setenv("NETAUDIT_LAB_NAMESPACE", auditorNamespace, 1)
        let arguments = [ip, "netns", "exec", auditorNamespace] + command
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let pid = argv.withUnsafeMutableBufferPointer { na_lab_spawn_command(ip, $0.baseAddress) }
        for pointer in argv { free(pointer) }
        guard pid > 0 else { throw LabNetworkError("running \(command.joined(separator: " ")): \(LabErrno.text(-pid))") }
        started(pid)
        var status: Int32 = 0
        let reaped = na_lab_reap(pid, 0, &status)
        guard reaped == 1 else { throw LabNetworkError("waiting for \(command.joined(separator: " ")): \(LabErrno.text(-reaped))") }
        return na_lab_exit_code(status)
    }

    /// Echo replies the late responder has sent so far.
    public var lateReplies: Int { responder.replies.load(ordering: .relaxed) }

    /// Stops every server and thread, removes every namespace and the lab's files; idempotent.
    public func stop() {
        let first = stopped.withLock { done -> Bool in defer { done = true }; return !done }
        guard first else { return }
        schedule.stop()
        responder.stop()
        endpoints.stop()
        Self.delete(plan.namespaces.map(\.name))
        try? FileManager.default.removeItem(at: folder)
        Self.live.withLock { _ = $0.remove(plan.prefix) }
    }

    deinit { stop() }

    /// Removes the namespaces of labs whose process is gone (killed, crashed), and their
    /// files; returns the names removed.
    @discardableResult
    public static func removeLeftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        let own = getpid()
        var gone: Set<String> = []
        let stale = names.filter { name in
            guard let pid = Self.owner(of: name) else { return false }
            // Its process has ended (or this process has its number now and is only starting).
            guard pid != own else { return !Self.isLive(name) }
            if hasEnded(pid) { gone.insert(name.split(separator: "-")[0].description); return true }
            return false
        }
        delete(stale)
        for prefix in gone {
            try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-lab-network-\(prefix)"))
        }
        return stale
    }

    /// Whether process `pid` has ended: gone, or dead and not yet reaped (a zombie: a lab
    /// killed with SIGKILL stays one until its parent waits for it, seconds later when the
    /// parent is a busy init, and its namespaces are leftovers all the same).
    static func hasEnded(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        // `PID (COMMAND) STATE …`: the command may hold spaces and parentheses, the state follows the last ')'.
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state == "Z" || state == "X"
    }

    /// The process id in a lab namespace's name (`nalab4711_2-h17`), nil for other names.
    static func owner(of name: String) -> pid_t? {
        guard name.hasPrefix("nalab"), let underscore = name.firstIndex(of: "_") else { return nil }
        return pid_t(name[name.index(name.startIndex, offsetBy: 5)..<underscore])
    }

    /// The prefixes of the labs of this process that are running.
    private static let live = Mutex<Set<String>>([])
    private static func isLive(_ name: String) -> Bool {
        live.withLock { $0.contains(String(name.split(separator: "-")[0])) }
    }

    static func delete(_ names: [String]) {
        guard !names.isEmpty else { return }
        // -force: go on past a namespace already gone.
        try? LabShell.run(["ip", "-force", "-batch", "-"], input: names.reversed().map { "netns del \($0)" }.joined(separator: "\n") + "\n",
                          what: "removing the lab's namespaces")
    }
}
