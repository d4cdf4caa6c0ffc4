internal import CNetauditShims
import NetauditCore
import Foundation
import Synchronization

/// Something the probe loop drives: a set of sockets to watch and a time to be woken at.
/// Every source lives on the loop thread only: it is created by a job, serviced by the
/// loop and never touched from anywhere else, so it needs no lock.
protocol LoopSource: AnyObject {
    /// The descriptors to watch now, with `CURL_WAIT_POLLIN`/`CURL_WAIT_POLLOUT` events.
    func pollRequests() -> [(fd: Int32, events: Int16)]
    /// The next instant at which the source needs servicing even without I/O.
    var nextDeadline: ContinuousClock.Instant? { get }
    /// Handles ready descriptors (possibly none) and due timers; returns false once finished.
    func service(ready: [Int32: Int16], now: ContinuousClock.Instant) -> Bool
    /// True once the source has ended outside `service` (cancelled): the loop drops it.
    var isFinished: Bool { get }
}

extension LoopSource {
    var isFinished: Bool { false }
}

/// The one thread that owns every socket, curl handle and OpenSSL pointer of a probe run.
///
/// It waits in `curl_multi_poll(3)`, which watches curl's own sockets and the extra
/// descriptors of the other sources (the ICMP socket, TCP connects, hand-built hellos) in
/// one call; `curl_multi_wakeup(3)` interrupts the wait when a job arrives from Swift
/// concurrency. Jobs run on the loop thread in the order they were submitted.
final class ProbeLoop: @unchecked Sendable {
    typealias Job = @Sendable (ProbeLoop) -> Void

    private let queue = Mutex<(jobs: [Job], stopping: Bool)>(([], false))
    private let finished = Mutex<Bool>(false)
    /// The loop thread; `stop()` joins it.
    private var thread: JoinableThread!
    /// Loop-thread state from here on.
    let multi: CurlMulti
    private var sources: [LoopSource] = []

    init(name: String = "netaudit-probe-loop") {
        multi = CurlMulti()
        let threadName = String(name.utf8.prefix(15)) ?? "netaudit-probe"
        let started = DispatchSemaphore(value: 0)
        let body: @Sendable () -> Void = { [unowned self] in
            _ = na_set_thread_name(threadName)
            started.signal()
            self.run()
        }
        do {
            thread = try JoinableThread(body)
        } catch {
            fatalError("netaudit cannot start its probe loop thread: \(error)")
        }
        started.wait()  // the engine is ready (and named) when init returns
    }

