import Foundation
import NetauditCore
import NetauditInventory
import Testing

struct InventoryLoaderTests {
    static let split = FixturePaths.fixture("valid/split/inventory.yaml")

    @Test func loadsAnInventorySplitOverSeveralFiles() throws {
        let inventory = try InventoryLoader().load(path: Self.split)
        let folder = FixturePaths.fixture("valid/split")
        #expect(inventory.files == [Self.split, folder + "/district/622.yaml", folder + "/district/623.yaml"])
        #expect(inventory.title == "Tỉnh Thử Nghiệm (fixture)")
        #expect(inventory.levels == ["province", "district", "commune"])
        #expect(inventory.target(forLevel: "province") == 100)
        #expect(inventory.target(forLevel: "district") == 100)
        #expect(inventory.target(forLevel: "commune") == 95.5)
        #expect(inventory.allow == IPNetwork.loopback)
        #expect(inventory.trustAnchors == [FixturePaths.fixtures + "/pki/test-gov-root.pem"])
        #expect(inventory.trustIntermediates == [FixturePaths.fixtures + "/pki/test-intermediate.pem"])
        #expect(inventory.probe == ProbeDefaults(linkCount: 3, linkInterval: .milliseconds(250), linkTimeout: .seconds(2),
                                                  tlsTimeout: .seconds(5), httpPort: 8080))
        #expect(inventory.allAgencies.map(\.code) == ["64", "SNV", "622", "23557", "623", "23614"])
    }

    @Test func decodesAgenciesLinksAndEndpoints() throws {
        let inventory = try InventoryLoader().load(path: Self.split)
        let agencies = Dictionary(uniqueKeysWithValues: inventory.allAgencies.map { ($0.code, $0) })
        let province = try #require(agencies["64"])
        #expect(province.link == Link(address: IPAddress(127, 2, 0, 64), method: .icmp, via: nil,
                                      location: SourceLocation(file: Self.split, line: 22, column: 11)))
        #expect(province.endpoints.map(\.url.description) == ["https://64.gialai.test/", "https://[::1]:8443/portal?lang=vi"])
        #expect(province.endpoints[0].address == nil)
        #expect(province.endpoints[1].sni == "portal.gialai.test")
        #expect(province.endpoints[1].serverName == "portal.gialai.test")
        #expect(province.endpoints[0].serverName == "64.gialai.test")

        let department = try #require(agencies["SNV"])
        #expect(department.kind == .department)
        #expect(department.level == "province")
        #expect(department.link?.method == .tcp(port: 443))
        #expect(department.link?.via == "64")
        #expect(department.endpoints.first?.address == IPAddress("127.128.0.2"))

        let commune = try #require(agencies["23557"])
        #expect(commune.link?.address == IPAddress("::1"))
        #expect(commune.location == SourceLocation(file: FixturePaths.fixture("valid/split/district/622.yaml"), line: 7, column: 9))

        #expect(agencies["623"]?.link == nil)
        #expect(province.children.map(\.code) == ["SNV", "622", "623"])
    }

    @Test func storesNamesInNFC() throws {
        let raw = try String(contentsOfFile: FixturePaths.fixture("valid/split/district/623.yaml"), encoding: .utf8)
        let composed = "Thị xã An Khê".precomposedStringWithCanonicalMapping
        #expect(Data(raw.utf8).range(of: Data(composed.utf8)) == nil)  // the fixture holds the decomposed form
        let inventory = try InventoryLoader().load(path: Self.split)
        let name = try #require(inventory.allAgencies.first { $0.code == "623" }?.name)
        #expect(Array(name.unicodeScalars) == Array(composed.unicodeScalars))
    }

    @Test func appliesDefaultsWhenSettingsAreLeftOut() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/minimal.yaml"
        try """
            levels: [province, commune]
            agencies:
              - {code: "52", name: "Gia Lai", level: province}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let inventory = try InventoryLoader().load(path: path)
        #expect(inventory.levels == ["province", "commune"])
        #expect(inventory.target(forLevel: "commune") == 100)
        #expect(inventory.allow == IPNetwork.loopback)
        #expect(inventory.probe == ProbeDefaults())
        #expect(inventory.allAgencies.first?.link == nil)
    }

    @Test func aFileIncludedTwiceIsReportedOnce() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province, district]
            agencies:
              - code: "64"
                name: "Tỉnh Gia Lai"
                level: province
                children:
                  - include: d.yaml
                  - include: ./d.yaml
            """.write(toFile: folder + "/top.yaml", atomically: true, encoding: .utf8)
        try """
            agencies:
              - {code: "622", name: "Thành phố Pleiku", level: district}
            """.write(toFile: folder + "/d.yaml", atomically: true, encoding: .utf8)
        let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: folder + "/top.yaml") }
        #expect(error.diagnostics.map(\.description) == [
            "\(folder)/top.yaml:8:18: '\(folder)/d.yaml' is already included at \(folder)/top.yaml:7:18",
        ])
    }
}

