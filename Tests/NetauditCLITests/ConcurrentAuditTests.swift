import Foundation
import NetauditCore
import NetauditLab
import NetauditStoreSQLite
import Testing

/// A full audit probes links and endpoints at once, and still judges a link behind its
/// `via` node with that node's state.
@Suite(.serialized) struct ConcurrentAuditTests {
    /// A district and a commune whose link series take ~3 s each (TCP connects to a full
    /// accept queue time out: 3 requests 1 s apart), and an endpoint that takes 4 s (a
    /// tarpit, cut at the TLS timeout). One after the other that is at least 7 s; at once,
    /// about 4 s. The series and the check overlap in time, the run takes less than the sum,
    /// and the commune is unreachable behind its district, which is down.
    @Test func linksAndEndpointsAreProbedAtOnce() async throws {
        let lab = try LabCatalogue.standard().start(only: ["tarpit"])
        defer { lab.stop() }
        let tarpit = try lab.endpoint(for: "tarpit")
        let district = try Blackhole(address: "127.4.13.1")
        let commune = try Blackhole(address: "127.6.13.1")
        let folder = try AuditCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district, commune]
            probe: {link: {count: 3, interval: 1s, timeout: 1s}, tls: {timeout: 4s, http_port: 1}}
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                link: {address: 127.0.0.1, method: tcp, port: 9}
                endpoints: [{url: "https://\(tarpit.hostName):\(tarpit.port)/", address: \(tarpit.address)}]
                children:
                  - code: "622"
                    name: "Thành phố Pleiku"
                    level: district
                    link: {address: \(district.address), method: tcp, port: \(district.port), via: "64"}
                    children:
                      - {code: "23557", name: "Phường Yên Đỗ", level: commune, link: {address: \(commune.address), method: tcp, port: \(commune.port), via: "622"}}
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)

        let clock = ContinuousClock()
        let start = clock.now
        let result = try CLIRunner.run(["audit", "--inventory", folder + "/inventory.yaml", "--db", folder + "/results.sqlite"])
        let elapsed = clock.now - start
        #expect(result.status == 1, "\(result.stderr)")
        #expect(elapsed < .seconds(7), "links then endpoints would take at least 3 s + 4 s; took \(elapsed)")

        let store = try SQLiteStore(path: folder + "/results.sqlite")
        let run = try #require(try await store.runs().first)
        #expect(run.state == .complete && run.kind == .audit)
        let links = Dictionary(uniqueKeysWithValues: try await store.linkResults(run: run.id).map { ($0.agencyCode, $0) })
        #expect(links["64"]?.state == .up)
        #expect(links["622"]?.findings.map(\.id) == ["link.down"])
        #expect(links["23557"]?.findings.map(\.id) == ["link.unreachable"])
        let endpoint = try #require(try await store.endpointResults(run: run.id).first)
        #expect(endpoint.verdict == .unreachable)

        // The slow series and the slow check ran at the same time.
        let series = try #require(links["23557"]?.observation)
        let check = endpoint.observation
        #expect(series.duration > 2 && check.duration > 3, "series \(series.duration) s, check \(check.duration) s")
        #expect(check.started < series.started.addingTimeInterval(series.duration)
                && series.started < check.started.addingTimeInterval(check.duration),
                "series \(series.started) + \(series.duration) s, check \(check.started) + \(check.duration) s")
    }
}
