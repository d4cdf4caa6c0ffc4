import Foundation
import NetauditCore
import Testing

/// The host name's verify code and message, and observations stored before they existed.
struct TrustObservationTests {
    static let trusted = ChainVerification(trusted: true, code: 0, message: "ok")

    @Test func anObservationStoredWithoutTheHostnameCodeDecodesWithOpenSSLsValues() throws {
        let old = #"{"publicTrust":{"trusted":true,"code":0,"message":"ok","path":[]},"hostnameMatches":false}"#
        let trust = try JSONDecoder().decode(TrustObservation.self, from: Data(old.utf8))
        #expect(!trust.hostnameMatches)
        #expect(trust.hostnameCode == 62 && trust.hostnameMessage == "hostname mismatch")
        let matching = try JSONDecoder().decode(TrustObservation.self, from: Data(old.replacingOccurrences(of: "false}", with: "true}").utf8))
        #expect(matching.hostnameCode == 0 && matching.hostnameMessage == "ok")
    }

    @Test func theCodeAndMessageGoRoundTrip() throws {
        let trust = TrustObservation(publicTrust: Self.trusted, hostnameMatches: false, hostnameCode: 64, hostnameMessage: "IP address mismatch")
        let decoded = try JSONDecoder().decode(TrustObservation.self, from: JSONEncoder().encode(trust))
        #expect(decoded == trust)
    }
}
