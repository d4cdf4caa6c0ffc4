#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
internal import CNetauditShims

/// Tuning of a ``LabServer``; the defaults suit tests and the demo.
public struct LabServerOptions: Sendable, Hashable {
    /// Worker threads for the connections that need blocking I/O (TLS, plain HTTP, crafted hellos).
    public var workers: Int
    /// SO_RCVTIMEO and SO_SNDTIMEO of a worker's connection: the longest one read or write
    /// may block (a silent client is dropped after this), and how long a `.garbage`
    /// connection waits for the client to close.
    public var ioTimeout: Duration
    /// After an answer, how long a worker waits for the client to close before closing itself.
    public var drainTimeout: Duration
    /// The pace of `.trickle`.
    public var trickleInterval: Duration
    /// listen(2)'s backlog per endpoint.
    public var backlog: Int
    /// When above 0: a connection to a TLS or plain-HTTP endpoint whose local IPv4 address
    /// (the address the client connected to, which a wildcard listener learns only from
    /// getsockname(2)) is a multiple of this, as a 32-bit number, is held as a `.tarpit`: one
    /// address in N never answers, so that a benchmark sees checks time out among good ones.
    public var tarpitEvery: Int

    public init(
        workers: Int = 4, ioTimeout: Duration = .seconds(3), drainTimeout: Duration = .milliseconds(500),
        trickleInterval: Duration = .milliseconds(500), backlog: Int = 64, tarpitEvery: Int = 0
    ) {
        self.workers = workers
        self.ioTimeout = ioTimeout
        self.drainTimeout = drainTimeout
        self.trickleInterval = trickleInterval
        self.backlog = backlog
        self.tarpitEvery = tarpitEvery
    }

    /// Whether a connection to `localIPv4` (host order) is held as a tarpit.
    func isTarpit(localIPv4: UInt32) -> Bool {
        tarpitEvery > 0 && localIPv4 % UInt32(clamping: tarpitEvery) == 0
    }
}

/// Serves a list of ``LabEndpoint``s on loopback until ``stop()``: the lab's TLS, HTTP and
/// misbehaving servers in one object.
///
/// `init` binds every endpoint (refusing any address outside 127.0.0.0/8 and ::1) and starts
/// one acceptor thread and a few worker threads; it returns once every port listens, so a
/// client may connect at once. The acceptor polls all listening sockets and a wake-up pipe,
/// and itself handles what needs no blocking I/O (`.reset`, `.garbage`, `.tarpit`,
/// `.trickle`, with timers); TLS, plain HTTP and crafted hellos go to the workers. One
/// server scales to thousands of endpoints (one descriptor each; the soft descriptor limit
/// is raised towards the hard limit if needed).
///
/// ``stop()`` closes every socket, ends and joins every thread, and returns only then; it is
/// idempotent, and deinit calls it. The server ignores SIGPIPE process-wide (a client that
/// goes away must not kill the process) and never changes it back.
public final class LabServer: Sendable {
    /// The endpoints as bound, in the order given: ports chosen by the kernel are filled in.
    public let endpoints: [LabBoundEndpoint]
    /// A tag unique in the process (`lab7`): its threads are named `lab7-acc` and
    /// `lab7-w0`…, as `/proc/self/task/*/comm` shows them.
    public let name: String
    /// How the server runs.
    public let options: LabServerOptions

    private let core: LabServerCore
    private let threads: Mutex<[LabThread]>

    private static let serial = Atomic<Int>(0)

