import CNetauditShims
@testable import NetauditProbes
import Testing

struct CurlTests {
    @Test func setsALongOption() throws {
        let easy = CurlEasy()
        try easy.set(CURLOPT_TIMEOUT_MS, 2500)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, 1000)
        try easy.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
    }

    @Test func setsAStringOption() throws {
        let easy = CurlEasy()
        try easy.set(CURLOPT_URL, "https://127.0.0.1:1/")
        try easy.set(CURLOPT_CUSTOMREQUEST, "HEAD")
    }

    @Test func theStringReachesCurl() throws {
        // CURLOPT_PROTOCOLS_STR is checked when set, so a refusal shows curl saw the text.
        let easy = CurlEasy()
        try easy.set(CURLOPT_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        let error = try #require(throws: CurlError.self) { try easy.set(CURLOPT_PROTOCOLS_STR, "https,no-such-scheme") }
        #expect(error.code == Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue))
        #expect(!error.message.isEmpty)
    }

    @Test(arguments: [999, -1, 1 << 20])
    func aBadValueThrowsCurlsMessage(_ value: Int) throws {
        let easy = CurlEasy()
        let error = try #require(throws: CurlError.self) { try easy.set(CURLOPT_SSLVERSION, value) }
        #expect(error.code == Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue))
        #expect(!error.message.isEmpty)
        #expect(error.message == String(cString: curl_easy_strerror(CURLE_BAD_FUNCTION_ARGUMENT)))
        #expect(error.description == "libcurl error \(error.code): \(error.message)")
    }

    @Test func anUnknownOptionThrows() throws {
        let easy = CurlEasy()
        let error = try #require(throws: CurlError.self) { try easy.set(CURLoption(rawValue: 9_999), 1) }
        #expect(error.code == Int(CURLE_UNKNOWN_OPTION.rawValue))
        #expect(!error.message.isEmpty)
    }

    @Test func responseCodeIsZeroBeforeAnyTransfer() throws {
        let easy = CurlEasy()
        #expect(try easy.info(CURLINFO_RESPONSE_CODE) == 0)
        try easy.set(CURLOPT_URL, "https://127.0.0.1:1/")
        #expect(try easy.info(CURLINFO_RESPONSE_CODE) == 0)
        #expect(try easy.info(CURLINFO_REDIRECT_COUNT) == 0)
    }

    @Test func anUnknownInfoItemThrows() throws {
        let easy = CurlEasy()
        let error = try #require(throws: CurlError.self) { try easy.info(CURLINFO_NONE) }
        #expect(error.code != Int(CURLE_OK.rawValue))
        #expect(!error.message.isEmpty)
    }

    @Test func stringInfoBeforeAnyTransfer() throws {
        let easy = CurlEasy()
        // No redirect has been followed, so there is no redirect target.
        #expect(try easy.stringInfo(CURLINFO_REDIRECT_URL) == nil)
    }

    @Test func checkPassesOKAndThrowsOtherCodes() throws {
        try Curl.check(CURLE_OK)
        try Curl.check(CURLE_OK, detail: "ignored")

        let generic = try #require(throws: CurlError.self) { try Curl.check(CURLE_COULDNT_CONNECT) }
        #expect(generic.code == 7)
        #expect(generic.message == String(cString: curl_easy_strerror(CURLE_COULDNT_CONNECT)))
        #expect(!generic.message.isEmpty)

        let detailed = try #require(throws: CurlError.self) {
            try Curl.check(CURLE_OPERATION_TIMEDOUT, detail: "Connection timed out after 1000 milliseconds")
        }
        #expect(detailed.code == 28)
        #expect(detailed.message == "Connection timed out after 1000 milliseconds")
        #expect(detailed.description == "libcurl error 28: Connection timed out after 1000 milliseconds")
    }

    @Test func initializeOnceCanBeCalledRepeatedly() {
        Curl.initializeOnce()
        Curl.initializeOnce()
        // Handles still work afterwards.
        #expect(throws: Never.self) { try CurlEasy().set(CURLOPT_TIMEOUT_MS, 1) }
    }
}
