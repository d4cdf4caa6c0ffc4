import Foundation
import Hummingbird
import Logging
import NetauditDaemon
import NetauditInventory
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
        var tracker = StateTracker()
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
            #expect(metrics.render().contains(#"netaudit_webhook_deliveries_total{outcome="delivered"} 1"#))
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
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let dispatcher = AlertDispatcher(logger: logger, metrics: DaemonMetrics(), webhook: { webhook })
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
    }
}
