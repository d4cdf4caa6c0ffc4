@testable import NetauditAudit
import NetauditCore
import Testing

/// The via bookkeeping of a run, without probes or a store: which links wait for the node
/// they depend on, and with which state each is released for judgement.
struct ViaLedgerTests {
    typealias Release = ViaLedger.Release

    /// Feeds the reports of `arrivals` in order, judging each release at once as the runner
    /// does (a judged link releases the links waiting for it), then ends the run; returns
    /// every release in the order the runner would judge (and store) them.
    static func run(_ ledger: inout ViaLedger, _ arrivals: [(code: String, state: LinkState?, via: String?)],
                    context: Set<String> = []) -> [Release] {
        var judged: [Release] = []
        func judge(_ releases: [Release]) {
            for release in releases {
                judged.append(release)
                judge(ledger.judged(release.code))
            }
        }
        for arrival in arrivals {
            if context.contains(arrival.code) {
                judge(ledger.knownContext(arrival.code, state: arrival.state))
            } else {
                judge(ledger.known(arrival.code, state: arrival.state, via: arrival.via))
            }
        }
        judge(ledger.releaseAll())
        return judged
    }

    @Test func aLinkWithoutViaIsReleasedAtOnce() {
        var ledger = ViaLedger(expected: ["A"])
        #expect(ledger.known("A", state: .down, via: nil) == [Release(code: "A", viaState: nil)])
        #expect(ledger.pending.isEmpty)
    }

    @Test func aDownLinkWaitsForItsViaNodeAndIsReleasedWithItsState() {
        var ledger = ViaLedger(expected: ["A", "B"])
        #expect(ledger.known("B", state: .down, via: "A").isEmpty)
        #expect(ledger.pending == ["A": ["B"]])
        // A's state alone does not release B: A is judged first, then B.
        #expect(ledger.known("A", state: .down, via: nil) == [Release(code: "A", viaState: nil)])
        #expect(ledger.judged("A") == [Release(code: "B", viaState: .down)])
        #expect(ledger.pending.isEmpty)
    }

    @Test func aLinkThatAnswersDoesNotWait() {
        var ledger = ViaLedger(expected: ["A", "B"])
        #expect(ledger.known("B", state: .up, via: "A") == [Release(code: "B", viaState: nil)])
        #expect(ledger.known("B2", state: .degraded, via: "A") == [Release(code: "B2", viaState: nil)])
        #expect(ledger.pending.isEmpty)
    }

    @Test func aDownLinkBehindAKnownNodeIsReleasedAtOnceWithItsState() {
        var ledger = ViaLedger(expected: ["A", "B"])
        _ = ledger.known("A", state: .up, via: nil)
        #expect(ledger.known("B", state: .down, via: "A") == [Release(code: "B", viaState: .up)])
    }

