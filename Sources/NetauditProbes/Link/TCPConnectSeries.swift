internal import CNetauditShims
import Foundation
import NetauditCore

/// A series of TCP connects to one address and port, for links where ICMP is filtered.
/// Each attempt is a non-blocking connect with its own deadline: a completed connect and a
/// refusal (RST) are answers, with the time they took; silence until the deadline is a loss.
/// Attempts start `interval` apart, counted from the start of the series like the echo
/// requests of an ICMP series, not from the end of the previous attempt: a slow or silent
/// connect does not delay the next one, and attempts overlap when `timeout` exceeds
/// `interval`. Sockets are closed with a reset (SO_LINGER 0) so that a sweep of thousands
/// leaves no TIME_WAIT behind.
final class TCPConnectSeries: LoopSource {
    /// One connect in progress.
    private struct Attempt {
        let socket: SocketHandle
        let start: ContinuousClock.Instant
    }

    private let address: IPAddress
    private let port: UInt16
    private let settings: LinkProbeSettings
    private let completion: (LinkObservation) -> Void
    private let started = Date()
    private let startInstant = ContinuousClock.now
    /// Attempts started so far.
    private var attempt = 0
    private var inFlight: [Attempt] = []
    private var roundTrips: [Double] = []
    private var refused = 0
    private var unreachable = 0
    private var firstReply: Date?
    private var lastReply: Date?
    /// Why an attempt could not even start (no socket): the series then says nothing of the link.
    private var lastProblem: String?
    /// Attempts that could not start for want of netaudit's own resources (EMFILE…): not
    /// sent, so not lost either.
    private var localFailure: LocalFailure?
    private(set) var isFinished = false

    init(address: IPAddress, port: Int, settings: LinkProbeSettings, completion: @escaping (LinkObservation) -> Void) {
        self.address = address
        self.port = UInt16(clamping: port)
        self.settings = settings
        self.completion = completion
    }

    /// When the next attempt is due: `interval` × its index after the start of the series.
    private var nextAttempt: ContinuousClock.Instant? {
        attempt < settings.count ? startInstant + settings.interval * attempt : nil
    }

    func pollRequests() -> [(fd: Int32, events: Int16)] {
        inFlight.map { ($0.socket.fd, Int16(CURL_WAIT_POLLOUT)) }
    }

    var nextDeadline: ContinuousClock.Instant? {
        guard !isFinished else { return nil }
        return ([nextAttempt] + inFlight.map { $0.start + settings.timeout }).compactMap { $0 }.min()
    }

    func service(ready: [Int32: Int16], now: ContinuousClock.Instant) -> Bool {
        inFlight.removeAll { current in
            if ready[current.socket.fd] != nil {
                conclude(current, error: current.socket.pendingError, now: now)
            } else if now >= current.start + settings.timeout {
                conclude(current, error: ETIMEDOUT, now: now)
            } else {
                return false
            }
            return true  // closes its socket
        }
        if let due = nextAttempt, now >= due { begin(now: now) }
        if attempt >= settings.count && inFlight.isEmpty { finish() }
        return !isFinished
    }

    /// Ends the series now with what it has (a cancelled run). Connects still in flight are
    /// neither answered nor lost: they do not count as sent.
    func cancel() {
        attempt -= inFlight.count
        inFlight.removeAll()
        finish()
    }

    private func begin(now: ContinuousClock.Instant) {
        attempt += 1
        do throws(SocketError) {
            let handle = try SocketHandle(family: address.family, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
            handle.setLingerReset()
            let current = Attempt(socket: handle, start: now)
            let result = handle.connect(to: address, port: port)
            if result == EINPROGRESS {
                inFlight.append(current)
            } else if let local = LocalResources.failure(errno: result, during: "connect()") {
                notMade(local)
            } else {
                conclude(current, error: result, now: ContinuousClock.now)
            }
        } catch {
            if let local = LocalResources.failure(errno: error.code, during: "socket()") {
                notMade(local)
            } else {
                lastProblem = "cannot open a TCP socket: \(error)"
                unreachable += 1
            }
        }
    }

    /// An attempt netaudit could not make itself: neither sent nor lost.
    private func notMade(_ failure: LocalFailure) {
        localFailure = failure.merged(with: localFailure)
        lastProblem = "\(failure.summary): \(failure.message)"
    }

    /// Connects actually sent: the attempts started, less those netaudit could not make.
    private var sent: Int { attempt - (localFailure?.count ?? 0) }

    private func conclude(_ attempt: Attempt, error: Int32, now: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (now - attempt.start).components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        switch error {
        case 0, ECONNREFUSED:
            if error == ECONNREFUSED { refused += 1 }
            roundTrips.append(milliseconds)
            let date = Date()
            if firstReply == nil { firstReply = date }
            lastReply = date
        case ETIMEDOUT:
            break
        default:  // EHOSTUNREACH, ENETUNREACH…: an error answer, not a reply: the link is down
            unreachable += 1
        }
    }

    private func finish() {
        guard !isFinished else { return }
        isFinished = true
        let (seconds, attoseconds) = (ContinuousClock.now - startInstant).components
        completion(LinkObservation(
            address: address, method: .tcp(port: Int(port)), transport: .tcp, sent: sent,
            received: roundTrips.count, refused: refused, unreachable: unreachable,
            roundTrip: RoundTripStatistics(milliseconds: roundTrips), firstReply: firstReply, lastReply: lastReply,
            started: started, duration: Double(seconds) + Double(attoseconds) / 1e18,
            problem: roundTrips.isEmpty && (sent == 0 || localFailure == nil) ? lastProblem : nil,
            localFailure: localFailure))
    }
}
