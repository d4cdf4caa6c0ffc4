import Foundation
import NetauditCore
@testable import NetauditInventory
import Testing

struct GSOImportTests {
    static let csv = FixturePaths.fixture("csv")

    @Test func buildsTheTreeFromParentCodesAndPadsCodesPerLevel() throws {
        let inventory = try GSOImport(unitsPath: Self.csv + "/two-provinces.csv").run()
        #expect(inventory.levels == ["province", "district", "commune"])
        #expect(inventory.agencies.map(\.code) == ["01", "64"])
        #expect(inventory.allAgencies.map(\.code) == ["01", "001", "00001", "00004", "64", "622", "23557"])
        let commune = try #require(inventory.allAgencies.first { $0.code == "00004" })
        #expect(commune.name == "Phường \"Trúc\" Bạch, mới")  // quotes, doubled quotes and commas of the CSV
        #expect(inventory.targets == ["province": 100, "district": 100, "commune": 100])
    }

    @Test func keepsCodesAsWrittenWithoutPadding() throws {
        let inventory = try GSOImport(unitsPath: Self.csv + "/two-provinces.csv", padCodes: false, addresses: .none).run()
        #expect(inventory.allAgencies.map(\.code) == ["1", "1", "1", "4", "64", "622", "23557"])
        #expect(inventory.allAgencies.allSatisfy { $0.link == nil && $0.endpoints.isEmpty })
    }

    @Test func selectsOneProvinceAndAddsItsDepartments() throws {
        let inventory = try GSOImport(unitsPath: Self.csv + "/two-provinces.csv", departmentsPath: Self.csv + "/departments.csv",
                                      root: "64", via: .parent, endpointDomain: "gialai.test").run()
        #expect(inventory.allAgencies.map(\.code) == ["64", "SNV", "SVHTTDL", "622", "23557"])
        let department = try #require(inventory.allAgencies.first { $0.code == "SVHTTDL" })
        #expect(department.name == "Sở Văn hóa, Thể thao và Du lịch")
        #expect(department.kind == .department)
        #expect(department.level == "province")
        #expect(department.link == Link(address: IPAddress("127.128.0.2")!, method: .icmp, via: "64"))
        #expect(department.endpoints.map(\.url.description) == ["https://svhttdl.gialai.test/"])
        let commune = try #require(inventory.allAgencies.first { $0.code == "23557" })
        #expect(commune.link == Link(address: IPAddress(127, 6, 92, 5), method: .icmp, via: "622"))
        #expect(commune.endpoints.first?.address == IPAddress(127, 6, 92, 5))
    }

    @Test func prefixesDepartmentsWithTheirProvinceWhenThereAreSeveral() throws {
        let inventory = try GSOImport(unitsPath: Self.csv + "/two-provinces.csv", departmentsPath: Self.csv + "/departments.csv").run()
        #expect(inventory.agencies[0].children.prefix(2).map(\.code) == ["01-SNV", "01-SVHTTDL"])
        #expect(inventory.agencies[1].children.prefix(2).map(\.code) == ["64-SNV", "64-SVHTTDL"])
    }

    @Test func endpointPortAppearsInTheURL() throws {
        let inventory = try GSOImport(unitsPath: Self.csv + "/two-provinces.csv", root: "64",
                                      endpointDomain: "gialai.test", endpointPort: 8443).run()
        #expect(inventory.agencies[0].endpoints.map(\.url.description) == ["https://64.gialai.test:8443/"])
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let units: String
        var departments: String?
        var root: String?
        let messages: [String]
        var testDescription: String { units + (departments.map { " + " + $0 } ?? "") }
    }

