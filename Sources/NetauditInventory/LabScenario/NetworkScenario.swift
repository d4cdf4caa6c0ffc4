import Foundation
public import NetauditCore

/// What the network lab (`netaudit lab --network`) does to each agency of an inventory: how
/// its link behaves (silent, refused, lossy, slow, cut, flapping…) and what its endpoints
/// serve. Read from a scenario file by ``NetworkScenarioLoader``; docs/lab-network.md
/// describes the format.
public struct NetworkScenario: Sendable, Hashable {
    /// How an agency's address answers, apart from loss, delay and outages.
    public enum LinkBehaviour: String, Sendable, Hashable, CaseIterable {
        /// Answers (echo and TCP).
        case up
        /// Its own address is silent (a blackhole route in front of it); for a network node,
        /// the agencies behind it are still forwarded to.
        case silent
        /// Cut off: the agency and, for a network node, every agency behind it fall silent.
        case down
        /// Its router answers "host unreachable" (ICMP) for it.
        case refused
        /// ICMP towards it is dropped, TCP passes (a firewall that filters ping).
        case icmpFiltered = "icmp-filtered"
        /// No link yet: the lab's copy of the inventory has no link for the agency.
        case none
    }

    /// What an endpoint serves (the lab's certificates and servers; docs/lab-network.md).
    public enum TLSBehaviour: String, Sendable, Hashable, CaseIterable {
        case good, expired, expiring
        case notYetValid = "not-yet-valid"
        case revoked, untrusted
        case selfSigned = "self-signed"
        case wrongHost = "wrong-host"
        case sha1Signed = "sha1-signed"
        case rsa1024 = "rsa-1024"
        case tls1_0Only = "tls1_0-only"
        case tls1_3Only = "tls1_3-only"
        case noHSTS = "no-hsts"
        case shortHSTS = "hsts-short"
        case noRedirect = "no-redirect"
        case refused, tarpit, reset, garbage, trickle
    }

    /// A window in which the agency is cut off (as ``LinkBehaviour/down``), from the lab's start.
    public struct Outage: Sendable, Hashable {
        public var after: Duration
        public var length: Duration

        public init(after: Duration, length: Duration) {
            self.after = after
            self.length = length
        }
    }

    /// Everything the scenario says about one agency.
    public struct Conduct: Sendable, Hashable {
        public var link: LinkBehaviour = .up
        /// Share of packets towards the agency dropped at random, in percent.
        public var lossPercent: Int = 0
        /// Echo replies come this late (give or take `jitter`, at random).
        public var delay: Duration = .zero
        public var jitter: Duration = .zero
        /// Cut off and back every `flap` (first up for one period).
        public var flap: Duration?
        public var outage: Outage?
        /// What its endpoints serve; nil: the scenario's default.
        public var tls: TLSBehaviour?
        /// Where the scenario says it (nil for the default).
        public var location: SourceLocation?

        public init(link: LinkBehaviour = .up, lossPercent: Int = 0, delay: Duration = .zero, jitter: Duration = .zero,
                    flap: Duration? = nil, outage: Outage? = nil, tls: TLSBehaviour? = nil, location: SourceLocation? = nil) {
            self.link = link
            self.lossPercent = lossPercent
            self.delay = delay
            self.jitter = jitter
            self.flap = flap
            self.outage = outage
            self.tls = tls
            self.location = location
        }

        /// Whether the agency's link changes state while the lab runs.
        public var changesOverTime: Bool { flap != nil || outage != nil }

        /// Whether the agency is cut off `elapsed` after the lab started (`down`, an outage or
        /// the down half of a flap).
        public func isCut(at elapsed: Duration) -> Bool {
            if link == .down { return true }
            if let outage, elapsed >= outage.after, elapsed < outage.after + outage.length { return true }
            if let flap, flap > .zero {
                let periods = Int(elapsed / flap)
                if periods % 2 == 1 { return true }
            }
            return false
        }

        /// The next moment after `elapsed` at which ``isCut(at:)`` may change, if any.
        public func nextChange(after elapsed: Duration) -> Duration? {
            var candidates: [Duration] = []
            if let outage {
                for edge in [outage.after, outage.after + outage.length] where edge > elapsed { candidates.append(edge) }
            }
            if let flap, flap > .zero {
                candidates.append(flap * (Int(elapsed / flap) + 1))
            }
            return candidates.min()
        }
    }

    public var title: String?
    /// The inventory the scenario was written for (resolved from the scenario's folder), if it names one.
    public var inventory: String?
    /// What endpoints serve unless their agency says otherwise: every endpoint `good`, or the
    /// loopback demo's pattern (`demo`: every 7th expired, every 11th TLS 1.0 only, …).
    public var tlsPattern: TLSPattern
    /// Agencies the scenario does not list.
    public var defaults: Conduct
    /// By agency code.
    public var agencies: [String: Conduct]
    /// The scenario file (nil when built in code).
    public var file: String?

    public enum TLSPattern: String, Sendable, Hashable, CaseIterable {
        case good, demo
    }

    public init(title: String? = nil, inventory: String? = nil, tlsPattern: TLSPattern = .good, defaults: Conduct = Conduct(),
                agencies: [String: Conduct] = [:], file: String? = nil) {
        self.title = title
        self.inventory = inventory
        self.tlsPattern = tlsPattern
        self.defaults = defaults
        self.agencies = agencies
        self.file = file
    }

    /// What the scenario says about agency `code`.
    public func conduct(of code: String) -> Conduct { agencies[code] ?? defaults }

    /// Agency codes the scenario names that `inventory` does not have, each with where it is named.
    public func unknownAgencies(in inventory: Inventory) -> [Diagnostic] {
        let known = Set(inventory.allAgencies.map(\.code))
        // A likely typo only: the codes of a national inventory are far too many to list. Sorted, so
        // that a tie always suggests the same code.
        let candidates = known.sorted()
        return agencies.filter { !known.contains($0.key) }.sorted { $0.key < $1.key }.map { code, conduct in
            Diagnostic(conduct.location ?? SourceLocation(file: file ?? "scenario", line: 0, column: 0),
                       "no agency \(quoted(code)) in the inventory" + NetworkScenarioLoader.didYouMean(code, in: candidates))
        }
    }
}
