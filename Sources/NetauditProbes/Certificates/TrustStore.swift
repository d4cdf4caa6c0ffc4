import Foundation
internal import CNetauditShims

/// Why a trust store could not be loaded; the description names the file.
struct TrustStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Reason: Sendable, Hashable {
        /// The file cannot be read (missing, a directory, no permission).
        case unreadable
        /// The file holds no certificate at all (empty, a key, text).
        case noCertificate
        /// A PEM certificate block in the file does not decode.
        case malformed
        /// None of the anchor files holds a self-signed certificate: nothing could ever be trusted.
        case noAnchor
    }

    let reason: Reason
    /// The file (for ``Reason/noAnchor``, the files, comma-separated).
    let path: String
    /// What the system or OpenSSL said, if anything.
    let detail: String

    init(_ reason: Reason, path: String, detail: String = "") {
        self.reason = reason
        self.path = path
        self.detail = detail
    }

    var description: String {
        let text: String
        switch reason {
        case .unreadable: text = "cannot read trust file \(path)"
        case .noCertificate: text = "no certificate in trust file \(path)"
        case .malformed: text = "a certificate in trust file \(path) does not decode"
        case .noAnchor: text = "no self-signed (root) certificate in the anchor files \(path): nothing can be trusted"
        }
        return detail.isEmpty ? text : "\(text): \(detail)"
    }
}

/// A set of trust anchors in an OpenSSL `X509_STORE` (owned here, X509_STORE_free(3) in
/// deinit), plus *known intermediates*: CA certificates that are not anchors, used only to
/// tell an incomplete chain (the server omits an intermediate that exists) from an
/// untrusted one (see ``ChainVerifier``).
///
/// Two kinds are loaded, once per run:
/// - *public trust*, ``init(bundles:intermediates:)``: Debian's `/etc/ssl/certs/ca-certificates.crt`
///   (or the operator's replacement, `--public-ca-file`), every certificate of which is an
///   anchor (the same as a TLS client given it as CAfile);
/// - *government trust*, ``init(anchorFiles:)``: the inventory's extra anchor files. The
///   Vietnamese Government CA root is in no public store, and operators often hand over the
///   root and its intermediates in one file: the self-signed certificates become anchors,
///   the others known intermediates (an intermediate in the store would otherwise need
///   X509_V_FLAG_PARTIAL_CHAIN to be trusted, and is not meant to be an anchor).
///
/// Both kinds also take the *intermediates files* (`trust.intermediates` of the inventory,
/// `--intermediates-file`): CA certificates that are known intermediates only, as browsers
/// preload the intermediates of public CAs, so that a server that omits one is told apart
/// from an untrusted chain under public trust too.
///
/// **Sharing.** A store is immutable once loaded, and one instance is meant to be shared by
/// every concurrent verification of a run, hence `@unchecked Sendable`: the X509_STORE is
/// only *read* during X509_verify_cert(3) (each verification has its own X509_STORE_CTX,
/// and OpenSSL guards the store's object list with the store's own lock), the certificates
/// are all loaded up front (no lookup method such as a hashed directory adds any later),
/// and the known intermediates are kept as DER bytes that each verification parses into
/// its own handles, so no X509 object of this store is shared by two verifications.
final class TrustStore: @unchecked Sendable {
    /// Debian's bundle of the ca-certificates package.
    static let systemBundlePath = "/etc/ssl/certs/ca-certificates.crt"

    /// A store with no anchor at all: what public trust is checked against when no bundle
    /// could be loaded (every chain is then untrusted, with OpenSSL's own code).
    static let empty = TrustStore(empty: ())

    let store: OpaquePointer
    /// How many anchors were added (duplicates in the files are counted once).
    let anchorCount: Int
    /// Subjects of the anchors, in file order (RFC 2253).
    let anchorSubjects: [String]
    /// Known intermediates, DER, in file order; see the type's note on sharing.
    let knownIntermediates: [[UInt8]]

    private init(store: OpaquePointer, anchorSubjects: [String], knownIntermediates: [[UInt8]]) {
        self.store = store
        self.anchorSubjects = anchorSubjects
        self.anchorCount = anchorSubjects.count
        self.knownIntermediates = knownIntermediates
    }

    private convenience init(empty: Void) {
        guard let store = X509_STORE_new() else { fatalError("X509_STORE_new: out of memory") }
        self.init(store: store, anchorSubjects: [], knownIntermediates: [])
    }

    deinit { X509_STORE_free(store) }

    /// PEM bundles in which every certificate is an anchor (Debian's ca-certificates.crt, or
    /// the operator's replacement for it), with `intermediates` as known intermediates.
    convenience init(bundle path: String = TrustStore.systemBundlePath, intermediates: [X509Handle] = []) throws(TrustStoreError) {
        try self.init(bundles: [path], intermediates: intermediates)
    }

