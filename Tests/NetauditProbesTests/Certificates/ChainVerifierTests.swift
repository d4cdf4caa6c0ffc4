import Foundation
import NetauditCore
import NetauditLab
import Testing
@testable import NetauditProbes

/// `ChainVerifier` on the lab's chains: one row per outcome the policy tells apart.
@Suite("Certificates: chain verification")
struct CertificatesChainVerifierTests {
    /// One row of the table: a chain as a server would send it, the anchor file of the store,
    /// the clock, and what must come out.
    enum Row: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case trusted
        case trustedWithRootSent
        case expiredLeaf
        case notYetValidLeaf
        case selfSignedLeaf
        case unknownRoot
        case unknownRootSent
        case incompleteChain
        case leafOnlyUntrusted
        case sha1ChainAtAuthLevelZero
        case expiredIntermediate
        case clockAfterNotAfter
        case clockBeforeNotBefore
        case expiredAndUntrusted
        case selfSignedAndExpired
        case incompleteAndExpired

        var testDescription: String { rawValue }

        func chain(_ pki: CertificatePKI) -> [LabCredential] {
            switch self {
            case .trusted, .clockAfterNotAfter, .clockBeforeNotBefore: return [pki.leaf, pki.intermediate]
            case .trustedWithRootSent: return [pki.leaf, pki.intermediate, pki.root]
            case .expiredLeaf, .expiredAndUntrusted: return [pki.expiredLeaf, pki.intermediate]
            case .notYetValidLeaf: return [pki.notYetValidLeaf, pki.intermediate]
            case .selfSignedLeaf: return [pki.selfSignedLeaf]
            case .unknownRoot: return [pki.otherLeaf, pki.otherIntermediate]
            case .unknownRootSent: return [pki.otherLeaf, pki.otherIntermediate, pki.otherRoot]
            case .incompleteChain, .leafOnlyUntrusted: return [pki.leaf]
            case .sha1ChainAtAuthLevelZero: return [pki.sha1Leaf]
            case .expiredIntermediate: return [pki.leafUnderExpiredIntermediate, pki.expiredIntermediate]
            case .selfSignedAndExpired: return [pki.selfSignedLeaf]
            case .incompleteAndExpired: return [pki.expiredLeaf]
            }
        }

        /// What the store's single anchor file holds.
        func anchorFile(_ pki: CertificatePKI) -> [LabCredential] {
            switch self {
            case .incompleteChain, .incompleteAndExpired: return [pki.root, pki.intermediate]
            case .expiredAndUntrusted: return [pki.otherRoot]
            default: return [pki.root]
            }
        }

        func time(_ pki: CertificatePKI, now: Date) -> Date {
            switch self {
            case .clockAfterNotAfter: return pki.leaf.notAfter + oneDay
            case .clockBeforeNotBefore: return pki.leaf.notBefore - oneDay
            case .selfSignedAndExpired: return pki.selfSignedLeaf.notAfter + oneDay
            default: return now
            }
        }

