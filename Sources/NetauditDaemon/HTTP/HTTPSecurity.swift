import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NetauditInventory
import NIOSSL

/// The HTTP server's protection when it is scraped from another host (docs/configuration.md,
/// `http.tls` and `http.basic_auth`): HTTPS through swift-nio-ssl, and HTTP basic
/// authentication on every path. Both are off by default (loopback only).
enum HTTPSecurity {
    /// The server: plain HTTP/1.1, or HTTPS (TLS 1.2 or later) with the configured certificate
    /// chain and key. Throws, naming the file, when they cannot be loaded.
    static func server(_ http: DaemonConfiguration.HTTPSettings) throws(HTTPSecurityError) -> HTTPServerBuilder {
        guard let files = http.tls else { return .http1() }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(files.certificate) } catch {
            throw HTTPSecurityError("http.tls.certificate: cannot load '\(files.certificate)': \(error)")
        }
        guard !chain.isEmpty else { throw HTTPSecurityError("http.tls.certificate: '\(files.certificate)' holds no certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: files.key, format: .pem) } catch {
            throw HTTPSecurityError("http.tls.key: cannot load '\(files.key)': \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // An auditor of TLS compliance serves what it asks of others.
        configuration.minimumTLSVersion = .tlsv12
        do { return try .tls(.http1(), tlsConfiguration: configuration) } catch {
            throw HTTPSecurityError("http.tls: the certificate '\(files.certificate)' and the key '\(files.key)' cannot serve TLS: \(error)")
        }
    }
}

/// The TLS files cannot be used (exit status 2, like any invalid set-up).
struct HTTPSecurityError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// HTTP basic authentication (RFC 7617) on every path: 401 with
/// `WWW-Authenticate: Basic realm="netaudit"` without the right user and password. The
/// comparison takes the same time whatever the first wrong byte.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let user: String
    let password: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], Self.accepts(header, user: user, password: password) else {
            return Response(status: .unauthorized,
                            headers: [.wwwAuthenticate: #"Basic realm="netaudit", charset="UTF-8""#, .contentType: "text/plain; charset=utf-8",
                                      .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "authentication required\n")))
        }
        return try await next(request, context)
    }

    /// Whether an `Authorization` header value carries `user:password`.
    static func accepts(_ header: String, user: String, password: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)) else { return false }
        return constantTimeEqual(Array(decoded), Array("\(user):\(password)".utf8))
    }

    /// Compares every byte of the longer of the two, so that the time taken says nothing of
    /// where they differ.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<max(given.count, expected.count) {
            let a = index < given.count ? given[index] : 0
            let b = index < expected.count ? expected[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