    static let badInputs: [BadInput] = [
        BadInput(units: "missing-column.csv", messages: [
            "missing-column.csv:1:1: missing column 'parent_code' (the header has: level, code, name, division_type)"
                + "; or the GSO's headers: Mã, Tên, Cấp and Mã cấp trên (or Mã TP / Mã QH), or Mã TP, Tỉnh Thành Phố, Mã QH, Quận Huyện, Mã PX, Phường Xã, Cấp",
        ]),
        BadInput(units: "bad-rows.csv", messages: [
            "bad-rows.csv:3:10: parent_code '46' of unit '622' names no unit at level 'province'",
            "bad-rows.csv:4:1: expected 5 fields as in the header, found 4",
            "bad-rows.csv:5:9: empty code",
            "bad-rows.csv:6:10: unit '624' at level 'district' has no parent_code; only the top level 'province' may have none",
            "bad-rows.csv:7:10: duplicate code '624' at level 'district'",
        ]),
        BadInput(units: "unclosed-quote.csv", messages: [
            "unclosed-quote.csv:2:13: this quoted field is never closed",
        ]),
        BadInput(units: "two-provinces.csv", departments: "bad-departments.csv", messages: [
            "bad-departments.csv:3:1: duplicate department id 'SNV'",
            "bad-departments.csv:4:1: invalid department id 'S N': use ASCII letters, digits, '-', '_' and '.'",
        ]),
        BadInput(units: "two-provinces.csv", root: "99", messages: [
            "two-provinces.csv: no top-level unit with code '99'",
        ]),
    ]

    @Test(arguments: badInputs)
    func reportsBadInputWithItsLocation(_ input: BadInput) throws {
        let error = try #require(throws: InventoryError.self) {
            try GSOImport(unitsPath: Self.csv + "/" + input.units,
                          departmentsPath: input.departments.map { Self.csv + "/" + $0 }, root: input.root).run()
        }
        #expect(error.diagnostics.map(\.description) == input.messages.map { Self.csv + "/" + $0 })
    }

    @Test(.enabled(if: FixturePaths.hasAdminUnits))
    func gialaiFromTheNationalListEqualsTheProvincialList() throws {
        let national = try GSOImport(unitsPath: FixturePaths.adminUnits + "/vietnam-2019.csv", root: "64").run()
        let provincial = try GSOImport(unitsPath: FixturePaths.adminUnits + "/gia-lai-2019.csv").run()
        #expect(national.agencies == provincial.agencies)
    }

    @Test(.enabled(if: FixturePaths.hasAdminUnits))
    func theWholeCountryImportsAndValidates() throws {
        // 10,810 units: GSO codes padded per level are unique across levels; the written
        // inventory reads back valid with the same figures.
        let inventory = try GSOImport(unitsPath: FixturePaths.adminUnits + "/vietnam-2019.csv", via: .parent).run()
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in InventoryWriter(split: true).render(inventory, mainName: "inventory.yaml") {
            let path = folder + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let statistics = InventoryStatistics(try InventoryLoader().load(path: folder + "/inventory.yaml"))
        #expect(statistics.levels.map(\.units) == [63, 696, 10_051])
        // One file per district that has communes (a few island districts have none).
        let districtsWithCommunes = inventory.agencies.flatMap(\.children).filter { !$0.children.isEmpty }.count
        #expect(districtsWithCommunes > 680)
        #expect(statistics.files == 1 + districtsWithCommunes)
        #expect(statistics.total.links == 10_810)
    }
}

struct LoopbackAddressPlanTests {
    let plan = LoopbackAddressPlan(levels: ["province", "district", "commune"])

    @Test(arguments: [
        ("64", "province", "127.2.0.64"),
        ("01", "province", "127.2.0.1"),
        ("622", "district", "127.4.2.110"),
        ("23557", "commune", "127.6.92.5"),
        ("99999", "commune", "127.7.134.159"),
    ])
    func unitsAreAddressedByLevelAndCode(code: String, level: String, address: String) {
        #expect(plan.unitAddress(code: code, level: level) == IPAddress(address))
    }

    @Test func codesOutsideThePlanGetNoUnitAddress() {
        #expect(plan.unitAddress(code: "SNV", level: "province") == nil)
        #expect(plan.unitAddress(code: "131072", level: "commune") == nil)
        #expect(plan.unitAddress(code: "64", level: "ward") == nil)
    }
}