    convenience init(bundles paths: [String], intermediates: [X509Handle] = []) throws(TrustStoreError) {
        var certificates: [X509Handle] = []
        for path in paths { certificates += try Self.certificates(inFile: path) }
        try self.init(anchors: certificates, intermediates: intermediates, files: paths)
    }

    /// The inventory's anchor files (PEM, any number of certificates each; a file with no
    /// PEM block may hold one DER certificate, as `.cer` files from Windows do). Self-signed
    /// certificates (X509_self_signed(3), signature checked) become anchors, the others known
    /// intermediates, beside `intermediates`. At least one anchor must be found across the files.
    convenience init(anchorFiles paths: [String], intermediates extra: [X509Handle] = []) throws(TrustStoreError) {
        var anchors: [X509Handle] = []
        var intermediates: [X509Handle] = []
        for path in paths {
            for certificate in try Self.certificates(inFile: path) {
                if certificate.isSelfSigned { anchors.append(certificate) } else { intermediates.append(certificate) }
            }
        }
        if anchors.isEmpty { throw TrustStoreError(.noAnchor, path: paths.joined(separator: ", ")) }
        try self.init(anchors: anchors, intermediates: intermediates + extra, files: paths)
    }

    /// Every certificate of the intermediates files (`trust.intermediates`,
    /// `--intermediates-file`): known intermediates only, never anchors, whatever they are.
    static func intermediates(inFiles paths: [String]) throws(TrustStoreError) -> [X509Handle] {
        var certificates: [X509Handle] = []
        for path in paths { certificates += try Self.certificates(inFile: path) }
        return certificates
    }

    private convenience init(anchors: [X509Handle], intermediates: [X509Handle], files: [String]) throws(TrustStoreError) {
        guard let store = X509_STORE_new() else {
            throw TrustStoreError(.unreadable, path: files.joined(separator: ", "), detail: "X509_STORE_new failed")
        }
        var subjects: [String] = []
        var seen: Set<[UInt8]> = []
        for anchor in anchors {
            let der = anchor.der
            guard seen.insert(der).inserted else { continue }
            // X509_STORE_add_cert(3) takes its own reference to the certificate.
            guard X509_STORE_add_cert(store, anchor.pointer) == 1 else {
                let error = OpenSSLError.drain()
                X509_STORE_free(store)
                throw TrustStoreError(.malformed, path: files.joined(separator: ", "), detail: error.description)
            }
            subjects.append(anchor.subject)
        }
        var intermediateDER: [[UInt8]] = []
        for intermediate in intermediates {
            let der = intermediate.der
            if seen.insert(der).inserted { intermediateDER.append(der) }
        }
        self.init(store: store, anchorSubjects: subjects, knownIntermediates: intermediateDER)
    }

    // MARK: - Reading files

    /// Every certificate in a file: PEM "CERTIFICATE" blocks in order (PEM_read_bio_X509(3),
    /// which skips other blocks such as keys), or, when there is no PEM block, the whole file
    /// as one DER certificate.
    static func certificates(inFile path: String) throws(TrustStoreError) -> [X509Handle] {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw TrustStoreError(.unreadable, path: path, detail: (error as NSError).localizedDescription)
        }
        if bytes.isEmpty { throw TrustStoreError(.noCertificate, path: path, detail: "the file is empty") }
        let certificates = try pemCertificates(bytes, path: path)
        if !certificates.isEmpty { return certificates }
        if let der = X509Handle(der: bytes) { return [der] }
        throw TrustStoreError(.noCertificate, path: path)
    }

    /// The PEM certificates in `bytes`. The loop ends when PEM_read_bio_X509 finds no further
    /// start line (PEM_R_NO_START_LINE, the normal end); any other error is a damaged block.
    private static func pemCertificates(_ bytes: [UInt8], path: String) throws(TrustStoreError) -> [X509Handle] {
        ERR_clear_error()
        let result: Result<[X509Handle], TrustStoreError> = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                return .failure(TrustStoreError(.unreadable, path: path, detail: "BIO_new_mem_buf failed"))
            }
            defer { BIO_free(bio) }
            var certificates: [X509Handle] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(X509Handle(owning: certificate))
            }
            let code = ERR_peek_last_error()
            if code == 0 || na_ERR_is_pem_no_start_line(code) == 1 {
                ERR_clear_error()
                return .success(certificates)
            }
            return .failure(TrustStoreError(.malformed, path: path, detail: OpenSSLError.drain().description))
        }
        return try result.get()
    }
}
