import NetauditCore

/// Bounds the connections a run opens: in all, and to any one address, so that a sweep
/// neither runs out of descriptors nor hammers one agency's gateway. Waiters are served
/// in arrival order.
actor ConnectionLimiter {
    struct Slot: Sendable {
        let address: IPAddress
    }

    private let total: Int
    private let perAddress: Int
    private var open = 0
    private var openPerAddress: [IPAddress: Int] = [:]
    private var waiters: [(address: IPAddress, continuation: CheckedContinuation<Slot, Never>)] = []

    init(total: Int, perAddress: Int) {
        self.total = max(1, total)
        self.perAddress = max(1, perAddress)
    }

    func acquire(_ address: IPAddress) async -> Slot {
        if waiters.isEmpty, canOpen(address) {
            take(address)
            return Slot(address: address)
        }
        return await withCheckedContinuation { waiters.append((address, $0)) }
    }

    func release(_ slot: Slot) {
        open -= 1
        openPerAddress[slot.address, default: 1] -= 1
        if openPerAddress[slot.address] == 0 { openPerAddress[slot.address] = nil }
        var index = 0
        while index < waiters.count && open < total {
            let waiter = waiters[index]
            if canOpen(waiter.address) {
                waiters.remove(at: index)
                take(waiter.address)
                waiter.continuation.resume(returning: Slot(address: waiter.address))
            } else {
                index += 1
            }
        }
    }

    /// Connections open now (for tests and the progress line).
    var inUse: Int { open }

    private func canOpen(_ address: IPAddress) -> Bool {
        open < total && openPerAddress[address, default: 0] < perAddress
    }

    private func take(_ address: IPAddress) {
        open += 1
        openPerAddress[address, default: 0] += 1
    }
}
