import Foundation
import NetauditCore
import NetauditReports
import NetauditStore
import Testing

/// The figures a province reports upward, from hand-made results.
struct AuditSummaryTests {
    static func link(_ code: String, via: String? = nil) -> Link {
        Link(address: IPAddress(127, 9, 0, UInt8(code.count)), via: via)
    }

    /// Province 64; district 622 (up) with two communes (one up, one without link);
    /// district 623 (down) with two communes behind it (via 623).
    static let inventory = Inventory(levels: ["province", "district", "commune"], targets: ["commune": 90], agencies: [
        Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: link("64"),
               endpoints: [Endpoint(url: try! EndpointURL.parse("https://64.gialai.test/").get())], children: [
            Agency(code: "622", name: "Thành phố Pleiku", level: "district", link: link("622", via: "64"), children: [
                Agency(code: "23557", name: "Phường Yên Đỗ", level: "commune", link: link("23557", via: "622")),
                Agency(code: "23560", name: "Phường Diên Hồng", level: "commune"),
            ]),
            Agency(code: "623", name: "Thị xã An Khê", level: "district", link: link("623", via: "64"), children: [
                Agency(code: "23614", name: "Phường An Bình", level: "commune", link: link("23614", via: "623")),
                Agency(code: "23617", name: "Phường Tây Sơn", level: "commune", link: link("23617", via: "623")),
            ]),
        ]),
    ])

    static func result(_ code: String, _ state: LinkState?, _ ids: [String] = []) -> LinkResult {
        LinkResult(agencyCode: code, observation: nil, state: state,
                   findings: ids.map { Finding(id: $0, severity: $0 == "link.down" ? .critical : .high, message: $0) })
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func summary() -> AuditSummary {
        let links = [result("64", .up), result("622", .degraded, ["link.loss"]), result("23557", .up),
                     result("23560", nil, ["link.unconfigured"]), result("623", .down, ["link.down"]),
                     result("23614", .down, ["link.unreachable"]), result("23617", .down, ["link.unreachable"])]
        let leaf = CertificateObservation(subject: "CN=64.gialai.test", issuer: "CN=CA", serialNumber: "01", subjectAltNames: [],
                                          notBefore: now.addingTimeInterval(-80 * 86_400), notAfter: now.addingTimeInterval(5.5 * 86_400),
                                          keyType: "RSA", keyBits: 2048, signatureAlgorithm: "sha256WithRSAEncryption",
                                          sha256Fingerprint: "00", isCA: false, selfSigned: false)
        let endpoint = EndpointResult(agencyCode: "64",
                                      observation: TLSObservation(url: "https://64.gialai.test/", serverName: "64.gialai.test",
                                                                  port: 443, certificates: [leaf]),
                                      verdict: .noncompliant,
                                      findings: [Finding(id: "cert.expiring", severity: .high, message: "expires in 5 days"),
                                                 Finding(id: "ocsp.no_stapling", severity: .info, message: "no stapling")])
        return AuditSummary(inventory: inventory, links: links, endpoints: [endpoint], now: now)
    }

    @Test func figuresPerLevelAgainstTheirTargets() {
        let levels = Self.summary().levels
        #expect(levels.map(\.level) == ["province", "district", "commune"])
        #expect(levels.map(\.figures.agencies) == [1, 2, 4])
        #expect(levels.map(\.figures.connected) == [1, 1, 1])
        #expect(levels[1].figures.down == 1)
        #expect(levels[2].figures.unreachable == 2 && levels[2].figures.unconfigured == 1 && levels[2].figures.down == 0)
        #expect(levels.map(\.targetPercent) == [100, 100, 90])
        #expect(levels.map(\.gap) == [0, 1, 3])  // 90% of 4 communes is 4 (rounded up)
        #expect(levels.map(\.meetsTarget) == [true, false, false])
        #expect(levels[0].figures.endpoints == 1 && levels[0].figures.noncompliant == 1)
        #expect(levels[2].figures.connectionRate == 25)
    }

    @Test func figuresPerParentShowWhichDistrictPullsTheRateDown() {
        let parents = Self.summary().parents
        #expect(parents.map(\.code) == ["64", "622", "623"])
        let pleiku = parents[1].childLevels, anKhe = parents[2].childLevels
        #expect(pleiku.map(\.figures.connected) == [1] && pleiku.map(\.figures.agencies) == [2])
        #expect(anKhe.map(\.figures.connected) == [0] && anKhe.map(\.figures.unreachable) == [2])
    }

    @Test func theGapListNamesPathsFindingsAndOneCausePerDeadNode() {
        let summary = Self.summary()
        #expect(summary.gaps.map(\.code) == ["64", "23560", "623", "23614", "23617"])
        let province = summary.gaps[0]
        #expect(province.connected && !province.compliant)
        #expect(province.findings.map(\.id) == ["cert.expiring"])  // no info-level noise in the gap list
        let behind = summary.gaps[3]
        #expect(behind.path == ["Tỉnh Gia Lai", "Thị xã An Khê", "Phường An Bình"])
        #expect(behind.cause == "623")
        #expect(summary.causes == ["623": ["23614", "23617"]])
        #expect(!summary.targetsMet)
    }

    @Test func certificatesExpiringSoonSoonestFirst() {
        let expiring = Self.summary().expiringCertificates
        #expect(expiring.map(\.agencyCode) == ["64"])
        #expect(expiring.first?.daysLeft == 5)
    }

    /// Expired by less than a day is expired (days_left 0); the 30-day window is counted to
    /// the second, as the policy's cert.expiring counts it.
    @Test(arguments: [(-0.4, true, 0, true), (-20.6, true, -20, true), (29.9, true, 29, false), (30.5, false, 0, false)])
    func certificateDaysAndTheWindow(days: Double, listed: Bool, daysLeft: Int, expired: Bool) {
        let leaf = CertificateObservation(subject: "CN=x", issuer: "CN=CA", serialNumber: "01", subjectAltNames: [],
                                          notBefore: Self.now.addingTimeInterval(-80 * 86_400), notAfter: Self.now.addingTimeInterval(days * 86_400),
                                          keyType: "RSA", keyBits: 2048, signatureAlgorithm: "sha256WithRSAEncryption",
                                          sha256Fingerprint: "00", isCA: false, selfSigned: false)
        let endpoint = EndpointResult(agencyCode: "64", observation: TLSObservation(url: "https://64.gialai.test/", serverName: "64.gialai.test",
                                                                                    port: 443, certificates: [leaf]),
                                      verdict: .compliant, findings: [])
        let inventory = Inventory(levels: ["province"], agencies: [Agency(code: "64", name: "Tỉnh Gia Lai", level: "province")])
        let certificates = AuditSummary(inventory: inventory, links: [], endpoints: [endpoint], now: Self.now).expiringCertificates
        #expect(!certificates.isEmpty == listed)
        if listed { #expect(certificates.first?.daysLeft == daysLeft && certificates.first?.expired == expired) }
    }

    /// A run cut short meets nothing, and the endpoints it did not get to are counted.
    @Test func anAbortedRunMeetsNothing() {
        let inventory = Inventory(levels: ["province"], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: Self.link("64"),
                   endpoints: [Endpoint(url: try! EndpointURL.parse("https://64.gialai.test/").get())])])
        let summary = AuditSummary(inventory: inventory, links: [Self.result("64", .up)], endpoints: [], now: Self.now,
                                   endpointsPlanned: true, complete: false)
        #expect(!summary.targetsMet)
        #expect(summary.levels[0].figures.endpointsNotProbed == 1)
        #expect(summary.gaps.map(\.endpointsNotProbed) == [1])
    }

    @Test func everythingConnectedAndCompliantMeetsTheTargets() {
        let inventory = Inventory(levels: Self.inventory.levels, agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", link: Self.link("64"))])
        let summary = AuditSummary(inventory: inventory, links: [Self.result("64", .up)], endpoints: [], now: Self.now)
        #expect(summary.targetsMet && summary.gaps.isEmpty)
    }
}

struct AuditSummaryRoundingTests {
    /// 55% of 100 is 55.000000000000007 in floating point: 55 connected must meet it.
    @Test(arguments: [(55.0, 100, 55), (56.0, 25, 14), (68.0, 75, 51), (81.0, 100, 81), (100.0, 3, 3)])
    func aTargetExactlyReachedIsMet(target: Double, agencies: Int, connected: Int) {
        let children = (0..<agencies).map { Agency(code: "c\($0)", name: "X", level: "commune", link: Link(address: IPAddress(127, 9, 9, 9))) }
        let inventory = Inventory(levels: ["commune"], targets: ["commune": target], agencies: children)
        let links = children.enumerated().map { LinkResult(agencyCode: $1.code, observation: nil, state: $0 < connected ? .up : .down, findings: []) }
        let level = AuditSummary(inventory: inventory, links: links, endpoints: [], now: Date()).levels[0]
        #expect(level.meetsTarget && level.gap == 0, "\(target)% of \(agencies) with \(connected) connected")
    }
}
