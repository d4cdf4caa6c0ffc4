import Foundation
import NetauditCore
import NetauditLab
@testable import NetauditProbes
import Synchronization

/// The lab catalogue, started once for the whole test process and stopped at exit, and a
/// probe engine configured to trust it: the lab root stands in for the public bundle, the
/// Government CA bundle is the government store, the lab intermediate is known to both.
enum ProbeLab {
    private static let shared = Mutex<RunningLab?>(nil)

    static func lab() throws -> RunningLab {
        try shared.withLock { lab in
            if let lab { return lab }
            let started = try LabCatalogue.standard().start()
            lab = started
            atexit { ProbeLab.stopShared() }
            return started
        }
    }

    private static func stopShared() {
        shared.withLock { $0?.stop() }
    }

    /// The lab's trust: the lab root as public trust, the Government CA bundle as government
    /// trust, and the lab intermediate as a known intermediate of both (as a browser preloads
    /// the intermediates of public CAs), unless `knownIntermediates` is false.
    static func trust(_ lab: RunningLab, extraGovernment: [String] = [], knownIntermediates: Bool = true) throws -> TrustStores {
        try TrustStores(publicBundles: [lab.trust.publicRoot.path],
                        governmentAnchors: [lab.trust.governmentBundle.path] + extraGovernment,
                        intermediates: knownIntermediates ? [lab.trust.labIntermediate.path] : [])
    }

    /// The endpoint of a case as an inventory would write it: URL with the case's host
    /// name and port, pinned to its address.
    static func endpoint(_ lab: RunningLab, _ id: String) throws -> Endpoint {
        let main = try lab.endpoint(for: id)
        let tls = main.scheme == "https" ? main : try lab.companion(for: id)!
        let url = try EndpointURL.parse("https://\(tls.hostName):\(tls.port)/").get()
        return Endpoint(url: url, address: tls.address)
    }

    /// The plain-HTTP port of a case: its companion for TLS cases, its main port for HTTP ones.
    static func httpPort(_ lab: RunningLab, _ id: String) throws -> Int? {
        let main = try lab.endpoint(for: id)
        if main.scheme == "http" { return Int(main.port) }
        return try lab.companion(for: id).map { Int($0.port) }
    }

    /// Probes one case (on `engine`, or on a fresh one). The deadline is generous: the
    /// whole suite runs in parallel on two cores, and a starved loop must not look like a
    /// silent server.
    static func probe(_ id: String, timeout: Duration = .seconds(10), engine: ProbeEngine? = nil,
                      extraGovernment: [String] = [], knownIntermediates: Bool = true) async throws -> TLSObservation {
        let lab = try lab()
        let own = engine == nil ? ProbeEngine() : nil
        defer { own?.shutdown() }
        let settings = TLSProbeSettings(timeout: timeout, httpPort: try httpPort(lab, id))
        return await (engine ?? own!).probeEndpoint(try endpoint(lab, id), settings: settings,
                                                    trust: try trust(lab, extraGovernment: extraGovernment,
                                                                     knownIntermediates: knownIntermediates))
    }
}
