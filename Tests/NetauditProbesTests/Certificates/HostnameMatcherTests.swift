import Foundation
import NetauditLab
import Testing
@testable import NetauditProbes

/// `HostnameMatcher`: subjectAltName only, whole-label wildcards, IP literals.
@Suite("Certificates: hostname matching")
struct CertificatesHostnameMatcherTests {
    enum Leaf: String, Sendable {
        case good, wildcard, commonNameOnly, commonNameAndSAN

        func credential(_ pki: CertificatePKI) -> LabCredential {
            switch self {
            case .good: return pki.leaf
            case .wildcard: return pki.wildcardLeaf
            case .commonNameOnly: return pki.commonNameOnlyLeaf
            case .commonNameAndSAN: return pki.commonNameAndSANLeaf
            }
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let leaf: Leaf
        let name: String
        let matches: Bool
        var testDescription: String { "\(leaf.rawValue) \(matches ? "matches" : "does not match") \(name)" }
    }

    static let rows: [Row] = [
        Row(leaf: .good, name: "good.lab.test", matches: true),
        Row(leaf: .good, name: "GOOD.Lab.Test", matches: true),
        Row(leaf: .good, name: "good.lab.test.", matches: true),
        Row(leaf: .good, name: "bad.lab.test", matches: false),
        Row(leaf: .good, name: "a.good.lab.test", matches: false),
        Row(leaf: .good, name: "lab.test", matches: false),
        Row(leaf: .good, name: "127.77.0.1", matches: true),
        Row(leaf: .good, name: "127.77.0.2", matches: false),
        Row(leaf: .good, name: "fd00:77::1", matches: true),
        Row(leaf: .good, name: "[fd00:77::1]", matches: true),
        Row(leaf: .good, name: "fd00:77:0:0:0:0:0:1", matches: true),
        Row(leaf: .good, name: "fd00:77::2", matches: false),
        Row(leaf: .good, name: "", matches: false),
        Row(leaf: .wildcard, name: "a.lab.test", matches: true),
        Row(leaf: .wildcard, name: "a.b.lab.test", matches: false),
        Row(leaf: .wildcard, name: "lab.test", matches: false),
        Row(leaf: .wildcard, name: "a.lab.test.vn", matches: false),
        Row(leaf: .commonNameOnly, name: "cn.lab.test", matches: false),
        Row(leaf: .commonNameAndSAN, name: "cn.lab.test", matches: false),
        Row(leaf: .commonNameAndSAN, name: "san.lab.test", matches: true),
    ]

    @Test("hostname table", arguments: rows)
    func table(_ row: Row) throws {
        let pki = try CertificatePKI.get()
        #expect(HostnameMatcher.matches(row.leaf.credential(pki).der, serverName: row.name) == row.matches)
    }

    @Test("an undecodable leaf matches nothing")
    func undecodable() {
        #expect(!HostnameMatcher.matches([0x30, 0x00], serverName: "good.lab.test"))
    }
}
