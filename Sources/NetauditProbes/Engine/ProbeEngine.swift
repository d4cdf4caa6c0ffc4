internal import CNetauditShims
import Foundation
import NetauditCore
import Synchronization

/// The probe engine of a run: two loop threads drive every probe (one the link series, one
/// the TLS checks), and Swift concurrency awaits plain `Sendable` results. A network failure is a result, never a thrown error;
/// an address outside the allow-list is refused before any packet leaves.
public final class ProbeEngine: Sendable {
    public struct Configuration: Sendable {
        /// Networks the engine may send traffic to (the inventory's `allow`).
        public var allow: [IPNetwork]
        /// Minimum spacing between two echo requests, across all links.
        public var icmpSendSpacing: Duration
        /// Probes running at once, in all: TCP link series and endpoint checks (ICMP series
        /// share one socket and are not counted). An endpoint check opens at most 6
        /// connections at once (HTTPS, plain HTTP, four hellos), so connections stay below
        /// six times this.
        public var maxConcurrentProbes: Int
        /// Probes running at once against one address, so that one agency's gateway is not
        /// hammered by its several endpoints.
        public var maxConcurrentProbesPerAddress: Int

        /// The loop thread's name, as `top -H` and /proc/PID/task/*/comm show it (15 bytes at most).
        public var loopThreadName: String
        /// The name of the link series' loop thread (see ``ProbeEngine``), 15 bytes at most.
        public var linkLoopThreadName: String

        public init(allow: [IPNetwork] = IPNetwork.loopback, icmpSendSpacing: Duration = .milliseconds(1),
                    maxConcurrentProbes: Int = 128, maxConcurrentProbesPerAddress: Int = 2,
                    loopThreadName: String = "netaudit-probe", linkLoopThreadName: String? = nil) {
            self.loopThreadName = loopThreadName
            // Derived from the main name unless given, so that a test naming its engine finds both.
            self.linkLoopThreadName = linkLoopThreadName ?? String(loopThreadName.prefix(13)) + "-l"
            self.allow = allow
            self.icmpSendSpacing = icmpSendSpacing
            self.maxConcurrentProbes = maxConcurrentProbes
            self.maxConcurrentProbesPerAddress = maxConcurrentProbesPerAddress
        }
    }

    public let configuration: Configuration
    /// The open-file limit when the engine started, and what fits in it.
    public let descriptorBudget: DescriptorBudget
    /// Checks that run at once: `configuration.maxConcurrentProbes`, or fewer when the
    /// open-file limit does not hold that many (see ``DescriptorBudget``).
    public let maxConcurrentProbes: Int
    /// The loop of the TLS checks (curl, OpenSSL, hand-built hellos, revocation fetches).
    let loop: ProbeLoop
    /// The loop of the link series (the ICMP socket, TCP connects), a thread of its own: a
    /// full audit runs the TLS checks at the same time, and on one shared thread an echo
    /// reply waited in the socket while a handshake or a chain verification ran, so the
    /// handshake counted in the round trip, and sends fell behind their spacing.
    let linkLoop: ProbeLoop
    private let connections = Atomic<Int>(0)
    private let handshakes = Atomic<Int>(0)
    private let hellos = Atomic<Int>(0)
    private let retried = Atomic<Int>(0)

    /// Connections opened so far: curl requests (HTTPS and plain HTTP) and hand-built hello
    /// exchanges (for the benchmark, and later for metrics).
    public var connectionsOpened: Int { connections.load(ordering: .relaxed) }
    /// Full TLS handshakes completed so far (the HTTPS requests, legacy retries included).
    public var handshakesCompleted: Int { handshakes.load(ordering: .relaxed) }
    /// Hand-built hello exchanges so far: a ClientHello and the server's ServerHello or
    /// alert, no handshake completed.
    public var helloExchanges: Int { hellos.load(ordering: .relaxed) }

    /// Connections tried again because netaudit itself was short of descriptors (or other
    /// local resources) when it first tried: a sign that the open-file limit is too low.
    public var connectionsRetried: Int { retried.load(ordering: .relaxed) }

    func countConnection() { connections.wrappingAdd(1, ordering: .relaxed) }
    func countRetry() { retried.wrappingAdd(1, ordering: .relaxed) }
    func countHandshake() { handshakes.wrappingAdd(1, ordering: .relaxed) }
    func countHelloExchange() { hellos.wrappingAdd(1, ordering: .relaxed) }
    let limiter: ConnectionLimiter
    /// What the run fetched for revocation and chain completion (OCSP responses, CRLs,
    /// issuer certificates), once per URL (and OCSP request) for the engine's life: a run.
    let fetched = RunMemo<FetchedDocument>()
    /// CRLs read and verified, once per URL and issuer.
    let crls = RunMemo<CRLRead>()

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        descriptorBudget = ProcessLimits.raiseOpenFiles()
        maxConcurrentProbes = descriptorBudget.concurrency(atMost: configuration.maxConcurrentProbes)
        loop = ProbeLoop(name: configuration.loopThreadName)
        linkLoop = ProbeLoop(name: configuration.linkLoopThreadName)
        limiter = ConnectionLimiter(total: maxConcurrentProbes, perAddress: configuration.maxConcurrentProbesPerAddress)
    }

    deinit {
        loop.stop()
        linkLoop.stop()
    }

    /// Stops the loop threads; probes still running end as cancelled.
    public func shutdown() {
        loop.stop()
        linkLoop.stop()
    }

    /// Probes one link: an ICMP echo series or TCP connects, as its method says.
    public func probeLink(_ link: Link, settings: LinkProbeSettings) async -> LinkObservation {
        guard configuration.allow.permits(link.address) else {
            return LinkObservation(address: link.address, method: link.method,
                                   problem: "address \(link.address) is outside the allowed target networks")
        }
        switch link.method {
        case .icmp:
            return await ping(link.address, settings: settings)
        case .tcp(let port):
            guard let slot = await limiter.acquire(.address(link.address)) else {
                return LinkObservation(address: link.address, method: link.method, problem: "cancelled before it could start")
            }
            let observation = await connectSeries(link.address, port: port, settings: settings)
            await limiter.release(slot)
            return observation
        }
    }

    private func ping(_ address: IPAddress, settings: LinkProbeSettings) async -> LinkObservation {
        let spacing = configuration.icmpSendSpacing
        let key = address.isIPv6 ? "icmp6" : "icmp4"
        return await linkLoop.request(ifStopped: Self.stopped(address, .icmp)) { loop, finish in
            let pinger = loop.shared(key) { ICMPPinger(ipv6: address.isIPv6, spacing: spacing) }
            // A socket that could not open for want of descriptors is tried again by the next series.
            if pinger.openLocalFailure != nil { loop.unshare(key) }
            guard let id = pinger.start(address, settings: settings, completion: finish) else { return nil }
            return { pinger.cancel(id) }
        }
    }

    private func connectSeries(_ address: IPAddress, port: Int, settings: LinkProbeSettings) async -> LinkObservation {
        await linkLoop.request(ifStopped: Self.stopped(address, .tcp(port: port))) { loop, finish in
            let series = TCPConnectSeries(address: address, port: port, settings: settings, completion: finish)
            loop.add(series)
            return { series.cancel() }
        }
    }

    static func stopped(_ address: IPAddress, _ method: Link.Method) -> LinkObservation {
        LinkObservation(address: address, method: method, problem: "the probe engine has stopped")
    }
}
