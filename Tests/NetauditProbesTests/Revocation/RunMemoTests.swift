import Synchronization
import Testing
@testable import NetauditProbes

/// `RunMemo`: what a run fetched once is not fetched again, unless it only ran out of the
/// asker's time.
/// A count that tasks can share.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

@Suite("Revocation: once per run")
struct RunMemoTests {
    @Test func aKeptValueIsMadeOnce() async {
        let memo = RunMemo<Int>()
        let made = Counter()
        for _ in 0..<3 {
            let value = await memo.value(for: "http://ocsp.lab.test/") { made.next() }
            #expect(value == 1)
        }
        #expect(made.count == 1)
    }

    @Test func concurrentAskersShareOneMaking() async {
        let memo = RunMemo<Int>()
        let made = Counter()
        let values = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await memo.value(for: "crl") {
                        try? await Task.sleep(for: .milliseconds(20))
                        return made.next()
                    }
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(values) == [1])
        #expect(made.count == 1)
    }

    @Test func aRefusedValueIsMadeAgainByTheNextAsker() async {
        let memo = RunMemo<Int>()
        let made = Counter()
        let timedOut: @Sendable (Int) -> Bool = { $0 >= 2 }  // the first one "timed out"
        let first = await memo.value(for: "slow", keep: timedOut) { made.next() }
        let second = await memo.value(for: "slow", keep: timedOut) { made.next() }
        let third = await memo.value(for: "slow", keep: timedOut) { made.next() }
        #expect([first, second, third] == [1, 2, 2])
        // Other keys are apart.
        #expect(await memo.value(for: "other") { 9 } == 9)
    }
}
