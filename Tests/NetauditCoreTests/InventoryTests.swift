import Foundation
import NetauditCore
import Testing

struct InventoryTests {
    static let inventory = Inventory(
        title: "Test province",
        levels: ["province", "district", "commune"],
        targets: ["commune": 80, "district": 95.5],
        agencies: [
            Agency(code: "P", name: "Tỉnh", level: "province", children: [
                Agency(code: "D1", name: "Huyện 1", level: "district", children: [
                    Agency(code: "C1", name: "Xã 1", level: "commune"),
                ]),
                Agency(code: "S1", name: "Sở 1", level: "province", kind: .department),
            ]),
            Agency(code: "Q", name: "Tỉnh khác", level: "province", children: [
                Agency(code: "D2", name: "Huyện 2", level: "district"),
            ]),
        ]
    )

    @Test(arguments: [
        ("province", 100.0),       // not listed: the default
        ("district", 95.5),
        ("commune", 80.0),
        ("ward", 100.0),           // not even a level
    ])
    func targetForLevel(_ level: String, _ expected: Double) {
        #expect(Self.inventory.target(forLevel: level) == expected)
    }

    @Test func targetDefaultsTo100WithoutTargets() {
        #expect(Inventory(levels: ["province"]).target(forLevel: "province") == 100)
    }

    @Test(arguments: [
        ("province", 0 as Int?),
        ("district", 1),
        ("commune", 2),
        ("ward", nil),
        ("Province", nil),
        ("", nil),
    ])
    func levelIndex(_ level: String, _ expected: Int?) {
        #expect(Self.inventory.levelIndex(level) == expected)
    }

    @Test func allAgenciesIsEveryTreeDepthFirst() {
        #expect(Self.inventory.allAgencies.map(\.code) == ["P", "D1", "C1", "S1", "Q", "D2"])
        #expect(Inventory(levels: ["province"]).allAgencies.isEmpty)
    }

    @Test func defaults() {
        let inventory = Inventory(levels: ["province", "commune"])
        #expect(inventory.title == nil)
        #expect(inventory.targets.isEmpty)
        #expect(inventory.allow == IPNetwork.loopback)
        #expect(inventory.trustAnchors.isEmpty)
        #expect(inventory.files.isEmpty)
        #expect(inventory.probe == ProbeDefaults())
    }

    @Test func probeDefaults() {
        let probe = ProbeDefaults()
        #expect(probe.linkCount == 5)
        #expect(probe.linkInterval == .milliseconds(200))
        #expect(probe.linkTimeout == .seconds(1))
        #expect(probe.tlsTimeout == .seconds(10))
        #expect(probe.httpPort == 80)
    }

    @Test func codableRoundTrip() throws {
        var inventory = Self.inventory
        inventory.allow = [IPNetwork("127.0.0.0/8")!, IPNetwork("198.18.0.0/15")!]
        inventory.probe = ProbeDefaults(linkCount: 3, linkInterval: .milliseconds(500), tlsTimeout: .seconds(5))
        inventory.files = ["inventory.yaml", "district/D1.yaml"]
        let data = try JSONEncoder().encode(inventory)
        #expect(try JSONDecoder().decode(Inventory.self, from: data) == inventory)
    }
}

struct InventoryDecodingTests {
    @Test func anInventoryStoredBeforeLaterSettingsStillDecodes() throws {
        let old = #"{"levels":["province"],"agencies":[{"code":"64","name":"Gia Lai","level":"province","kind":"unit","endpoints":[],"children":[]}]}"#
        let inventory = try JSONDecoder().decode(Inventory.self, from: Data(old.utf8))
        #expect(inventory.policy == InventoryPolicy())
        #expect(inventory.allow == IPNetwork.loopback)
        #expect(inventory.probe == ProbeDefaults())
        #expect(inventory.agencies.map(\.code) == ["64"])
    }
}
