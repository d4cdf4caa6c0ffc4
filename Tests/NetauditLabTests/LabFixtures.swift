import Foundation
import NetauditCore
import NetauditLab

/// One root → intermediate → leaf chain, made once per test process and shared by the suites
/// (three RSA keys: the root's and the intermediate's fresh, the leaf's the shared RSA-2048).
enum LabFixtures {
    struct Chain: Sendable {
        let root: LabCredential
        let intermediate: LabCredential
        let leaf: LabCredential
    }

    static let leafNames: [LabSubjectAltName] = [
        .dns("leaf.lab.test"), .dns("*.apps.lab.test"), .ip(IPAddress(127, 0, 0, 1)), .ip(IPAddress("::1")!),
    ]

    static let chain: Result<Chain, LabPKIError> = Result { () throws(LabPKIError) -> Chain in
        let root = try LabPKI.selfSigned(.certificateAuthority(commonName: "Netaudit Lab Root CA", organization: "Netaudit Lab"))
        let intermediate = try LabPKI.issue(
            .certificateAuthority(commonName: "Netaudit Lab Issuing CA", organization: "Netaudit Lab", pathLength: 0,
                                  notAfter: Date(timeIntervalSinceNow: 1825 * 86400)),
            by: root)
        let leaf = try LabPKI.issue(
            LabCertificateSpec(commonName: "leaf.lab.test", organization: "Netaudit Lab", subjectAltNames: leafNames,
                               keySource: .shared),
            by: intermediate)
        return Chain(root: root, intermediate: intermediate, leaf: leaf)
    }
}
