internal import CNetauditShims
import Synchronization

/// A libcurl failure, with curl's own message (from its error buffer when it has one).
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public let code: Int
    public let message: String

    public var description: String { "libcurl error \(code): \(message)" }
}

/// libcurl's process-wide state. `curl_global_init` is not thread-safe and must run once
/// before any other call; every entry point of the probes goes through `initializeOnce`.
enum Curl {
    private static let initialized = Mutex(false)

    static func initializeOnce() {
        initialized.withLock { done in
            guard !done else { return }
            let code = na_curl_global_init_default()
            precondition(code == CURLE_OK, "curl_global_init failed: \(code)")
            done = true
        }
    }

    /// Turns a `CURLcode` into a `CurlError` carrying curl's message; the error buffer
    /// (`CURLOPT_ERRORBUFFER`) holds a more precise text when the transfer filled it.
    static func check(_ code: CURLcode, detail: String = "") throws(CurlError) {
        guard code != CURLE_OK else { return }
        let generic = String(cString: curl_easy_strerror(code))
        throw CurlError(code: Int(code.rawValue), message: detail.isEmpty ? generic : detail)
    }
}

/// One curl easy handle, owned by exactly one Swift object and freed in `deinit`. The
/// probe engine (issue 3) drives these from a single thread through the multi interface;
/// this type is not `Sendable` for that reason.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer

    init() {
        Curl.initializeOnce()
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init returned NULL (out of memory)") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sets an option that takes a `long` (see curl_easy_setopt(3)).
    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try Curl.check(na_curl_easy_setopt_long(handle, option, value))
    }

    /// Sets an option that takes a string; libcurl keeps its own copy.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        let code = value.withCString { na_curl_easy_setopt_string(handle, option, $0) }
        try Curl.check(code)
    }

    /// Reads a `long` information item (see curl_easy_getinfo(3)).
    func info(_ item: CURLINFO) throws(CurlError) -> Int {
        var value = 0
        try Curl.check(na_curl_easy_getinfo_long(handle, item, &value))
        return value
    }

    /// Reads a string information item; nil when curl has none.
    func stringInfo(_ item: CURLINFO) throws(CurlError) -> String? {
        var value: UnsafePointer<CChar>?
        try Curl.check(na_curl_easy_getinfo_string(handle, item, &value))
        return value.map { String(cString: $0) }
    }
}
