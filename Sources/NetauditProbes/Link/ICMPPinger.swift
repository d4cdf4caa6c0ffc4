internal import CNetauditShims
import Foundation
import NetauditCore

/// Echo series settings of one link.
public struct LinkProbeSettings: Sendable, Hashable {
    public var count: Int
    public var interval: Duration
    public var timeout: Duration

    public init(count: Int = 5, interval: Duration = .milliseconds(200), timeout: Duration = .seconds(1)) {
        self.count = max(1, count)
        self.interval = interval
        self.timeout = timeout
    }

    public init(_ defaults: ProbeDefaults) {
        self.init(count: defaults.linkCount, interval: defaults.linkInterval, timeout: defaults.linkTimeout)
    }
}

/// Every ICMP echo series of a run over one socket per address family, as fping does:
/// replies are matched to their series by sequence number (and identifier, on a raw
/// socket, which sees every ICMP packet of the host). Sends are spaced by `spacing` across
/// all series so that a sweep of thousands of agencies does not burst.
///
/// Series are admitted in the order they start, as many at once as the send budget holds
/// (each uses `spacing / interval` of it), and the rest wait: a sweep of thousands then
/// ends its series one after another, each stored as it ends, instead of all of them at
/// the very end (a run killed midway keeps what it measured). The sweep takes as long.
///
/// The socket is an unprivileged ICMP datagram socket when `net.ipv4.ping_group_range`
/// allows it, otherwise a raw socket (CAP_NET_RAW) with a large receive buffer and an ICMP
/// filter that passes only echo replies and errors; if neither opens, every series ends at
/// once with the reason.
final class ICMPPinger: LoopSource {
    private final class Series {
        let address: IPAddress
        let settings: LinkProbeSettings
        /// When its first echo is due: set when the series is admitted.
        var started = Date()
        var startInstant = ContinuousClock.now
        /// Its share of the send budget while it still has echoes to send (0 once all are out).
        var load = 0.0
        let completion: (LinkObservation) -> Void
        var sent = 0
        var outstanding = 0
        var unreachable = 0
        var roundTrips: [Double] = []
        var firstReply: Date?
        var lastReply: Date?

        init(address: IPAddress, settings: LinkProbeSettings, completion: @escaping (LinkObservation) -> Void) {
            self.address = address
            self.settings = settings
            self.completion = completion
        }
    }

    private struct Pending {
        let series: Int
        let sentAt: ContinuousClock.Instant
    }

    let ipv6: Bool
    let transport: LinkObservation.Transport?
    let openProblem: String?
    /// Set when no socket opened for want of netaudit's own resources (EMFILE…): not a
    /// matter of privileges, and worth trying again later.
    let openLocalFailure: LocalFailure?
    private let socket: SocketHandle?
    private let identifier: UInt16
    private let spacing: Duration
    /// The earliest instant the next echo may leave: it advances by `spacing` per send, so
    /// the average rate holds even when the loop wakes late (timers have millisecond
    /// granularity); at most `burst` late sends go out back to back.
    private var nextAllowed = ContinuousClock.now
    private let burst = 8
    private var sends = TimerHeap<(series: Int, index: Int)>()
    private var timeouts = TimerHeap<UInt16>()
    private var pending: [UInt16: Pending] = [:]
    private var series: [Int: Series] = [:]
    private var nextSeries = 0
    /// Series waiting for a share of the send budget, in the order they started.
    private var queued: [Int] = []
    private var queuedHead = 0
    /// The share of the send budget the admitted series use (at most 1, or one series).
    private var activeLoad = 0.0
    private var nextSequence = UInt16.random(in: 0...UInt16.max)
    private var buffer = [UInt8](repeating: 0, count: 4096)

    init(ipv6: Bool, spacing: Duration) {
        self.ipv6 = ipv6
        self.spacing = spacing
        let opened = Self.open(ipv6: ipv6)
        self.socket = opened.socket
        self.transport = opened.transport
        self.openProblem = opened.problem
        self.openLocalFailure = opened.localFailure
        let transport = opened.transport
        // A datagram socket's identifier is chosen by the kernel (its local port) and the
        // kernel hands it only its own replies; a raw socket sees everyone's.
        self.identifier = transport == .icmpRaw ? UInt16.random(in: 1...UInt16.max) : 0
    }

    /// An ICMP socket of this process, or why none opened (and whether for want of resources).
    struct Opened {
        var socket: SocketHandle?
        var transport: LinkObservation.Transport?
        var problem: String?
        var localFailure: LocalFailure?
        /// Neither socket opened for want of the right (EPERM, EACCES): no CAP_NET_RAW and
        /// ICMP datagram sockets not allowed for the group. Its reason, without the advice.
        var refusal: String?
    }

