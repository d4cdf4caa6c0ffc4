import Foundation
import NetauditCore
import NetauditReports
import NetauditXLSX
import Testing

/// The run report as spreadsheets: the CSV's added columns, the formula guard, and the xlsx
/// workbook read back by unzip and by LibreOffice.
struct SpreadsheetReportTests {
    static let started = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00 UTC
    static let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    static func link(_ last: UInt8, via: String? = nil) -> Link { Link(address: IPAddress(127, 9, 0, last), via: via) }

    /// A province "00064" (codes with leading zeros), district "00622" with commune "00001"
    /// (a name that is a formula), and a commune without a link.
    static let inventory = Inventory(levels: ["province", "district", "commune"], targets: ["commune": 90], agencies: [
        Agency(code: "00064", name: "Tỉnh Gia Lai", level: "province", link: link(1),
               endpoints: [Endpoint(url: try! EndpointURL.parse("https://64.gialai.test/").get()),
                           Endpoint(url: try! EndpointURL.parse("https://mail.gialai.test/").get())], children: [
            Agency(code: "00622", name: "Thành phố Pleiku", level: "district", link: link(2, via: "00064"), children: [
                Agency(code: "00001", name: #"=HYPERLINK("http://127.0.0.1","x")"#, level: "commune", link: link(3, via: "00622")),
                Agency(code: "23560", name: "-cmd", level: "commune"),
            ]),
        ]),
    ])

    static func leaf(_ subject: String, days: Double) -> CertificateObservation {
        CertificateObservation(subject: subject, issuer: "CN=Gia Lai CA", serialNumber: "01", subjectAltNames: [],
                               notBefore: started.addingTimeInterval(-80 * 86_400), notAfter: started.addingTimeInterval(days * 86_400),
                               keyType: "RSA", keyBits: 2048, signatureAlgorithm: "sha256WithRSAEncryption",
                               sha256Fingerprint: "00", isCA: false, selfSigned: false)
    }

    /// Links: the province up with 1 of 3 echoes lost and a 0.017 ms median; the district up;
    /// the commune down. Endpoints: one expiring in 5.5 days (high), one in 40 days.
    static func report() -> AuditReport {
        let observation = LinkObservation(address: IPAddress(127, 9, 0, 1), method: .icmp, sent: 3, received: 2,
                                          roundTrip: RoundTripStatistics(milliseconds: [0.015, 0.017, 0.019]),
                                          started: started)
        let links = [LinkResult(agencyCode: "00064", observation: observation, state: .up, findings: []),
                     LinkResult(agencyCode: "00622", observation: nil, state: .up, findings: []),
                     LinkResult(agencyCode: "00001", observation: nil, state: .down,
                                findings: [Finding(id: "link.down", severity: .critical, message: "no answer to 3 echoes")]),
                     LinkResult(agencyCode: "23560", observation: nil, state: nil, findings: [])]
        let expiring = EndpointResult(agencyCode: "00064",
                                      observation: TLSObservation(url: "https://64.gialai.test/", serverName: "64.gialai.test", port: 443,
                                                                  certificates: [leaf("CN=64.gialai.test", days: 5.5)]),
                                      verdict: .noncompliant,
                                      findings: [Finding(id: "cert.expiring", severity: .high, message: "expires in 5 days"),
                                                 Finding(id: "hsts.missing", severity: .medium, message: "no HSTS"),
                                                 Finding(id: "ocsp.no_stapling", severity: .info, message: "no stapling")])
        let later = EndpointResult(agencyCode: "00064",
                                   observation: TLSObservation(url: "https://mail.gialai.test/", serverName: "mail.gialai.test", port: 443,
                                                               certificates: [leaf("CN=mail.gialai.test", days: 40)]),
                                   verdict: .compliant, findings: [])
        let record = RunRecord(id: RunID(7), kind: .audit, state: .complete, startedAt: started, endedAt: started.addingTimeInterval(12),
                               inventoryHash: String(repeating: "ab", count: 32), inventoryPath: "inventory.yaml",
                               inventory: inventory, host: "ops", pid: 1, netauditVersion: "test", note: nil)
        return AuditReport(AuditReport.Source(record: record, links: links, endpoints: [expiring, later]))
    }

    // MARK: - The formula guard

    @Test(arguments: [(#"=HYPERLINK("http://127.0.0.1")"#, #"'=HYPERLINK("http://127.0.0.1")"#), ("+1", "'+1"), ("-cmd", "'-cmd"),
                      ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                      ("Xã Chư Á", "Xã Chư Á"), ("00001", "00001"), ("a=b", "a=b"), ("", "")])
    func theGuardPrefixesWhatWouldStartAFormula(_ input: String, _ expected: String) {
        #expect(SpreadsheetText.guarded(input) == expected)
    }

    // MARK: - The CSV

    @Test func theCSVKeepsItsColumnsAndAppendsTheNewOnes() throws {
        let csv = Self.report().csv(.english, timeZone: Self.zone)
        #expect(csv.hasPrefix("\u{FEFF}code,name,level,path,link,loss %,median ms,endpoints,compliant endpoints,findings,trust,"
                              + "parent,district,run id,run date,urls,earliest certificate expiry,highest severity,message\r\n"))
        #expect(csv.hasSuffix("\r\n") && !csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.count == 1 + 4 + 1)
        // The province: no parent, no district; its two URLs, the earliest leaf expiry (in
        // the zone's day), the highest of its findings and its message; numbers as written.
        #expect(lines[1] == "00064,Tỉnh Gia Lai,province,Tỉnh Gia Lai,up,33.3,0.017,2,1,cert.expiring hsts.missing,none none,"
                + ",,7,2027-01-15T15:00:00+07:00,https://64.gialai.test/ https://mail.gialai.test/,2027-01-21,high,expires in 5 days",
                "\(lines[1])")
        #expect(lines[2].hasPrefix("00622,Thành phố Pleiku,district,Tỉnh Gia Lai › Thành phố Pleiku,up,,,0,0,,,00064,Thành phố Pleiku,7,"))
        // The commune: its parent and district; a name that is a formula gets the apostrophe.
        #expect(lines[3] == #"00001,"'=HYPERLINK(""http://127.0.0.1"",""x"")",commune,"#
                + #""Tỉnh Gia Lai › Thành phố Pleiku › =HYPERLINK(""http://127.0.0.1"",""x"")",down,,,0,0,link.down,,"#
                + "00622,Thành phố Pleiku,7,2027-01-15T15:00:00+07:00,,,critical,no answer to 3 echoes", "\(lines[3])")
        #expect(lines[4].hasPrefix("23560,'-cmd,commune,"))
        // In UTC the run date ends in Z.
        #expect(Self.report().csv(.english, timeZone: TimeZone(identifier: "UTC")!).contains(",7,2027-01-15T08:00:00Z,"))
        // Vietnamese headers for the added columns.
        #expect(Self.report().csv(.vietnamese).contains(",đơn vị cấp trên,huyện,mã lần kiểm tra,"))
    }

    // MARK: - The workbook

    static let hasUnzip = FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip")
    static let hasSoffice = FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-xlsx-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The cell `reference` (`A2`) of a sheet's XML: its attributes and content.
    static func cell(_ reference: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<c r=\"\(reference)\"") else { return nil }
        guard let end = xml.range(of: "</c>", range: start.upperBound..<xml.endIndex) ?? xml.range(of: "/>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.lowerBound..<end.upperBound])
    }

    @Test(.enabled(if: hasUnzip, "unzip is not installed (Debian: unzip)"))
    func theWorkbookStoresCodesAsStringsAndNumbersAsNumbers() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.report().xlsx(.english, timeZone: Self.zone).write(to: URL(fileURLWithPath: folder + "/report.xlsx"))
        let list = try Self.run("/usr/bin/unzip", ["-l", folder + "/report.xlsx"])
        for part in ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet6.xml", "xl/sharedStrings.xml"] {
            #expect(list.out.contains(part), "\(list.out)")
        }
        let workbook = try Self.run("/usr/bin/unzip", ["-p", folder + "/report.xlsx", "xl/workbook.xml"]).out
        for name in ["summary", "units", "agencies", "gaps", "certificates", "run"] { #expect(workbook.contains("name=\"\(name)\"")) }
        let agencies = try Self.run("/usr/bin/unzip", ["-p", folder + "/report.xlsx", "xl/worksheets/sheet3.xml"]).out
        // The code: a shared string (t="s"), never a number.
        let code = try #require(Self.cell("A2", in: agencies))
        #expect(code.contains("t=\"s\""), "\(code)")
        // Loss (1 of 3) and median: numbers (no t), the loss as a fraction under a percent format.
        let loss = try #require(Self.cell("F2", in: agencies)), median = try #require(Self.cell("G2", in: agencies))
        #expect(!loss.contains(" t=") && loss.contains("<v>0.3333"), "\(loss)")
        #expect(!median.contains(" t=") && median.contains("<v>0.017</v>"), "\(median)")
        // The run id a number; the run date a number too (an Excel date) with a style.
        #expect(try #require(Self.cell("N2", in: agencies)).contains("<v>7</v>"))
        let date = try #require(Self.cell("O2", in: agencies))
        #expect(!date.contains(" t=") && date.contains(" s=") && date.contains("<v>46402.625"), "\(date)")  // 2027-01-15 15:00
        // Header row frozen, autofilter over the agencies.
        #expect(agencies.contains("<pane ySplit=\"1\"") && agencies.contains("<autoFilter ref=\"A1:S5\""), "\(agencies.prefix(1500))")
        let strings = try Self.run("/usr/bin/unzip", ["-p", folder + "/report.xlsx", "xl/sharedStrings.xml"]).out
        #expect(strings.contains("<t>00001</t>") && strings.contains("<t>'-cmd</t>"))
        #expect(!agencies.contains("<f>"), "no formula anywhere")
    }

    /// LibreOffice (headless, a private profile) opens the workbook and saves every sheet as
    /// CSV, text quoted: codes come back as text with their zeros, numbers as numbers, dates
    /// as dates, whatever the locale.
    @Test(.enabled(if: hasSoffice, "LibreOffice is not installed (Debian: libreoffice-calc-nogui)"))
    func libreOfficeReadsCodesNumbersAndDatesIntact() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.report().xlsx(.english, timeZone: Self.zone).write(to: URL(fileURLWithPath: folder + "/report.xlsx"))
        // Tokens: comma, double quote, UTF-8, line 1, -, language en-US (1033), quote all text cells,
        // -, contents as shown, -, -, every sheet to its own file (FILE-Sheet.csv).
        let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,true,true,true,false,false,-1"
        let converted = try Self.run("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless",
                                                         "--convert-to", filter, "--outdir", folder + "/out", folder + "/report.xlsx"],
                                     environment: ["HOME": folder])
        #expect(converted.status == 0, "\(converted.out)")
        func sheet(_ name: String) throws -> [String] {
            let text = try String(contentsOfFile: folder + "/out/report-\(name).csv", encoding: .utf8)
            return text.components(separatedBy: .newlines).filter { !$0.isEmpty }
        }
        let agencies = try sheet("agencies")
        #expect(agencies.count == 5, "\(agencies)")
        // A quoted code is a text cell: leading zeros kept. Loss shown as a percentage, the
        // median as 0.017 (not 17), counts bare: numbers.
        #expect(agencies[1].hasPrefix(#""00064","Tỉnh Gia Lai","province","Tỉnh Gia Lai","up",33.3%,0.017,2,1,"#), "\(agencies[1])")
        #expect(agencies[1].contains(#","none none",,,7,2027-01-15 15:00:00,"https://64.gialai.test/ https://mail.gialai.test/",2027-01-21,"high","expires in 5 days""#),
                "\(agencies[1])")
        #expect(agencies[3].hasPrefix(#""00001","'=HYPERLINK(""http://127.0.0.1"",""x"")","commune""#), "\(agencies[3])")
        let certificates = try sheet("certificates")
        #expect(certificates.count == 3)
        #expect(certificates[1] == #""00064","Tỉnh Gia Lai","https://64.gialai.test/","CN=64.gialai.test","CN=Gia Lai CA",2027-01-21,5,FALSE"#,
                "\(certificates[1])")
        let summary = try sheet("summary")
        #expect(summary[1].hasPrefix(#""province",1,1,0,0,0,0,0,100.0%,100.0%,0,"met",2,1,1,0,50.0%"#), "\(summary[1])")
        let units = try sheet("units")
        #expect(units[1].hasPrefix(#""00064","Tỉnh Gia Lai","province",3,"#), "\(units[1])")

        // Not as shown: the stored value in full (the percent format stays), the agencies sheet alone.
        let raw = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,true,true,false,false,false,3"
        let again = try Self.run("/usr/bin/soffice", ["-env:UserInstallation=file://\(folder)/profile", "--headless",
                                                     "--convert-to", raw, "--outdir", folder + "/raw", folder + "/report.xlsx"],
                                 environment: ["HOME": folder])
        #expect(again.status == 0, "\(again.out)")
        let values = try String(contentsOfFile: folder + "/raw/report-agencies.csv", encoding: .utf8).components(separatedBy: .newlines)
        #expect(values[1].hasPrefix(#""00064","Tỉnh Gia Lai","province","Tỉnh Gia Lai","up",33.3333333333333%,0.017,2,1,"#), "\(values[1])")
    }

    @Test func aWorkbookThatCannotBeWrittenSaysWhereAndWhy() throws {
        let book = try Workbook(path: "/nonexistent-folder-\(UUID().uuidString)/report.xlsx")
        let sheet = try book.addWorksheet("one")
        sheet.write(0, 0, .text("x"))
        #expect(throws: XLSXError.self) { try book.close() }
        do { try book.close() } catch { Issue.record("a second close does nothing: \(error)") }
        let named = try Workbook(path: NSTemporaryDirectory() + "unused.xlsx")
        #expect(throws: XLSXError.self) { try named.addWorksheet("a/b") }
        _ = try named.addWorksheet("ok")
        let rows = try named.addWorksheet("rows")
        rows.write(Workbook.maxRows, 0, .number(1))
        do {
            try named.close()
            Issue.record("a row beyond the sheet is an error")
        } catch let error as XLSXError {
            #expect(error.description.contains("row 1048577"), "\(error)")
        }
        try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "unused.xlsx")
    }
}
