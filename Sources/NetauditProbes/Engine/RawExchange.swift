internal import CNetauditShims
import Foundation
import NetauditCore

/// A hand-made exchange on a plain TCP connection: connect, send some bytes (a ClientHello
/// built by netaudit), read until `enough` says the answer is complete, the peer closes,
/// or the deadline passes. It is how the probes ask questions OpenSSL cannot ask (SSLv3,
/// RC4, EXPORT…): the server's first answer is the result, no handshake is completed.
final class RawExchange: LoopSource {
    struct Outcome: Sendable {
        var connected = false
        /// The answer as received (empty for a streamed exchange: see `stream`).
        var bytes: [UInt8] = []
        /// How many bytes were received (kept or streamed).
        var received = 0
        /// errno of a failed connect or read (ECONNREFUSED, ECONNRESET…).
        var error: Int32?
        var timedOut = false
        /// The peer closed the connection (EOF) before `enough` was satisfied.
        var closed = false
        /// No connection was made for want of netaudit's own resources (EMFILE…): the
        /// exchange says nothing about the peer.
        var localFailure: LocalFailure?
    }

    private let address: IPAddress
    private let port: UInt16
    private let payload: [UInt8]
    private let deadline: ContinuousClock.Instant
    private let enough: ([UInt8]) -> Bool
    /// When set, each chunk goes here as it arrives and is not kept: the answer may be longer
    /// than `maximumAnswer` (a certificate chain read past), up to `maximumStreamed`.
    private let stream: ((ArraySlice<UInt8>) -> Bool)?
    private var completion: ((Outcome) -> Void)?
    private var socket: SocketHandle?
    private var sent = 0
    private var outcome = Outcome()
    private var buffer = [UInt8](repeating: 0, count: 16_384)
    static let maximumAnswer = 65_536
    /// The most a streamed exchange reads: one handshake message of the largest size
    /// (2^24 - 1 bytes, RFC 5246 §7.4) and its records' headers, with room to spare.
    static let maximumStreamed = 1 << 25

    init(address: IPAddress, port: Int, payload: [UInt8], timeout: Duration,
         enough: @escaping ([UInt8]) -> Bool, stream: ((ArraySlice<UInt8>) -> Bool)? = nil,
         completion: @escaping (Outcome) -> Void) {
        self.address = address
        self.port = UInt16(clamping: port)
        self.payload = payload
        self.deadline = .now + timeout
        self.enough = enough
        self.stream = stream
        self.completion = completion
        do throws(SocketError) {
            let handle = try SocketHandle(family: address.family, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
            handle.setLingerReset()
            socket = handle
            let result = handle.connect(to: address, port: self.port)
            if result == 0 {
                outcome.connected = true
            } else if result != EINPROGRESS {
                outcome.localFailure = LocalResources.failure(errno: result, during: "connect()")
                finish(error: result)
            }
        } catch {
            outcome.localFailure = LocalResources.failure(errno: error.code, during: "socket()")
            finish(error: error.code)
        }
    }

    var isFinished: Bool { completion == nil }

    func pollRequests() -> [(fd: Int32, events: Int16)] {
        guard let socket, completion != nil else { return [] }
        if !outcome.connected || sent < payload.count { return [(socket.fd, Int16(CURL_WAIT_POLLOUT))] }
        return [(socket.fd, Int16(CURL_WAIT_POLLIN))]
    }

    var nextDeadline: ContinuousClock.Instant? { completion == nil ? nil : deadline }

    func service(ready: [Int32: Int16], now: ContinuousClock.Instant) -> Bool {
        guard let socket, completion != nil else { return false }
        if ready[socket.fd] != nil {
            if !outcome.connected {
                let error = socket.pendingError
                guard error == 0 else { finish(error: error); return false }
                outcome.connected = true
            }
            if sent < payload.count {
                let written = payload[sent...].withUnsafeBytes { write(socket.fd, $0.baseAddress, $0.count) }
                if written > 0 {
                    sent += written
                } else if written < 0 && errno != EAGAIN {
                    finish(error: errno)
                    return false
                }
            } else {
                readAvailable(socket)
            }
        }
        if completion != nil && now >= deadline {
            outcome.timedOut = true
            finish(error: nil)
        }
        return completion != nil
    }

    /// Ends the exchange now (cancellation).
    func cancel() {
        outcome.timedOut = true
        finish(error: nil)
    }

    private func readAvailable(_ socket: SocketHandle) {
        while completion != nil {
            let count = buffer.withUnsafeMutableBytes { read(socket.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                outcome.received += count
                if let stream {
                    if stream(buffer[0..<count]) || outcome.received >= Self.maximumStreamed { finish(error: nil) }
                    continue
                }
                outcome.bytes += buffer[0..<count]
                if enough(outcome.bytes) || outcome.bytes.count >= Self.maximumAnswer { finish(error: nil) }
            } else if count == 0 {
                outcome.closed = true
                finish(error: nil)
            } else {
                if errno != EAGAIN && errno != EWOULDBLOCK { finish(error: errno) }
                return
            }
        }
    }

    private func finish(error: Int32?) {
        guard let completion else { return }
        self.completion = nil
        outcome.error = error
        socket = nil
        completion(outcome)
    }
}
