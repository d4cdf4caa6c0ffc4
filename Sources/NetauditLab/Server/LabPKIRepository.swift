import Foundation
import Synchronization

/// A CA's publication point over plain HTTP, as the URLs of a certificate's authorityInfoAccess
/// and cRLDistributionPoints name it (``LabCertificateSpec/ocspURLs`` and friends):
///
/// - `POST /ocsp` with a DER OCSPRequest body (Content-Type application/ocsp-request), and
///   `GET /ocsp/<base64>` (RFC 6960 A.1: the request in base64, percent-encoded or base64url):
///   the OCSPResponse of ``LabOCSP/answer(request:responder:)`` for ``Content/responder``,
///   Content-Type application/ocsp-response;
/// - `GET /crl/<name>.crl`: the DER CRL ``Content/crls``[name], application/pkix-crl;
/// - `GET /ca/<name>.cer`: the DER certificate ``Content/certificates``[name], application/pkix-cert;
/// - `404` for any other path, `405` for another method on these, `400` for a request that
///   cannot be read, `411` for a POST without Content-Length, `413` for a body over 64 KiB.
///
/// HEAD is answered like GET without the body. Each connection carries one request and is
/// closed after the answer (`Connection: close`). It is served by a ``LabServer`` endpoint
/// (``LabBehaviour/pkiRepository(_:)``) whose workers answer several requests at once.
/// The content can be replaced while the server runs (``update(_:)``): the lab binds the
/// repository first, issues the certificates that name its port, then fills it in.
///
/// Equal (and hashed) by identity: two repositories with the same content are still two.
public final class LabPKIRepository: Sendable, Hashable {
    /// What the repository publishes.
    public struct Content: Sendable, Hashable {
        /// Who answers `/ocsp`.
        public var responder: LabOCSPResponder
        /// DER CRLs by name (`lab-intermediate` is served at `/crl/lab-intermediate.crl`).
        public var crls: [String: Data]
        /// DER certificates by name (`lab-intermediate` is served at `/ca/lab-intermediate.cer`).
        public var certificates: [String: Data]

        public init(responder: LabOCSPResponder, crls: [String: Data] = [:], certificates: [String: Data] = [:]) {
            self.responder = responder
            self.crls = crls
            self.certificates = certificates
        }
    }

    private let state: Mutex<Content>

    public init(_ content: Content) {
        state = Mutex(content)
    }

    /// What the repository publishes now.
    public var content: Content { state.withLock { $0 } }

    /// Changes what the repository publishes; requests in progress finish with the old content.
    public func update(_ change: (inout Content) -> Void) {
        state.withLock { change(&$0) }
    }

    public static func == (left: LabPKIRepository, right: LabPKIRepository) -> Bool { left === right }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// The largest request body accepted.
    static let bodyLimit = 64 * 1024

    // MARK: - Answering

    /// The answer to one request, as sent.
    func respond(to request: LabHTTPRequest) -> [UInt8] {
        let content = self.content
        let path = request.path
        let answer: Answer
        if path == "/ocsp" || path == "/ocsp/" {
            if request.method == "POST" {
                answer = .ocsp(LabOCSP.answer(request: Data(request.body), responder: content.responder))
            } else {
                answer = .status(405, allow: "POST")
            }
        } else if path.hasPrefix("/ocsp/") {
            guard request.method == "GET" || request.method == "HEAD" else { return Answer.status(405, allow: "GET, HEAD").bytes(head: false) }
            if let der = Self.decodeOCSPPath(String(path.dropFirst("/ocsp/".count))) {
                answer = .ocsp(LabOCSP.answer(request: der, responder: content.responder))
            } else {
                answer = .ocsp(LabOCSP.unsigned(.malformedRequest))
            }
        } else if let name = Self.name(in: path, folder: "/crl/", suffix: ".crl"), let crl = content.crls[name] {
            answer = request.isGetOrHead ? .file(crl, type: "application/pkix-crl") : .status(405, allow: "GET, HEAD")
        } else if let name = Self.name(in: path, folder: "/ca/", suffix: ".cer"), let certificate = content.certificates[name] {
            answer = request.isGetOrHead ? .file(certificate, type: "application/pkix-cert") : .status(405, allow: "GET, HEAD")
        } else {
            answer = .status(404, allow: nil)
        }
        return answer.bytes(head: request.method == "HEAD")
    }

    /// `name` of `<folder><name><suffix>`, if `path` has that form and the name is one segment.
    private static func name(in path: String, folder: String, suffix: String) -> String? {
        guard path.hasPrefix(folder), path.hasSuffix(suffix), path.count > folder.count + suffix.count else { return nil }
        let name = String(path.dropFirst(folder.count).dropLast(suffix.count))
        return name.contains("/") ? nil : name
    }

