public import Foundation
import Synchronization

/// The trust material of a running lab, as PEM files in a temporary folder (removed by
/// ``RunningLab/stop()``): what clients are given as CA files.
public struct LabTrustFiles: Sendable, Hashable {
    /// The folder holding the files.
    public let folder: URL
    /// The lab root: the stand-in for the public trust store (`-CAfile` for "public" clients).
    public let publicRoot: URL
    /// The lab intermediate alone (to show that an incomplete chain verifies once it is known).
    public let labIntermediate: URL
    /// The Government Root CA alone.
    public let governmentRoot: URL
    /// The Government Root CA followed by the Government Issuing CA.
    public let governmentBundle: URL
    /// The unrelated root (trusted by nobody; for tests that show it is the one missing).
    public let untrustedRoot: URL
}

/// Why the catalogue could not start a case or answer for one.
public struct LabCatalogueError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// No case has this id.
        case unknownCase
        /// The case exists but is not running: not selected, or its server is not installed.
        case unavailable
        /// The trust files could not be written.
        case file
    }

    public let reason: Reason
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

extension LabCatalogue {
    /// Starts the cases `ids` (all if nil; an unknown id throws ``LabCatalogueError``) on their
    /// addresses: one ``LabServer`` for every built-in port, a ``LabLighttpd`` per lighttpd case.
    ///
    /// Main ports are `tlsPort` for HTTPS cases and `httpPort` for plain HTTP ones, companions
    /// the other; 0 (the default) lets the kernel choose each. Fixed ports work because every
    /// case has its own address (ports below 1024 need the privilege to bind them).
    ///
    /// A lighttpd case whose `lighttpd` is not installed is left out and listed in
    /// ``RunningLab/unavailable`` with the reason; any other failure throws (a
    /// ``LabServerError``, ``LabLighttpdError``, ``LabPKIError`` or ``LabCatalogueError``)
    /// and leaves nothing running.
    ///
    /// The PKI repository (`pki-repository`) runs on a ``LabServer`` of its own, started
    /// first, whenever it or a case whose leaf names it (``LabCaseService/repositoryTLS(_:)``)
    /// is selected: such a case brings the repository with it. Its port is `httpPort` (or
    /// chosen), and a second port of its address is bound without listening (connections
    /// refused) for `ocsp-responder-down`. Only then, with both ports known, are the leaves
    /// that name them issued (the shared RSA key makes that a few milliseconds each), with
    /// URLs `http://127.77.0.N:PORT/ocsp`, `…/ca/NAME.cer` and `…/crl/NAME.crl`; so each
    /// started lab has leaves of its own that point at its own repository, and several labs
    /// may run at once, in one process or many.
    public func start(
        only ids: [String]? = nil, tlsPort: UInt16 = 0, httpPort: UInt16 = 0, options: LabServerOptions = LabServerOptions()
    ) throws -> RunningLab {
        var selected = cases
        if let ids {
            for id in ids where self[id] == nil {
                throw LabCatalogueError(
                    .unknownCase, "no lab case \"\(id)\" (known: \(LabCatalogue.caseIDs.joined(separator: ", ")))")
            }
            selected = cases.filter { ids.contains($0.id) }
        }
        let namesRepository = selected.contains { if case .repositoryTLS = $0.service { true } else { false } }
        if namesRepository && !selected.contains(where: { $0.id == Self.repositoryID }) {
            selected = cases.filter { labCase in labCase.id == Self.repositoryID || selected.contains { $0.id == labCase.id } }
        }
        let trust = try writeTrustFiles()
        var lighttpds: [String: LabLighttpd] = [:]
        var unavailable: [String: String] = [:]
        var repositoryServer: LabServer?
        do {
            for labCase in selected {
                guard case .lighttpd(let configuration) = labCase.service else { continue }
                guard LabLighttpd.executable() != nil else {
                    unavailable[labCase.id] = "lighttpd is not installed (Debian: apt-get install lighttpd lighttpd-mod-gnutls)"
                    continue
                }
                lighttpds[labCase.id] = try LabLighttpd.start(
                    configuration, address: labCase.address, port: labCase.port != 0 ? labCase.port : tlsPort)
            }

            var repository: LabPKIRepository?
            var issued: [String: LabTLS] = [:]
            if let repositoryCase = selected.first(where: { $0.id == Self.repositoryID }) {
                let store = LabPKIRepository(LabPKIRepository.Content(responder: responder))
                let server = try LabServer([
                    LabEndpoint(address: repositoryCase.address, port: repositoryCase.port != 0 ? repositoryCase.port : httpPort,
                                behaviour: .pkiRepository(store)),
                    LabEndpoint(address: repositoryCase.address, port: 0, behaviour: .refused),
                ], options: options)
                repositoryServer = server
                repository = store
                issued = try fillRepository(store, listening: server.endpoints[0], refusing: server.endpoints[1], for: selected)
            }

            var endpoints: [LabEndpoint] = []
            var slots: [String: (main: Int?, companion: Int?)] = [:]
            for labCase in selected where unavailable[labCase.id] == nil {
                let host = labCase.hostName
                func port(_ scheme: String?) -> UInt16 { scheme == "https" ? tlsPort : httpPort }
                var main: Int?
                switch labCase.service {
                case .server(let behaviour):
                    main = endpoints.count
                    endpoints.append(LabEndpoint(
                        address: labCase.address, port: labCase.port != 0 ? labCase.port : port(labCase.scheme), behaviour: behaviour))
                case .redirectToCompanion:
                    guard case .tls = labCase.companion else {
                        preconditionFailure("case \(labCase.id) redirects to a companion that is not TLS")
                    }
                    main = endpoints.count
                    endpoints.append(LabEndpoint(
                        address: labCase.address, port: labCase.port != 0 ? labCase.port : httpPort,
                        behaviour: .httpsRedirect(toEndpoint: endpoints.count + 1, host: host)))  // the companion, next
                case .repositoryTLS:
                    guard let tls = issued[labCase.id] else { preconditionFailure("case \(labCase.id) was not issued its leaf") }
                    main = endpoints.count
                    endpoints.append(LabEndpoint(
                        address: labCase.address, port: labCase.port != 0 ? labCase.port : port(labCase.scheme), behaviour: .tls(tls)))
                case .lighttpd, .pkiRepository:
                    break
                }
                var companion: Int?
                switch labCase.companion {
                case .httpsRedirect:
                    let behaviour: LabBehaviour
                    if let main {
                        behaviour = .httpsRedirect(toEndpoint: main, host: host)
                    } else if let lighttpd = lighttpds[labCase.id] {
                        behaviour = .plainHTTP(status: 301, headers: [.location("https://\(host):\(lighttpd.port)/")])
                    } else {
                        break
                    }
                    companion = endpoints.count
                    endpoints.append(LabEndpoint(address: labCase.address, port: port(labCase.companionScheme), behaviour: behaviour))
                case .tls(let tls):
                    companion = endpoints.count
                    endpoints.append(LabEndpoint(address: labCase.address, port: port(labCase.companionScheme), behaviour: .tls(tls)))
                case nil:
                    break
                }
                slots[labCase.id] = (main, companion)
            }
            let server = try LabServer(endpoints, options: options)

            var mains: [String: LabCaseEndpoint] = [:]
            var companions: [String: LabCaseEndpoint] = [:]
            for labCase in selected where unavailable[labCase.id] == nil {
                let slot = slots[labCase.id] ?? (nil, nil)
                if let main = slot.main {
                    mains[labCase.id] = LabCaseEndpoint(
                        hostName: labCase.hostName, address: labCase.address, port: server.endpoints[main].port, scheme: labCase.scheme)
                } else if let lighttpd = lighttpds[labCase.id] {
                    mains[labCase.id] = LabCaseEndpoint(
                        hostName: labCase.hostName, address: labCase.address, port: lighttpd.port, scheme: labCase.scheme)
                } else if labCase.id == Self.repositoryID, let repositoryServer {
                    mains[labCase.id] = LabCaseEndpoint(
                        hostName: labCase.hostName, address: labCase.address, port: repositoryServer.endpoints[0].port,
                        scheme: labCase.scheme)
                }
                if let companion = slot.companion, let scheme = labCase.companionScheme {
                    companions[labCase.id] = LabCaseEndpoint(
                        hostName: labCase.hostName, address: labCase.address, port: server.endpoints[companion].port, scheme: scheme)
                }
            }
            var credentials: [String: LabCredential] = [:]
            for labCase in selected where unavailable[labCase.id] == nil {
                switch labCase.service {
                case .server(.tls(let tls)): credentials[labCase.id] = tls.credential
                case .lighttpd(let configuration): credentials[labCase.id] = configuration.credential
                case .repositoryTLS: credentials[labCase.id] = issued[labCase.id]?.credential
                default: if case .tls(let tls)? = labCase.companion { credentials[labCase.id] = tls.credential }
                }
            }
            return RunningLab(
                catalogue: self, cases: selected.filter { unavailable[$0.id] == nil }, unavailable: unavailable, trust: trust,
                server: server, lighttpds: lighttpds, mains: mains, companions: companions, repository: repository,
                repositoryServer: repositoryServer, credentials: credentials)
        } catch {
            repositoryServer?.stop()
            for lighttpd in lighttpds.values { lighttpd.stop() }
            try? FileManager.default.removeItem(at: trust.folder)
            throw error
        }
    }

