internal import CNetauditShims
import Foundation
import NetauditCore

/// One JSON POST through libcurl (the daemon's alert webhook). A blocking easy transfer on
/// a Dispatch worker, bounded by `timeout`, so the cooperative pool never waits on it.
/// Proxies from the environment are not used, as for the probes.
public enum HTTPPost {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// POSTs `body` as `application/json`; returns the HTTP status, or why no answer came.
    public static func json(_ body: String, to url: String, timeout: Duration) async -> Result<Int, Failure> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: perform(body, url: url, timeout: timeout))
            }
        }
    }

    private static func perform(_ body: String, url: String, timeout: Duration) -> Result<Int, Failure> {
        let easy = CurlEasy()
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
        headers = curl_slist_append(headers, "User-Agent: netaudit")
        defer { curl_slist_free_all(headers) }
        do {
            try easy.set(CURLOPT_URL, url)
            try easy.set(CURLOPT_NOPROXY, "*")
            try easy.set(CURLOPT_NOSIGNAL, 1)
            try easy.set(CURLOPT_TIMEOUT_MS, CurlTransfer.milliseconds(timeout))
            try easy.set(CURLOPT_COPYPOSTFIELDS, body)
            try Curl.check(na_curl_easy_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, headers))
            // The answer's body is not wanted (curl would print it to standard output).
            try Curl.check(na_curl_easy_setopt_data_callback(easy.handle, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count })
            try Curl.check(curl_easy_perform(easy.handle))
            return .success(try easy.info(CURLINFO_RESPONSE_CODE))
        } catch {
            return .failure(Failure(message: error.message))
        }
    }
}
