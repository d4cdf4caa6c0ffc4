internal import CNetauditShims
import Foundation
import NetauditCore

/// The TLS check of one endpoint, with few, well-chosen connections:
///
/// 1. one real HTTPS request with a modern client (status, redirect, HSTS, timings), during
///    which the session and the chain are read from OpenSSL — and, only if that handshake
///    fails, one legacy request (TLS 1.0+, security level 0) to still see the certificate;
///    beside it, one plain-HTTP request (does it redirect to https?);
/// 2. netaudit's own chain verification against public and government trust;
/// 3. hand-built ClientHellos for what OpenSSL 3 cannot offer: one per version SSLv3 … TLS 1.2,
///    then, all at once at the best version ≤ TLS 1.2, the weak classes by elimination (offer
///    all, remove the class the server picks, repeat: one refusal for a good server), static
///    RSA, DHE and ECDHE (each read on to the ServerKeyExchange: the DH prime size, the ECDHE
///    group), and CBC at TLS 1.2.
///
/// Every connection shares one deadline, counted from when the check gets its slot (see
/// `Configuration.maxConcurrentProbes`); a check opens at most 6 connections at once.
extension ProbeEngine {
    public func probeEndpoint(_ endpoint: Endpoint, settings: TLSProbeSettings,
                              trust: TrustStores? = nil) async -> TLSObservation {
        // One slot for the whole check: its deadline starts once it may run.
        let target: ConnectionLimiter.Target = (endpoint.address ?? endpoint.url.hostAddress).map { .address($0) }
            ?? .host(endpoint.url.host)
        let cancelled = TLSObservation(url: endpoint.url.description, serverName: endpoint.serverName, address: endpoint.address,
                                       port: endpoint.url.port, connection: ConnectionOutcome(failure: .other, message: "cancelled"),
                                       problem: "cancelled before it could start")
        guard let slot = await limiter.acquire(target) else { return cancelled }
        guard !Task.isCancelled else {
            await limiter.release(slot)
            return cancelled
        }
        let observation = await check(endpoint, settings: settings, trust: trust)
        await limiter.release(slot)
        return observation
    }

