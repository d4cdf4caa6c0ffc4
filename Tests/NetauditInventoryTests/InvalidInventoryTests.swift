import NetauditCore
import NetauditInventory
import NetauditTestSupport
import Testing

/// One invalid inventory per reason, each with the exact messages the operator sees. The
/// cases (fixture and messages) are in NetauditTestSupport, shared with the CLI's tests.
struct InvalidInventoryTests {
    @Test(arguments: InvalidInventoryCases.all)
    func reportsEveryProblemWithItsLocation(_ testCase: InvalidInventoryCase) throws {
        let folder = FixturePaths.fixture("invalid")
        let error = try #require(throws: InventoryError.self) {
            try InventoryLoader().load(path: folder + "/" + testCase.file)
        }
        #expect(error.diagnostics.map(\.description) == testCase.expectedMessages(fixtures: FixturePaths.fixtures))
    }

    @Test func everyInvalidFixtureHasACase() throws {
        let folder = FixturePaths.fixture("invalid")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).map {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isFolder)
            return isFolder.boolValue ? $0 + "/inventory.yaml" : $0
        }
        #expect(Set(names) == Set(InvalidInventoryCases.all.map(\.file)))
    }

    @Test func aMissingTopFileIsReported() throws {
        let error = try #require(throws: InventoryError.self) {
            try InventoryLoader().load(path: "no/such/inventory.yaml")
        }
        #expect(error.diagnostics.map(\.description) == ["no/such/inventory.yaml: cannot read 'no/such/inventory.yaml': no such file"])
    }
}

import Foundation