    /// An ICMP socket of this process: datagram if allowed, else raw; or why neither opens.
    static func open(ipv6: Bool) -> Opened {
        let family = ipv6 ? AF_INET6 : AF_INET
        let proto = Int32(ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)
        var socket: SocketHandle?
        var transport: LinkObservation.Transport?
        var problem: String?
        var local: LocalFailure?
        var refusal: String?
        do throws(SocketError) {
            socket = try SocketHandle(family: family, type: Int32(SOCK_DGRAM.rawValue), protocol: proto)
            transport = .icmpDatagram
        } catch let datagramError {
            do throws(SocketError) {
                let raw = try SocketHandle(family: family, type: Int32(SOCK_RAW.rawValue), protocol: proto)
                _ = raw.setReceiveBuffer(bytes: 4 << 20)
                if ipv6 {
                    let passed: [UInt8] = [129, 1, 3]  // echo reply, destination unreachable, time exceeded
                    _ = na_icmp6_set_filter(raw.fd, passed, Int32(passed.count))
                } else {
                    _ = na_icmp_set_filter(raw.fd, 1 << 0 | 1 << 3 | 1 << 11)
                }
                socket = raw
                transport = .icmpRaw
            } catch let rawError {
                local = LocalResources.failure(errno: datagramError.code, during: "socket()")
                    ?? LocalResources.failure(errno: rawError.code, during: "socket()")
                problem = local.map { "no ICMP\(ipv6 ? "v6" : "") socket: \($0.summary) (\($0.message))" }
                    ?? ICMPPinger.explain(datagram: datagramError, raw: rawError, ipv6: ipv6) + advice
                let denied: Set<Int32> = [EPERM, EACCES]
                if local == nil, denied.contains(datagramError.code), denied.contains(rawError.code) {
                    refusal = ICMPPinger.explain(datagram: datagramError, raw: rawError, ipv6: ipv6)
                }
            }
        }
        return Opened(socket: socket, transport: transport, problem: problem, localFailure: local, refusal: refusal)
    }

    /// What follows `explain`'s reason in a link's observation; a run refused up front says more.
    static let advice = "; grant CAP_NET_RAW, widen ping_group_range, or probe this link with method: tcp"

    static func explain(datagram: SocketError, raw: SocketError, ipv6: Bool) -> String {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ping_group_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? "?"
        return "no ICMP\(ipv6 ? "v6" : "") socket: an unprivileged datagram socket was refused (\(datagram); "
            + "net.ipv4.ping_group_range is '\(range)', group \(getgid())) and a raw socket needs CAP_NET_RAW (\(raw))"
    }

    /// Starts a series; `completion` runs on the loop thread when it ends.
    @discardableResult
    func start(_ address: IPAddress, settings: LinkProbeSettings,
               completion: @escaping (LinkObservation) -> Void) -> Int? {
        guard socket != nil else {
            completion(LinkObservation(address: address, method: .icmp, problem: openProblem, localFailure: openLocalFailure))
            return nil
        }
        let id = nextSeries
        nextSeries += 1
        let entry = Series(address: address, settings: settings, completion: completion)
        series[id] = entry
        queued.append(id)
        admitQueued()
        return id
    }

    /// A series' share of the send budget: one echo per `interval`, against one per `spacing`.
    private func load(of settings: LinkProbeSettings) -> Double {
        guard spacing > .zero else { return 0 }
        guard settings.interval > .zero else { return 1 }
        return min(1, spacing / settings.interval)
    }

    /// Admits waiting series, oldest first, while the budget holds them (always one at least).
    private func admitQueued() {
        while queuedHead < queued.count {
            let id = queued[queuedHead]
            guard let entry = series[id] else { queuedHead += 1; continue }  // cancelled while waiting
            let share = load(of: entry.settings)
            guard activeLoad == 0 || activeLoad + share <= 1 + 1e-9 else { break }
            queuedHead += 1
            activeLoad += share
            entry.load = share
            entry.started = Date()
            entry.startInstant = .now
            for index in 0..<entry.settings.count {
                sends.insert((id, index), at: entry.startInstant + entry.settings.interval * index)
            }
        }
        if queuedHead > 1024 && queuedHead * 2 > queued.count {
            queued.removeFirst(queuedHead)
            queuedHead = 0
        }
    }

    /// A series has sent its last echo (or ended): its share of the budget goes to the next.
    private func release(_ entry: Series) {
        guard entry.load > 0 else { return }
        activeLoad = max(0, activeLoad - entry.load)
        entry.load = 0
        admitQueued()
    }

