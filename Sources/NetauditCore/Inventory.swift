/// A province's inventory: its level names in order, its settings and its tree of agencies.
/// Built by NetauditInventory from YAML; every later stage reads it, none writes it.
public struct Inventory: Sendable, Hashable, Codable {
    /// A free title, e.g. "Gia Lai, 2019 structure".
    public var title: String?
    /// The level names from the top down (`province, district, commune`), never hard-coded.
    public var levels: [String]
    /// Connection target per level, in percent (100 unless the inventory says otherwise).
    public var targets: [String: Double]
    /// Networks that netaudit may send traffic to; anything else is refused.
    public var allow: [IPNetwork]
    /// Extra trust anchors (PEM files), e.g. the Vietnamese Government CA root.
    public var trustAnchors: [String]
    /// Known intermediate CA certificates (PEM files): never anchors, used only to tell a
    /// server that omits an intermediate (`incomplete_chain`) from an untrusted chain, under
    /// public and government trust alike (as browsers preload intermediates).
    public var trustIntermediates: [String]
    public var probe: ProbeDefaults
    /// The compliance profile and the inventory's overrides of it (docs/policy.md).
    public var policy: InventoryPolicy
    /// The top agencies; each holds its children.
    public var agencies: [Agency]
    /// Every file read, the top file first, in the order the includes were followed.
    public var files: [String]
    /// For an inventory narrowed to one subtree (`netaudit audit --only`): the names of the
    /// agencies above it, from the top, so that reports still show whole paths.
    public var scope: [String] = []

    public init(title: String? = nil, levels: [String], targets: [String: Double] = [:],
                allow: [IPNetwork] = IPNetwork.loopback, trustAnchors: [String] = [],
                trustIntermediates: [String] = [], probe: ProbeDefaults = ProbeDefaults(), policy: InventoryPolicy = InventoryPolicy(),
                agencies: [Agency] = [], files: [String] = []) {
        self.title = title
        self.levels = levels
        self.targets = targets
        self.allow = allow
        self.trustAnchors = trustAnchors
        self.trustIntermediates = trustIntermediates
        self.probe = probe
        self.policy = policy
        self.agencies = agencies
        self.files = files
    }

    private enum CodingKeys: String, CodingKey {
        case title, levels, targets, allow, trustAnchors, trustIntermediates, probe, policy, agencies, files, scope
    }

    /// Decodes an inventory stored by any netaudit version: settings added later (such as
    /// `policy`) take their defaults when absent, so old runs stay readable.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        levels = try container.decode([String].self, forKey: .levels)
        targets = try container.decodeIfPresent([String: Double].self, forKey: .targets) ?? [:]
        allow = try container.decodeIfPresent([IPNetwork].self, forKey: .allow) ?? IPNetwork.loopback
        trustAnchors = try container.decodeIfPresent([String].self, forKey: .trustAnchors) ?? []
        trustIntermediates = try container.decodeIfPresent([String].self, forKey: .trustIntermediates) ?? []
        probe = try container.decodeIfPresent(ProbeDefaults.self, forKey: .probe) ?? ProbeDefaults()
        policy = try container.decodeIfPresent(InventoryPolicy.self, forKey: .policy) ?? InventoryPolicy()
        agencies = try container.decodeIfPresent([Agency].self, forKey: .agencies) ?? []
        files = try container.decodeIfPresent([String].self, forKey: .files) ?? []
        scope = try container.decodeIfPresent([String].self, forKey: .scope) ?? []
    }

    /// The connection target of a level, in percent.
    public func target(forLevel level: String) -> Double {
        targets[level] ?? 100
    }

    /// The position of a level, 0 for the top; nil for a name the inventory does not declare.
    public func levelIndex(_ level: String) -> Int? {
        levels.firstIndex(of: level)
    }

    /// Every agency, depth first, parents before children.
    public var allAgencies: [Agency] {
        agencies.flatMap(\.subtree)
    }

    /// Every agency with the code of the agency above it (nil for the top ones), in the
    /// order of `allAgencies`.
    public var allAgenciesWithParent: [(agency: Agency, parent: String?)] {
        var result: [(agency: Agency, parent: String?)] = []
        func visit(_ agency: Agency, parent: String?) {
            result.append((agency, parent))
            agency.children.forEach { visit($0, parent: agency.code) }
        }
        agencies.forEach { visit($0, parent: nil) }
        return result
    }
}

/// How links and endpoints are probed unless an agency says otherwise.
public struct ProbeDefaults: Sendable, Hashable, Codable {
    /// Echo requests (or connects) per link and run.
    public var linkCount: Int
    /// Spacing between two requests to the same link.
    public var linkInterval: Duration
    /// How long to wait for each reply.
    public var linkTimeout: Duration
    /// Deadline for all the connections of one TLS endpoint check.
    public var tlsTimeout: Duration
    /// Port of the plain-HTTP check (does it redirect to https?).
    public var httpPort: Int
    /// Deadline of a whole run: past it, the checks still queued or running are stopped
    /// and the run ends `aborted`, with what it measured stored.
    public var runTimeout: Duration

    public init(linkCount: Int = 5, linkInterval: Duration = .milliseconds(200),
                linkTimeout: Duration = .seconds(1), tlsTimeout: Duration = .seconds(10), httpPort: Int = 80,
                runTimeout: Duration = .seconds(3600)) {
        self.linkCount = linkCount
        self.linkInterval = linkInterval
        self.linkTimeout = linkTimeout
        self.tlsTimeout = tlsTimeout
        self.httpPort = httpPort
        self.runTimeout = runTimeout
    }

    private enum CodingKeys: String, CodingKey { case linkCount, linkInterval, linkTimeout, tlsTimeout, httpPort, runTimeout }

    /// Decodes stored inventories too, from before `runTimeout` existed.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkCount = try c.decode(Int.self, forKey: .linkCount)
        linkInterval = try c.decode(Duration.self, forKey: .linkInterval)
        linkTimeout = try c.decode(Duration.self, forKey: .linkTimeout)
        tlsTimeout = try c.decode(Duration.self, forKey: .tlsTimeout)
        httpPort = try c.decode(Int.self, forKey: .httpPort)
        runTimeout = try c.decodeIfPresent(Duration.self, forKey: .runTimeout) ?? .seconds(3600)
    }
}

/// The `policy:` section of an inventory: which profile, and which of its thresholds and
/// severities the province changes. Checked against the profile when the inventory loads.
public struct InventoryPolicy: Sendable, Hashable, Codable {
    public var profile: String
    /// Threshold name → value (`link_loss_percent: 10`).
    public var thresholds: [String: Double]
    /// Rule id → severity name (`ocsp.no_stapling: low`).
    public var severities: [String: String]

    public init(profile: String = "baseline", thresholds: [String: Double] = [:], severities: [String: String] = [:]) {
        self.profile = profile
        self.thresholds = thresholds
        self.severities = severities
    }
}
