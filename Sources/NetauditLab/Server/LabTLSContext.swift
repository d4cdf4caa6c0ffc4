import Foundation
internal import CNetauditShims

/// An OpenSSL server context (`SSL_CTX *`) built from a ``LabTLS``, owned by this object
/// (SSL_CTX_free(3) in deinit).
///
/// `@unchecked Sendable`: it is configured once, in `init`, and afterwards only read by
/// SSL_new(3) on worker threads, which OpenSSL allows concurrently.
final class LabTLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Builds the context. The order matters: the security level is set before the
    /// certificates are loaded, because OpenSSL checks keys and signatures against it on load.
    init(_ tls: LabTLS) throws(LabServerError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw Self.failure("SSL_CTX_new") }
        pointer = context

        if let level = tls.securityLevel {
            SSL_CTX_set_security_level(context, Int32(level))
        }
        try Self.check(na_SSL_CTX_set_min_proto_version(context, Int32(tls.versions.lowerBound.rawValue)),
                       "SSL_CTX_set_min_proto_version(\(tls.versions.lowerBound))")
        try Self.check(na_SSL_CTX_set_max_proto_version(context, Int32(tls.versions.upperBound.rawValue)),
                       "SSL_CTX_set_max_proto_version(\(tls.versions.upperBound))")
        if let list = tls.cipherList {
            try Self.check(SSL_CTX_set_cipher_list(context, list), "SSL_CTX_set_cipher_list(\(list))")
        }
        if let suites = tls.cipherSuites {
            try Self.check(SSL_CTX_set_ciphersuites(context, suites), "SSL_CTX_set_ciphersuites(\(suites))")
        }
        if let pem = tls.dhParameters {
            // After the security level: OpenSSL checks the group against it here.
            let parameters: OpaquePointer
            do {
                parameters = try OpenSSLCall.reading(pem, { PEM_read_bio_Parameters($0, nil) }, "PEM_read_bio_Parameters")
            } catch {
                throw LabServerError(.openSSL, "\(error.message)", openSSLMessages: error.openSSLMessages)
            }
            guard SSL_CTX_set0_tmp_dh_pkey(context, parameters) == 1 else {  // takes ownership only on success
                EVP_PKEY_free(parameters)
                throw Self.failure("SSL_CTX_set0_tmp_dh_pkey (DH groups under 2048 bits need security level 1 or less)")
            }
        }
        // Never complete the chain from a certificate store: send exactly what is configured.
        _ = na_SSL_CTX_set_mode(context, Int(SSL_MODE_NO_AUTO_CHAIN))

        let weakHint = " (weak keys and SHA-1/MD5 signatures need a lower LabTLS.securityLevel)"
        do {
            let leaf = try LabCertificateHandle(pem: tls.credential.certificatePEM)
            try Self.check(SSL_CTX_use_certificate(context, leaf.pointer), "SSL_CTX_use_certificate" + weakHint)
            if tls.sendIntermediates {
                for pem in tls.credential.intermediatesPEM {
                    let intermediate = try LabCertificateHandle(pem: pem)
                    try Self.check(na_SSL_CTX_add1_chain_cert(context, intermediate.pointer), "SSL_CTX_add1_chain_cert" + weakHint)
                }
            }
            if tls.chainPadding > 0, let pem = tls.credential.intermediatesPEM.first {
                let intermediate = try LabCertificateHandle(pem: pem)
                for _ in 0..<tls.chainPadding {  // add1: each copy takes a reference; OpenSSL sends them all
                    try Self.check(na_SSL_CTX_add1_chain_cert(context, intermediate.pointer), "SSL_CTX_add1_chain_cert (padding)")
                }
            }
            let key = try LabKeyHandle(pem: tls.credential.privateKeyPEM)
            try Self.check(SSL_CTX_use_PrivateKey(context, key.pointer), "SSL_CTX_use_PrivateKey" + weakHint)
        } catch let error as LabPKIError {
            throw LabServerError(.openSSL, "\(error.message)", openSSLMessages: error.openSSLMessages)
        } catch let error as LabServerError {
            throw error
        } catch {
            throw LabServerError(.openSSL, "\(error)")
        }
        try Self.check(SSL_CTX_check_private_key(context), "SSL_CTX_check_private_key")
        if let response = tls.ocspResponse {
            let staple = response.withUnsafeBytes { buffer in
                na_lab_SSL_CTX_staple_ocsp(context, buffer.bindMemory(to: UInt8.self).baseAddress, buffer.count)
            }
            try Self.check(staple, "SSL_CTX_set_tlsext_status_cb (OCSP staple)")
        }
    }

    deinit { SSL_CTX_free(pointer) }

    private static func check(_ code: Int32, _ call: String) throws(LabServerError) {
        guard code > 0 else { throw failure(call) }
    }

    /// The failure of `call`, with OpenSSL's queued messages (the queue is emptied).
    static func failure(_ call: String) -> LabServerError {
        let drained = OpenSSLCall.failure(call)
        return LabServerError(.openSSL, "\(call) failed", openSSLMessages: drained.openSSLMessages)
    }
}

/// One server-side TLS connection (`SSL *`) over a blocking socket, owned by this object
/// (SSL_free(3) in deinit). Used by one worker thread only; the socket stays owned by its
/// ``LabDescriptor``.
final class LabTLSConnection {
    private let pointer: OpaquePointer

    init?(context: LabTLSContext, descriptor: LabDescriptor) {
        guard let ssl = SSL_new(context.pointer) else { return nil }
        pointer = ssl
        guard SSL_set_fd(ssl, descriptor.fd) == 1 else { return nil }
    }

    deinit { SSL_free(pointer) }

    /// The server side of the handshake (SSL_accept(3)); false if it failed or timed out.
    func accept() -> Bool { SSL_accept(pointer) == 1 }

    /// Up to `capacity` bytes of application data; nil at the end, on an error or a timeout.
    func read(capacity: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = buffer.withUnsafeMutableBytes { SSL_read(pointer, $0.baseAddress, Int32(capacity)) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(Int(count)))
    }

    /// Writes all of `bytes` (blocking; SSL_write(3) without partial writes); false on failure.
    func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBytes { SSL_write(pointer, $0.baseAddress, Int32($0.count)) } == Int32(bytes.count)
    }

    /// Sends close_notify (SSL_shutdown(3)) without waiting for the client's.
    func shutdown() { _ = SSL_shutdown(pointer) }
}
