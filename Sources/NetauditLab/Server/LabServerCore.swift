#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization
internal import CNetauditShims

/// What one endpoint does, resolved at start: TLS contexts built, redirects pointed at ports.
enum LabService: Sendable {
    case tls(LabTLSContext, LabHTTPResponse)
    case http(LabHTTPResponse)
    case crafted(LabCraftedHello)
    case repository(LabPKIRepository)
    case tarpit, garbage, noise, reset, trickle, refused

    /// Whether a connection goes to a worker thread (blocking I/O) rather than staying with
    /// the acceptor (which handles the behaviours that only need timers or one write).
    var isNoise: Bool {
        if case .noise = self { return true } else { return false }
    }

    var usesWorker: Bool {
        switch self {
        case .tls, .http, .crafted, .repository: return true
        case .tarpit, .garbage, .noise, .reset, .trickle, .refused: return false
        }
    }
}

/// A connection waiting for a worker.
struct LabJob: Sendable {
    let connection: LabDescriptor
    let endpoint: Int
}

/// The state shared by a server's threads: everything mutable is behind `state`.
final class LabServerCore: Sendable {
    struct State {
        /// Accepted connections waiting for a worker, oldest first.
        var jobs: [LabJob] = []
        /// The descriptors workers are serving now: `stop()` shuts them down so that a worker
        /// blocked in a read returns at once. A worker removes its descriptor here *before*
        /// closing it, under the lock, so a shutdown never hits a reused descriptor number.
        var active: Set<Int32> = []
        var stopping = false
    }

    let services: [LabService]
    let options: LabServerOptions
    let state = Mutex(State())
    /// One signal per queued job, plus one per worker at stop.
    let jobsReady = DispatchSemaphore(value: 0)
    /// The write end of the acceptor's wake-up pipe; nil once closed by `stop()`.
    let wakeWriter: Mutex<LabDescriptor?>
    /// Connections accepted, on every endpoint (``LabServer/statistics``).
    let acceptedConnections = Atomic<Int>(0)
    /// TLS handshakes completed by the server (SSL_accept succeeded).
    let completedHandshakes = Atomic<Int>(0)

    /// Jobs beyond this many waiting are reset at once rather than queued.
    static let queueLimit = 1024
    /// Connections the acceptor holds (tarpit, trickle, draining) beyond this many are reset.
    static let heldLimit = 1024

    init(services: [LabService], options: LabServerOptions, wakeWriter: LabDescriptor) {
        self.services = services
        self.options = options
        self.wakeWriter = Mutex(wakeWriter)
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Queues a connection for the workers; false (the caller resets it) when stopping or full.
    func enqueue(_ job: LabJob) -> Bool {
        let queued = state.withLock { state -> Bool in
            guard !state.stopping, state.jobs.count < Self.queueLimit else { return false }
            state.jobs.append(job)
            return true
        }
        if queued { jobsReady.signal() }
        return queued
    }

    /// Marks the server stopping, shuts down the connections in service, wakes every thread.
    func beginStop(workers: Int) {
        state.withLock { state in
            state.stopping = true
            for fd in state.active { _ = na_lab_shutdown(fd, 2) }
        }
        wakeWriter.withLock { writer in
            if let writer {
                var byte: UInt8 = 1
                _ = write(writer.fd, &byte, 1)
            }
        }
        for _ in 0..<workers { jobsReady.signal() }
    }

    /// After the threads are joined: closes the queued connections and the wake-up pipe.
    func finishStop() {
        state.withLock { $0.jobs.removeAll() }
        wakeWriter.withLock { $0 = nil }
    }
}

// MARK: - The acceptor

/// A bound socket of the server, owned by the acceptor thread.
struct LabListener {
    let socket: LabDescriptor
    let endpoint: Int
}

extension LabServerCore {
    /// A connection the acceptor keeps: tarpit and trickle until the client leaves or the
    /// server stops, garbage until the client has read the answer and closed (or a deadline).
    private struct Held {
        enum Kind {
            case tarpit
            case draining(until: ContinuousClock.Instant)
            case trickle(next: ContinuousClock.Instant, sent: Int)
        }
        let socket: LabDescriptor
        var kind: Kind
    }

    /// The acceptor loop: poll(2) over the wake-up pipe, every listening socket and every held
    /// connection, with the next timer as timeout. Returns when the server stops; the
    /// listeners, the pipe's read end and the held connections are closed on return (their
    /// descriptors are dropped with this frame).
    func runAcceptor(listeners: [LabListener], wakeReader: LabDescriptor) {
        let clock = ContinuousClock()
        let polled = listeners.filter { if case .refused = services[$0.endpoint] { return false } else { return true } }
        var held: [Held] = []
        var pausedUntil: ContinuousClock.Instant? = nil
        var fds: [pollfd] = []
        var scratch = [UInt8](repeating: 0, count: 4096)

        while !isStopping {
            let now = clock.now
            if let until = pausedUntil, until <= now { pausedUntil = nil }
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeReader.fd, events: Int16(POLLIN), revents: 0))
            let accepting = pausedUntil == nil
            if accepting {
                for listener in polled { fds.append(pollfd(fd: listener.socket.fd, events: Int16(POLLIN), revents: 0)) }
            }
            let heldBase = fds.count
            for connection in held { fds.append(pollfd(fd: connection.socket.fd, events: Int16(POLLIN), revents: 0)) }

