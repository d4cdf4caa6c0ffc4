import NetauditCore
import NetauditPolicy

/// The bookkeeping of a run's links while they are probed at once: which link states are
/// known, which links wait for the state of the node they depend on (`via`), and when each
/// is released for judgement. Pure: no I/O, no clock; the runner judges and stores what it
/// releases, in the order released.
///
/// Only a link judged down waits (``Policy/dependsOnVia(_:)``), and only for a `via` node
/// whose state the run expects and does not know yet: one probed by the run (in the plan,
/// or outside an `--only` subtree, ``AuditPlan/viaContext``) and not taken over from a
/// resumed run. A `via` node the run does not probe (no link, not in the inventory) is never
/// waited for: the link is judged at once without its state.
struct ViaLedger: Sendable, Equatable {
    /// A link released for judgement, with the state of its `via` node it is judged with
    /// (nil: no `via` node, or its state is unknown or inconclusive).
    struct Release: Sendable, Hashable {
        var code: String
        var viaState: LinkState?
    }

    /// The codes whose state the run will learn: every link it probes (context nodes too).
    private let expected: Set<String>
    /// Known states: taken over, or reported by a probe (nil inside: inconclusive).
    private var states: [String: LinkState?]
    /// Via code → the links waiting for it, in the order they arrived.
    private var waiting: [String: [Waiter]] = [:]
    /// The via codes of `waiting`, in the order each was first waited for (for a stable end).
    private var waitedFor: [String] = []

    /// A link waiting for its `via` node.
    private struct Waiter: Sendable, Equatable {
        var code: String
        var via: String
    }

    /// `expected`: the codes of every link the run probes; `taken`: the states taken over
    /// from a resumed run (known from the start, not probed again).
    init(expected: Set<String>, taken: [String: LinkState?] = [:]) {
        self.expected = expected
        self.states = taken
    }

    /// Whether the state of `code` is known (taken over or reported, even inconclusive).
    func isKnown(_ code: String) -> Bool { states.keys.contains(code) }

    /// The state of `code`: nil when unknown or inconclusive.
    func state(of code: String) -> LinkState? { states[code] ?? nil }

    /// The links still waiting, by the `via` code they wait for.
    var pending: [String: [String]] { waiting.mapValues { $0.map(\.code) } }

    /// The state of a planned link has been reported. Returns the link itself, released
    /// with its `via` node's state, unless it must wait for that node (then nothing: it is
    /// released when that node is judged, see ``judged(_:)``).
    mutating func known(_ code: String, state: LinkState?, via: String?) -> [Release] {
        states[code] = state
        if Policy.dependsOnVia(state), let via, expected.contains(via), !isKnown(via) {
            if waiting[via] == nil { waitedFor.append(via) }
            waiting[via, default: []].append(Waiter(code: code, via: via))
            return []
        }
        return [Release(code: code, viaState: via.flatMap(self.state(of:)))]
    }

    /// The state of a context node (a `via` node outside the plan, probed for its state
    /// only, never judged) has been reported: the links waiting for it are released.
    mutating func knownContext(_ code: String, state: LinkState?) -> [Release] {
        states[code] = state
        return judged(code)
    }

    /// Link `code` has been judged (and stored): the links waiting for it are released,
    /// with its state. A planned node releases its dependents when judged, not when its
    /// state is reported, so that a node judged late (it waited itself) is stored before them.
    mutating func judged(_ code: String) -> [Release] {
        guard let waiters = waiting.removeValue(forKey: code) else { return [] }
        waitedFor.removeAll { $0 == code }
        return waiters.map(release)
    }

    /// The end of the probing (complete or interrupted): every link still waiting, because
    /// its `via` node never reported, is released with the state known now (nil if none),
    /// in the order their nodes were first waited for.
    mutating func releaseAll() -> [Release] {
        let waiters = waitedFor.flatMap { waiting[$0] ?? [] }
        waiting = [:]
        waitedFor = []
        return waiters.map(release)
    }

    /// A waiting link's release, with its `via` node's state as known now.
    private func release(_ waiter: Waiter) -> Release {
        Release(code: waiter.code, viaState: state(of: waiter.via))
    }
}
