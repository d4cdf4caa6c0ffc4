internal import CNetauditShims
import Foundation
import NetauditCore

/// A series of TCP connects to one address and port, for links where ICMP is filtered.
/// Each attempt is a non-blocking connect with its own deadline: a completed connect and a
/// refusal (RST) are answers, with the time they took; silence until the deadline is a loss.
/// Sockets are closed with a reset (SO_LINGER 0) so that a sweep of thousands leaves no
/// TIME_WAIT behind.
final class TCPConnectSeries: LoopSource {
    private let address: IPAddress
    private let port: UInt16
    private let settings: LinkProbeSettings
    private let completion: (LinkObservation) -> Void
    private let started = Date()
    private let startInstant = ContinuousClock.now
    private var attempt = 0
    private var socket: SocketHandle?
    private var attemptStart = ContinuousClock.now
    private var nextAttempt: ContinuousClock.Instant
    private var roundTrips: [Double] = []
    private var refused = 0
    private var unreachable = 0
    private var firstReply: Date?
    private var lastReply: Date?
    private var lastProblem: String?
    private(set) var isFinished = false

    init(address: IPAddress, port: Int, settings: LinkProbeSettings, completion: @escaping (LinkObservation) -> Void) {
        self.address = address
        self.port = UInt16(clamping: port)
        self.settings = settings
        self.completion = completion
        self.nextAttempt = startInstant
    }

    func pollRequests() -> [(fd: Int32, events: Int16)] {
        socket.map { [($0.fd, Int16(CURL_WAIT_POLLOUT))] } ?? []
    }

    var nextDeadline: ContinuousClock.Instant? {
        isFinished ? nil : (socket != nil ? attemptStart + settings.timeout : nextAttempt)
    }

    func service(ready: [Int32: Int16], now: ContinuousClock.Instant) -> Bool {
        if let socket {
            if ready[socket.fd] != nil {
                conclude(error: socket.pendingError, now: now)
            } else if now >= attemptStart + settings.timeout {
                conclude(error: ETIMEDOUT, now: now)
            }
        }
        if socket == nil && attempt < settings.count && now >= nextAttempt { begin(now: now) }
        if socket == nil && attempt >= settings.count { finish() }
        return !isFinished
    }

    /// Ends the series now with what it has (a cancelled run).
    func cancel() {
        socket = nil
        finish()
    }

    private func begin(now: ContinuousClock.Instant) {
        attempt += 1
        attemptStart = now
        nextAttempt = now + settings.interval
        do throws(SocketError) {
            let handle = try SocketHandle(family: address.family, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
            handle.setLingerReset()
            socket = handle
            let result = handle.connect(to: address, port: port)
            if result != EINPROGRESS { conclude(error: result, now: ContinuousClock.now) }
        } catch {
            lastProblem = "cannot open a TCP socket: \(error)"
            unreachable += 1
        }
    }

    private func conclude(error: Int32, now: ContinuousClock.Instant) {
        socket = nil  // closes it
        let (seconds, attoseconds) = (now - attemptStart).components
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
        default:  // EHOSTUNREACH, ENETUNREACH…: an error answer, not a reply
            unreachable += 1
            lastProblem = String(cString: strerror(error))
        }
    }

    private func finish() {
        guard !isFinished else { return }
        isFinished = true
        let (seconds, attoseconds) = (ContinuousClock.now - startInstant).components
        completion(LinkObservation(
            address: address, method: .tcp(port: Int(port)), transport: .tcp, sent: attempt,
            received: roundTrips.count, refused: refused, unreachable: unreachable,
            roundTrip: RoundTripStatistics(milliseconds: roundTrips), firstReply: firstReply, lastReply: lastReply,
            started: started, duration: Double(seconds) + Double(attoseconds) / 1e18,
            problem: roundTrips.isEmpty ? lastProblem : nil))
    }
}
