internal import CNetauditShims
import Foundation
import NetauditCore

/// One HTTP(S) request driven by the probe loop's curl multi handle. It lives on the loop
/// thread; libcurl calls back into it through `Unmanaged` user data (a C callback closure
/// must not capture anything). It never follows redirects, stops reading at the first
/// byte of the body, opens its sockets itself to enforce the allow-list, and for HTTPS
/// reads the TLS session from OpenSSL once the connection is up, before the request.
final class CurlTransfer {
    struct Request: Sendable {
        var url: String
        /// curl's `--resolve`: `host:port:address`, to pin the connection.
        var resolve: String?
        /// A `Host` header when the URL's host is the SNI override.
        var hostHeader: String?
        /// curl's `--connect-to`: `HOST:PORT:CONNECT-HOST:CONNECT-PORT` (an SNI override without a pinned address).
        var connectTo: String?
        var timeout: Duration
        /// Security level 0 and TLS 1.0 as the floor: the retry after a failed modern handshake.
        var legacy = false
        var allow: [IPNetwork]
        /// A POST body and its Content-Type (an OCSP request); nil: GET.
        var post: (body: [UInt8], contentType: String)? = nil
        /// Keep up to this many bytes of the response body (a fetched OCSP response, CRL or
        /// certificate); a longer body ends the transfer with `bodyTooLong`. Nil: stop at the
        /// first byte of the body, as the probe's own requests do (the head is all they judge).
        var bodyLimit: Int? = nil
    }

    struct Header: Sendable, Hashable {
        let name: String
        let value: String
    }

    struct Outcome: Sendable {
        var code: Int
        var message: String?
        var status: Int?
        var headers: [Header] = []
        var redirectURL: String?
        var timings = PhaseTimings()
        var primaryAddress: IPAddress?
        /// errno of the last failed socket call (CURLINFO_OS_ERRNO): ECONNREFUSED, ECONNRESET…
        var osError: Int32 = 0
        var tcpConnected = false
        var handshakeDone = false
        var session: CapturedSession?
        /// An address the allow-list refused (curl was not allowed to connect).
        var refusedAddress: IPAddress?
        /// No connection was made for want of netaudit's own resources (EMFILE on socket(),
        /// ENOBUFS or EADDRNOTAVAIL on connect…): the outcome says nothing about the server.
        var localFailure: LocalFailure?
        /// The response head was read to its blank line (false: curl stopped inside it).
        var headComplete = false
        /// The body read, when the request asked for it (`Request.bodyLimit`).
        var body: [UInt8] = []
        /// The body was longer than `Request.bodyLimit`: the transfer was stopped there.
        var bodyTooLong = false