    /// Issues the leaves of the selected ``LabCaseService/repositoryTLS(_:)`` cases with URLs
    /// of the repository's ports, and fills the repository: the responder (the catalogue's
    /// leaves and these), the CA certificates and their CRLs (every revoked leaf on its
    /// issuer's). Returns each case's TLS configuration, with its new leaf.
    private func fillRepository(
        _ repository: LabPKIRepository, listening: LabBoundEndpoint, refusing: LabBoundEndpoint, for selected: [LabCase]
    ) throws(LabPKIError) -> [String: LabTLS] {
        let base = "http://\(listening.urlHost):\(listening.port)"
        let down = "http://\(refusing.urlHost):\(refusing.port)/ocsp"
        let names = authorities.repositoryNames
        var content = LabPKIRepository.Content(responder: responder)
        var revoked = revocations
        var issued: [String: LabTLS] = [:]
        for labCase in selected {
            guard case .repositoryTLS(let leaf) = labCase.service else { continue }
            guard let issuerName = names.first(where: { $0.credential == leaf.issuer })?.name else {
                preconditionFailure("case \(labCase.id): its issuer \(leaf.issuer.subject) is not published by the repository")
            }
            var spec = leaf.spec
            switch leaf.ocsp {
            case .repository?: spec.ocspURLs = [base + "/ocsp"]
            case .down?: spec.ocspURLs = [down]
            case nil: break
            }
            if leaf.caIssuers { spec.caIssuersURLs = [base + "/ca/\(issuerName).cer"] }
            if leaf.crl { spec.crlURLs = [base + "/crl/\(issuerName).crl"] }
            let credential = try LabPKI.issue(spec, by: leaf.issuer)
            content.responder.record(leaf.status, for: credential)
            if case .revoked(let at) = leaf.status { revoked.append(Revocation(certificate: credential, at: at)) }
            var tls = leaf.tls
            tls.credential = credential
            issued[labCase.id] = tls
        }
        for (name, credential) in names {
            content.certificates[name] = credential.certificateDER
            let listed = revoked.filter { $0.certificate.issuer == credential.subject }.map { (certificate: $0.certificate, at: $0.at) }
            content.crls[name] = try LabCRL.crl(issuer: credential, revoked: listed)
        }
        repository.update { $0 = content }
        return issued
    }