    private func check(_ endpoint: Endpoint, settings: TLSProbeSettings, trust: TrustStores?) async -> TLSObservation {
        let started = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        let deadline = begin + settings.timeout
        let url = endpoint.url
        let serverName = endpoint.serverName
        let pinned = endpoint.address ?? url.hostAddress
        var observation = TLSObservation(url: url.description, serverName: serverName, address: pinned,
                                         port: url.port, started: started)
        let local = LocalFailureLog()
        func elapsed() -> Double { (clock.now - begin).seconds }
        if let pinned, !configuration.allow.permits(pinned) {
            observation.problem = "address \(pinned) is outside the allowed target networks"
            observation.connection = ConnectionOutcome(failure: .other, message: observation.problem)
            return observation
        }

        // Phase A, all at once: the HTTPS request, the plain-HTTP one, one hello per version.
        let httpPort = settings.httpPort
        async let plain: PlainHTTPObservation? = httpPort == nil ? nil
            : plainHTTP(url: url, address: pinned, port: httpPort!, deadline: deadline, localFailures: local)
        var hellos: HelloPlan?
        if settings.checkProtocolsAndCiphers, let pinned {
            hellos = HelloPlan(engine: self, address: pinned, port: url.port, serverName: serverName,
                               deadline: deadline, serverSpeaksTLS: false, localFailures: local)
        }
        async let versionAnswers: [HelloPlan.VersionAnswer] = hellos?.versionAnswers() ?? []
        var outcome = await transfer(httpsRequest(endpoint, address: pinned, legacy: false, deadline: deadline),
                                     address: pinned, deadline: deadline)
        local.record(outcome.localFailure)
        var answers = await versionAnswers
        if let refused = outcome.refusedAddress, !outcome.tcpConnected, !outcome.handshakeDone {
            observation.problem = "address \(refused) is outside the allowed target networks"
        }
        observation.address = pinned ?? outcome.primaryAddress
        if hellos == nil, settings.checkProtocolsAndCiphers, observation.problem == nil, let resolved = observation.address,
           configuration.allow.permits(resolved) {
            // The host was resolved by curl: ask the versions now, at the address it used.
            hellos = HelloPlan(engine: self, address: resolved, port: url.port, serverName: serverName,
                               deadline: deadline, serverSpeaksTLS: false, localFailures: local)
            answers = await hellos!.versionAnswers()
        }

        // Phase B: how far the connection got; the legacy retry; the cipher classes.
        var connection = Self.connectionOutcome(outcome, diagnostic: answers.first { $0.version == .tls1_2 })
        if !connection.modernHandshake, connection.failure == .handshake, outcome.localFailure == nil, clock.now < deadline {
            let legacy = await transfer(httpsRequest(endpoint, address: pinned, legacy: true, deadline: deadline),
                                        address: pinned, deadline: deadline)
            local.record(legacy.localFailure)
            if legacy.localFailure == nil { connection.legacyHandshake = legacy.handshakeDone }
            if legacy.handshakeDone { outcome = legacy }
        }
        observation.connection = connection
        if let status = outcome.status, outcome.handshakeDone {
            // A head cut short (curl's header size limit, a stall) is recorded as such: what it
            // did not reach is unknown, not absent.
            let unreadable = outcome.code != 0 && !outcome.headComplete
                ? outcome.message ?? "the response head was not read to its end" : nil
            observation.http = HTTPObservation(status: status, location: outcome.redirectURL ?? outcome.header("Location"),
                                               strictTransportSecurity: outcome.header("Strict-Transport-Security"),
                                               timings: outcome.timings, unreadable: unreadable)
        }
        var revocation: Task<RevocationObservation?, Never>?
        if let session = outcome.session {
            observation.session = session.observation
            observation.certificates = CertificateInspector.inspect(chain: session.chainDER)
            let stores = trust?.stores ?? []
            var completion: ChainCompletion?
            var fetched: [[UInt8]] = []
            if settings.checkRevocation, let gap = ChainCompletionCheck.gap(in: session.chainDER, stores: stores) {
                (completion, fetched) = await completeChain(session.chainDER, gap: gap, stores: stores, at: Date(), deadline: deadline)
            }
            observation.trust = TrustEvaluation.evaluate(chain: session.chainDER, serverName: serverName, at: Date(),
                                                         publicStore: trust?.publicStore, governmentStore: trust?.governmentStore,
                                                         fetched: fetched)
            observation.trust?.chainCompletion = completion
            if settings.checkRevocation, observation.certificates.first?.selfSigned == false {
                // Beside the cipher-class hellos, not after them.
                let pairs = RevocationCheck.pairs(chain: session.chainDER, fetched: fetched, stores: stores, at: Date())
                let stapled = session.ocspResponse
                revocation = Task { [self] in
                    pairs.isEmpty ? nil : await checkRevocation(pairs, stapled: stapled, deadline: deadline)
                }
            }
        }
        if var hellos, connection.tcpConnected {
            // Silence is a refusal only from a server known to speak TLS.
            hellos.serverSpeaksTLS = connection.modernHandshake || connection.legacyHandshake == true
                || answers.contains { if case .accepted = $0.answer { return true } else { return false } }
            observation.protocols = HelloPlan.protocols(answers, negotiated: outcome.session?.version,
                                                        serverSpeaksTLS: hellos.serverSpeaksTLS)
            let best = observation.protocols.filter { $0.accepted == true && $0.version <= .tls1_2 }.map(\.version).max()
            let tls13Only = best == nil && observation.acceptance(of: .tls1_3) == true
            // All at once: the weak classes (one hello after another), static RSA, DHE, ECDHE, CBC.
            let plan = hellos
            async let weak = plan.weakClasses(at: best, tls13Only: tls13Only)
            async let staticRSA = plan.staticRSA(at: best, tls13Only: tls13Only)
            async let dhe = plan.keyExchange(.dhe, at: best, tls13Only: tls13Only)
            async let ecdhe = plan.keyExchange(.ecdhe, at: best, tls13Only: tls13Only)
            async let cbc = plan.cbc(at: best, tls13Only: tls13Only)
            observation.weakCiphers = await weak
            observation.staticRSA = await staticRSA
            observation.dhe = await dhe
            observation.ecdhe = await ecdhe
            observation.cbc = await cbc
        }
        observation.plainHTTP = await plain
        if let revocation {
            observation.revocation = await withTaskCancellationHandler { await revocation.value } onCancel: { revocation.cancel() }
        }
        if observation.revocation == nil, settings.checkRevocation, let leaf = observation.certificates.first, !leaf.selfSigned {
            // No path to any issuer: the leaf's issuer is unknown, so no source can be asked.
            observation.revocation = RevocationObservation(certificates: [CertificateRevocation(
                position: 0, subject: leaf.subject, issuer: leaf.issuer, serialNumber: leaf.serialNumber, status: .unknown,
                problem: "the issuer \(leaf.issuer) is not known (not sent, no anchor, no known intermediate): the OCSP request and the CRL's signature need it")])
        }
        if let failure = local.merged {
            // Some connection of the check could not be made, even retried until the deadline:
            // the check is incomplete, and says nothing against the server.
            observation.localFailure = failure
            if !observation.connection.modernHandshake && observation.connection.legacyHandshake != true {
                observation.connection = ConnectionOutcome(message: "not probed: \(failure.summary) (\(failure.message))")
            }
        }
        observation.duration = elapsed()
        return observation
    }

