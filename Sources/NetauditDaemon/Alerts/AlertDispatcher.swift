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

    /// Delivers queued events until graceful shutdown; what is still queued then is only
    /// in the log (and its results in the store).
    public func run() async throws {
        await withGracefulShutdownHandler {
            var left = 0
            for await event in queue {
                if stopping.load(ordering: .relaxed) { left += 1; continue }
                await deliver(event)
            }
            if left > 0 { logger.warning("webhook: stopping with \(left) events not delivered; they are in the log") }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
            input.finish()
        }
    }

    private func deliver(_ event: AlertEvent) async {
        guard let settings = webhook() else { return }
        let body: String
        do { body = try JSONOutput.render(event) } catch { return }
        var wait = settings.retryDelay
        let attempts = failing.load(ordering: .relaxed) ? 1 : settings.attempts
        for attempt in 1...attempts {
            switch await HTTPPost.json(body, to: settings.url, timeout: settings.timeout) {
            case .success(let status) where (200..<300).contains(status):
                metrics.webhook(delivered: true)
                if failing.exchange(false, ordering: .relaxed) { logger.notice("webhook: delivering again") }
                logger.debug("webhook: delivered", metadata: ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)", "status": "\(status)"])
                return
            case .success(let status):
                logger.warning("webhook: \(settings.redactedURL) answered HTTP \(status) (attempt \(attempt) of \(attempts))",
                               metadata: ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)"])
            case .failure(let failure):
                logger.warning("webhook: \(settings.redactedURL): \(failure.message.replacingOccurrences(of: settings.url, with: settings.redactedURL)) (attempt \(attempt) of \(attempts))",
                               metadata: ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)"])
            }
            guard attempt < attempts, !stopping.load(ordering: .relaxed) else { break }
            let delay = wait
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) } } catch { break }
            wait = wait * 2
        }
        metrics.webhook(delivered: false)
        failing.store(true, ordering: .relaxed)
        logger.error("webhook: gave up on one event after \(attempts) attempt\(attempts == 1 ? "" : "s"); it stays in the log and the store",
                     metadata: ["event": "\(event.event.rawValue)", "agency": "\(event.agency.code)"])
    }
}
