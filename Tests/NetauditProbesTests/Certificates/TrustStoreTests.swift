import Foundation
import NetauditLab
import Testing
@testable import NetauditProbes

/// Loading `TrustStore`s: bundles, anchor files, and the errors that name the file.
@Suite("Certificates: trust stores")
struct CertificatesTrustStoreTests {
    @Test("an anchor file with root and intermediate: one anchor, one known intermediate")
    func anchorFileSplits() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.anchors([pki.intermediate, pki.root])
        #expect(store.anchorCount == 1)
        #expect(store.anchorSubjects == [pki.root.subject])
        #expect(store.knownIntermediates == [pki.intermediate.der])
    }

    @Test("several anchor files add up; duplicates count once")
    func severalFiles() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let first = try scratch.write(pki.root.certificatePEM + pki.root.certificatePEM, to: "first.pem")
        let second = try scratch.write(pki.governmentIntermediate.certificatePEM + pki.governmentRoot.certificatePEM, to: "second.pem")
        let store = try TrustStore(anchorFiles: [first, second])
        #expect(store.anchorSubjects == [pki.root.subject, pki.governmentRoot.subject])
        #expect(store.knownIntermediates.count == 1)
    }

    @Test("a bundle makes every certificate an anchor")
    func bundle() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let store = try scratch.bundle([pki.root, pki.otherRoot, pki.intermediate])
        #expect(store.anchorCount == 3)
        #expect(store.knownIntermediates.isEmpty)
    }

    @Test("a DER anchor file (.cer) loads, and PEM files may hold keys and text around certificates")
    func otherFileForms() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let der = try scratch.write(pki.governmentRoot.certificateDER, to: "root.cer")
        #expect(try TrustStore(anchorFiles: [der]).anchorSubjects == [pki.governmentRoot.subject])
        let mixed = try scratch.write("Government CA, from the operator\n" + pki.root.privateKeyPEM + pki.root.certificatePEM, to: "mixed.pem")
        #expect(try TrustStore(anchorFiles: [mixed]).anchorCount == 1)
    }

    enum BrokenFile: String, CaseIterable, Sendable {
        case missing, empty, privateKeyOnly, text, damagedPEM, intermediatesOnly, directory

        var reason: TrustStoreError.Reason {
            switch self {
            case .missing, .directory: return .unreadable
            case .empty, .privateKeyOnly, .text: return .noCertificate
            case .damagedPEM: return .malformed
            case .intermediatesOnly: return .noAnchor
            }
        }

        func path(_ pki: CertificatePKI, _ scratch: CertificateScratch) throws -> String {
            switch self {
            case .missing: return scratch.missing("missing.pem")
            case .directory: return scratch.folder.path
            case .empty: return try scratch.write("", to: "empty.pem")
            case .privateKeyOnly: return try scratch.write(pki.leaf.privateKeyPEM, to: "key.pem")
            case .text: return try scratch.write("not a certificate\n", to: "text.pem")
            case .damagedPEM:
                return try scratch.write("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n", to: "damaged.pem")
            case .intermediatesOnly: return try scratch.write(pki.intermediate.certificatePEM, to: "intermediate.pem")
            }
        }
    }

    @Test("loading errors name the file", arguments: BrokenFile.allCases)
    func loadingErrors(_ file: BrokenFile) throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let path = try file.path(pki, scratch)
        let error = try #require(throws: TrustStoreError.self) { try TrustStore(anchorFiles: [path]) }
        #expect(error.reason == file.reason)
        #expect(error.description.contains(path))
        if file != .intermediatesOnly {
            let bundleError = try #require(throws: TrustStoreError.self) { try TrustStore(bundle: path) }
            #expect(bundleError.reason == file.reason)
        }
    }

    @Test("the error of a later file names that file")
    func laterFile() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let good = try scratch.write(pki.root.certificatePEM, to: "good.pem")
        let missing = scratch.missing("gone.pem")
        let error = try #require(throws: TrustStoreError.self) { try TrustStore(anchorFiles: [good, missing]) }
        #expect(error.description.contains("gone.pem"))
        #expect(!error.description.contains("good.pem"))
    }

    @Test("intermediates files make known intermediates of both stores, never anchors")
    func intermediatesFiles() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let root = try scratch.write(pki.root.certificatePEM, to: "root.pem")
        let government = try scratch.write(pki.governmentRoot.certificatePEM, to: "government.pem")
        let intermediates = try scratch.write(pki.intermediate.certificatePEM + pki.otherRoot.certificatePEM, to: "intermediates.pem")
        let stores = try TrustStores(publicBundles: [root], governmentAnchors: [government], intermediates: [intermediates])
        let publicStore = try #require(stores.publicStore)
        #expect(publicStore.anchorSubjects == [pki.root.subject])
        #expect(publicStore.knownIntermediates == [pki.intermediate.der, pki.otherRoot.der])
        #expect(stores.governmentStore?.anchorSubjects == [pki.governmentRoot.subject])
        #expect(stores.governmentStore?.knownIntermediates == [pki.intermediate.der, pki.otherRoot.der])
        // A leaf sent without its intermediate: incomplete under public trust (the root is an
        // anchor there), untrusted under government trust (it is not).
        let omitted = [pki.leaf.der]
        #expect(ChainVerifier.verify(omitted, against: publicStore, at: Date()).problem == .incompleteChain)
        #expect(ChainVerifier.verify(omitted, against: stores.governmentStore!, at: Date()).problem == .untrustedRoot)
        // A self-signed certificate of an intermediates file is no anchor.
        let other = ChainVerifier.verify([pki.otherRoot.der], against: publicStore, at: Date())
        #expect(!other.trusted)
    }

    @Test("public CA files replace Debian's bundle, and each must load; so must every intermediates file")
    func publicFilesAndIntermediatesMustLoad() throws {
        let pki = try CertificatePKI.get()
        let scratch = try CertificateScratch()
        let root = try scratch.write(pki.root.certificatePEM, to: "root.pem")
        let other = try scratch.write(pki.otherRoot.certificatePEM, to: "other.pem")
        let stores = try TrustStores(publicBundles: [root, other], governmentAnchors: [])
        #expect(stores.publicStore?.anchorSubjects == [pki.root.subject, pki.otherRoot.subject])
        #expect(stores.governmentStore == nil)
        let missing = scratch.missing("no-bundle.pem")
        #expect(throws: TrustStoreError.self) { try TrustStores(publicBundles: [root, missing], governmentAnchors: []) }
        let error = try #require(throws: TrustStoreError.self) {
            try TrustStores(governmentAnchors: [], intermediates: [scratch.missing("no-intermediates.pem")])
        }
        #expect(error.description.contains("no-intermediates.pem"))
    }

    @Test("Debian's bundle loads with over 100 anchors and trusts no lab chain",
          .enabled(if: FileManager.default.isReadableFile(atPath: TrustStore.systemBundlePath)))
    func systemBundle() throws {
        let pki = try CertificatePKI.get()
        let store = try TrustStore(bundle: TrustStore.systemBundlePath)
        #expect(store.anchorCount > 100)
        let result = ChainVerifier.verify([pki.leaf.der, pki.intermediate.der], against: store, at: Date())
        #expect(!result.trusted)
        #expect(result.problem == .untrustedRoot)
        #expect(result.code == VerifyCode.unableToGetLocalIssuer)
        let sentRoot = ChainVerifier.verify([pki.leaf.der, pki.intermediate.der, pki.root.der], against: store, at: Date())
        #expect(sentRoot.problem == .untrustedRoot)
        #expect(sentRoot.code == VerifyCode.selfSignedInChain)
    }
}