/// The complete example of docs/inventory.md must stay valid: it is copied out of the
/// document (its first two YAML blocks) and loaded.
/// docs/inventory.md's complete example, saved as the doc says: under the names in the
/// blocks' first lines, with a PEM file at each trust anchor the doc tells readers to supply.
struct DocumentedExampleTests {
    @Test func theExampleOfTheDocumentationIsValid() throws {
        let document = try String(contentsOfFile: FixturePaths.repository + "/docs/inventory.md", encoding: .utf8)
        let blocks = document.components(separatedBy: "```yaml\n").dropFirst().map {
            String($0[..<$0.range(of: "```")!.lowerBound])
        }
        try #require(blocks.count >= 2)
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manager = FileManager.default
        for block in blocks.prefix(2) {
            // "# district/622-thanh-pho-pleiku.yaml: an included file …"
            let name = try #require(block.split(separator: "\n").first.flatMap { line in
                line.hasPrefix("# ") ? line.dropFirst(2).split(separator: ":").first.map(String.init) : nil
            })
            let path = folder + "/" + name
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try block.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(manager.fileExists(atPath: folder + "/inventory.yaml"))

        // Each anchor and intermediate must exist: the example fails without them, and the
        // doc's prose says so.
        let anchors = blocks[0].split(separator: "\n").compactMap { line -> String? in
            let item = line.split(separator: "#").first?.trimmingCharacters(in: .whitespaces) ?? ""
            return item.hasPrefix("- ") && item.hasSuffix(".pem") ? String(item.dropFirst(2)) : nil
        }
        if !anchors.isEmpty {
            let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: folder + "/inventory.yaml") }
            #expect(error.diagnostics.map(\.message).allSatisfy { $0.hasPrefix("trust anchor '") || $0.hasPrefix("trust intermediate '") })
        }
        for anchor in anchors {
            let told = document.contains("PEM certificate at `\(anchor)`")
            #expect(told, "docs/inventory.md must tell readers to put a PEM certificate at `\(anchor)`")
            let path = folder + "/" + anchor
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let pem = anchor.contains("intermediate") ? "pki/test-intermediate.pem" : "pki/test-gov-root.pem"
            try manager.copyItem(atPath: FixturePaths.fixture(pem), toPath: path)
        }
        let inventory = try InventoryLoader().load(path: folder + "/inventory.yaml")
        #expect(inventory.allAgencies.map(\.code) == ["64", "SNV", "SKHDT", "622", "23557"])
        #expect(inventory.allAgencies.first { $0.code == "SKHDT" }?.link == nil)
        #expect(inventory.trustIntermediates == [folder + "/pki/gov-intermediate-ca.pem"])
    }
}

struct InventoryFolderTests {
    @Test func aFolderStandsForItsInventoryFile() throws {
        let folder = FixturePaths.fixture("valid/split")
        let inventory = try InventoryLoader().load(path: folder)
        #expect(inventory.files.first == folder + "/inventory.yaml")
        #expect(inventory.allAgencies.count == 6)
    }
}

struct InventoryPolicyTests {
    @Test func aPolicySectionOverridesTheProfile() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            levels: [province]
            policy:
              profile: baseline
              thresholds: {link_loss_percent: 5, certificate_expiring_medium_days: 45}
              severities: {ocsp.no_stapling: low}
            agencies: []
            """.write(toFile: folder + "/i.yaml", atomically: true, encoding: .utf8)
        let inventory = try InventoryLoader().load(path: folder + "/i.yaml")
        #expect(inventory.policy == InventoryPolicy(profile: "baseline",
                                                    thresholds: ["link_loss_percent": 5, "certificate_expiring_medium_days": 45],
                                                    severities: ["ocsp.no_stapling": "low"]))
    }

    @Test func withoutASectionTheBaselineApplies() throws {
        let inventory = try InventoryLoader().load(path: FixturePaths.fixture("valid/split/inventory.yaml"))
        #expect(inventory.policy == InventoryPolicy())
    }

    @Test func valuesOutOfRangeAreReportedAtTheSection() throws {
        let folder = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "levels: [province]\npolicy:\n  thresholds: {certificate_expiring_high_days: 60}\nagencies: []\n"
            .write(toFile: folder + "/i.yaml", atomically: true, encoding: .utf8)
        let error = try #require(throws: InventoryError.self) { try InventoryLoader().load(path: folder + "/i.yaml") }
        #expect(error.diagnostics.map(\.description) == [
            "\(folder)/i.yaml:3:3: policy: threshold certificate_expiring_high_days = 60 must not exceed certificate_expiring_medium_days (30)",
        ])
    }
}
