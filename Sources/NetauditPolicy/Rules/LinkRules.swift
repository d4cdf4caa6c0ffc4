import NetauditCore

/// What a link rule reads: the agency, its link's observation (nil: not probed), the state
/// of the node it depends on, and the profile.
struct LinkContext: Sendable {
    let agency: Agency
    let observation: LinkObservation?
    /// The state of the agency the link depends on (`via`); nil if none or unknown.
    let viaState: LinkState?
    let viaCode: String?
    let profile: PolicyProfile

    var thresholds: PolicyThresholds { profile.thresholds }

    func finding(_ rule: Rule, _ message: String, _ evidence: [String: String]) -> Finding {
        Finding(id: rule.rawValue, severity: profile.severity(of: rule), message: message, evidence: evidence)
    }

    /// The observation, when it says something about the link: the probe ran and sent at
    /// least one request. A probe that could not start (no ICMP socket, an address outside
    /// the allow-list) is inconclusive and judges nothing.
    var conclusive: LinkObservation? {
        guard let observation, observation.problem == nil, observation.sent > 0 else { return nil }
        return observation
    }

    /// `5 ICMP echo requests`, `5 TCP connects to port 443`.
    static func requests(_ observation: LinkObservation) -> String {
        let count = observation.sent
        switch observation.method {
        case .icmp: return count == 1 ? "1 ICMP echo request" : "\(count) ICMP echo requests"
        case .tcp(let port): return count == 1 ? "1 TCP connect to port \(port)" : "\(count) TCP connects to port \(port)"
        }
    }

    /// What every link finding shows.
    static func evidence(_ observation: LinkObservation) -> [String: String] {
        var evidence = [
            "link.address": observation.address.description,
            "link.method": observation.method.description,
            "link.sent": String(observation.sent),
            "link.received": String(observation.received),
            "link.loss_percent": PolicyFormat.number(observation.lossPercent),
        ]
        if observation.unreachable > 0 { evidence["link.icmp_unreachable"] = String(observation.unreachable) }
        if observation.refused > 0 { evidence["link.refused"] = String(observation.refused) }
        if let roundTrip = observation.roundTrip {
            evidence["link.rtt_median_ms"] = PolicyFormat.number(roundTrip.median)
            evidence["link.rtt_min_ms"] = PolicyFormat.number(roundTrip.minimum)
            evidence["link.rtt_max_ms"] = PolicyFormat.number(roundTrip.maximum)
        }
        return evidence
    }
}

/// The link rules: one function per rule id, each returning its finding or nil.
enum LinkRules {
    typealias RuleFunction = @Sendable (LinkContext) -> Finding?

    /// Every link rule, in the order of docs/policy.md.
    static let all: [(rule: Rule, evaluate: RuleFunction)] = [
        (.linkUnconfigured, linkUnconfigured),
        (.linkDown, linkDown),
        (.linkUnreachable, linkUnreachable),
        (.linkLoss, linkLoss),
        (.linkLatency, linkLatency),
    ]

    /// `link.unconfigured`: the inventory gives the agency no link to the dedicated network,
    /// so it counts as not connected.
    static func linkUnconfigured(_ context: LinkContext) -> Finding? {
        guard context.agency.link == nil else { return nil }
        return context.finding(.linkUnconfigured,
                               "\(context.agency.name) (\(context.agency.code)) has no link to the dedicated network in the inventory.",
                               ["agency.code": context.agency.code, "agency.level": context.agency.level, "agency.name": context.agency.name])
    }

    /// Whether the link is silent while the node it depends on is down too.
    static func upstreamDown(_ context: LinkContext) -> Bool {
        context.viaState == .down
    }

    /// `link.down`: no answer to any request of the series (and the node it depends on, if
    /// any, is not known to be down: then it is `link.unreachable`).
    static func linkDown(_ context: LinkContext) -> Finding? {
        guard context.agency.link != nil, let observation = context.conclusive, observation.received == 0,
              !upstreamDown(context) else { return nil }
        var message = "No answer from \(observation.address) to any of \(LinkContext.requests(observation))"
        if observation.unreachable > 0 {
            message += "; a router on the way reported it unreachable \(observation.unreachable == 1 ? "once" : "\(observation.unreachable) times")"
        }
        var evidence = LinkContext.evidence(observation)
        if let via = context.viaCode { evidence["link.via"] = via }
        if let state = context.viaState { evidence["via.state"] = state.rawValue }
        return context.finding(.linkDown, message + ".", evidence)
    }

    /// `link.unreachable`: no answer, and the node the link depends on (`via`) is down too,
    /// so the cause is upstream; reported instead of `link.down`, for the team to fix the
    /// upstream node first.
    static func linkUnreachable(_ context: LinkContext) -> Finding? {
        guard context.agency.link != nil, let observation = context.conclusive, observation.received == 0,
              upstreamDown(context) else { return nil }
        let via = context.viaCode ?? "?"
        var evidence = LinkContext.evidence(observation)
        evidence["link.via"] = via
        evidence["via.state"] = LinkState.down.rawValue
        return context.finding(.linkUnreachable,
                               "No answer from \(observation.address), and the node it depends on (\(via)) is down too: the cause is upstream.",
                               evidence)
    }

    /// `link.loss`: some answers came back, but more than `link_loss_percent` were lost.
    static func linkLoss(_ context: LinkContext) -> Finding? {
        guard context.agency.link != nil, let observation = context.conclusive, observation.received > 0,
              observation.lossPercent > context.thresholds.linkLossPercent else { return nil }
        var evidence = LinkContext.evidence(observation)
        evidence["threshold.link_loss_percent"] = PolicyFormat.number(context.thresholds.linkLossPercent)
        return context.finding(.linkLoss,
                               "\(PolicyFormat.number(observation.lossPercent))% of \(LinkContext.requests(observation)) to \(observation.address) went unanswered (threshold \(PolicyFormat.number(context.thresholds.linkLossPercent))%).",
                               evidence)
    }

    /// `link.latency`: the median round trip is above `link_median_ms`.
    static func linkLatency(_ context: LinkContext) -> Finding? {
        guard context.agency.link != nil, let observation = context.conclusive, observation.received > 0,
              let median = observation.roundTrip?.median, median > context.thresholds.linkMedianMilliseconds else { return nil }
        var evidence = LinkContext.evidence(observation)
        evidence["threshold.link_median_ms"] = PolicyFormat.number(context.thresholds.linkMedianMilliseconds)
        return context.finding(.linkLatency,
                               "The median round trip to \(observation.address) is \(PolicyFormat.number(median)) ms (threshold \(PolicyFormat.number(context.thresholds.linkMedianMilliseconds)) ms).",
                               evidence)
    }
}