    // MARK: Requests

    func httpsRequest(_ endpoint: Endpoint, address: IPAddress?, legacy: Bool,
                      deadline: ContinuousClock.Instant) -> CurlTransfer.Request {
        let url = endpoint.url
        let hostPart = url.hostAddress?.isIPv6 == true ? "[\(url.host)]" : url.host
        var request = CurlTransfer.Request(url: url.description, timeout: Self.remaining(until: deadline),
                                           legacy: legacy, allow: configuration.allow)
        let addressText = address.map { $0.isIPv6 ? "[\($0)]" : $0.description }
        if let sni = endpoint.sni, sni != url.host {
            // The URL names the SNI; the connection goes to the real host; Host says the real one.
            request.url = "https://\(sni):\(url.port)\(url.path)"
            request.hostHeader = url.port == 443 ? hostPart : "\(hostPart):\(url.port)"
            if let addressText {
                request.resolve = "\(sni):\(url.port):\(addressText)"
            } else {
                request.connectTo = "\(sni):\(url.port):\(hostPart):\(url.port)"
            }
        } else if let addressText, url.hostAddress == nil {
            request.resolve = "\(url.host):\(url.port):\(addressText)"
        }
        return request
    }

    func plainHTTP(url: EndpointURL, address: IPAddress?, port: Int, deadline: ContinuousClock.Instant,
                   localFailures: LocalFailureLog) async -> PlainHTTPObservation {
        let hostPart = url.hostAddress?.isIPv6 == true ? "[\(url.host)]" : url.host
        var request = CurlTransfer.Request(url: "http://\(hostPart):\(port)\(url.path)", timeout: Self.remaining(until: deadline),
                                           allow: configuration.allow)
        if let address, url.hostAddress == nil {
            request.resolve = "\(url.host):\(port):\(address.isIPv6 ? "[\(address)]" : address.description)"
        }
        let outcome = await transfer(request, address: address, deadline: deadline)
        localFailures.record(outcome.localFailure)
        guard let status = outcome.status, outcome.code == 0 else {
            return PlainHTTPObservation(port: port, answered: false, message: outcome.message)
        }
        return PlainHTTPObservation(port: port, answered: true, status: status,
                                    location: outcome.redirectURL ?? outcome.header("Location"))
    }

    /// Runs one curl request on the loop (the caller holds the probe's slot). A request that
    /// could not connect for want of netaudit's own resources (out of descriptors…) is tried
    /// again, after a pause that doubles up to 0.5 s, until `deadline`: other checks free
    /// their descriptors meanwhile.
    func transfer(_ request: CurlTransfer.Request, address: IPAddress?, deadline: ContinuousClock.Instant) async -> CurlTransfer.Outcome {
        var request = request
        var pause = Duration.milliseconds(20)
        while true {
            request.timeout = Self.remaining(until: deadline)
            let outcome = await transferOnce(request)
            guard outcome.localFailure != nil, !Task.isCancelled, ContinuousClock.now + pause < deadline else { return outcome }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
            countRetry()
        }
    }

    private func transferOnce(_ request: CurlTransfer.Request) async -> CurlTransfer.Outcome {
        let outcome = await loop.request(ifStopped: CurlTransfer.Outcome(code: Int(CURLE_ABORTED_BY_CALLBACK.rawValue),
                                                                         message: "the probe engine has stopped")) { loop, finish in
            do throws(CurlError) {
                let transfer = try CurlTransfer(request, completion: finish)
                loop.start(transfer)
                return { loop.cancel(transfer) }
            } catch {
                finish(CurlTransfer.Outcome(code: error.code, message: error.message))
                return nil
            }
        }
        if outcome.localFailure == nil { countConnection() }
        if outcome.handshakeDone { countHandshake() }
        return outcome
    }

