import Foundation
import GRDB
import NetauditCore
import NetauditStore
@testable import NetauditStoreSQLite
import Testing

/// What the store deflates: round trips, with and without a preset dictionary, and the
/// dictionaries the store keeps per endpoint (a new one when the old no longer halves what
/// deflating alone gives).
struct DeflateTests {
    static let observation = Data(String(repeating: #"{"url":"https://52.gialai.test/","protocols":["TLSv1.2","TLSv1.3"],"ciphers":"ECDHE"}"#, count: 20).utf8)

    @Test func roundTrips() throws {
        let packed = try #require(Deflate.pack(Self.observation))
        #expect(packed.count < Self.observation.count / 5)
        #expect(Deflate.unpack(packed) == Self.observation)
        // Plain JSON is never taken for a packed value.
        #expect(Deflate.unpack(Data(#"{"a":1}"#.utf8)) == nil)
    }

    @Test func againstADictionaryANearCopyCostsAFewBytes() throws {
        var changed = Self.observation
        changed[10] = UInt8(ascii: "X")
        let packed = try #require(Deflate.pack(changed, dictionary: Self.observation))
        #expect(packed.count < 40, "\(packed.count) bytes")
        #expect(Deflate.unpack(packed, dictionary: Self.observation) == changed)
        #expect(Deflate.unpack(packed, dictionary: Data("another dictionary".utf8)) == nil)
        #expect(Deflate.unpack(packed) == nil, "a value packed against a dictionary needs it")
    }

    @Test func theStoreKeepsOneDictionaryPerEndpointUntilItStopsSaving() async throws {
        let folder = NSTemporaryDirectory() + "netaudit-deflate-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/r.sqlite", history: HistorySettings(rawDays: 1, historyDays: 10))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func audit(_ day: Int, issuer: String, names: [String] = ["52.gialai.test"]) async throws -> (RunID, EndpointResult) {
            let at = start.addingTimeInterval(Double(day) * 86_400)
            let certificate = CertificateObservation(subject: "CN=52.gialai.test", issuer: issuer, serialNumber: "01", subjectAltNames: names,
                                                     notBefore: start, notAfter: start.addingTimeInterval(365 * 86_400), keyType: "RSA", keyBits: 2048,
                                                     signatureAlgorithm: "sha256WithRSAEncryption", sha256Fingerprint: issuer, isCA: false, selfSigned: false)
            let endpoint = EndpointResult(agencyCode: "52", observation: TLSObservation(url: "https://52.gialai.test/", serverName: "52.gialai.test",
                                                                                      port: 443, started: at, certificates: [certificate]),
                                          verdict: .compliant, findings: [])
            let run = try await store.beginRun(kind: .audit, inventory: ResultStoreTests.inventory, inventoryPath: "i", inventoryHash: "h", startedAt: at)
            try await store.record(links: [], endpoints: [endpoint], in: run, at: at)
            try await store.finishRun(run, state: .complete, endedAt: at)
            return (run, endpoint)
        }
        let first = try await audit(0, issuer: "CN=Lab CA")
        let second = try await audit(1, issuer: "CN=Lab CA")
        // A certificate for many new names: little in common with what came before.
        let renewed = try await audit(2, issuer: "CN=Government CA", names: (0..<40).map { _ in UUID().uuidString + ".gialai.test" })
        for (run, endpoint) in [first, second, renewed] {
            #expect(try await store.endpointResults(run: run) == [endpoint])
        }
        let rows = try await store.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT dictionary_id, length(observation_json) AS size FROM endpoint_results ORDER BY id")
        }
        #expect(rows.map { $0["dictionary_id"] as Int64? } == [1, 1, 2], "a new certificate makes a new dictionary")
        #expect((rows[1]["size"] as Int) < 60, "the second day's copy is a few bytes")
        // Retention: the audits past the history tier go, and the dictionary only they used.
        _ = try await store.prune(now: start.addingTimeInterval(11.5 * 86_400))
        #expect(try await store.reader.read { try Int64.fetchAll($0, sql: "SELECT id FROM dictionaries") } == [2])
        #expect(try await store.endpointResults(run: renewed.0) == [renewed.1])
    }
}
