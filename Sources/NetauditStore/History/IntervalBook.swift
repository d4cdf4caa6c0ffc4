import Foundation
import NetauditCore

/// What one complete run observed of one subject: the state (a `LinkCondition` raw value
/// for a link, an `EndpointCondition` one for an endpoint) and its cause (the node blamed
/// for a link outage, the breaking rule ids of an endpoint), as `StateInterval` keeps them.
public struct ObservedCondition: Sendable, Hashable {
    public var state: String
    public var cause: String?

    public init(state: String, cause: String? = nil) {
        self.state = state
        self.cause = cause
    }

    /// A link's condition (named apart from `endpoint`: both enums have `unreachable`).
    public static func link(_ condition: LinkCondition, cause: String? = nil) -> ObservedCondition {
        ObservedCondition(state: condition.rawValue, cause: cause)
    }

    /// An endpoint's condition.
    public static func endpoint(_ condition: EndpointCondition, cause: String? = nil) -> ObservedCondition {
        ObservedCondition(state: condition.rawValue, cause: cause)
    }

    /// `not_observed` is what no run saw: a run never reports it (such an entry is ignored).
    var isObserved: Bool { state != LinkCondition.notObserved.rawValue }
}

/// What names one stored interval: its subject, start and state, which never change once
/// written. Subject and start alone are not enough: a run followed by a gap longer than
/// `maxGap` leaves the zero-length interval `[t, t]` it opened and the `not_observed` one
/// from `t`, both starting at `t`. No two intervals of a subject share start and state
/// (observed intervals start at their first run, each later than the last; `not_observed`
/// ones at the end of the interval before, each later than the last).
public struct IntervalKey: Sendable, Hashable, Comparable {
    public let subject: HistorySubject
    public let start: Date
    public let state: String

    public init(subject: HistorySubject, start: Date, state: String) {
        self.subject = subject
        self.start = start
        self.state = state
    }

    public static func < (a: IntervalKey, b: IntervalKey) -> Bool {
        if a.subject != b.subject { return a.subject < b.subject }
        if a.start != b.start { return a.start < b.start }
        return a.state < b.state
    }
}

extension StateInterval {
    /// The row this interval is stored as.
    public var key: IntervalKey { IntervalKey(subject: subject, start: start, state: state) }
}

/// What applying one run does to the stored intervals: the rows to rewrite (found by their
/// `key`; only `end`, `open` and `lastRun` change, and only the subject's newest, open
/// interval is ever rewritten) and the rows to add. Both are in subject order, so the same
/// input always gives the same output.
public struct IntervalChanges: Sendable, Hashable {
    /// Intervals extended (`end`, `lastRun`) or closed (`open` false, `end`).
    public var updates: [StateInterval]
    /// New intervals: a closed `not_observed` gap, and the new open interval.
    public var inserts: [StateInterval]

    public init(updates: [StateInterval] = [], inserts: [StateInterval] = []) {
        self.updates = updates
        self.inserts = inserts
    }

    public var isEmpty: Bool { updates.isEmpty && inserts.isEmpty }
}

/// The pure bookkeeping of state intervals: given a complete run (its id, the time it
/// observed, what it saw of each subject it covered) and the newest stored interval of
/// each of those subjects, it says which intervals to rewrite and which to add. The store
/// calls it in the transaction that marks the run complete, and writes back the answer.
/// A subject's newest interval is its open one, or else the one ending last (of two ending
/// together, the later start).
///
/// For each subject the run observed, with `newest` its newest interval and `at` the run's
/// start, and `maxGap` the settings' gap for the subject (`HistorySettings.maxGap(for:)`:
/// links are swept every few minutes, endpoints checked once a day):
/// - no `newest`: open `[at, at]` in the observed state;
/// - `at <= newest.end` (a late run, or a run applied again after a crash): nothing
///   changes, so applying a run twice is harmless;
/// - `at - newest.end > maxGap` (the daemon stopped, runs aborted or missing): close
///   `newest` at its own `end`, add a closed `not_observed` interval `[newest.end, at)`
///   (its `firstRun` the last run before the gap, its `lastRun` this run), then open
///   `[at, at]` in the observed state;
/// - same state, within `maxGap`: extend `newest` (`end = at`, `lastRun = run`); the state
///   is what counts, so a changed cause (a link down via another node) does not cut the
///   interval, which keeps its first cause;
/// - another state, within `maxGap`: close `newest` at `at` (the old state held until the
///   run that saw the change) and open `[at, at]` in the new state.
///
/// A `newest` already closed (history closed deliberately) is never extended: the time from
/// its `end` to `at`, when there is some, becomes `not_observed`, and the new state opens at
/// `at`. Subjects the run did not cover are untouched, and an observation of
/// `not_observed` is ignored (a run cannot observe that nothing was observed).
public enum IntervalBook {
    /// The changes one complete run makes. `newest` may hold subjects the run did not
    /// cover; they are ignored.
    public static func apply(run: RunID, at: Date, observed: [HistorySubject: ObservedCondition],
                             newest: [HistorySubject: StateInterval], settings: HistorySettings) -> IntervalChanges {
        var changes = IntervalChanges()
        for subject in observed.keys.sorted() {
            guard let condition = observed[subject] else { continue }
            let step = apply(run: run, at: at, subject: subject, observed: condition, newest: newest[subject], maxGap: settings.maxGap(for: subject))
            changes.updates += step.updates
            changes.inserts += step.inserts
        }
        return changes
    }

    /// The changes for one subject (see the type's comment).
    public static func apply(run: RunID, at: Date, subject: HistorySubject, observed: ObservedCondition,
                             newest: StateInterval?, maxGap: TimeInterval) -> IntervalChanges {
        guard observed.isObserved else { return IntervalChanges() }
        let opened = StateInterval(subject: subject, state: observed.state, start: at, end: at, open: true,
                                   cause: observed.cause, firstRun: run, lastRun: run)
        guard let newest else { return IntervalChanges(inserts: [opened]) }
        guard at > newest.end else { return IntervalChanges() }

        let gap = at.timeIntervalSince(newest.end)
        if !newest.open || gap > maxGap {
            var updates: [StateInterval] = []
            if newest.open {
                var closed = newest
                closed.open = false
                updates.append(closed)
            }
            let unseen = StateInterval(subject: subject, state: LinkCondition.notObserved.rawValue, start: newest.end, end: at,
                                       open: false, cause: nil, firstRun: newest.lastRun, lastRun: run)
            return IntervalChanges(updates: updates, inserts: [unseen, opened])
        }

        var current = newest
        current.end = at
        if newest.state == observed.state {
            current.lastRun = run
            return IntervalChanges(updates: [current])
        }
        current.open = false
        return IntervalChanges(updates: [current], inserts: [opened])
    }
}
