import Foundation
import NetauditCore
@testable import NetauditDaemon
import NetauditAudit
import NetauditInventory
import NetauditLab
@testable import NetauditProbes
import Testing

/// What the daemon loads from the operator's files: the inventory's known intermediates
/// reach the trust stores of its runs, and a bad intermediates file is refused at its place.
struct AuditSetupTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-setup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func load(_ folder: String, trust: String) throws(SetupError) -> AuditSetup {
        try? """
            levels: [province]
            \(trust)
            agencies: []
            """.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        var configuration = DaemonConfiguration()
        configuration.inventory = folder + "/inventory.yaml"
        return try AuditSetup.load(configuration)
    }

    @Test func theInventorysIntermediatesReachBothTrustStores() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = try LabPKI.selfSigned(.certificateAuthority(commonName: "Setup Test Root", key: .ecdsa(curve: .p256)))
        let intermediate = try LabPKI.issue(.certificateAuthority(commonName: "Setup Test Issuing CA", pathLength: 0,
                                                                  key: .ecdsa(curve: .p256)), by: root)
        let leaf = try LabPKI.issue(LabCertificateSpec(commonName: "setup.lab.test", subjectAltNames: [.dns("setup.lab.test")],
                                                       key: .ecdsa(curve: .p256)), by: intermediate)
        try root.certificatePEM.write(toFile: folder + "/root.pem", atomically: true, encoding: .utf8)
        try intermediate.certificatePEM.write(toFile: folder + "/ica.pem", atomically: true, encoding: .utf8)

        let setup = try Self.load(folder, trust: "trust: {anchors: [root.pem], intermediates: [ica.pem]}")
        #expect(setup.inventory.trustIntermediates == [folder + "/ica.pem"])
        let government = try #require(setup.trust.governmentStore)
        #expect(government.knownIntermediates == [Array(intermediate.certificateDER)])
        if let publicStore = setup.trust.publicStore {  // Debian's bundle, when installed
            #expect(publicStore.knownIntermediates == [Array(intermediate.certificateDER)])
        }
        // The server omits the intermediate: incomplete, not untrusted.
        #expect(ChainVerifier.verify([Array(leaf.certificateDER)], against: government, at: Date()).problem == .incompleteChain)
    }

    @Test func aBadIntermediatesFileIsReportedAtItsPlace() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = try #require(throws: SetupError.self) { try Self.load(folder, trust: "trust: {intermediates: [gone.pem]}") }
        #expect(error.lines == ["\(folder)/inventory.yaml:2:25: trust intermediate 'gone.pem' cannot be read (looked for \(folder)/gone.pem)"])
    }
}