    /// Runs `job` on the loop thread; false when the loop has stopped (the job is dropped).
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        queue.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.jobs.append(job)
            // Under the lock: `stop()` frees the multi handle once it has set `stopping` and
            // the thread has ended, so a wake-up never reaches a freed handle.
            multi.wakeup()
            return true
        }
    }

    private let tokens = Atomic<Int>(0)
    /// Tokens whose task was cancelled, possibly before their start job ran.
    private let cancelledTokens = Mutex<Set<Int>>([])
    /// How to end each request still running, by token (loop thread).
    private var cancellers: [Int: () -> Void] = [:]

    /// Runs a request on the loop and awaits its result. `start` runs on the loop thread,
    /// gets a `finish` to call once with the result, and returns how to end the request
    /// early (it must then call `finish` with what it has). Task cancellation and a loop
    /// that stops both end it that way; a loop already stopped yields `ifStopped`.
    func request<Result: Sendable>(
        ifStopped: Result,
        _ start: @escaping @Sendable (ProbeLoop, @escaping (Result) -> Void) -> (() -> Void)?
    ) async -> Result {
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
                let accepted = submit { loop in
                    var done = false
                    let cancel = start(loop) { result in
                        guard !done else { return }
                        done = true
                        loop.cancellers[token] = nil
                        loop.cancelledTokens.withLock { _ = $0.remove(token) }
                        continuation.resume(returning: result)
                    }
                    guard !done, let cancel else { return }
                    // Cancelled before it could start: end it at once with what it has.
                    if loop.cancelledTokens.withLock({ $0.contains(token) }) { cancel() } else { loop.cancellers[token] = cancel }
                }
                if !accepted { continuation.resume(returning: ifStopped) }
            }
        } onCancel: {
            cancelledTokens.withLock { _ = $0.insert(token) }
            submit { loop in loop.cancellers.removeValue(forKey: token)?() }
        }
    }

    /// Adds a source; call from a job (on the loop thread).
    func add(_ source: LoopSource) {
        sources.append(source)
    }

    /// curl transfers in progress, by easy handle (loop thread).
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Hands a transfer to the multi handle; call from a job.
    func start(_ transfer: CurlTransfer) {
        transfers[transfer.easy.handle] = transfer
        _ = curl_multi_add_handle(multi.handle, transfer.easy.handle)
    }

    /// Ends a transfer before curl does (cancellation); call from a job.
    func cancel(_ transfer: CurlTransfer) {
        guard transfers.removeValue(forKey: transfer.easy.handle) != nil else { return }
        _ = curl_multi_remove_handle(multi.handle, transfer.easy.handle)
        transfer.finish(code: CURLE_ABORTED_BY_CALLBACK)
    }

    /// Hands finished transfers their result (curl_multi_info_read(3)).
    private func collectFinishedTransfers() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi.handle, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = transfers.removeValue(forKey: easy) else { continue }
            let code = message.pointee.data.result
            _ = curl_multi_remove_handle(multi.handle, easy)
            transfer.finish(code: code)
        }
    }

    private var shared: [String: LoopSource] = [:]

    /// The loop's single instance of a long-lived source (the ICMP pinger of a family),
    /// made and added on first use; call from a job.
    func shared<Source: LoopSource>(_ key: String, make: () -> Source) -> Source {
        if let existing = shared[key] as? Source { return existing }
        let source = make()
        shared[key] = source
        add(source)
        return source
    }

    /// Forgets the shared source `key` (one whose socket could not open), so that the next
    /// use makes a new one; the old one is dropped once it has no work left.
    func unshare(_ key: String) {
        shared[key] = nil
    }

    /// Stops the loop after the jobs already queued; sources still running are dropped
    /// (their owners have been told by their own cancellation). Waits for the thread, then
    /// frees the multi handle, so that when it returns the loop holds no descriptor and no
    /// thread any more (not only once the engine is deinitialised). A second call returns
    /// at once.
    func stop() {
        let first = queue.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        multi.wakeup()
        thread.join()
        queue.withLock { _ in multi.close() }
    }

    private func run() {
        var waitfds: [curl_waitfd] = []
        while true {
            let (jobs, stopping) = queue.withLock { state in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopping)
            }
            for job in jobs { job(self) }
            if stopping {
                // End what is still running: every awaiting caller gets its partial result.
                let pending = cancellers
                cancellers.removeAll()
                pending.values.forEach { $0() }
                break
            }

            var owners: [Int32: [Int]] = [:]
            waitfds.removeAll(keepingCapacity: true)
            var deadline: ContinuousClock.Instant?
            for (index, source) in sources.enumerated() {
                for request in source.pollRequests() {
                    owners[request.fd, default: []].append(index)
                    waitfds.append(curl_waitfd(fd: request.fd, events: request.events, revents: 0))
                }
                if let next = source.nextDeadline, deadline == nil || next < deadline! { deadline = next }
            }
            var timeout = multi.timeoutMilliseconds(cap: 1000)
            if let deadline {
                let (seconds, attoseconds) = (deadline - ContinuousClock.now).components
                let milliseconds = max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0))
                timeout = Int32(min(Int64(timeout), milliseconds))
            }
            multi.poll(&waitfds, timeoutMilliseconds: timeout)
            multi.perform()
            collectFinishedTransfers()

            var ready: [Int: [Int32: Int16]] = [:]
            for waitfd in waitfds where waitfd.revents != 0 {
                for index in owners[waitfd.fd] ?? [] { ready[index, default: [:]][waitfd.fd] = waitfd.revents }
            }
            let now = ContinuousClock.now
            var keep: [LoopSource] = []
            keep.reserveCapacity(sources.count)
            for (index, source) in sources.enumerated() where !source.isFinished {
                let due = source.nextDeadline.map { $0 <= now } ?? false
                if ready[index] == nil && !due {
                    keep.append(source)
                } else if source.service(ready: ready[index] ?? [:], now: now) {
                    keep.append(source)
                }
            }
            sources = keep
        }
        for transfer in Array(transfers.values) { cancel(transfer) }
        sources.removeAll()
        shared.removeAll()
    }
}