    /// Runs one hand-made exchange on the loop (the caller holds the probe's slot); one
    /// that could not connect for want of netaudit's own resources is tried again until
    /// `deadline`, as `transfer` does.
    ///
    /// With `stream`, each chunk of the answer goes to it as it arrives and is not kept
    /// (`Outcome.bytes` stays empty); it returns true when it has enough.
    func exchange(_ payload: [UInt8], address: IPAddress, port: Int, deadline: ContinuousClock.Instant,
                  enough: @escaping @Sendable ([UInt8]) -> Bool,
                  stream: (@Sendable (ArraySlice<UInt8>) -> Bool)? = nil) async -> RawExchange.Outcome {
        var pause = Duration.milliseconds(20)
        while true {
            let timeout = Self.remaining(until: deadline)
            let outcome = await loop.request(ifStopped: RawExchange.Outcome(timedOut: true)) { loop, finish in
                let exchange = RawExchange(address: address, port: port, payload: payload, timeout: timeout,
                                           enough: enough, stream: stream, completion: finish)
                loop.add(exchange)
                return { exchange.cancel() }
            }
            if outcome.localFailure == nil {
                countConnection()
                countHelloExchange()
            }
            guard outcome.localFailure != nil, !Task.isCancelled, ContinuousClock.now + pause < deadline else { return outcome }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
            countRetry()
        }
    }

    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), deadline - .now)
    }

    /// How far the connection got. A completed handshake says it all; otherwise netaudit's
    /// own socket (the TLS 1.2 hello of phase A) tells a refusal, a silent peer, a reset and
    /// a non-TLS answer apart more reliably than curl's messages.
    static func connectionOutcome(_ outcome: CurlTransfer.Outcome, diagnostic: HelloPlan.VersionAnswer?) -> ConnectionOutcome {
        var result = ConnectionOutcome(tcpConnected: outcome.tcpConnected || outcome.handshakeDone,
                                       modernHandshake: outcome.handshakeDone, message: outcome.message)
        guard !outcome.handshakeDone else {
            if outcome.code == 0 { result.message = nil }  // otherwise: no HTTP answer after the handshake
            return result
        }
        if outcome.refusedAddress != nil && !outcome.tcpConnected {
            result.failure = .other
            return result
        }
        if outcome.osError == ECONNREFUSED || diagnostic?.exchange.error == ECONNREFUSED {
            result.tcpConnected = false
            result.failure = .refused
            return result
        }
        if let exchange = diagnostic?.exchange {
            // A reset comes from an established connection (a refused SYN is ECONNREFUSED),
            // even when it arrives before the socket reports the connect complete.
            let reset = exchange.error == ECONNRESET || exchange.error == EPIPE || outcome.osError == ECONNRESET
            result.tcpConnected = result.tcpConnected || exchange.connected || reset
            switch (exchange.connected || reset, diagnostic!.answer) {
            case (false, _):
                result.failure = exchange.timedOut ? .connectTimeout : .other
            case (true, _) where reset:
                result.failure = .reset
            case (true, .failed(.notTLS)):
                result.failure = .notTLS
            case (true, .failed) where exchange.timedOut:
                result.failure = .tlsTimeout
            default:
                result.failure = .handshake  // an alert, a ServerHello, or a close without a word
            }
            return result
        }
        // No socket of our own (hellos off): read curl's code and message.
        let text = (outcome.message ?? "").lowercased()
        if outcome.code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) {
            result.failure = result.tcpConnected ? .tlsTimeout : .connectTimeout
        } else if outcome.osError == ECONNRESET || text.contains("reset by peer") {
            result.failure = .reset
        } else if text.contains("wrong version number") || text.contains("packet length too long") {
            result.failure = .notTLS
        } else if outcome.code == Int(CURLE_COULDNT_CONNECT.rawValue) {
            result.failure = .other
        } else {
            result.failure = .handshake
        }
        return result
    }
}

/// Trust stores shared by every endpoint of a run: loaded once, read concurrently.
public final class TrustStores: Sendable {
    let publicStore: TrustStore?
    let governmentStore: TrustStore?

    /// The stores loaded, public first.
    var stores: [TrustStore] { [publicStore, governmentStore].compactMap { $0 } }

    /// Loads public trust, government trust and the known intermediates of both.
    ///
    /// - `publicBundles`: the anchors of public trust. Nil for Debian's bundle, which may be
    ///   missing (public trust is then reported as untrusted); files given here replace it
    ///   (`--public-ca-file`: an offline or custom bundle), and each must load.
    /// - `governmentAnchors`: the inventory's anchors; none means no government trust.
    /// - `intermediates`: known intermediate certificates for both stores
    ///   (`trust.intermediates`, `--intermediates-file`), to tell `incomplete_chain` from
    ///   `untrusted_root`.
    ///
    /// A missing, empty or damaged file given here is an error naming it.
    public init(publicBundles: [String]? = nil, governmentAnchors: [String], intermediates: [String] = []) throws {
        let known = try TrustStore.intermediates(inFiles: intermediates)
        if let publicBundles {
            publicStore = try TrustStore(bundles: publicBundles, intermediates: known)
        } else {
            let system = TrustStore.systemBundlePath
            publicStore = FileManager.default.fileExists(atPath: system) ? try TrustStore(bundle: system, intermediates: known) : nil
        }
        governmentStore = governmentAnchors.isEmpty ? nil : try TrustStore(anchorFiles: governmentAnchors, intermediates: known)
    }
}
