internal import CNetauditShims
import NetauditCore

/// The C libraries the probes stand on, as linked at run time: `netaudit --version` prints
/// them, because a probe's results depend on which libcurl and OpenSSL did the work.
public struct ProbeLibraries: Sendable, CustomStringConvertible {
    /// netaudit's own version, sent as the probes' User-Agent.
    public static let netauditVersion = NetauditVersion.current

    /// libcurl's version, e.g. `7.88.1`.
    public let curlVersion: String
    /// The TLS backend libcurl was built with, e.g. `OpenSSL/3.0.17`.
    public let curlSSLBackend: String
    /// OpenSSL's version text, e.g. `OpenSSL 3.0.17 1 Jul 2025`.
    public let openSSLVersion: String

    /// Reads the versions from the loaded libraries (after libcurl's global initialisation).
    public static func current() -> ProbeLibraries {
        Curl.initializeOnce()
        let info = na_curl_version_info()
        let curlVersion = info.map { String(cString: $0.pointee.version) } ?? "unknown"
        let backend = info.flatMap { $0.pointee.ssl_version }.map { String(cString: $0) } ?? "none"
        let openSSL = OpenSSL_version(OPENSSL_VERSION).map { String(cString: $0) } ?? "unknown"
        return ProbeLibraries(curlVersion: curlVersion, curlSSLBackend: backend, openSSLVersion: openSSL)
    }

    /// Whether libcurl's TLS backend is OpenSSL, which the TLS probe needs: it reads the
    /// session through `CURLINFO_TLS_SSL_PTR` as an OpenSSL `SSL *`.
    public var curlUsesOpenSSL: Bool { curlSSLBackend.hasPrefix("OpenSSL/") }

    public var description: String {
        "libcurl \(curlVersion) (\(curlSSLBackend)), \(openSSLVersion)"
    }
}