    /// Binds `endpoints` and starts serving them.
    public init(_ endpoints: [LabEndpoint], options: LabServerOptions = LabServerOptions()) throws(LabServerError) {
        guard options.workers >= 1, options.backlog >= 1 else {
            throw LabServerError(.invalidConfiguration, "a lab server needs at least one worker and a backlog of at least 1")
        }
        try Self.validate(endpoints)
        na_lab_ignore_sigpipe()
        // One descriptor per endpoint, plus queued and held connections, plus room for the rest.
        _ = na_lab_raise_descriptor_limit(endpoints.count + LabServerCore.queueLimit + LabServerCore.heldLimit + 256)

        // Sockets first, so that redirects can name the ports chosen.
        var listeners: [LabListener] = []
        var bound: [LabBoundEndpoint] = []
        for (index, endpoint) in endpoints.enumerated() {
            let backlog: Int32 = endpoint.behaviour == .refused ? 0 : Int32(clamping: options.backlog)
            let fd = endpoint.address.bytes.withUnsafeBufferPointer { bytes in
                if let namespace = endpoint.namespace {
                    return na_netns_listen_ip(namespace, endpoint.address.socketFamily, bytes.baseAddress, endpoint.port, backlog)
                }
                return na_lab_listen_ip(endpoint.address.socketFamily, bytes.baseAddress, endpoint.port, backlog)
            }
            guard fd >= 0 else {
                throw LabServerError(.socket, "binding \(LabBoundEndpoint(endpoint: endpoint, port: endpoint.port)): \(LabErrno.text(-fd))", errno: -fd)
            }
            let socket = LabDescriptor(fd)
            let port = na_local_port(fd)
            guard port > 0 else {
                throw LabServerError(.socket, "getsockname on \(endpoint.address): \(LabErrno.text(-port))", errno: -port)
            }
            listeners.append(LabListener(socket: socket, endpoint: index))
            bound.append(LabBoundEndpoint(endpoint: endpoint, port: UInt16(port)))
        }

        // Services: one TLS context per distinct configuration (a thousand identical
        // endpoints share one).
        var contexts: [LabTLS: LabTLSContext] = [:]
        var services: [LabService] = []
        for (index, endpoint) in endpoints.enumerated() {
            switch endpoint.behaviour {
            case .tls(let tls):
                let context: LabTLSContext
                if let existing = contexts[tls] {
                    context = existing
                } else {
                    do {
                        context = try LabTLSContext(tls)
                    } catch {
                        throw LabServerError(error.reason, "endpoint \(index) (\(bound[index])): \(error.message)",
                                             openSSLMessages: error.openSSLMessages)
                    }
                    contexts[tls] = context
                }
                services.append(.tls(context, tls.response))
            case .plainHTTP(let status, let headers):
                services.append(.http(LabHTTPResponse(status: status, headers: headers)))
            case .httpsRedirect(let target, let host):
                let port = bound[target].port
                let location = "https://\(host)" + (port == 443 ? "" : ":\(port)") + "/"
                services.append(.http(LabHTTPResponse(status: 301, headers: [.location(location)])))
            case .craftedHello(let hello): services.append(.crafted(hello))
            case .tarpit: services.append(.tarpit)
            case .garbage: services.append(.garbage)
            case .noise: services.append(.noise)
            case .reset: services.append(.reset)
            case .trickle: services.append(.trickle)
            case .refused: services.append(.refused)
            case .pkiRepository(let repository): services.append(.repository(repository))
            }
        }

        var pipe: [Int32] = [-1, -1]
        let piped = pipe.withUnsafeMutableBufferPointer { na_lab_pipe($0.baseAddress) }
        guard piped == 0 else { throw LabServerError(.socket, "pipe2: \(LabErrno.text(-piped))", errno: -piped) }
        let wakeReader = LabDescriptor(pipe[0])
        let core = LabServerCore(services: services, options: options, wakeWriter: LabDescriptor(pipe[1]))

        let name = "lab\(Self.serial.add(1, ordering: .relaxed).newValue)"
        var started: [LabThread] = []
        do {
            let handOver = LabHandOver(listeners: listeners, wakeReader: wakeReader)
            started.append(try LabThread(name: "\(name)-acc") {
                let (listeners, wakeReader) = handOver.take()
                core.runAcceptor(listeners: listeners, wakeReader: wakeReader)
            })
            for number in 0..<options.workers {
                started.append(try LabThread(name: "\(name)-w\(number)") { core.runWorker() })
            }
        } catch {
            core.beginStop(workers: options.workers)
            for thread in started { thread.join() }
            core.finishStop()
            throw error
        }

        self.endpoints = bound
        self.name = name
        self.options = options
        self.core = core
        self.threads = Mutex(started)
    }

