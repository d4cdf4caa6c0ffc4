import Foundation
import Logging
import NetauditInventory
import NetauditProbes
import NetauditReports
import ServiceLifecycle
import Synchronization

/// Announces state changes: one log line each (a warning for bad news, a notice for good
/// news, with `event`, `agency` and `rule` fields), and, when a webhook is configured, a
/// JSON POST of the event. Deliveries run on their own, in order, with retries and growing
/// waits; a webhook that is down delays nothing else, and the results are already stored.
public final class AlertDispatcher: Service, Sendable {
    private let logger: Logger
    private let metrics: DaemonMetrics
    private let webhook: @Sendable () -> DaemonConfiguration.WebhookSettings?
    private let queue: AsyncStream<AlertEvent>
    private let input: AsyncStream<AlertEvent>.Continuation
    /// Set at graceful shutdown: no new attempt starts, so that a webhook that is down
    /// cannot hold the stop beyond the unit's stop timeout.
    private let stopping = Atomic<Bool>(false)
    /// Set when an event was given up, cleared by the next delivery: while the webhook is
    /// down, each event gets one attempt, so that a backlog after an outage of many
    /// agencies drains in minutes, not hours.
    private let failing = Atomic<Bool>(false)

    /// `webhook` is read at each delivery, so that a reload takes effect at once.
    public init(logger: Logger, metrics: DaemonMetrics, webhook: @escaping @Sendable () -> DaemonConfiguration.WebhookSettings?) {
        self.logger = logger
        self.metrics = metrics
        self.webhook = webhook
        // At most this many events wait for the webhook; beyond, the oldest are dropped (and logged).
        (queue, input) = AsyncStream.makeStream(of: AlertEvent.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    public func announce(_ events: [AlertEvent]) {
        for event in events {
            var fields: Logger.Metadata = ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)", "run": "\(event.run)"]
            if !event.rules.isEmpty { fields["rule"] = "\(event.rules.joined(separator: ","))" }
            if let endpoint = event.endpoint { fields["url"] = "\(endpoint)" }
            logger.log(level: event.isProblem ? .warning : .notice, "\(event.message)", metadata: fields)
            metrics.alert(event.event)
            if webhook() != nil, case .dropped = input.yield(event) {
                logger.warning("webhook: the queue is full; the oldest waiting event was dropped", metadata: ["event": "\(event.event.rawValue)"])
            }
        }
    }

    /// Delivers queued events until graceful shutdown. At shutdown the delivery in flight is
    /// abandoned at once (a webhook that accepts and never answers cannot hold the stop for
    /// its timeout), and what is still queued is only in the log (and its results in the store).
    public func run() async throws {
        await withGracefulShutdownHandler {
            var notTried = 0, abandoned = 0
            for await event in queue {
                if stopping.load(ordering: .relaxed) { notTried += 1; continue }
                if await deliver(event) == .abandoned { abandoned += 1 }
            }
            if notTried + abandoned > 0 {
                let left = notTried + abandoned
                logger.warning("webhook: stopping with \(left) event\(left == 1 ? "" : "s") not delivered (\(abandoned) abandoned in flight, \(notTried) not tried); they are in the log",
                               metadata: ["webhook.abandoned": "\(abandoned)", "webhook.not_tried": "\(notTried)"])
            }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
            input.finish()
        }
    }

    enum Outcome: Equatable { case delivered, gaveUp, abandoned, skipped }

    private func deliver(_ event: AlertEvent) async -> Outcome {
        guard let settings = webhook() else { return .skipped }
        let body: String
        do { body = try JSONOutput.render(event) } catch { return .skipped }
        var wait = settings.retryDelay
        let attempts = failing.load(ordering: .relaxed) ? 1 : settings.attempts
        let fields: Logger.Metadata = ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)"]
        var made = 0
        for attempt in 1...attempts {
            made = attempt
            guard let result = await Self.post(body, settings: settings, stopping: stopping) else {
                logger.warning("webhook: delivery abandoned at stop during attempt \(attempt) of \(attempts)", metadata: fields)
                return .abandoned
            }
            switch result {
            case .success(let status) where (200..<300).contains(status):
                metrics.webhook(delivered: true)
                if failing.exchange(false, ordering: .relaxed) { logger.notice("webhook: delivering again") }
                logger.debug("webhook: delivered", metadata: fields.merging(["status": "\(status)"]) { $1 })
                return .delivered
            case .success(let status):
                logger.warning("webhook: \(settings.redactedURL) answered HTTP \(status) (attempt \(attempt) of \(attempts))", metadata: fields)
            case .failure(let failure):
                logger.warning("webhook: \(settings.redactedURL): \(failure.message.replacingOccurrences(of: settings.url, with: settings.redactedURL)) (attempt \(attempt) of \(attempts))",
                               metadata: fields)
            }
            guard attempt < attempts else { break }
            let delay = wait
            let stopped: Bool
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }; stopped = false } catch { stopped = true }
            if stopped || stopping.load(ordering: .relaxed) {
                logger.warning("webhook: delivery abandoned at stop after \(made) attempt\(made == 1 ? "" : "s") of \(attempts)", metadata: fields)
                return .abandoned
            }
            wait = wait * 2
        }
        metrics.webhook(delivered: false)
        failing.store(true, ordering: .relaxed)
        logger.error("webhook: gave up on one event after \(made) attempt\(made == 1 ? "" : "s"); it stays in the log and the store",
                     metadata: fields)
        return .gaveUp
    }

    /// One POST, or nil when graceful shutdown (or cancellation) comes first. The transfer
    /// runs on a Dispatch worker bounded by the webhook's timeout; abandoning it only stops
    /// waiting for it: the worker ends at that timeout, or with the process.
    private static func post(_ body: String, settings: DaemonConfiguration.WebhookSettings,
                             stopping: borrowing Atomic<Bool>) async -> Result<Int, HTTPPost.Failure>? {
        if stopping.load(ordering: .relaxed) { return nil }
        return await Abandonable.run { await HTTPPost.json(body, to: settings.url, timeout: settings.timeout) }
    }
}