    /// The DER request of a GET: the rest of the path, percent-decoded, then base64 (standard
    /// or URL-safe alphabet, padding optional). nil if it is not base64.
    static func decodeOCSPPath(_ encoded: String) -> Data? {
        guard var text = encoded.removingPercentEncoding else { return nil }
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text = String(text.prefix { $0 != "=" })
        let remainder = text.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { text += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: text)
    }

    /// One answer of the repository.
    enum Answer {
        case ocsp(Data)
        case file(Data, type: String)
        case status(Int, allow: String?)

        func bytes(head: Bool) -> [UInt8] {
            let status: Int
            var headers: [LabHTTPHeader] = []
            let body: [UInt8]
            switch self {
            case .ocsp(let data):
                status = 200
                headers = [LabHTTPHeader("Content-Type", "application/ocsp-response"), LabHTTPHeader("Cache-Control", "no-store")]
                body = Array(data)
            case .file(let data, let type):
                status = 200
                headers = [LabHTTPHeader("Content-Type", type)]
                body = Array(data)
            case .status(let code, let allow):
                status = code
                headers = [LabHTTPHeader("Content-Type", "text/plain")] + (allow.map { [LabHTTPHeader("Allow", $0)] } ?? [])
                body = Array("\(code) \(LabHTTPResponse.reason(for: code))\n".utf8)
            }
            return LabHTTPRequest.responseBytes(status: status, headers: headers, body: body, head: head)
        }
    }
}

/// A request as the repository reads it: the request line, the headers, and a body of
/// Content-Length bytes.
struct LabHTTPRequest: Sendable {
    let method: String
    /// The path of the request target, without query.
    let path: String
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    var isGetOrHead: Bool { method == "GET" || method == "HEAD" }

    /// Reads one request with `read` (up to N bytes; nil at the end, on error or timeout).
    /// `interim` sends `100 Continue` when the client asks for it. Returns the request, or
    /// the status of the error answer (400, 411, 413), or nil when the client went away.
    static func read(_ read: (Int) -> [UInt8]?, interim: ([UInt8]) -> Void) -> Result<LabHTTPRequest, Failure>? {
        let limit = 16 * 1024
        var bytes: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            guard bytes.count < limit else { return .failure(Failure(status: 400)) }
            guard let chunk = read(min(4096, limit - bytes.count)) else { return nil }
            let from = max(0, bytes.count - 3)
            bytes += chunk
            if bytes.count >= 4 {
                for start in from...(bytes.count - 4)
                where bytes[start] == 13 && bytes[start + 1] == 10 && bytes[start + 2] == 13 && bytes[start + 3] == 10 {
                    headEnd = start
                    break
                }
            }
        }
        let head = String(decoding: bytes[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .failure(Failure(status: 400)) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .failure(Failure(status: 400)) }
            headers.append((line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        let method = String(requestLine[0])
        var target = String(requestLine[1])
        if let scheme = target.range(of: "://"), let slash = target[scheme.upperBound...].firstIndex(of: "/") {
            target = String(target[slash...])  // absolute-form (a client talking to a proxy)
        }
        let path = String(target.prefix { $0 != "?" })

        var body = Array(bytes[(headEnd! + 4)...])
        if let length = header("content-length") {
            guard let count = Int(length), count >= 0 else { return .failure(Failure(status: 400)) }
            guard count <= LabPKIRepository.bodyLimit else { return .failure(Failure(status: 413)) }
            if header("expect")?.lowercased() == "100-continue", body.count < count {
                interim(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            while body.count < count {
                guard let chunk = read(min(16 * 1024, count - body.count)) else { return nil }
                body += chunk
            }
            body = Array(body.prefix(count))
        } else if method == "POST" || header("transfer-encoding") != nil {
            return .failure(Failure(status: 411))
        } else {
            body = []
        }
        return .success(LabHTTPRequest(method: method, path: path, headers: headers, body: body))
    }

    struct Failure: Error {
        let status: Int

        var bytes: [UInt8] {
            LabHTTPRequest.responseBytes(
                status: status, headers: [LabHTTPHeader("Content-Type", "text/plain")],
                body: Array("\(status) \(LabHTTPResponse.reason(for: status))\n".utf8), head: false)
        }
    }

    /// A response with binary body, `Content-Length` and `Connection: close`.
    static func responseBytes(status: Int, headers: [LabHTTPHeader], body: [UInt8], head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(LabHTTPResponse.reason(for: status))\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + (head ? [] : body)
    }
}
