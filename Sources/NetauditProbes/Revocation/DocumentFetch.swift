internal import CNetauditShims
import Foundation
import NetauditCore
import Synchronization

/// A document a check fetched beside the endpoint itself: an OCSP response, a CRL, an issuer
/// certificate. A failure is a value (`problem`), never thrown.
struct FetchedDocument: Sendable {
    var url: String
    var status: Int?
    var contentType: String?
    var bytes: [UInt8]
    /// Why nothing usable came (nil: a 200 with a body within the limit).
    var problem: String?
    /// The fetch ran out of the asking check's time (its deadline, not the server's doing
    /// alone): not kept for the run, so that a check with time left asks again.
    var timedOut = false

    var usable: Bool { problem == nil }
}

/// Values computed once per key for a run, shared by every check that asks: the first asker
/// starts the work, the others await the same task (a CRL that fifty endpoints name is
/// fetched and verified once).
final class RunMemo<Value: Sendable>: Sendable {
    private let tasks = Mutex<[String: Task<Value, Never>]>([:])

    /// The value for `key`, made by the first asker. A value `keep` refuses (one that says
    /// more about the asker than the source: its time ran out) is given to those already
    /// waiting for it, then forgotten, so that the next asker makes it again.
    func value(for key: String, keep: @escaping @Sendable (Value) -> Bool = { _ in true },
               _ make: @escaping @Sendable () async -> Value) async -> Value {
        let task = tasks.withLock { tasks in
            if let task = tasks[key] { return task }
            let task = Task { await make() }
            tasks[key] = task
            return task
        }
        let value = await task.value
        if !keep(value) {
            tasks.withLock { tasks in
                if tasks[key] == task { tasks[key] = nil }
            }
        }
        return value
    }
}

extension ProbeEngine {
    /// Limits on what a fetch keeps: an OCSP response or a certificate is small, a CRL can
    /// reach megabytes (a national CA's, say).
    enum FetchLimit {
        static let ocspResponse = 64 * 1024
        static let certificates = 256 * 1024
        static let crl = 20 * 1024 * 1024
    }

    /// Fetches `url` (http or https) before `deadline`, once per run for the same URL and
    /// body: a GET, or a POST of `post`. The allow-list applies to the address the URL's host
    /// resolves to, as to any target; no proxy, no redirect followed. A body over `limit`
    /// bytes is a problem, not a truncated document.
    func fetchDocument(_ url: String, post: (body: [UInt8], contentType: String)? = nil, limit: Int,
                       deadline: ContinuousClock.Instant) async -> FetchedDocument {
        let key = (post == nil ? "GET " : "POST ") + url + (post.map { " " + X509Text.hex($0.body) } ?? "")
        return await fetched.value(for: key, keep: { !$0.timedOut }) { [self] in
            await fetchOnce(url, post: post, limit: limit, deadline: deadline)
        }
    }

    private func fetchOnce(_ url: String, post: (body: [UInt8], contentType: String)?, limit: Int,
                           deadline: ContinuousClock.Instant) async -> FetchedDocument {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return FetchedDocument(url: url, bytes: [], problem: "not an http or https URL")
        }
        guard ContinuousClock.now < deadline else {
            return FetchedDocument(url: url, bytes: [], problem: "no time left before the check's deadline", timedOut: true)
        }
        var request = CurlTransfer.Request(url: url, timeout: Self.remaining(until: deadline), allow: configuration.allow)
        request.post = post
        request.bodyLimit = limit
        let outcome = await transfer(request, address: nil, deadline: deadline)
        var document = FetchedDocument(url: url, status: outcome.status, contentType: outcome.header("Content-Type"),
                                       bytes: outcome.body)
        if let local = outcome.localFailure {
            document.problem = "not fetched: netaudit could not open a connection (\(local.summary): \(local.message))"
        } else if let refused = outcome.refusedAddress, !outcome.tcpConnected {
            document.problem = "\(refused) is outside the allowed target networks"
        } else if outcome.bodyTooLong {
            document.problem = "the answer is longer than \(limit) bytes"
        } else if outcome.code != 0 {
            document.problem = outcome.message ?? "the request failed (curl code \(outcome.code))"
            document.timedOut = outcome.code == Int(CURLE_OPERATION_TIMEDOUT.rawValue)
        } else if outcome.status != 200 {
            document.problem = "HTTP status \(outcome.status.map(String.init) ?? "none")"
        } else if outcome.body.isEmpty {
            document.problem = "an empty answer"
        }
        if document.problem != nil { document.bytes = [] }
        return document
    }
}