    /// Writes the trust PEM files into a new private temporary folder.
    private func writeTrustFiles() throws(LabCatalogueError) -> LabTrustFiles {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("netaudit-lab-\(UUID().uuidString)", isDirectory: true)
        let files = LabTrustFiles(
            folder: folder,
            publicRoot: folder.appendingPathComponent("lab-root.pem"),
            labIntermediate: folder.appendingPathComponent("lab-intermediate.pem"),
            governmentRoot: folder.appendingPathComponent("government-root.pem"),
            governmentBundle: folder.appendingPathComponent("government-bundle.pem"),
            untrustedRoot: folder.appendingPathComponent("untrusted-root.pem"))
        let contents: [(URL, String)] = [
            (files.publicRoot, authorities.root.certificatePEM),
            (files.labIntermediate, authorities.intermediate.certificatePEM),
            (files.governmentRoot, authorities.governmentRoot.certificatePEM),
            (files.governmentBundle, authorities.governmentRoot.certificatePEM + authorities.governmentIntermediate.certificatePEM),
            (files.untrustedRoot, authorities.untrustedRoot.certificatePEM),
        ]
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for (url, text) in contents { try Data(text.utf8).write(to: url) }
        } catch {
            try? manager.removeItem(at: folder)
            throw LabCatalogueError(.file, "writing the lab's trust files into \(folder.path): \(error)")
        }
        return files
    }
}

