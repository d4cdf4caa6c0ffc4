import Foundation


/// A run's number in the store.
public struct RunID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: Int64
    public init(_ value: Int64) { self.value = value }
    public var description: String { String(value) }
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.value < rhs.value }
}

/// What a run probed.
public enum RunKind: String, Sendable, Hashable, Codable {
    /// Links and TLS endpoints (`netaudit audit`, the daily audit).
    case audit
    /// Links only (the daemon's frequent sweep, `netaudit audit --links-only`).
    case linkSweep = "link_sweep"
    /// TLS endpoints only (`netaudit audit --tls-only`).
    case tlsOnly = "tls_only"
}

/// Where a run is: `running` while results are written, then `complete`, or `aborted`
/// (stopped, killed, or cut off by a power loss and found so at the next open).
public enum RunState: String, Sendable, Hashable, Codable {
    case running, complete, aborted
}

/// A run as stored: when, what it audited (the inventory as it was), how it ended.
public struct RunRecord: Sendable, Hashable {
    public let id: RunID
    public let kind: RunKind
    public let state: RunState
    public let startedAt: Date
    public let endedAt: Date?
    /// SHA-256 of the inventory's files, in reading order.
    public let inventoryHash: String
    public let inventoryPath: String
    /// The agency tree and settings as they were when the run started.
    public let inventory: Inventory
    public let host: String
    public let pid: Int32
    public let netauditVersion: String
    /// Why it was aborted, when it was.
    public let note: String?
    /// The aborted run this one completes (`netaudit audit --resume`): its results were
    /// taken over, and only what it lacked was probed.
    public var resumedFrom: RunID? = nil
    /// The run's globally unique id (a UUID, lowercase), the same in every store it is
    /// copied into: a run shipped from a spool twice is stored once. Nil in a store that
    /// predates it and was opened read-only.
    public var uid: String? = nil

    public init(id: RunID, kind: RunKind, state: RunState, startedAt: Date, endedAt: Date?, inventoryHash: String,
                inventoryPath: String, inventory: Inventory, host: String, pid: Int32, netauditVersion: String,
                note: String?, resumedFrom: RunID? = nil, uid: String? = nil) {
        self.id = id
        self.kind = kind
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.inventoryHash = inventoryHash
        self.inventoryPath = inventoryPath
        self.inventory = inventory
        self.host = host
        self.pid = pid
        self.netauditVersion = netauditVersion
        self.note = note
        self.resumedFrom = resumedFrom
        self.uid = uid
    }
}

/// One endpoint of a run, as results and inventories both name it: its agency and its URL.
public struct EndpointKey: Sendable, Hashable {
    public let agencyCode: String
    public let url: String
    public init(agencyCode: String, url: String) {
        self.agencyCode = agencyCode
        self.url = url
    }
}

extension EndpointResult {
    public var key: EndpointKey { EndpointKey(agencyCode: agencyCode, url: observation.url) }
}

extension Inventory {
    /// Every endpoint the inventory plans, by agency and URL.
    public var endpointKeys: Set<EndpointKey> {
        Set(allAgencies.flatMap { agency in agency.endpoints.map { EndpointKey(agencyCode: agency.code, url: $0.url.description) } })
    }
}

/// What a resumed run took over from the run it resumes: each link judged (by agency code,
/// with its state) and each endpoint checked.
public struct TakenOver: Sendable, Equatable {
    public var linkStates: [String: LinkState] = [:]
    public var endpoints: Set<EndpointKey> = []
    public init(linkStates: [String: LinkState] = [:], endpoints: Set<EndpointKey> = []) {
        self.linkStates = linkStates
        self.endpoints = endpoints
    }
}

/// One agency's link in a run: the observation (nil when the agency has no link), the
/// state the policy read, and the findings.
public struct LinkResult: Sendable, Hashable {
    public var agencyCode: String
    public var observation: LinkObservation?
    public var state: LinkState?
    public var findings: [Finding]

    public init(agencyCode: String, observation: LinkObservation?, state: LinkState?, findings: [Finding]) {
        self.agencyCode = agencyCode
        self.observation = observation
        self.state = state
        self.findings = findings
    }
}

/// One TLS endpoint in a run: the observation, the verdict and the findings.
public struct EndpointResult: Sendable, Hashable {
    public var agencyCode: String
    public var observation: TLSObservation
    public var verdict: EndpointVerdict
    public var findings: [Finding]

    public init(agencyCode: String, observation: TLSObservation, verdict: EndpointVerdict, findings: [Finding]) {
        self.agencyCode = agencyCode
        self.observation = observation
        self.verdict = verdict
        self.findings = findings
    }
}
