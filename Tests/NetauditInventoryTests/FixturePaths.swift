import Foundation

/// Paths of the fixtures beside this file and of the repository's own files, computed from
/// the source location so that tests do not depend on the working directory.
enum FixturePaths {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let fixtures = testsFolder + "/Fixtures"
    static let repository = URL(fileURLWithPath: testsFolder).deletingLastPathComponent().deletingLastPathComponent().path
    /// `shared/data/admin-units`, beside the repository (as on the developers' machines and in CI).
    static let adminUnits = URL(fileURLWithPath: repository).deletingLastPathComponent().path + "/shared/data/admin-units"
    static var hasAdminUnits: Bool { FileManager.default.fileExists(atPath: adminUnits + "/gia-lai-2019.csv") }

    static func fixture(_ relative: String) -> String { fixtures + "/" + relative }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "netaudit-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
