import Foundation
import NetauditCore

/// Bounds the connections a run opens: in all, and to any one address, so that a sweep
/// neither runs out of descriptors nor hammers one agency's gateway. Waiters are served
/// in arrival order.
actor ConnectionLimiter {
    /// What a probe is counted against: its address, or its host name when the address
    /// is not known before connecting (DNS), so that unrelated sites do not share a slot.
    enum Target: Sendable, Hashable {
        case address(IPAddress)
        case host(String)
    }

    struct Slot: Sendable {
        let address: Target
    }

    private let total: Int
    private let perAddress: Int
    private var open = 0
    private var openPerAddress: [Target: Int] = [:]
    private var waiters: [(id: UUID, address: Target, continuation: CheckedContinuation<Slot?, Never>)] = []

    init(total: Int, perAddress: Int) {
        self.total = max(1, total)
        self.perAddress = max(1, perAddress)
    }

    /// A slot for `address`, in arrival order; nil when the task is cancelled while waiting
    /// (the probe is then skipped, not run late).
    func acquire(_ address: Target) async -> Slot? {
        if Task.isCancelled { return nil }
        if waiters.isEmpty, canOpen(address) {
            take(address)
            return Slot(address: address)
        }
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Slot?, Never>) in
                if Task.isCancelled { continuation.resume(returning: nil); return }
                waiters.append((id, address, continuation))
            }
        } onCancel: {
            Task { await self.dropWaiter(id) }
        }
    }

    private func dropWaiter(_ id: UUID) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
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

    private func canOpen(_ address: Target) -> Bool {
        open < total && openPerAddress[address, default: 0] < perAddress
    }

    private func take(_ address: Target) {
        open += 1
        openPerAddress[address, default: 0] += 1
    }
}