        func header(_ name: String) -> String? {
            headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    let easy = CurlEasy()
    let request: Request
    private var completion: ((Outcome) -> Void)?
    private var headerLines: [String] = []
    private var headEnded = false
    private var captured: CapturedSession?
    private var triedCapture = false
    private var sawBody = false
    private var body: [UInt8] = []
    private var bodyTooLong = false
    private var postBody: [UInt8] = []
    private var refusedAddress: IPAddress?
    /// errno of a socket(2) that failed in `openSocket` (curl keeps only its own code).
    private var socketError: Int32?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    init(_ request: Request, completion: @escaping (Outcome) -> Void) throws(CurlError) {
        self.request = request
        self.completion = completion
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure()
    }

    deinit {
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }

    private func configure() throws(CurlError) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_URL, request.url)
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_PRIVATE, me))
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.timeout))
        try easy.set(CURLOPT_USERAGENT, "netaudit/\(ProbeLibraries.netauditVersion)")
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Never through a proxy from the environment (https_proxy, ALL_PROXY…): the probe
        // must measure the target itself, at its pinned address, inside the allow-list.
        try easy.set(CURLOPT_PROXY, "")
        try easy.set(CURLOPT_NOPROXY, "*")
        // netaudit verifies chains itself (ChainVerifier); curl must not refuse a bad
        // certificate before we have seen it, nor load the CA bundle for every handshake.
        try easy.set(CURLOPT_SSL_VERIFYPEER, 0)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_CAPATH, nil))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_CAINFO, nil))
        try Curl.check(na_curl_easy_setopt_ssl_ctx_callback(easy.handle, request.legacy ? legacySSLContextCallback : sslContextCallback))
        if request.legacy {
            try easy.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_0))
            try easy.set(CURLOPT_SSL_CIPHER_LIST, "ALL:@SECLEVEL=0")
        }
        try Curl.check(na_curl_easy_setopt_data_callback(easy.handle, CURLOPT_HEADERFUNCTION, headerCallback))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_HEADERDATA, me))
        try Curl.check(na_curl_easy_setopt_data_callback(easy.handle, CURLOPT_WRITEFUNCTION, bodyCallback))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_WRITEDATA, me))
        try Curl.check(na_curl_easy_setopt_prereq_callback(easy.handle, prerequestCallback))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_PREREQDATA, me))
        try Curl.check(na_curl_easy_setopt_opensocket_callback(easy.handle, openSocketCallback))
        try Curl.check(na_curl_easy_setopt_pointer(easy.handle, CURLOPT_OPENSOCKETDATA, me))
        if let resolve = request.resolve {
            try setList(CURLOPT_RESOLVE, [resolve])
        }
        if let connectTo = request.connectTo {
            try setList(CURLOPT_CONNECT_TO, [connectTo])
        }
        var headers: [String] = []
        if let host = request.hostHeader { headers.append("Host: \(host)") }
        if let post = request.post {
            postBody = post.body
            headers.append("Content-Type: \(post.contentType)")
            try easy.set(CURLOPT_POST, 1)
            try Curl.check(na_curl_easy_setopt_off(easy.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(postBody.count)))
            // COPYPOSTFIELDS: curl keeps its own copy, so no pointer into Swift storage outlives this call.
            let copied = postBody.withUnsafeBytes { bytes in
                na_curl_easy_setopt_pointer(easy.handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
            try Curl.check(copied)
        }
        if !headers.isEmpty { try setList(CURLOPT_HTTPHEADER, headers) }
    }

    private func setList(_ option: CURLoption, _ items: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items { list = curl_slist_append(list, item) }
        guard let list else { throw CurlError(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed") }
        lists.append(list)
        try Curl.check(na_curl_easy_setopt_slist(easy.handle, option, list))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Callbacks (on the loop thread, inside curl_multi_perform)

    /// The connection is up (TLS done) and the request not yet sent: read the session now,
    /// so that a server that never answers HTTP is still judged on its certificate.
    fileprivate func connectionReady() {
        if !triedCapture {
            triedCapture = true
            captureSession()
        }
    }

    fileprivate func header(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {  // a 100 Continue, then the real one
            headerLines.removeAll()
            headEnded = false
        }
        if line.isEmpty { headEnded = true } else { headerLines.append(line) }
        return bytes.count
    }

    fileprivate func body(_ bytes: UnsafeRawBufferPointer) -> Int {
        sawBody = true
        guard let limit = request.bodyLimit else { return 0 }  // stop at the first byte: the head is all the probe judges
        guard body.count + bytes.count <= limit else {
            bodyTooLong = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    fileprivate func openSocket(purpose: curlsocktype, address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        var port: Int32 = 0
        let family = na_curl_sockaddr_address(address, &bytes, &port)
        guard let target = IPAddress(family: family, bytes: bytes), request.allow.permits(target) else {
            refusedAddress = IPAddress(family: family, bytes: bytes)
            return CURL_SOCKET_BAD
        }
        let fd = socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
        if fd < 0 { socketError = errno }
        return fd < 0 ? CURL_SOCKET_BAD : fd
    }

    private func captureSession() {
        var info: UnsafeMutablePointer<curl_tlssessioninfo>?
        guard na_curl_easy_getinfo_tls_session(easy.handle, &info) == CURLE_OK, let info,
              info.pointee.backend == CURLSSLBACKEND_OPENSSL, let ssl = info.pointee.internals else { return }
        captured = CapturedSession(ssl: OpaquePointer(ssl), legacy: request.legacy)
    }

    // MARK: Completion

    /// Called by the loop when curl reports the transfer done (or by `cancel`).
    func finish(code: CURLcode) {
        guard let completion else { return }
        self.completion = nil
        var outcome = Outcome(code: Int(code.rawValue))
        let stoppedByUs = code == CURLE_WRITE_ERROR && sawBody && !bodyTooLong
        if code != CURLE_OK && !stoppedByUs {
            let detail = String(cString: errorBuffer)
            outcome.message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        } else {
            outcome.code = 0
        }
        if let status = try? easy.info(CURLINFO_RESPONSE_CODE), status > 0 { outcome.status = status }
        outcome.headers = headerLines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return Header(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        outcome.headComplete = headEnded
        outcome.body = body
        outcome.bodyTooLong = bodyTooLong
        outcome.redirectURL = try? easy.stringInfo(CURLINFO_REDIRECT_URL)
        func seconds(_ item: CURLINFO) -> Double? {
            var value: curl_off_t = 0
            guard na_curl_easy_getinfo_off(easy.handle, item, &value) == CURLE_OK, value > 0 else { return nil }
            return Double(value) / 1e6
        }
        outcome.timings = PhaseTimings(dns: seconds(CURLINFO_NAMELOOKUP_TIME_T), connect: seconds(CURLINFO_CONNECT_TIME_T),
                                       tls: seconds(CURLINFO_APPCONNECT_TIME_T), firstByte: seconds(CURLINFO_STARTTRANSFER_TIME_T),
                                       total: seconds(CURLINFO_TOTAL_TIME_T))
        outcome.tcpConnected = outcome.timings.connect != nil
        outcome.handshakeDone = outcome.timings.tls != nil || captured != nil
        if let ip = try? easy.stringInfo(CURLINFO_PRIMARY_IP) { outcome.primaryAddress = IPAddress(ip) }
        outcome.osError = Int32(truncatingIfNeeded: (try? easy.info(CURLINFO_OS_ERRNO)) ?? 0)
        outcome.session = captured
        outcome.refusedAddress = refusedAddress
        if !outcome.tcpConnected && !outcome.handshakeDone && outcome.code != 0 {
            outcome.localFailure = Self.localFailure(code: code, socketError: socketError, osError: outcome.osError)
        }
        completion(outcome)
    }

    /// Whether a transfer that never connected failed on netaudit's side: socket(2) refused
    /// (curl then says "Couldn't connect to server"), connect(2) failed with a local errno
    /// (CURLINFO_OS_ERRNO), or curl ran out of memory (a resolver socket pair, say).
    static func localFailure(code: CURLcode, socketError: Int32?, osError: Int32) -> LocalFailure? {
        if let socketError, let local = LocalResources.failure(errno: socketError, during: "socket()") { return local }
        if code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST,
           let local = LocalResources.failure(errno: osError, during: "connect()") { return local }
        if code == CURLE_OUT_OF_MEMORY {
            return LocalFailure(reason: .outOfResources, message: "libcurl: \(String(cString: curl_easy_strerror(code)))")
        }
        return nil
    }
}

// C callbacks: no captures; the transfer comes back through its user-data pointer.

private let headerCallback: na_curl_data_callback = { data, size, count, user in
    guard let data, let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.header(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let bodyCallback: na_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().body(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let prerequestCallback: curl_prereq_callback = { user, _, _, _, _ in
    if let user { Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().connectionReady() }
    return CURL_PREREQFUNC_OK
}

private let openSocketCallback: curl_opensocket_callback = { user, purpose, address in
    guard let user, let address else { return CURL_SOCKET_BAD }
    return Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().openSocket(purpose: purpose, address: address)
}

/// Asks every handshake for a stapled OCSP response, so the probe can tell whether the
/// server staples (curl's own CURLOPT_SSL_VERIFYSTATUS would fail the transfer instead).
private let sslContextCallback: curl_ssl_ctx_callback = { _, context, _ in
    if let context { _ = na_SSL_CTX_set_tlsext_status_type(OpaquePointer(context), TLSEXT_STATUSTYPE_ocsp) }
    return CURLE_OK
}

/// The legacy retry's context: also accepts servers without secure renegotiation.
private let legacySSLContextCallback: curl_ssl_ctx_callback = { _, context, _ in
    if let context {
        _ = na_SSL_CTX_set_tlsext_status_type(OpaquePointer(context), TLSEXT_STATUSTYPE_ocsp)
        na_SSL_CTX_allow_legacy_server(OpaquePointer(context))
    }
    return CURLE_OK
}
