import Foundation
import NetauditCore
import NetauditInventory
import NetauditReports
import Testing

struct InventoryStatisticsReportTests {
    static let inventory = Inventory(
        title: "Thử nghiệm", levels: ["tỉnh", "xã"], targets: ["xã": 97.5],
        agencies: [
            Agency(code: "52", name: "Gia Lai", level: "tỉnh", link: Link(address: IPAddress(127, 2, 0, 52)),
                   endpoints: [Endpoint(url: try! EndpointURL.parse("https://52.gialai.test/").get())],
                   children: [
                       Agency(code: "SNV", name: "Sở Nội vụ", level: "tỉnh", kind: .department,
                              link: Link(address: IPAddress(127, 128, 0, 1), method: .tcp(port: 443), via: "52")),
                       Agency(code: "21583", name: "Phường Quy Nhơn", level: "xã"),
                   ]),
        ],
        files: ["inv.yaml"])

    @Test func countsPerLevelAndInTotal() {
        let statistics = InventoryStatistics(Self.inventory)
        #expect(statistics.levels.map(\.agencies) == [2, 1])
        #expect(statistics.levels[0].departments == 1)
        #expect(statistics.levels[0].linksTCP == 1)
        #expect(statistics.levels[0].via == 1)
        #expect(statistics.levels[1].withoutLink == 1)
        #expect(statistics.levels.map(\.targetPercent) == [100, 97.5])
        #expect(statistics.total.agencies == 3)
        #expect(statistics.total.endpoints == 1)
        #expect(statistics.total.targetPercent == nil)
    }

    @Test func rendersAnAlignedTable() {
        #expect(InventoryStatisticsReport.table(InventoryStatistics(Self.inventory)) == """
            Thử nghiệm
            inv.yaml (1 file)

            level  agencies  units  departments  links  icmp  tcp  via  no link  endpoints  target
            tỉnh          2      1            1      2     1    1    1        0          1    100%
            xã            1      1            0      0     0    0    0        1          0   97.5%
            total         3      2            1      2     1    1    1        1          1

            """)
    }

    @Test func rendersJSONWithTheDocumentedFieldNames() throws {
        let text = try InventoryStatisticsReport.json(InventoryStatistics(Self.inventory))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["title", "inventory", "files", "levels", "total"])
        let level = try #require((object["levels"] as? [[String: Any]])?.first)
        #expect(Set(level.keys) == ["level", "agencies", "units", "departments", "links", "links_icmp", "links_tcp",
                                    "via", "without_link", "endpoints", "target_percent"])
    }
}
