import Foundation
import NetauditCore
import NetauditLab
import NetauditStore
import NetauditStoreSQLite
import Testing

/// An audit under a low open-file limit (`prlimit --nofile`): running out of descriptors is
/// netaudit's own failure, never the servers'. Every endpoint and link here is good, so any
/// finding against one is false: either every check is made (the engine sized its
/// concurrency to the limit) and the run is complete, or the checks that found no
/// descriptor are not made, the run is aborted with a note that says so, and nothing is
/// held against any server.
@Suite(.serialized) struct DescriptorLimitTests {
    /// Hundreds of good endpoints and links: each endpoint on its own address (127.81.x.y)
    /// with a certificate from the lab's Government CA, each link a TCP connect to a closed
    /// port of 127.81.200.x (a reset: an answer, the link is up).
    final class GoodProvince {
        let folder: String
        let server: LabServer
        let inventory: String

        init(agencies count: Int) throws {
            let catalogue = try LabCatalogue.standard()
            let authorities = catalogue.authorities
            let credential = try LabPKI.issue(LabCertificateSpec(
                commonName: "limit.lab.test", organization: "netaudit lab", subjectAltNames: [.dns("*.limit.lab.test")],
                notBefore: Date() - 3600, notAfter: Date() + 90 * 86400, key: .ecdsa(curve: .p256)),
                by: authorities.governmentIntermediate)
            let tls = LabTLS(credential: credential, cipherList: LabCatalogue.intermediateCiphers,
                             response: LabHTTPResponse(headers: [.hsts(maxAge: 63_072_000)]))
            let addresses = (0..<count).map { IPAddress(127, 81, UInt8($0 / 200), UInt8($0 % 200 + 1)) }
            server = try LabServer(addresses.map { LabEndpoint(address: $0, behaviour: .tls(tls)) })
            folder = try AuditCommandTests.folder()
            let anchors = folder + "/government.pem"
            try authorities.governmentRoot.certificatePEM.write(toFile: anchors, atomically: true, encoding: .utf8)
            var lines = [
                "title: Descriptor limit",
                "levels: [province, commune]",
                "trust: {anchors: [\"\(anchors)\"]}",
                // Nothing listens on port 1: plain HTTP gives no finding.
                "probe: {link: {count: 3, interval: 20ms, timeout: 500ms}, tls: {timeout: 10s, http_port: 1}}",
                "agencies:",
                "  - code: \"1\"",
                "    name: Province",
                "    level: province",
                "    link: {address: 127.81.200.1, method: tcp, port: 9}",
                "    children:",
            ]
            for (index, bound) in server.endpoints.enumerated() {
                let code = String(1000 + index)
                lines.append("      - {code: \"\(code)\", name: \"Commune \(code)\", level: commune, "
                             + "link: {address: 127.81.200.\(index % 250 + 2), method: tcp, port: 9}, "
                             + "endpoints: [{url: \"https://e\(index).limit.lab.test:\(bound.port)/\", address: \(bound.address)}]}")
            }
            inventory = folder + "/inventory.yaml"
            try (lines.joined(separator: "\n") + "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// `netaudit audit` of the province with the open-file limit at `limit` (soft and hard).
        func audit(limit: Int, database: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["audit", "--inventory", inventory, "--db", folder + "/" + database, "--format", "json"],
                              wrapper: ["/usr/bin/prlimit", "--nofile=\(limit):\(limit)"])
        }

        /// The run as stored, with every result.
        func stored(_ database: String) async throws -> (run: RunRecord, links: [LinkResult], endpoints: [EndpointResult]) {
            let store = try SQLiteStore(path: folder + "/" + database)
            let run = try #require(try await store.runs(limit: 1).first)
            let stored = (run, try await store.linkResults(run: run.id), try await store.endpointResults(run: run.id))
            try? await store.close()
            return stored
        }
    }

    static let hasPrlimit = FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")

    /// Whatever the run made of a result, nothing held against a good server or link.
    static func expectNoFalseFinding(_ links: [LinkResult], _ endpoints: [EndpointResult]) {
        let linkFindings = links.flatMap(\.findings).map(\.id)
        #expect(linkFindings.isEmpty, "\(Dictionary(grouping: linkFindings, by: { $0 }).mapValues(\.count))")
        #expect(links.allSatisfy { $0.state == nil || $0.state == .up }, "\(links.filter { $0.state != nil && $0.state != .up }.count) links not up")
        let breaking = endpoints.flatMap(\.findings).filter { $0.severity.breaksBaseline || $0.id.hasPrefix("tls.") }.map(\.id)
        #expect(breaking.isEmpty, "\(Dictionary(grouping: breaking, by: { $0 }).mapValues(\.count))")
        #expect(endpoints.allSatisfy { $0.verdict == .compliant })
    }

    @Test(.enabled(if: hasPrlimit)) func aLowLimitGivesNoFalseFindingAndSaysWhatItDid() async throws {
        let province = try GoodProvince(agencies: 300)
        defer { province.stop() }
        let result = try province.audit(limit: 64, database: "low.sqlite")
        let (run, links, endpoints) = try await province.stored("low.sqlite")
        Self.expectNoFalseFinding(links, endpoints)
        // The engine probed fewer checks at once, and said so.
        #expect(result.stderr.contains("netaudit may open 64 files"), "\(result.stderr)")
        if run.state == .complete {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(endpoints.count == 300 && links.count == 301)
        } else {
            #expect(run.state == .aborted)
            #expect(run.note?.contains("out of file descriptors") == true, "\(run.note ?? "no note")")
            #expect(result.status == 1)
        }
    }

    @Test(.enabled(if: hasPrlimit)) func aLimitTooLowForOneCheckIsSaidAndNothingIsHeldAgainstTheServers() async throws {
        let province = try GoodProvince(agencies: 40)
        defer { province.stop() }
        let result = try province.audit(limit: 32, database: "tiny.sqlite")
        #expect(result.stderr.contains("netaudit may open 32 files"), "\(result.stderr)")
        #expect(result.stderr.contains("too few for even one check"), "\(result.stderr)")
        let (run, links, endpoints) = try await province.stored("tiny.sqlite")
        Self.expectNoFalseFinding(links, endpoints)
        #expect(links.isEmpty && endpoints.isEmpty)  // nothing probed, nothing judged
        #expect(run.state == .aborted, "\(run.state)")
        #expect(run.note?.hasPrefix("out of file descriptors: the open-file limit (32) does not hold even one check") == true,
                "\(run.note ?? "no note")")
        #expect(result.status == 1)
        #expect(result.stdout.contains("raise LimitNOFILE / ulimit -n"))  // the report shows the note
    }
}
