import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NetauditCore
import NetauditHistory
import NetauditReports
import NetauditStore
import Synchronization

/// The daemon's HTTP side, on loopback by default (`http.listen`):
///
/// - `/metrics`: Prometheus text format (docs/metrics.md)
/// - `/status`: JSON, the schedules, the latest runs and the rates per level
/// - `/healthz`: `ok` when the store answers, 503 with the reason when not
/// - `/`: the latest complete run as the HTML report (`?kind=audit|link_sweep`, `?lang=en|vi`)
/// - `/period`: the current month's period report from the history (`?month=yyyy-MM`,
///   `?lang=en|vi`), linked from `/`
///
/// The pages are in `http.language` (Vietnamese by default) unless `?lang=` names another.
enum StatusServer {
    /// `server`: plain HTTP, or HTTPS (``HTTPSecurity/server(_:)``); with `http.basic_auth`,
    /// every path asks for the user and password.
    static func application(status: DaemonStatus, metrics: DaemonMetrics, store: any ResultStore, logger: Logger,
                            server: HTTPServerBuilder = .http1(),
                            onRunning: @escaping @Sendable (String) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        if let auth = status.setup.configuration.http.basicAuth {
            router.add(middleware: BasicAuthMiddleware(user: auth.user, password: auth.password))  // before the routes: it covers them all
        }
        let pages = PageCache()
        let defaultLanguage = status.setup.configuration.http.language.rawValue
        router.get("metrics") { _, _ in
            text(metrics.render(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("status") { _, _ in
            do {
                return text(try JSONOutput.render(status.document()), type: "application/json")
            } catch {
                return text("cannot encode the status: \(error)\n", type: "text/plain; charset=utf-8", status: .internalServerError)
            }
        }
        router.get("healthz") { _, _ in
            do {
                try await store.ping()
                // Spooling is not ill health: runs are kept and shipped later; said, though.
                if let spool = store as? any SpoolReporting {
                    let state = await spool.spoolState()
                    if state.pending > 0 { return text("ok; \(state.summary)\n", type: "text/plain; charset=utf-8") }
                }
                return text("ok\n", type: "text/plain; charset=utf-8")
            } catch {
                return text("results store: \(error)\n", type: "text/plain; charset=utf-8", status: .serviceUnavailable)
            }
        }
        router.get("/") { request, _ in
            let kinds: [RunKind]
            switch request.uri.queryParameters.get("kind") {
            case nil: kinds = [.audit, .linkSweep, .tlsOnly]
            case "audit": kinds = [.audit]
            case "link_sweep": kinds = [.linkSweep]
            case let other?:
                return text("unknown kind '\(other)': use audit or link_sweep\n", type: "text/plain; charset=utf-8", status: .badRequest)
            }
            let language = request.uri.queryParameters.get("lang") ?? defaultLanguage
            guard let labels = ReportLabels.named(language) else {
                return text("unknown language '\(language)': use en or vi\n", type: "text/plain; charset=utf-8", status: .badRequest)
            }
            do {
                guard let run = try await store.latestRunID(kinds: kinds) else {
                    return text(Self.noRunPage, type: "text/html; charset=utf-8", status: .notFound)
                }
                let html = try await pages.page(run: run, key: "run \(language)") {
                    Self.navigation(try await AuditReport.load(from: store, run: run).html(labels), language: language, current: "run")
                }
                return text(html, type: "text/html; charset=utf-8")
            } catch {
                return text("results store: \(error)\n", type: "text/plain; charset=utf-8", status: .serviceUnavailable)
            }
        }
        // The current month (or ?month=yyyy-MM) from the history: availability, daily rates
        // against the targets, outages.
        router.get("period") { request, _ in
            let language = request.uri.queryParameters.get("lang") ?? defaultLanguage
            guard let labels = ReportLabels.named(language) else {
                return text("unknown language '\(language)': use en or vi\n", type: "text/plain; charset=utf-8", status: .badRequest)
            }
            let zone = store.history.timeZone
            let period: ReportPeriod
            if let month = request.uri.queryParameters.get("month") {
                guard let named = ReportPeriod.month(String(month), timeZone: zone) else {
                    return text("month '\(month)': write it as yyyy-MM\n", type: "text/plain; charset=utf-8", status: .badRequest)
                }
                period = named
            } else {
                period = ReportPeriod.currentMonth(now: Date(), timeZone: zone)
            }
            do {
                guard let run = try await store.latestRunID(kinds: [.audit, .linkSweep, .tlsOnly]) else {
                    return text(Self.noRunPage, type: "text/html; charset=utf-8", status: .notFound)
                }
                let key = "period \(HistoryDay.day(of: period.from, timeZone: zone)) \(language)"
                let html = try await pages.page(run: run, key: key) {
                    Self.navigation(try await PeriodReport.load(from: store, period: period).html(labels), language: language, current: "period")
                }
                return text(html, type: "text/html; charset=utf-8")
            } catch {
                return text("results store: \(error)\n", type: "text/plain; charset=utf-8", status: .serviceUnavailable)
            }
        }
        let listen = status.setup.configuration.http
        var serverLogger = logger
        serverLogger.logLevel = .warning  // one line per request would drown the journal
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(listen.address.description, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? listen.listenText
                await onRunning(address)
            },
            logger: serverLogger
        )
    }

    /// A page with the daemon's navigation at its top: the latest run, and the current
    /// month's period report, in the page's language.
    static func navigation(_ html: String, language: String, current: String) -> String {
        let vi = language == "vi"
        let links = [("run", "/?lang=\(language)", vi ? "Lần kiểm tra mới nhất" : "Latest run"),
                     ("period", "/period?lang=\(language)", vi ? "Tháng này" : "This month")]
            .map { id, href, title in id == current ? "<strong>\(title)</strong>" : "<a href=\"\(href)\">\(title)</a>" }
            .joined(separator: " · ")
        let bar = "<nav style=\"font:14px sans-serif;margin:0 0 1em\">netaudit: \(links)</nav>"
        guard let body = html.range(of: "<body>") else { return bar + html }
        return html.replacingCharacters(in: body, with: "<body>" + bar)
    }

    static let noRunPage = "<!doctype html><meta charset=utf-8><title>netaudit</title><p>No complete run is stored yet: the first link sweep is on its way.</p>\n"

    private static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The rendered HTML of the latest run, per language: rendering a large province takes a
/// while, and the page only changes when a run ends.
final class PageCache: Sendable {
    private let pages = Mutex<[String: (run: RunID, html: String)]>([:])

    /// The page `key` names (the report and its language), rendered again only when a
    /// newer run `run` has ended.
    func page(run: RunID, key: String, render: () async throws -> String) async throws -> String {
        if let cached = pages.withLock({ $0[key] }), cached.run == run { return cached.html }
        let html = try await render()
        pages.withLock { pages in
            if pages.count > 16 { pages.removeAll() }
            pages[key] = (run, html)
        }
        return html
    }
}
