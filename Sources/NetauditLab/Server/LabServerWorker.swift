#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CNetauditShims

/// The worker threads: blocking I/O, one connection at a time each, with SO_RCVTIMEO and
/// SO_SNDTIMEO of ``LabServerOptions/ioTimeout`` so that a stuck client never holds a worker
/// longer than that per read or write.
extension LabServerCore {
    /// The worker loop: takes queued connections until the server stops.
    func runWorker() {
        while true {
            jobsReady.wait()
            let next = state.withLock { state -> (job: LabJob?, stopping: Bool) in
                guard !state.stopping, !state.jobs.isEmpty else { return (nil, state.stopping) }
                let job = state.jobs.removeFirst()
                state.active.insert(job.connection.fd)
                return (job, false)
            }
            guard let job = next.job else {
                if next.stopping { return }
                continue
            }
            serve(job)
            // Out of the active set before the descriptor closes (when `job` goes away).
            state.withLock { _ = $0.active.remove(job.connection.fd) }
        }
    }

    private func serve(_ job: LabJob) {
        let connection = job.connection
        switch services[job.endpoint] {
        case .tls(let context, let response):
            serveTLS(context, response, connection)
        case .http(let response):
            if let head = Self.readHead({ receive(connection, capacity: $0) }) {
                _ = send(connection, response.bytes(withBody: !head.isHead))
            }
            finish(connection)
        case .crafted(let hello):
            serveCrafted(hello, connection)
        case .repository(let repository):
            switch LabHTTPRequest.read({ receive(connection, capacity: $0) }, interim: { _ = send(connection, $0) }) {
            case .success(let request)?: _ = send(connection, repository.respond(to: request))
            case .failure(let failure)?: _ = send(connection, failure.bytes)
            case nil: break
            }
            finish(connection)
        case .tarpit, .garbage, .noise, .reset, .trickle, .refused:
            break  // handled by the acceptor
        }
    }

    // MARK: TLS

    private func serveTLS(_ context: LabTLSContext, _ response: LabHTTPResponse, _ connection: LabDescriptor) {
        defer { ERR_clear_error() }  // errors of one connection must not show up in the next
        guard let tls = LabTLSConnection(context: context, descriptor: connection) else { return }
        if tls.accept() {
            completedHandshakes.wrappingAdd(1, ordering: .relaxed)
            if let head = Self.readHead({ tls.read(capacity: $0) }) {
                _ = tls.write(response.bytes(withBody: !head.isHead))
            }
            tls.shutdown()
        }
        finish(connection)
    }

    // MARK: Crafted hellos

    private func serveCrafted(_ crafted: LabCraftedHello, _ connection: LabDescriptor) {
        var record: [UInt8] = []
        var readable = true
        while true {
            if let first = record.first, first != 22, first & 0x80 == 0 {
                readable = false  // not a handshake record: answer at once
                break
            }
            let size = LabClientHello.recordSize(record)
            if let size, size > LabClientHello.maximumRecordSize {
                readable = false
                break
            }
            if let size, record.count >= size { break }
            guard let chunk = receive(connection, capacity: min(4096, (size ?? 5) - record.count)) else {
                return  // the client left or said nothing in time: close
            }
            record += chunk
        }
        let answer: LabCraftedHello.Answer
        if readable, let hello = try? LabClientHello.parse(record) {
            answer = crafted.answer(to: hello)
        } else {
            answer = crafted.answer(toUnreadable: record)
        }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        _ = send(connection, crafted.bytes(of: answer, random: random))
        hold(connection, for: crafted.holdAfterAnswer)
    }

    // MARK: Plain sockets

    /// Up to `capacity` bytes; nil at the end of the stream, on an error or a timeout.
    private func receive(_ connection: LabDescriptor, capacity: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = buffer.withUnsafeMutableBytes { na_lab_recv(connection.fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Sends all of `bytes` (blocking, without SIGPIPE); false on failure or timeout.
    private func send(_ connection: LabDescriptor, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { na_lab_send(connection.fd, $0.baseAddress! + offset, $0.count - offset, 0) }
            if sent == -Int(EINTR) { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Ends a connection politely: FIN after what was sent, then reads and discards what the
    /// client still sends until it closes or ``LabServerOptions/drainTimeout`` passes, so that
    /// closing with unread bytes does not turn into an RST that could destroy the answer.
    private func finish(_ connection: LabDescriptor) {
        _ = na_lab_shutdown(connection.fd, 1)
        hold(connection, for: options.drainTimeout)
    }

    /// Reads and discards until the client closes, an error, or `duration` has passed.
    private func hold(_ connection: LabDescriptor, for duration: Duration) {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = (deadline - clock.now).labMilliseconds
            guard left > 0 else { return }
            _ = na_lab_set_timeouts(connection.fd, Int32(clamping: left))
            let count = scratch.withUnsafeMutableBytes { na_lab_recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count == -Int(EINTR) { continue }
            guard count > 0 else { return }
        }
    }

    // MARK: HTTP

    /// What the lab needs of a request head: whether the method is HEAD (no body then).
    struct RequestHead {
        let isHead: Bool
    }

    /// The request head, read until CRLF CRLF or 16 KiB (a head that long is answered as is);
    /// nil when the client closed, failed or stayed silent (per read) before that.
    static func readHead(_ read: (Int) -> [UInt8]?) -> RequestHead? {
        let limit = 16 * 1024
        var head: [UInt8] = []
        while head.count < limit {
            guard let chunk = read(min(4096, limit - head.count)) else { return nil }
            let from = max(0, head.count - 3)
            head += chunk
            if head.count >= 4 {
                for start in from...(head.count - 4)
                where head[start] == 13 && head[start + 1] == 10 && head[start + 2] == 13 && head[start + 3] == 10 {
                    return RequestHead(isHead: head.starts(with: Array("HEAD ".utf8)))
                }
            }
        }
        return RequestHead(isHead: head.starts(with: Array("HEAD ".utf8)))
    }
}
