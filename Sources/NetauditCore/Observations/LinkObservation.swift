import Foundation

/// What a link probe saw: an ICMP echo series or a series of TCP connects to one address.
/// A network failure is a result here, never an error: `sent` and `received` say it all,
/// and `problem` says why the probe could not even start (no ICMP socket, say).
public struct LinkObservation: Sendable, Hashable, Codable {
    /// How the series went out.
    public enum Transport: String, Sendable, Hashable, Codable {
        /// An unprivileged ICMP datagram socket (`net.ipv4.ping_group_range`).
        case icmpDatagram = "icmp-datagram"
        /// A raw ICMP socket (CAP_NET_RAW).
        case icmpRaw = "icmp-raw"
        /// TCP connects.
        case tcp
    }

    public var address: IPAddress
    public var method: Link.Method
    public var transport: Transport?
    /// Echo requests sent, or connects attempted.
    public var sent: Int
    /// Answers: echo replies, or connects that completed or were refused (a refusal is an
    /// answer from the far end: the link carries packets).
    public var received: Int
    /// TCP only: connects refused (RST).
    public var refused: Int
    /// ICMP errors received for the series (destination unreachable, time exceeded), e.g.
    /// from a router that has no route to the agency.
    public var unreachable: Int
    /// Round-trip times of the answers, in milliseconds.
    public var roundTrip: RoundTripStatistics?
    public var firstReply: Date?
    public var lastReply: Date?
    /// When the series started and how long it took.
    public var started: Date
    public var duration: Double
    /// Why the probe could not run (no socket, an address refused by the allow-list…).
    public var problem: String?
    /// Requests netaudit could not send for want of its own resources (no socket: out of
    /// file descriptors…). They are not counted in `sent`, so they are no loss; with nothing
    /// sent, `problem` says why and the series says nothing of the link.
    public var localFailure: LocalFailure?

    public init(address: IPAddress, method: Link.Method, transport: Transport? = nil, sent: Int = 0,
                received: Int = 0, refused: Int = 0, unreachable: Int = 0, roundTrip: RoundTripStatistics? = nil,
                firstReply: Date? = nil, lastReply: Date? = nil, started: Date = Date(), duration: Double = 0,
                problem: String? = nil, localFailure: LocalFailure? = nil) {
        self.address = address
        self.method = method
        self.transport = transport
        self.sent = sent
        self.received = received
        self.refused = refused
        self.unreachable = unreachable
        self.roundTrip = roundTrip
        self.firstReply = firstReply
        self.lastReply = lastReply
        self.started = started
        self.duration = duration
        self.problem = problem
        self.localFailure = localFailure
    }

    /// Share of requests without an answer, in percent (100 when nothing could be sent).
    public var lossPercent: Double {
        sent == 0 ? 100 : Double(sent - received) / Double(sent) * 100
    }

    /// up, degraded or down, against the thresholds of the policy.
    public func state(_ thresholds: LinkThresholds = LinkThresholds()) -> LinkState {
        guard received > 0 else { return .down }
        if lossPercent > thresholds.lossPercent { return .degraded }
        if let median = roundTrip?.median, median > thresholds.medianMilliseconds { return .degraded }
        return .up
    }
}

/// The state of a link as the policy reads it.
public enum LinkState: String, Sendable, Hashable, Codable {
    /// Answers, within the loss and latency thresholds.
    case up
    /// Answers, but loss or latency beyond the thresholds.
    case degraded
    /// No answer at all.
    case down
}

/// Where "degraded" starts (the policy's defaults: 20% loss, 150 ms median).
public struct LinkThresholds: Sendable, Hashable, Codable {
    public var lossPercent: Double
    public var medianMilliseconds: Double

    public init(lossPercent: Double = 20, medianMilliseconds: Double = 150) {
        self.lossPercent = lossPercent
        self.medianMilliseconds = medianMilliseconds
    }
}

/// Minimum, median, average, maximum and jitter of a series of round-trip times (ms).
/// Jitter is the mean absolute deviation from the average, as ping's `mdev` reports it.
public struct RoundTripStatistics: Sendable, Hashable, Codable {
    public var minimum: Double
    public var median: Double
    public var average: Double
    public var maximum: Double
    public var jitter: Double
    public var samples: Int

    /// Figures kept without their series (a compact sweep row of the store).
    public init(minimum: Double, median: Double, average: Double, maximum: Double, jitter: Double, samples: Int) {
        self.minimum = minimum
        self.median = median
        self.average = average
        self.maximum = maximum
        self.jitter = jitter
        self.samples = samples
    }

    /// nil for an empty series.
    public init?(milliseconds: [Double]) {
        guard !milliseconds.isEmpty else { return nil }
        let sorted = milliseconds.sorted()
        let count = sorted.count
        minimum = sorted[0]
        maximum = sorted[count - 1]
        median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
        average = sorted.reduce(0, +) / Double(count)
        let mean = average
        jitter = sorted.reduce(0) { $0 + abs($1 - mean) } / Double(count)
        samples = count
    }
}
