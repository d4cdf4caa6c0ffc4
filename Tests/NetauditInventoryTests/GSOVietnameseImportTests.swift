import Foundation
import NetauditCore
@testable import NetauditInventory
import Testing

/// `inventory import` of the GSO's lists as they come (Vietnamese headers), and of the real
/// links and endpoints from an addresses CSV.
struct GSOVietnameseImportTests {
    static let gso = FixturePaths.fixture("csv/gso")

    /// What every layout of the small Gia Lai extract must give.
    static func expectGiaLaiExtract(_ inventory: Inventory) {
        #expect(inventory.levels == ["province", "district", "commune"])
        #expect(inventory.allAgencies.map(\.code) == ["64", "622", "23557", "23560", "623", "23617"])
        #expect(inventory.allAgencies.map(\.level) == ["province", "district", "commune", "commune", "district", "commune"])
        #expect(inventory.allAgencies.map(\.name) == ["Tỉnh Gia Lai", "Thành phố Pleiku", "Phường Yên Đỗ", "Phường Diên Hồng",
                                                      "Thị xã An Khê", "Xã Tú An"])
        #expect(inventory.agencies[0].children.map(\.code) == ["622", "623"])
    }

    @Test func readsTheListsOfOneLevelInAnyOrder() throws {
        let inventory = try GSOImport(unitsPath: Self.gso + "/xa.csv", moreUnitsPaths: [Self.gso + "/tinh.csv", Self.gso + "/huyen.csv"],
                                      addresses: .none).run()
        Self.expectGiaLaiExtract(inventory)
    }

    @Test func readsTheCombinedList() throws {
        let inventory = try GSOImport(unitsPath: Self.gso + "/combined.csv", addresses: .none).run()
        Self.expectGiaLaiExtract(inventory)
    }

    @Test func matchesHeadersWithoutRegardToCaseOrSpacesOrNormalisation() {
        let decomposed = "Ma\u{0303} ca\u{0302}\u{0301}p tre\u{0302}n"  // "Mã cấp trên", decomposed
        #expect(GSOUnitsFile.normalised(decomposed) == "mã cấp trên")
        #expect(GSOUnitsFile.normalised("  Tỉnh /  Thành Phố ") == "tỉnh/thành phố")
        #expect(GSOUnitsFile.gsoLayout(["MÃ", "TÊN", "CẤP", "Mã Cấp Trên"])?.0 == .gsoLevel)
        #expect(GSOUnitsFile.gsoLayout(["level", "code", "name", "parent_code"]) == nil)
    }

    @Test func aCityIsAProvinceAtTheTopAndADistrictBelowIt() {
        #expect(GSOUnitsFile.level(ofType: "Thành phố", hasParent: false) == "province")
        #expect(GSOUnitsFile.level(ofType: "Thành phố", hasParent: true) == "district")
        #expect(GSOUnitsFile.level(ofType: "Thị trấn", hasParent: true) == "commune")
        #expect(GSOUnitsFile.level(ofType: "Đặc khu", hasParent: true) == "commune")
        #expect(GSOUnitsFile.level(ofType: "Ấp", hasParent: true) == nil)
    }

    /// The real national list, rewritten as the GSO publishes it (the lists of one level, and
    /// the combined list), imports to the same inventory as netaudit's own CSV of it.
    @Test(.enabled(if: FixturePaths.hasAdminUnits, "needs ../shared/data/admin-units"))
    func theGSOLayoutsOfTheRealGiaLaiListGiveTheSameInventory() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try String(contentsOfFile: FixturePaths.adminUnits + "/gia-lai-2019.csv", encoding: .utf8)
        let rows = source.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        func quoted(_ text: String) -> String { text.contains(",") ? "\"\(text)\"" : text }
        func gsoType(_ type: String) -> String { type.prefix(1).uppercased() + type.dropFirst() }  // "thị xã" → "Thị xã", as the GSO writes it
        let byCode = Dictionary(rows.map { ("\($0[0]) \($0[1])", $0) }, uniquingKeysWith: { first, _ in first })
        var levels: [String: [String]] = ["province": ["Mã,Tên,Tên Tiếng Anh,Cấp"],
                                          "district": ["Mã,Tên,Tên Tiếng Anh,Cấp,Mã TP,Tỉnh / Thành Phố"],
                                          "commune": ["Mã,Tên,Tên Tiếng Anh,Cấp,Mã QH,Quận Huyện,Mã TP,Tỉnh / Thành Phố"]]
        var combined = ["Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh"]
        for row in rows {
            let (level, code, name, type, parent) = (row[0], row[1], row[2], row[3], row[4])
            switch level {
            case "province": levels[level]!.append([code, name, "", gsoType(type)].map(quoted).joined(separator: ","))
            case "district":
                let province = byCode["province \(parent)"]!
                levels[level]!.append([code, name, "", gsoType(type), parent, province[2]].map(quoted).joined(separator: ","))
            default:
                let district = byCode["district \(parent)"]!
                let province = byCode["province \(district[4])"]!
                levels[level]!.append([code, name, "", gsoType(type), parent, district[2], district[4], province[2]].map(quoted).joined(separator: ","))
                combined.append([province[2], district[4], district[2], parent, name, code, gsoType(type), ""].map(quoted).joined(separator: ","))
            }
        }
        // Excel's "CSV UTF-8": a byte-order mark and CRLF.
        for (level, lines) in levels {
            try Data(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/\(level).csv"))
        }
        try combined.joined(separator: "\n").write(toFile: folder + "/combined.csv", atomically: true, encoding: .utf8)

        let reference = try GSOImport(unitsPath: FixturePaths.adminUnits + "/gia-lai-2019.csv", addresses: .none).run()
        let fromLevels = try GSOImport(unitsPath: folder + "/commune.csv", moreUnitsPaths: [folder + "/district.csv", folder + "/province.csv"],
                                       addresses: .none).run()
        #expect(reference.allAgencies.count == 236)
        #expect(fromLevels.levels == reference.levels)
        #expect(fromLevels.agencies == reference.agencies)
        // The combined list has no row for a district without communes: none in Gia Lai.
        let fromCombined = try GSOImport(unitsPath: folder + "/combined.csv", addresses: .none).run()
        #expect(fromCombined.agencies == reference.agencies)
    }

    @Test func reportsBadRowsAtTheirLineAndColumn() throws {
        #expect(throws: InventoryError.self) { try GSOImport(unitsPath: Self.gso + "/bad-level.csv", addresses: .none).run() }
        do {
            _ = try GSOImport(unitsPath: Self.gso + "/bad-level.csv", addresses: .none).run()
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                Self.gso + "/bad-level.csv:5:24: unknown Cấp 'Ấp' (expected one of: tỉnh, thành phố, quận, huyện, thị xã, xã, phường, thị trấn, đặc khu)",
                Self.gso + "/bad-level.csv:6:1: empty Mã",
            ])
        }
        do {
            _ = try GSOImport(unitsPath: Self.gso + "/bad-combined.csv", addresses: .none).run()
            Issue.record("bad-combined.csv was accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                Self.gso + "/bad-combined.csv:3:17: district '622' is named 'Thành phố Plei Ku' here and 'Thành phố Pleiku' above",
                Self.gso + "/bad-combined.csv:4:53: Cấp 'Thị xã' is not a commune's (expected xã, phường, thị trấn or đặc khu)",
            ])
        }
    }

    @Test func aFileWithoutUnitsIsAnError() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "Mã,Tên,Cấp,Mã cấp trên\n".write(toFile: folder + "/empty.csv", atomically: true, encoding: .utf8)
        do {
            _ = try GSOImport(unitsPath: folder + "/empty.csv").run()
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [folder + "/empty.csv: no administrative units in the file"])
        }
    }

    @Test func aFileWithNeitherLayoutNamesBoth() throws {
        do {
            _ = try GSOImport(unitsPath: FixturePaths.fixture("csv/missing-column.csv")).run()
            Issue.record("accepted")
        } catch {
            let message = error.diagnostics.first?.description ?? ""
            #expect(message.contains("missing column 'parent_code'"))
            #expect(message.contains("Mã, Tên, Cấp"))
        }
    }

    // MARK: The addresses CSV

    static let allow = [IPNetwork("198.18.0.0/15")!, IPNetwork("::1/128")!]

    @Test func takesTheRealLinksAndEndpointsFromTheAddressesCSV() throws {
        let inventory = try GSOImport(unitsPath: Self.gso + "/combined.csv", addresses: .none, via: .parent,
                                      addressesPath: Self.gso + "/addresses.csv", allow: Self.allow).run()
        #expect(inventory.allow == Self.allow)
        let byCode = Dictionary(uniqueKeysWithValues: inventory.allAgencies.map { ($0.code, $0) })
        #expect(byCode["64"]?.link == Link(address: IPAddress("198.18.0.10")!, method: .icmp, via: nil))
        #expect(byCode["64"]?.endpoints.map(\.url.description) == ["https://gialai.test/", "https://dichvucong.gialai.test/"])
        #expect(byCode["622"]?.link == Link(address: IPAddress("198.18.1.10")!, method: .tcp(port: 443), via: "64"))
        // --via parent fills in a via the file leaves empty.
        #expect(byCode["23557"]?.link == Link(address: IPAddress("198.18.1.20")!, method: .icmp, via: "622"))
        #expect(byCode["23557"]?.endpoints == [])
        // No link_address: no link yet (link.unconfigured), but its endpoint.
        #expect(byCode["23560"]?.link == nil)
        #expect(byCode["23560"]?.endpoints.map(\.url.description) == ["https://[::1]:8443/"])
        // No row at all: nothing.
        #expect(byCode["623"]?.link == nil && byCode["623"]?.endpoints == [])
    }

    @Test func readsTheAddressesCSVWithVietnameseHeaders() throws {
        let inventory = try GSOImport(unitsPath: Self.gso + "/combined.csv", addresses: .none,
                                      addressesPath: Self.gso + "/addresses-vi.csv", allow: Self.allow).run()
        #expect(inventory.agencies[0].link?.address == IPAddress("198.18.0.10"))
        #expect(inventory.agencies[0].endpoints.map(\.url.description) == ["https://gialai.test/"])
    }

    @Test func checksEveryValueOfTheAddressesCSVLikeTheYAML() throws {
        do {
            _ = try GSOImport(unitsPath: Self.gso + "/combined.csv", addresses: .none,
                              addressesPath: Self.gso + "/bad-addresses.csv", allow: Self.allow).run()
            Issue.record("bad-addresses.csv was accepted")
        } catch {
            let file = Self.gso + "/bad-addresses.csv"
            #expect(error.diagnostics.map(\.description) == [
                "\(file):2:1: no agency with code '6222' in the units (did you mean '622'?)",
                "\(file):3:5: link address 127.0.0.5 is outside the allowed target networks (198.18.0.0/15, ::1/128); give the dedicated network's ranges with --allow",
                "\(file):4:19: unknown method 'udp' (expected icmp or tcp:PORT)",
                "\(file):5:20: via '9999' names no agency",
                "\(file):5:25: invalid endpoint url 'http://x.test/': the scheme must be https://",
                "\(file):6:1: a second row for agency '23557' (the first is at line 4)",
                "\(file):7:5: '198.18.1.2x' is not an IPv4 or IPv6 address",
            ])
        }
    }

    /// What the import writes reads back through the YAML loader: the same checks, the same agencies.
    @Test func theWrittenInventoryLoads() throws {
        let inventory = try GSOImport(unitsPath: Self.gso + "/combined.csv", addresses: .none, via: .parent,
                                      addressesPath: Self.gso + "/addresses.csv", allow: Self.allow).run()
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = InventoryWriter(split: false, header: ["test"]).render(inventory, mainName: "inventory.yaml")[0]
        try file.text.write(toFile: folder + "/inventory.yaml", atomically: true, encoding: .utf8)
        let loaded = try InventoryLoader().load(path: folder + "/inventory.yaml")
        #expect(loaded.allow == Self.allow)
        func links(_ inventory: Inventory) -> [String] { inventory.allAgencies.map { $0.link.map { "\($0.address) \($0.method) \($0.via ?? "-")" } ?? "none" } }
        #expect(links(loaded) == links(inventory))
        #expect(links(loaded).prefix(3) == ["198.18.0.10 icmp -", "198.18.1.10 tcp:443 64", "198.18.1.20 icmp 622"])
        #expect(loaded.allAgencies.map { $0.endpoints.map(\.url) } == inventory.allAgencies.map { $0.endpoints.map(\.url) })
    }
}
