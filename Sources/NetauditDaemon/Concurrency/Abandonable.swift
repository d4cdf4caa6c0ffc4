import Foundation
import ServiceLifecycle
import Synchronization

/// Work the daemon waits for only until it stops: a webhook POST to a receiver that never
/// answers, an inventory load on a slow disk. At graceful shutdown (or cancellation) the
/// waiter gets nil at once; the work itself cannot be interrupted, so it runs on, unobserved,
/// until it ends or the process does. Its result is then dropped.
enum Abandonable {
    /// `work` in a detached task, or nil when the stop comes first.
    static func run<Value: Sendable>(_ work: @escaping @Sendable () async -> Value) async -> Value? {
        let answer = FirstAnswer<Value>()
        return await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { continuation in
                    answer.wait(continuation)
                    Task.detached { answer.give(await work()) }
                }
            } onGracefulShutdown: {
                answer.give(nil)
            }
        } onCancel: {
            answer.give(nil)
        }
    }

    /// Blocking `work` on a Dispatch worker, off the concurrency pool (whose few threads
    /// serve the watchdog and HTTP), or nil when the stop comes first.
    static func offPool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value? {
        await run {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
            }
        }
    }
}

/// A continuation resumed once, by whichever answer comes first; later ones are dropped.
final class FirstAnswer<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value?, Never>?
        var early: Value??
    }
    private let state = Mutex(State())

    /// Resumes `continuation` with the first answer, now if one came before.
    func wait(_ continuation: CheckedContinuation<Value?, Never>) {
        let early: Value?? = state.withLock { state in
            if let early = state.early { return .some(early) }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ value: Value?) {
        let continuation: CheckedContinuation<Value?, Never>? = state.withLock { state in
            guard state.early == nil else { return nil }
            state.early = .some(value)
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }
}
