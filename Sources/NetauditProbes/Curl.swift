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

/// The curl multi handle of the probe loop (curl_multi_init(3)), owned by the loop thread;
/// only `wakeup` may be called from another thread, as libcurl documents.
final class CurlMulti: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// Set by `close()`; the owner makes sure nothing uses the handle after that.
    private var closed = false

    init() {
        Curl.initializeOnce()
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init returned NULL (out of memory)") }
        self.handle = handle
    }

    /// Frees the handle now (curl_multi_cleanup(3)): its wake-up socket pair and its
    /// connection cache go with it. Only once nothing can use the handle any more.
    func close() {
        guard !closed else { return }
        closed = true
        curl_multi_cleanup(handle)
    }

    deinit { close() }

    /// Interrupts a `poll` in progress (curl_multi_wakeup(3)); thread-safe.
    func wakeup() {
        _ = curl_multi_wakeup(handle)
    }

    /// How long curl wants to wait at most (curl_multi_timeout(3)), capped.
    func timeoutMilliseconds(cap: Int32) -> Int32 {
        var value = -1
        _ = curl_multi_timeout(handle, &value)
        return value < 0 ? cap : Int32(min(value, Int(cap)))
    }

    /// Waits for curl's sockets and the extra descriptors (curl_multi_poll(3)).
    func poll(_ extra: inout [curl_waitfd], timeoutMilliseconds: Int32) {
        var count: Int32 = 0
        _ = extra.withUnsafeMutableBufferPointer { buffer in
            curl_multi_poll(handle, buffer.baseAddress, UInt32(buffer.count), timeoutMilliseconds, &count)
        }
    }

    /// Advances every transfer (curl_multi_perform(3)); returns how many are still running.
    @discardableResult
    func perform() -> Int {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
        return Int(running)
    }
}
