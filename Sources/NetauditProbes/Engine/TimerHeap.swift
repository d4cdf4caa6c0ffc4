/// A binary min-heap of timed entries: the ICMP pinger's send schedule and reply deadlines
/// hold tens of thousands of entries in a national sweep, so ordering must stay O(log n).
struct TimerHeap<Payload> {
    private(set) var entries: [(time: ContinuousClock.Instant, order: UInt64, payload: Payload)] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var first: (time: ContinuousClock.Instant, payload: Payload)? {
        entries.first.map { ($0.time, $0.payload) }
    }

    /// Adds an entry; entries with the same time come out in insertion order.
    mutating func insert(_ payload: Payload, at time: ContinuousClock.Instant) {
        counter += 1
        entries.append((time, counter, payload))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry.
    mutating func popFirst() -> (time: ContinuousClock.Instant, payload: Payload)? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && less(left, smallest) { smallest = left }
            if right < entries.count && less(right, smallest) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.payload)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        entries[a].time != entries[b].time ? entries[a].time < entries[b].time : entries[a].order < entries[b].order
    }
}