        var expected: (trusted: Bool, problem: ChainVerification.Problem?, code: Int) {
            switch self {
            case .trusted, .trustedWithRootSent, .sha1ChainAtAuthLevelZero: return (true, nil, VerifyCode.ok)
            case .expiredLeaf, .expiredIntermediate, .clockAfterNotAfter: return (false, .expired, VerifyCode.expired)
            case .notYetValidLeaf, .clockBeforeNotBefore: return (false, .notYetValid, VerifyCode.notYetValid)
            case .selfSignedLeaf, .selfSignedAndExpired: return (false, .selfSigned, VerifyCode.depthZeroSelfSigned)
            case .unknownRoot, .leafOnlyUntrusted, .expiredAndUntrusted:
                return (false, .untrustedRoot, VerifyCode.unableToGetLocalIssuer)
            case .unknownRootSent: return (false, .untrustedRoot, VerifyCode.selfSignedInChain)
            case .incompleteChain, .incompleteAndExpired: return (false, .incompleteChain, VerifyCode.unableToGetLocalIssuer)
            }
        }
    }

    @Test("verification table", arguments: Row.allCases)
    func table(_ row: Row) throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors(row.anchorFile(pki))
        let result = ChainVerifier.verify(row.chain(pki).map(\.der), against: store, at: row.time(pki, now: Date()))
        let expected = row.expected
        #expect(result.trusted == expected.trusted)
        #expect(result.problem == expected.problem)
        #expect(result.code == expected.code, "\(result.message)")
        #expect(!result.message.isEmpty)
        if expected.trusted {
            #expect(result.message == "ok")
            #expect(result.anchor == pki.root.subject)
            #expect(result.path.first == row.chain(pki).first?.subject)
            #expect(result.path.last == pki.root.subject)
        } else {
            #expect(result.anchor == nil)
            #expect(result.path.isEmpty)
        }
    }

    @Test("a trusted chain reports its anchor and the path leaf → anchor")
    func path() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.root])
        let result = ChainVerifier.verify([pki.leaf.der, pki.intermediate.der], against: store, at: Date())
        #expect(result.trusted)
        #expect(result.anchor == "CN=Netaudit Test Root CA,O=Netaudit Test")
        #expect(result.path == [pki.leaf.subject, pki.intermediate.subject, pki.root.subject])
    }

    @Test("OpenSSL's own message is kept")
    func messages() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.root])
        let expired = ChainVerifier.verify([pki.expiredLeaf.der, pki.intermediate.der], against: store, at: Date())
        #expect(expired.message == "certificate has expired")
        let untrusted = ChainVerifier.verify([pki.otherLeaf.der], against: store, at: Date())
        #expect(untrusted.message == "unable to get local issuer certificate")
    }

    @Test("an intermediate in an anchor file is not an anchor")
    func intermediateIsNoAnchor() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        // The government file holds the root and its intermediate; only the root may anchor.
        let store = try scratch.anchors([pki.root, pki.intermediate])
        #expect(store.anchorCount == 1)
        let result = ChainVerifier.verify([pki.leaf.der, pki.intermediate.der], against: store, at: Date())
        #expect(result.path.count == 3)
        #expect(result.anchor == pki.root.subject)
    }

    @Test("garbage where the leaf should be, and an empty chain, are other problems")
    func undecodable() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.root])
        for chain in [[[UInt8](arrayLiteral: 1, 2, 3)], []] {
            let result = ChainVerifier.verify(chain, against: store, at: Date())
            #expect(!result.trusted)
            #expect(result.problem == .other)
        }
        // An undecodable entry after the leaf is left out; the rest still verifies.
        let result = ChainVerifier.verify([pki.leaf.der, [9, 9], pki.intermediate.der], against: store, at: Date())
        #expect(result.trusted)
    }

    @Test("precedence: the documented order, then the lowest depth")
    func precedence() {
        typealias Failure = ChainVerifier.Failure
        let expiredLeaf = Failure(code: 10, depth: 0)
        let untrusted = Failure(code: 20, depth: 1)
        let selfSigned = Failure(code: 18, depth: 0)
        let badSignature = Failure(code: 7, depth: 0)
        let expiredIntermediate = Failure(code: 10, depth: 1)
        let notYetValid = Failure(code: 9, depth: 0)
        #expect(ChainVerifier.mostImportant([expiredLeaf, untrusted]) == untrusted)
        #expect(ChainVerifier.mostImportant([expiredLeaf, selfSigned]) == selfSigned)
        #expect(ChainVerifier.mostImportant([expiredLeaf, badSignature]) == badSignature)
        #expect(ChainVerifier.mostImportant([expiredIntermediate, expiredLeaf]) == expiredLeaf)
        #expect(ChainVerifier.mostImportant([notYetValid, expiredIntermediate]) == expiredIntermediate)
        #expect(ChainVerifier.mostImportant([]) == nil)
    }

    @Test("codes map to the policy's problems", arguments: [
        (10, ChainVerification.Problem.expired), (9, .notYetValid), (18, .selfSigned), (19, .untrustedRoot),
        (2, .untrustedRoot), (20, .untrustedRoot), (68, .weakSignature), (66, .weakKey), (67, .weakKey), (7, .other),
        (26, .other), (79, .other),
    ] as [(Int32, ChainVerification.Problem)])
    func problems(_ code: Int32, _ problem: ChainVerification.Problem) {
        #expect(ChainVerifier.problem(for: code) == problem)
    }

    @Test("one store serves concurrent verifications")
    func concurrent() async throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.root, pki.intermediate])
        let chains: [[[UInt8]]] = [[pki.leaf.der, pki.intermediate.der], [pki.leaf.der], [pki.otherLeaf.der]]
        let expected: [ChainVerification.Problem?] = [nil, .incompleteChain, .untrustedRoot]
        let results = await withTaskGroup(of: (Int, ChainVerification.Problem?).self) { group in
            for index in 0..<48 {
                group.addTask { (index % 3, ChainVerifier.verify(chains[index % 3], against: store, at: Date()).problem) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 48)
        for (kind, problem) in results { #expect(problem == expected[kind]) }
    }
}
