@testable import NetauditProbes
import Testing

struct ProbeLibrariesTests {
    @Test func reportsTheLinkedLibraries() throws {
        let libraries = ProbeLibraries.current()
        let first = try #require(libraries.curlVersion.first)
        #expect(first.isASCII && first.isNumber, "curl version \(libraries.curlVersion)")
        #expect(libraries.curlUsesOpenSSL, "curl TLS backend \(libraries.curlSSLBackend)")
        #expect(libraries.openSSLVersion.hasPrefix("OpenSSL 3"), "\(libraries.openSSLVersion)")
    }

    @Test func curlsBackendIsTheOpenSSLLoadedInTheProcess() throws {
        // "OpenSSL/3.0.17" and "OpenSSL 3.0.17 1 Jul 2025" name the same library.
        let libraries = ProbeLibraries.current()
        let backendVersion = try #require(libraries.curlSSLBackend.split(separator: "/").dropFirst().first)
        let openSSLWords = libraries.openSSLVersion.split(separator: " ")
        #expect(openSSLWords.count >= 2)
        #expect(openSSLWords.dropFirst().first == backendVersion)
    }

    @Test func descriptionNamesEachLibrary() {
        let libraries = ProbeLibraries.current()
        #expect(libraries.description
            == "libcurl \(libraries.curlVersion) (\(libraries.curlSSLBackend)), \(libraries.openSSLVersion)")
        #expect(libraries.description.hasPrefix("libcurl "))
        #expect(libraries.description.contains("(OpenSSL/"))
    }

    @Test(arguments: [
        ("OpenSSL/3.0.17", true),
        ("OpenSSL/1.1.1w", true),
        ("GnuTLS/3.7.9", false),
        ("NSS/3.87", false),
        ("(OpenSSL/3.0.17) GnuTLS/3.7.9", false),   // multi-SSL build, GnuTLS selected
        ("none", false),
        ("", false),
    ])
    func usesOpenSSLOnlyWhenItIsTheSelectedBackend(_ backend: String, _ expected: Bool) {
        let libraries = ProbeLibraries(curlVersion: "7.88.1", curlSSLBackend: backend,
                                       openSSLVersion: "OpenSSL 3.0.17 1 Jul 2025")
        #expect(libraries.curlUsesOpenSSL == expected)
    }
}
