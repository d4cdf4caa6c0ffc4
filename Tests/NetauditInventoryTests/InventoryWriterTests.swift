import Foundation
import NetauditCore
@testable import NetauditInventory
import Testing

struct InventoryWriterTests {
    @Test func whatItWritesReadsBackTheSame() throws {
        let awkward = "Tên có \"ngoặc\", dấu: # và \\ gạch"
        let inventory = Inventory(
            title: "Thử: #1", levels: ["tỉnh", "xã"], targets: ["tỉnh": 100, "xã": 87.5],
            allow: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!],
            probe: ProbeDefaults(linkCount: 2, linkInterval: .milliseconds(1500), linkTimeout: .milliseconds(300),
                                 tlsTimeout: .seconds(120), httpPort: 8080),
            agencies: [
                Agency(code: "true", name: awkward, level: "tỉnh",
                       link: Link(address: IPAddress("::1")!, method: .tcp(port: 8443)),
                       endpoints: [Endpoint(url: try EndpointURL.parse("https://[::1]:8443/a?b=c").get(),
                                            address: IPAddress("::1"), sni: "x.test")],
                       children: [
                           Agency(code: "001", name: "Xã A", level: "xã", kind: .department,
                                  link: Link(address: IPAddress(127, 0, 0, 2), via: "true")),
                       ]),
            ])
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = InventoryWriter(split: true, header: ["header line"]).render(inventory, mainName: "main.yaml")
        #expect(files.map(\.path) == ["main.yaml"])  // no child has children: nothing to split
        for file in files {
            let path = folder + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        var loaded = try InventoryLoader().load(path: folder + "/main.yaml")
        #expect(files[0].text.hasPrefix("# header line\nversion: 1\n"))
        loaded.files = []
        func strip(_ agency: Agency) -> Agency {
            var copy = agency
            copy.location = nil
            copy.link?.location = nil
            copy.endpoints = copy.endpoints.map { var e = $0; e.location = nil; return e }
            copy.children = copy.children.map(strip)
            return copy
        }
        loaded.agencies = loaded.agencies.map(strip)
        #expect(loaded == inventory)
    }

    @Test func trustAnchorsAndIntermediatesAreWrittenAndReadBack() throws {
        let pki = FixturePaths.fixtures + "/pki"
        let inventory = Inventory(levels: ["province"], trustAnchors: [pki + "/test-gov-root.pem"],
                                  trustIntermediates: [pki + "/test-intermediate.pem"])
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = InventoryWriter(split: false).render(inventory, mainName: "main.yaml")[0].text
        #expect(text.contains("trust:\n  anchors:\n    - \"\(pki)/test-gov-root.pem\"\n  intermediates:\n    - \"\(pki)/test-intermediate.pem\"\n"))
        try text.write(toFile: folder + "/main.yaml", atomically: true, encoding: .utf8)
        let loaded = try InventoryLoader().load(path: folder + "/main.yaml")
        #expect(loaded.trustAnchors == inventory.trustAnchors)
        #expect(loaded.trustIntermediates == inventory.trustIntermediates)
    }

    @Test(arguments: [
        ("Thành phố Pleiku", "thanh-pho-pleiku"),
        ("Huyện Đắk Đoa", "huyen-dak-doa"),
        ("Sở Văn hóa, Thể thao và Du lịch", "so-van-hoa-the-thao-va-du-lich"),
        ("Huyện Chư Păh", "huyen-chu-pah"),
    ])
    func slugsFoldVietnameseToASCII(_ name: String, _ slug: String) {
        #expect(InventoryWriter.slug(name) == slug)
    }

    @Test(arguments: [("province", "province"), ("true", "\"true\""), ("12", "\"12\""), ("127.0.0.1", "127.0.0.1"),
                      ("::1", "\"::1\""), ("a: b", "\"a: b\""), ("tỉnh", "tỉnh")])
    func quotesOnlyWhatYAMLWouldMisread(_ text: String, _ expected: String) {
        #expect(InventoryWriter.scalar(text) == expected)
    }
}

struct InventoryWriterSplitTests {
    @Test func movesEachTopChildWithChildrenToItsLevelFolder() throws {
        let inventory = Inventory(levels: ["province", "district", "commune"], agencies: [
            Agency(code: "64", name: "Tỉnh Gia Lai", level: "province", children: [
                Agency(code: "SNV", name: "Sở Nội vụ", level: "province", kind: .department),
                Agency(code: "626", name: "Huyện Đăk Đoa", level: "district", children: [
                    Agency(code: "23677", name: "Thị trấn Đăk Đoa", level: "commune"),
                ]),
            ]),
        ])
        let files = InventoryWriter(split: true).render(inventory, mainName: "inventory.yaml")
        #expect(files.map(\.path) == ["inventory.yaml", "district/626-huyen-dak-doa.yaml"])
        #expect(files[0].text.contains("      - include: \"district/626-huyen-dak-doa.yaml\"\n"))
        #expect(files[1].text.hasPrefix("# Huyện Đăk Đoa (district 626) and the agencies below it.\n# Included from ../inventory.yaml.\nagencies:\n  - code: \"626\"\n"))
    }
}