    /// A ← B ← C: C depends on B, B on A; all three down.
    @Test(arguments: [["A", "B", "C"], ["A", "C", "B"], ["B", "A", "C"], ["B", "C", "A"], ["C", "A", "B"], ["C", "B", "A"]])
    func aChainIsJudgedWholeInAnyOrder(order: [String]) {
        let via: [String: String] = ["B": "A", "C": "B"]
        var ledger = ViaLedger(expected: ["A", "B", "C"])
        let judged = Self.run(&ledger, order.map { ($0, .down, via[$0]) })
        #expect(Set(judged) == [Release(code: "A", viaState: nil), Release(code: "B", viaState: .down),
                                Release(code: "C", viaState: .down)])
        #expect(judged.count == 3)
        // A node that waited is judged before the links that waited for it.
        #expect(judged.firstIndex { $0.code == "A" }! < judged.firstIndex { $0.code == "B" }!)
        #expect(ledger.pending.isEmpty)
    }

    /// Every link is released once, and each down link with the same `via` state, whatever
    /// the order the probes end. (A link that answers, or an inconclusive one, does not wait:
    /// it is judged with whatever is known then, which its findings do not read.)
    @Test func theReleasesDoNotDependOnTheOrderOfArrival() {
        let arrivals: [(code: String, state: LinkState?, via: String?)] = [
            ("P", .down, nil), ("D1", .down, "P"), ("D2", .up, "P"), ("C1", .down, "D1"), ("C2", .down, "D2"),
            ("C3", nil, "D1"), ("X", .degraded, nil), ("Y", .down, "X"),
        ]
        let down = Set(arrivals.filter { $0.state == .down }.map(\.code))
        let expectedDown = Set([Release(code: "P", viaState: nil), Release(code: "D1", viaState: .down),
                                Release(code: "C1", viaState: .down), Release(code: "C2", viaState: .up),
                                Release(code: "Y", viaState: .degraded)])
        var orders = [arrivals, Array(arrivals.reversed())]
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<20 { orders.append(arrivals.shuffled(using: &generator)) }
        for order in orders {
            var ledger = ViaLedger(expected: Set(arrivals.map(\.code)))
            let judged = Self.run(&ledger, order)
            #expect(judged.map(\.code).sorted() == arrivals.map(\.code).sorted(), "order \(order.map(\.code))")
            #expect(Set(judged.filter { down.contains($0.code) }) == expectedDown, "order \(order.map(\.code))")
        }
    }

    /// A `via` node the run does not probe (not in the plan, no link, unknown code) is never
    /// waited for: the link is judged at once, without its state.
    @Test func aViaNodeOutsideTheRunDoesNotBlock() {
        var ledger = ViaLedger(expected: ["B"])
        #expect(ledger.known("B", state: .down, via: "nowhere") == [Release(code: "B", viaState: nil)])
        #expect(ledger.pending.isEmpty)
    }

    /// An expected node that never reports (the run was interrupted): its dependents wait
    /// until the end, then are released without its state (down, not unreachable).
    @Test func aViaNodeThatNeverReportsIsReleasedAtTheEnd() {
        var ledger = ViaLedger(expected: ["A", "B", "C"])
        let judged = Self.run(&ledger, [("C", .down, "B"), ("B", .down, "A")])
        // B waits for A, C for B (whose state is known by the end: down).
        #expect(Set(judged) == [Release(code: "B", viaState: nil), Release(code: "C", viaState: .down)])
        #expect(judged.count == 2)
        #expect(ledger.pending.isEmpty)
        #expect(ledger.releaseAll().isEmpty)
    }

    @Test func takenOverStatesCountAsKnown() {
        let taken: [String: LinkState?] = ["A": .down, "C": LinkState?.none]  // C: taken over, inconclusive
        var ledger = ViaLedger(expected: ["A", "B", "C"], taken: taken)
        #expect(ledger.isKnown("A") && ledger.isKnown("C") && !ledger.isKnown("B"))
        #expect(ledger.state(of: "A") == .down)
        #expect(ledger.state(of: "C") == nil)
        #expect(ledger.known("B", state: .down, via: "A") == [Release(code: "B", viaState: .down)])
        // Known though inconclusive: no waiting, judged without a state.
        #expect(ledger.known("D", state: .down, via: "C") == [Release(code: "D", viaState: nil)])
    }

    /// A via node outside an `--only` subtree is probed for its state only: its report
    /// releases the links waiting for it, and it is never released itself.
    @Test func aContextNodeReleasesItsDependents() {
        var ledger = ViaLedger(expected: ["CTX", "B", "C"])
        let judged = Self.run(&ledger, [("B", .down, "CTX"), ("C", .down, "CTX"), ("CTX", .down, nil)], context: ["CTX"])
        #expect(judged == [Release(code: "B", viaState: .down), Release(code: "C", viaState: .down)])
    }

    @Test func anInconclusiveLinkDoesNotWait() {
        var ledger = ViaLedger(expected: ["A", "B"])
        #expect(ledger.known("B", state: nil, via: "A") == [Release(code: "B", viaState: nil)])
    }
}
