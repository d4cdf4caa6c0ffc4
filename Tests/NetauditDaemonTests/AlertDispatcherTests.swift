import Foundation
import Hummingbird
import Logging
import NetauditDaemon
import NetauditCore
import NetauditInventory
import NetauditLab
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

/// Alert deliveries to a real HTTP receiver on loopback: JSON bodies, retries while the
/// receiver fails, and giving up cleanly when it never answers.
@Suite(.serialized) struct AlertDispatcherTests {
    /// A webhook receiver that answers 503 to the first `failures` requests, then 204.
    final class Receiver: Sendable {
        let bodies = Mutex<[String]>([])
        let attempts = Atomic<Int>(0)
        let failures: Int
        init(failures: Int) { self.failures = failures }
    }

    static func event(_ code: String) -> AlertEvent {
        var tracker = StateTrackerTests.baselined()
        return tracker.update(run: 7, inventory: Fixtures.inventory, links: [Fixtures.link(code, up: false)], endpoints: nil)[0]
    }

    /// Runs `body` with a receiver listening on 127.0.0.1 (a free port) and a dispatcher.
    static func withReceiver(failures: Int, attempts: Int, url: ((Int) -> String)? = nil,
                             _ body: @Sendable @escaping (AlertDispatcher, Receiver, DaemonMetrics) async throws -> Void) async throws {
        let receiver = Receiver(failures: failures)
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let attempt = receiver.attempts.wrappingAdd(1, ordering: .relaxed).newValue
            if attempt <= receiver.failures { return .serviceUnavailable }
            receiver.bodies.withLock { $0.append(String(buffer: buffer)) }
            return .noContent
        }
        let port = Mutex<Int?>(nil)
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let metrics = DaemonMetrics()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            var bound: Int?
            for _ in 0..<200 {
                bound = port.withLock { $0 }
                if bound != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let listening = try #require(bound)
            var settings = DaemonConfiguration.WebhookSettings(url: url?(listening) ?? "http://127.0.0.1:\(listening)/hook")
            settings.attempts = attempts
            settings.retryDelay = .milliseconds(50)
            settings.timeout = .seconds(2)
            let webhook = settings
            let dispatcher = AlertDispatcher(logger: logger, metrics: metrics, webhook: { webhook })
            group.addTask { try await dispatcher.run() }
            try await body(dispatcher, receiver, metrics)
            group.cancelAll()
        }
    }

    @Test func anEventIsPostedAsJSONAfterRetries() async throws {
        try await Self.withReceiver(failures: 2, attempts: 5) { dispatcher, receiver, metrics in
            dispatcher.announce([Self.event("21583")])
            for _ in 0..<200 where receiver.bodies.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(receiver.attempts.load(ordering: .relaxed) == 3)
            let body = try #require(receiver.bodies.withLock { $0.first })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(json["event"] as? String == "agency_down")
            #expect(json["run"] as? Int == 7)
            #expect((json["agency"] as? [String: Any])?["code"] as? String == "21583")
            #expect((json["agency"] as? [String: Any])?["parent"] as? String == "52")
            #expect(json["rules"] as? [String] == ["link.down"])
            // The receiver holds the body before its answer reaches the dispatcher.
            let delivered = #"netaudit_webhook_deliveries_total{outcome="delivered"} 1"#
            for _ in 0..<200 where !metrics.render().contains(delivered) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(metrics.render().contains(delivered))
            #expect(metrics.render().contains(#"netaudit_alerts_total{event="agency_down"} 1"#))
        }
    }

    /// A receiver that keeps failing: every attempt is made, then the event is given up,
    /// counted, and the next one is still delivered in its turn.
    @Test func aFailingWebhookIsGivenUpAfterItsAttempts() async throws {
        try await Self.withReceiver(failures: 3, attempts: 3) { dispatcher, receiver, metrics in
            dispatcher.announce([Self.event("21583"), Self.event("21584")])
            for _ in 0..<300 where receiver.bodies.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(receiver.attempts.load(ordering: .relaxed) == 4)
            #expect(receiver.bodies.withLock { $0.count } == 1)
            #expect(receiver.bodies.withLock { $0.first }?.contains("\"21584\"") == true)
            #expect(metrics.render().contains(#"netaudit_webhook_deliveries_total{outcome="failed"} 1"#))
        }
    }

    /// Nothing listening: each attempt fails fast with curl's message; nothing hangs.
    @Test func aWebhookThatIsDown() async throws {
        try await Self.withReceiver(failures: 0, attempts: 2, url: { _ in "http://127.0.0.1:9/hook" }) { dispatcher, receiver, metrics in
            dispatcher.announce([Self.event("21583")])
            for _ in 0..<300 where !metrics.render().contains("outcome=\"failed\"} 1") { try await Task.sleep(for: .milliseconds(10)) }
            #expect(metrics.render().contains(#"netaudit_webhook_deliveries_total{outcome="failed"} 1"#))
            #expect(receiver.attempts.load(ordering: .relaxed) == 0)
        }
    }

    /// A webhook that is down, with long waits between attempts, does not hold a graceful
    /// shutdown: the wait is cut and the events left are given up.
    @Test func aWebhookThatIsDownDoesNotHoldTheStop() async throws {
        var settings = DaemonConfiguration.WebhookSettings(url: "http://127.0.0.1:9/hook")
        settings.attempts = 20
        settings.retryDelay = .seconds(5)
        let webhook = settings
        let log = LogLines()
        let dispatcher = AlertDispatcher(logger: log.logger, metrics: DaemonMetrics(), webhook: { webhook })
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await dispatcher.run() }
                dispatcher.announce([Self.event("21583"), Self.event("21584")])
                try await Task.sleep(for: .milliseconds(300))  // the first attempt failed; now a 5 s wait
                let start = ContinuousClock.now
                trigger.triggerGracefulShutdown()
                try await group.next()
                #expect(ContinuousClock.now - start < .seconds(2))
            }
        }
        // The log counts what happened: one attempt, not the twenty that were allowed.
        #expect(log.lines.contains("warning: webhook: delivery abandoned at stop after 1 attempt of 20"), "\(log.lines)")
        #expect(log.lines.contains("warning: webhook: stopping with 2 events not delivered (1 abandoned in flight, 1 not tried); they are in the log"),
                "\(log.lines)")
        #expect(!log.lines.contains { $0.contains("gave up") }, "\(log.lines)")
    }

    /// A receiver that accepts the connection and never answers (the lab's tarpit on
    /// 127.0.0.1), with a long timeout: the attempt in flight is abandoned at the stop,
    /// at once, instead of holding it for the timeout.
    @Test func aWebhookThatNeverAnswersIsAbandonedAtStop() async throws {
        let server = try LabServer([LabEndpoint(address: IPAddress(127, 0, 0, 1), behaviour: .tarpit)])
        defer { server.stop() }
        var settings = DaemonConfiguration.WebhookSettings(url: "http://127.0.0.1:\(server.endpoints[0].port)/hook")
        settings.attempts = 20
        settings.timeout = .seconds(30)
        let webhook = settings
        let log = LogLines()
        let metrics = DaemonMetrics()
        let dispatcher = AlertDispatcher(logger: log.logger, metrics: metrics, webhook: { webhook })
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await dispatcher.run() }
                dispatcher.announce([Self.event("21583"), Self.event("21584"), Self.event("52")])
                try await Task.sleep(for: .milliseconds(500))  // the first POST waits on the tarpit
                let start = ContinuousClock.now
                trigger.triggerGracefulShutdown()
                try await group.next()
                #expect(ContinuousClock.now - start < .seconds(2))
            }
        }
        #expect(log.lines.contains("warning: webhook: delivery abandoned at stop during attempt 1 of 20"), "\(log.lines)")
        #expect(log.lines.contains("warning: webhook: stopping with 3 events not delivered (1 abandoned in flight, 2 not tried); they are in the log"),
                "\(log.lines)")
        #expect(!metrics.render().contains(#"outcome="failed"} 1"#))
    }
}

/// A logger whose lines (`LEVEL: message`) the test reads back.
final class LogLines: Sendable {
    private let stored = Mutex<[String]>([])
    var lines: [String] { stored.withLock { $0 } }
    var logger: Logger { Logger(label: "test") { _ in Handler(sink: self) } }

    struct Handler: LogHandler {
        let sink: LogLines
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.stored.withLock { $0.append("\(event.level): \(event.message)") }
        }
    }
}