/// A started catalogue: where each case listens, the trust files, and ``stop()``.
public final class RunningLab: Sendable {
    /// The catalogue it was started from.
    public let catalogue: LabCatalogue
    /// The cases running, in catalogue order.
    public let cases: [LabCase]
    /// Cases selected but not running, with the reason (e.g. `3des` without lighttpd).
    public let unavailable: [String: String]
    /// The trust PEM files.
    public let trust: LabTrustFiles
    /// The server of every built-in port but the PKI repository's.
    public let server: LabServer
    /// The PKI repository, if it runs (see ``LabCatalogue/start(only:tlsPort:httpPort:options:)``).
    public let repository: LabPKIRepository?
    /// The server of the PKI repository: its HTTP port, then the port that refuses connections.
    public let repositoryServer: LabServer?

    private let lighttpds: [String: LabLighttpd]
    private let mains: [String: LabCaseEndpoint]
    private let companions: [String: LabCaseEndpoint]
    private let credentials: [String: LabCredential]
    private let stopped = Mutex(false)

    init(
        catalogue: LabCatalogue, cases: [LabCase], unavailable: [String: String], trust: LabTrustFiles, server: LabServer,
        lighttpds: [String: LabLighttpd], mains: [String: LabCaseEndpoint], companions: [String: LabCaseEndpoint],
        repository: LabPKIRepository?, repositoryServer: LabServer?, credentials: [String: LabCredential]
    ) {
        self.repository = repository
        self.repositoryServer = repositoryServer
        self.credentials = credentials
        self.catalogue = catalogue
        self.cases = cases
        self.unavailable = unavailable
        self.trust = trust
        self.server = server
        self.lighttpds = lighttpds
        self.mains = mains
        self.companions = companions
    }

    /// The main port of case `id`.
    public func endpoint(for id: String) throws(LabCatalogueError) -> LabCaseEndpoint {
        if let endpoint = mains[id] { return endpoint }
        throw missing(id)
    }

    /// The companion port of case `id`, or nil if the case has none.
    public func companion(for id: String) throws(LabCatalogueError) -> LabCaseEndpoint? {
        guard mains[id] != nil else { throw missing(id) }
        return companions[id]
    }

    /// `scheme://<id>.lab.test:PORT/` for the main port of case `id`. The host name does not
    /// resolve: give clients ``resolveEntries`` (curl `--resolve`) or connect to the address.
    public func url(for id: String) throws(LabCatalogueError) -> URL {
        try endpoint(for: id).url
    }

    /// The leaf case `id` serves on its TLS port (main or companion), as served: for the cases
    /// whose leaf names the PKI repository, the one issued at start. nil for a case without TLS.
    public func credential(for id: String) throws(LabCatalogueError) -> LabCredential? {
        guard mains[id] != nil else { throw missing(id) }
        return credentials[id]
    }

    /// `http://127.77.0.N:PORT/`: the PKI repository, by address (the URLs in the leaves have
    /// this form), or nil when it does not run.
    public var repositoryURL: URL? {
        repositoryServer.map { URL(string: "http://\($0.endpoints[0].urlHost):\($0.endpoints[0].port)/")! }
    }

    /// `http://127.77.0.N:PORT/ocsp` on the repository's port that refuses connections (the
    /// OCSP URL of `ocsp-responder-down`), or nil when the repository does not run.
    public var refusedOCSPURL: URL? {
        repositoryServer.map { URL(string: "http://\($0.endpoints[1].urlHost):\($0.endpoints[1].port)/ocsp")! }
    }

    /// `host:port:address` for every running port (main and companion): curl's `--resolve`
    /// and CURLOPT_RESOLVE entries that map the host names to the lab's addresses.
    public var resolveEntries: [String] {
        cases.flatMap { labCase in [mains[labCase.id], companions[labCase.id]].compactMap { $0?.resolveEntry } }
    }

    /// Stops every server and process and removes the trust folder; later calls do nothing.
    public func stop() {
        stopped.withLock { stopped in
            guard !stopped else { return }
            stopped = true
            server.stop()
            repositoryServer?.stop()
            for lighttpd in lighttpds.values { lighttpd.stop() }
            try? FileManager.default.removeItem(at: trust.folder)
        }
    }

    deinit { stop() }

    private func missing(_ id: String) -> LabCatalogueError {
        if let reason = unavailable[id] { return LabCatalogueError(.unavailable, "lab case \(id) is not running: \(reason)") }
        if catalogue[id] != nil { return LabCatalogueError(.unavailable, "lab case \(id) was not started") }
        return LabCatalogueError(.unknownCase, "no lab case \"\(id)\"")
    }
}