            var deadline = pausedUntil
            for connection in held {
                switch connection.kind {
                case .tarpit: break
                case .draining(let until): deadline = min(deadline ?? until, until)
                case .trickle(let next, _): deadline = min(deadline ?? next, next)
                }
            }
            let timeout = deadline.map { max(0, (($0 - now).labMilliseconds) + 1) } ?? -1
            let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: timeout))
            if ready < 0 {
                if errno != EINTR { usleep(10_000) }  // ENOMEM and the like: try again, without spinning
                continue
            }

            if fds[0].revents != 0 {
                while read(wakeReader.fd, &scratch, scratch.count) > 0 {}
                if isStopping { break }
            }

            // Held connections: read and discard; the end of the stream, or an error, closes them.
            if ready > 0 {
                var keep: [Held] = []
                keep.reserveCapacity(held.count)
                for (offset, connection) in held.enumerated() {
                    if fds[heldBase + offset].revents != 0, !drain(connection.socket, &scratch) { continue }
                    keep.append(connection)
                }
                held = keep
            }

            // New connections.
            if accepting && ready > 0 {
                for (offset, listener) in polled.enumerated() where fds[1 + offset].revents & Int16(POLLIN) != 0 {
                    if let pause = accept(on: listener, into: &held, clock: clock) {
                        pausedUntil = pause
                        break
                    }
                }
            }

            // Timers.
            let later = clock.now
            held = held.compactMap { connection in
                var connection = connection
                switch connection.kind {
                case .tarpit:
                    return connection
                case .draining(let until):
                    return until <= later ? nil : connection
                case .trickle(let next, let sent):
                    guard next <= later else { return connection }
                    var byte = LabServerCore.trickleByte(sent)
                    let result = na_lab_send(connection.socket.fd, &byte, 1, 1)
                    if result < 0 && result != -Int(EAGAIN) { return nil }
                    connection.kind = .trickle(next: later + options.trickleInterval, sent: result == 1 ? sent + 1 : sent)
                    return connection
                }
            }
        }
    }

    /// Accepts what is pending on `listener` (up to 32 connections) and starts each one's
    /// behaviour. Returns a time until which accepting should pause when out of descriptors.
    private func accept(on listener: LabListener, into held: inout [Held], clock: ContinuousClock) -> ContinuousClock.Instant? {
        let service = services[listener.endpoint]
        for _ in 0..<32 {
            let fd = na_lab_accept(listener.socket.fd, service.usesWorker ? 0 : 1)
            if fd < 0 {
                switch -fd {
                case EAGAIN, EINTR, ECONNABORTED, EPROTO: return nil
                default: return clock.now + .milliseconds(100)  // EMFILE, ENFILE, ENOBUFS, ENOMEM
                }
            }
            let connection = LabDescriptor(fd)
            acceptedConnections.wrappingAdd(1, ordering: .relaxed)
            switch service {
            case .tls, .http, .crafted, .repository:
                // `tarpitEvery` (the wildcard and scale labs, which serve TLS and HTTP): one
                // local address in N holds its connections instead.
                if options.tarpitEvery > 0, case let local = na_lab_local_ipv4(fd), local >= 0,
                   options.isTarpit(localIPv4: UInt32(truncatingIfNeeded: local)) {
                    guard held.count < Self.heldLimit else { _ = na_set_linger_reset(fd); continue }
                    held.append(Held(socket: connection, kind: .tarpit))
                    continue
                }
                _ = na_lab_set_timeouts(fd, Int32(clamping: options.ioTimeout.labMilliseconds))
                if !enqueue(LabJob(connection: connection, endpoint: listener.endpoint)) {
                    _ = na_set_linger_reset(fd)
                }
            case .reset:
                _ = na_set_linger_reset(fd)
            case .garbage, .noise:
                guard held.count < Self.heldLimit else { _ = na_set_linger_reset(fd); continue }
                let bytes = service.isNoise ? Self.noise : Self.garbage
                _ = bytes.withUnsafeBytes { na_lab_send(fd, $0.baseAddress, $0.count, 1) }
                _ = na_lab_shutdown(fd, 1)
                held.append(Held(socket: connection, kind: .draining(until: clock.now + options.ioTimeout)))
            case .tarpit:
                guard held.count < Self.heldLimit else { _ = na_set_linger_reset(fd); continue }
                held.append(Held(socket: connection, kind: .tarpit))
            case .trickle:
                guard held.count < Self.heldLimit else { _ = na_set_linger_reset(fd); continue }
                held.append(Held(socket: connection, kind: .trickle(next: clock.now, sent: 0)))
            case .refused:
                break
            }
        }
        return nil
    }

    /// Reads and discards what is pending; false when the connection is over (end of stream or error).
    private func drain(_ socket: LabDescriptor, _ scratch: inout [UInt8]) -> Bool {
        for _ in 0..<16 {
            let count = scratch.withUnsafeMutableBytes { na_lab_recv(socket.fd, $0.baseAddress, $0.count, 1) }
            if count == 0 { return false }
            if count < 0 { return count == -Int(EAGAIN) || count == -Int(EINTR) }
        }
        return true
    }

    /// What `.garbage` sends: the answer of a plain HTTP server on a TLS port.
    static let garbage = LabHTTPResponse(
        status: 400, headers: [LabHTTPHeader("Content-Type", "text/plain")],
        body: "This port speaks plain HTTP, not TLS.\n"
    ).bytes(withBody: true)

    /// What `.noise` sends: 4 KiB from a fixed-seed generator (the same every run), whose
    /// first bytes are no TLS record header.
    static let noise: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<4096).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }()

    /// The `index`th byte `.trickle` sends: the header of a handshake record announcing 16 384
    /// bytes (22, 3.3, 0x4000), the start of a ServerHello, then filler that never ends it.
    static func trickleByte(_ index: Int) -> UInt8 {
        let start: [UInt8] = [0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3F, 0xFC, 0x03, 0x03]
        return index < start.count ? start[index] : UInt8(truncatingIfNeeded: index &* 73 &+ 11)
    }
}