    /// Stops serving: closes every listening socket and connection, ends and joins every
    /// thread, then returns. Later calls return at once (a concurrent call waits for the first).
    public func stop() {
        threads.withLock { threads in
            guard !threads.isEmpty else { return }
            core.beginStop(workers: options.workers)
            for thread in threads { thread.join() }
            threads.removeAll()
            core.finishStop()
        }
    }

    deinit { stop() }

    /// What the server has seen so far, counted on the server side so that any client (netaudit,
    /// sslyze) is measured by the same counter.
    public struct Statistics: Sendable, Hashable {
        /// TCP connections accepted, on every endpoint.
        public var connections: Int
        /// TLS handshakes the server completed (SSL_accept(3) succeeded); hello-only
        /// exchanges, refused and failed handshakes are connections but not these.
        public var handshakes: Int

        public init(connections: Int, handshakes: Int) {
            self.connections = connections
            self.handshakes = handshakes
        }
    }

    public var statistics: Statistics {
        Statistics(connections: core.acceptedConnections.load(ordering: .relaxed),
                   handshakes: core.completedHandshakes.load(ordering: .relaxed))
    }

    /// Refuses what cannot be served before anything is bound.
    private static func validate(_ endpoints: [LabEndpoint]) throws(LabServerError) {
        for (index, endpoint) in endpoints.enumerated() {
            let label = "endpoint \(index) (\(LabBoundEndpoint(endpoint: endpoint, port: endpoint.port)))"
            if endpoint.namespace != nil {
                guard LabNetworkPlan.range.contains(endpoint.address) else {
                    throw LabServerError(
                        .forbiddenAddress,
                        "refusing to bind \(endpoint.address) in a lab namespace: the network lab uses only \(LabNetworkPlan.range)")
                }
            } else if !(endpoint.address.isLoopback || (endpoint.address == LabEndpoint.wildcard && LabNamespace.hasOnlyLoopback())) {
                throw LabServerError(
                    .forbiddenAddress,
                    "refusing to bind \(endpoint.address): the lab binds only loopback addresses (127.0.0.0/8 and ::1), "
                        + "or 0.0.0.0 in a network namespace whose only interface is lo")
            }
            switch endpoint.behaviour {
            case .tls(let tls):
                guard tls.versions.lowerBound >= .tls1_0 else {
                    throw LabServerError(.invalidConfiguration, "\(label): OpenSSL 3 has no SSLv3; use .craftedHello for SSLv3 servers")
                }
                if let level = tls.securityLevel, !(0...5).contains(level) {
                    throw LabServerError(.invalidConfiguration, "\(label): security level \(level) is not 0–5")
                }
            case .craftedHello(let hello):
                guard hello.versions.upperBound <= .tls1_2 else {
                    throw LabServerError(.invalidConfiguration, "\(label): a crafted hello speaks SSLv3 to TLS 1.2, not \(hello.versions.upperBound)")
                }
                guard !hello.cipherSuites.isEmpty else {
                    throw LabServerError(.invalidConfiguration, "\(label): a crafted hello needs at least one cipher suite")
                }
            case .plainHTTP(let status, _):
                guard (100...599).contains(status) else {
                    throw LabServerError(.invalidConfiguration, "\(label): HTTP status \(status) is not 100–599")
                }
            case .httpsRedirect(let target, _):
                guard endpoints.indices.contains(target) else {
                    throw LabServerError(.invalidConfiguration, "\(label): redirect to endpoint \(target), which does not exist")
                }
            case .tarpit, .garbage, .noise, .reset, .trickle, .refused, .pkiRepository:
                break
            }
        }
    }
}

/// Hands the acceptor's descriptors to its thread exactly once.
private final class LabHandOver: Sendable {
    private let value: Mutex<(listeners: [LabListener], wakeReader: LabDescriptor)?>

    init(listeners: [LabListener], wakeReader: LabDescriptor) {
        value = Mutex((listeners, wakeReader))
    }

    func take() -> ([LabListener], LabDescriptor) {
        value.withLock { value in
            defer { value = nil }
            return value!
        }
    }
}
