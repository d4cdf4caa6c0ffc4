import Foundation

/// A certificate with its private key, and the intermediates between it and its root:
/// what a lab server needs to serve it. A plain value (PEM text and DER bytes), safe to
/// keep, compare and send across tasks; ``LabPKI`` makes them.
public struct LabCredential: Sendable, Hashable {
    /// The certificate, PEM ("BEGIN CERTIFICATE").
    public let certificatePEM: String
    /// The private key, unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
    public let privateKeyPEM: String
    /// The certificate, DER: what a TLS server sends and what fingerprints are taken of.
    public let certificateDER: Data
    /// The subject, one RFC 2253 line (`CN=leaf.lab.test,O=Lab`), UTF-8 unescaped.
    public let subject: String
    /// The issuer, in the same form; equal to `subject` for a self-signed certificate.
    public let issuer: String
    /// The serial number in upper-case hexadecimal (`openssl x509 -serial` prints the same).
    public let serialNumber: String
    /// Start of validity, to the second, as encoded.
    public let notBefore: Date
    /// End of validity, to the second, as encoded.
    public let notAfter: Date
    /// The kind of the certified key.
    public let keyKind: LabKeyKind
    /// Whether the certificate is a CA (basicConstraints CA:TRUE).
    public let isCA: Bool
    /// Whether the certificate is signed with its own key (a root, or a self-signed leaf).
    public let isSelfSigned: Bool
    /// The CA certificates between this one and its self-signed root, nearest first, as PEM;
    /// empty for a self-signed certificate or one issued directly by a root.
    public let intermediatesPEM: [String]

    /// The certificate followed by its intermediates: the contents of a chain file for
    /// SSL_CTX_use_certificate_chain_file(3). The root is never included (clients have it).
    public var chainPEM: String { ([certificatePEM] + intermediatesPEM).joined() }

    /// Writes the credential as three PEM files into `directory` (created if missing):
    /// `NAME-cert.pem` (the certificate alone), `NAME-key.pem` (the private key, mode 0600)
    /// and `NAME-chain.pem` (``chainPEM``). Existing files are replaced.
    ///
    /// A lab server loads them with SSL_CTX_use_certificate_chain_file(3) on the chain file
    /// (or on the certificate file, to serve a leaf without its intermediates) and
    /// SSL_CTX_use_PrivateKey_file(3) on the key file with `SSL_FILETYPE_PEM`.
    @discardableResult
    public func write(to directory: URL, name: String) throws(LabPKIError) -> LabCredentialFiles {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw LabPKIError(.file, "invalid file name \(name.debugDescription): it must be one path component")
        }
        let files = LabCredentialFiles(
            certificate: directory.appendingPathComponent("\(name)-cert.pem"),
            privateKey: directory.appendingPathComponent("\(name)-key.pem"),
            chain: directory.appendingPathComponent("\(name)-chain.pem"))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(certificatePEM.utf8).write(to: files.certificate, options: .atomic)
            try Data(chainPEM.utf8).write(to: files.chain, options: .atomic)
            try Self.writePrivate(Data(privateKeyPEM.utf8), to: files.privateKey)
        } catch {
            throw LabPKIError(.file, "writing \(name) into \(directory.path): \(error)")
        }
        return files
    }

    /// Writes `data` into a new file with mode 0600 (an old file is removed first, so that
    /// its mode is not kept).
    private static func writePrivate(_ data: Data, to url: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
        guard manager.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}

/// Where ``LabCredential/write(to:name:)`` put a credential's files.
public struct LabCredentialFiles: Sendable, Hashable {
    /// The certificate alone.
    public let certificate: URL
    /// The private key (mode 0600).
    public let privateKey: URL
    /// The certificate followed by its intermediates.
    public let chain: URL
}