    /// Ends a series now with what it has (a cancelled run). Requests still waiting for their
    /// reply or timeout are neither answered nor lost: they do not count as sent, so that a
    /// cut-off series reports no loss it did not see (and, with nothing concluded, nothing).
    func cancel(_ id: Int) {
        guard let entry = series[id] else { return }
        entry.sent -= entry.outstanding
        entry.outstanding = 0
        finish(id, entry)
    }

    /// Without a socket there is nothing to serve (every series ended at its start).
    var isFinished: Bool { socket == nil }

    func pollRequests() -> [(fd: Int32, events: Int16)] {
        guard let socket, !series.isEmpty else { return [] }
        return [(socket.fd, Int16(CURL_WAIT_POLLIN))]
    }

    var nextDeadline: ContinuousClock.Instant? {
        var next = timeouts.first?.time
        if let send = sends.first?.time {
            let allowed = max(send, nextAllowed)
            next = next.map { min($0, allowed) } ?? allowed
        }
        return next
    }

    func service(ready: [Int32: Int16], now: ContinuousClock.Instant) -> Bool {
        if let socket, ready[socket.fd] != nil { receiveAll(socket) }
        expire(now: now)
        sendDue()
        return true
    }

    private func receiveAll(_ socket: SocketHandle) {
        while let (length, source) = socket.receive(into: &buffer) {
            let now = ContinuousClock.now
            guard let message = ICMPEcho.parse(buffer[0..<length], ipv6: ipv6,
                                               ipHeader: !ipv6 && transport == .icmpRaw) else { continue }
            switch message {
            case .echoReply(let id, let sequence):
                guard transport != .icmpRaw || id == identifier,
                      let entry = pending[sequence], let owner = series[entry.series],
                      source == nil || source == owner.address else { continue }
                pending[sequence] = nil
                owner.outstanding -= 1
                let (seconds, attoseconds) = (now - entry.sentAt).components
                owner.roundTrips.append(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
                let date = Date()
                if owner.firstReply == nil { owner.firstReply = date }
                owner.lastReply = date
                if owner.sent == owner.settings.count && owner.outstanding == 0 { finish(entry.series, owner) }
            case .error(_, _, let id, let sequence):
                guard transport != .icmpRaw || id == identifier,
                      let entry = pending[sequence], let owner = series[entry.series] else { continue }
                pending[sequence] = nil
                owner.outstanding -= 1
                owner.unreachable += 1
                if owner.sent == owner.settings.count && owner.outstanding == 0 { finish(entry.series, owner) }
            }
        }
    }

    private func expire(now: ContinuousClock.Instant) {
        while let first = timeouts.first, first.time <= now {
            _ = timeouts.popFirst()
            guard let entry = pending.removeValue(forKey: first.payload), let owner = series[entry.series] else { continue }
            owner.outstanding -= 1
            if owner.sent == owner.settings.count && owner.outstanding == 0 { finish(entry.series, owner) }
        }
    }

    private func sendDue() {
        guard let socket else { return }
        var now = ContinuousClock.now
        while let first = sends.first, first.time <= now {
            if now < nextAllowed { break }
            _ = sends.popFirst()
            guard let owner = series[first.payload.series] else { continue }
            var sequence = nextSequence
            while pending[sequence] != nil { sequence &+= 1 }
            nextSequence = sequence &+ 1
            let packet = ICMPEcho.request(ipv6: ipv6, identifier: identifier, sequence: sequence)
            if let error = socket.send(packet, to: owner.address) {
                if error == EAGAIN || error == ENOBUFS {  // the socket is full: try again shortly
                    sends.insert(first.payload, at: now + .milliseconds(1))
                    break
                }
                owner.sent += 1  // sent and refused at once (no route…): an unreachable answer
                owner.unreachable += 1
            } else {
                owner.sent += 1
                owner.outstanding += 1
                pending[sequence] = Pending(series: first.payload.series, sentAt: now)
                timeouts.insert(sequence, at: now + owner.settings.timeout)
            }
            nextAllowed = max(nextAllowed, now - spacing * burst) + spacing
            if owner.sent == owner.settings.count { release(owner) }
            if owner.sent == owner.settings.count && owner.outstanding == 0 { finish(first.payload.series, owner) }
            now = ContinuousClock.now
        }
    }

    private func finish(_ id: Int, _ entry: Series) {
        series[id] = nil
        release(entry)
        let (seconds, attoseconds) = (ContinuousClock.now - entry.startInstant).components
        entry.completion(LinkObservation(
            address: entry.address, method: .icmp, transport: transport, sent: entry.sent,
            received: entry.roundTrips.count, unreachable: entry.unreachable,
            roundTrip: RoundTripStatistics(milliseconds: entry.roundTrips),
            firstReply: entry.firstReply, lastReply: entry.lastReply, started: entry.started,
            duration: Double(seconds) + Double(attoseconds) / 1e18))
    }
}
