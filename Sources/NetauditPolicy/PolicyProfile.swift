import Foundation
import NetauditCore

/// A compliance profile: a named, versioned set of thresholds and one severity per rule,
/// read from a JSON file (the bundled ones are in `Profiles/`). Profiles are data, so a
/// stricter or a newer baseline is a new file, not new code. Invalid files are refused
/// whole, with an error naming what is wrong (``PolicyProfileError``).
public struct PolicyProfile: Sendable, Hashable {
    /// The file format this version reads.
    public static let format = 1

    /// e.g. `baseline`.
    public let name: String
    /// The profile's own version, e.g. `2026.1`; reports cite it beside the name.
    public let version: String
    /// What the profile enforces and on what grounds.
    public let description: String
    /// The documents it follows.
    public let references: [String]
    public let thresholds: PolicyThresholds
    /// Every key of ``SeverityKey/all``.
    public let severities: [String: Severity]
    /// What an inventory changed on top of the file (empty for a profile as read).
    public let overrides: PolicyOverrides

    /// A profile from its parts; `severities` must hold exactly the keys of ``SeverityKey/all``.
    public init(name: String, version: String, description: String, references: [String] = [],
                thresholds: PolicyThresholds, severities: [String: Severity]) throws(PolicyProfileError) {
        try self.init(name: name, version: version, description: description, references: references,
                      thresholds: thresholds, severities: severities, overrides: PolicyOverrides())
    }

    private init(name: String, version: String, description: String, references: [String],
                 thresholds: PolicyThresholds, severities: [String: Severity],
                 overrides: PolicyOverrides) throws(PolicyProfileError) {
        let unknown = severities.keys.filter { !SeverityKey.all.contains($0) }
        guard unknown.isEmpty else { throw .unknownRules(unknown.sorted(), valid: SeverityKey.all) }
        let missing = SeverityKey.all.filter { severities[$0] == nil }
        guard missing.isEmpty else { throw .missingSeverities(missing) }
        self.name = name
        self.version = version
        self.description = description
        self.references = references
        self.thresholds = thresholds
        self.severities = severities
        self.overrides = overrides
    }

    /// The severity of a rule's findings (for `cert.expiring`, within the near window).
    public func severity(of rule: Rule) -> Severity {
        severities[rule.rawValue]!
    }

    /// The severity under any key of ``SeverityKey/all``; nil for an unknown key.
    public func severity(forKey key: String) -> Severity? {
        severities[key]
    }

    /// Where a link counts as degraded, for ``LinkObservation/state(_:)``.
    public var linkThresholds: LinkThresholds { thresholds.link }

    // MARK: Overrides

    /// This profile with an inventory's overrides applied on top (and recorded in
    /// ``overrides``). Unknown names are refused, listing the valid ones.
    public func overriding(_ changes: PolicyOverrides) throws(PolicyProfileError) -> PolicyProfile {
        try changes.validate()
        guard !changes.isEmpty else { return self }
        let values = thresholds.values.merging(changes.thresholds) { _, new in new }
        let merged = PolicyOverrides(thresholds: overrides.thresholds.merging(changes.thresholds) { _, new in new },
                                     severities: overrides.severities.merging(changes.severities) { _, new in new })
        return try PolicyProfile(name: name, version: version, description: description, references: references,
                                 thresholds: try PolicyThresholds(values: values),
                                 severities: severities.merging(changes.severities) { _, new in new },
                                 overrides: merged)
    }

    /// ``overriding(_:)`` with the two tables written out.
    public func overriding(thresholds: [String: Double] = [:],
                           severities: [String: Severity] = [:]) throws(PolicyProfileError) -> PolicyProfile {
        try overriding(PolicyOverrides(thresholds: thresholds, severities: severities))
    }

    // MARK: Files

    /// The top-level keys of a profile file.
    static let keys = ["format", "name", "version", "description", "references", "thresholds", "severities"]

    /// The shape of a file, before validation.
    private struct File: Decodable {
        var format: Int?
        var name: String?
        var version: String?
        var description: String?
        var references: [String]?
        var thresholds: [String: Double]?
        var severities: [String: String]?
    }

    /// Reads a profile file: `format` (1), `name`, `version`, `description`,
    /// `references` (optional), `thresholds` (every one of ``PolicyThresholds/Name``) and
    /// `severities` (every key of ``SeverityKey/all``). Anything unknown or missing is refused.
    public init(json data: Data) throws(PolicyProfileError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .unreadable("not valid JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else { throw .unreadable("the top level is not a JSON object") }
        let unknown = top.keys.filter { !Self.keys.contains($0) }
        guard unknown.isEmpty else { throw .unknownKeys(unknown.sorted(), valid: Self.keys) }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch let error as DecodingError {
            throw .unreadable(Self.describe(error))
        } catch {
            throw .unreadable("\(error)")
        }
        guard file.format == Self.format else { throw .unsupportedFormat(found: file.format, supported: Self.format) }
        guard let name = file.name, !name.isEmpty else { throw .missingField("name") }
        guard let version = file.version, !version.isEmpty else { throw .missingField("version") }
        guard let description = file.description, !description.isEmpty else { throw .missingField("description") }
        guard let thresholdValues = file.thresholds else { throw .missingThresholds(PolicyThresholds.Name.allNames) }
        guard let severityNames = file.severities else { throw .missingSeverities(SeverityKey.all) }
        let unknownRules = severityNames.keys.filter { !SeverityKey.all.contains($0) }
        guard unknownRules.isEmpty else { throw .unknownRules(unknownRules.sorted(), valid: SeverityKey.all) }
        var severities: [String: Severity] = [:]
        for (key, text) in severityNames.sorted(by: { $0.key < $1.key }) {
            guard let severity = Severity(rawValue: text) else { throw .invalidSeverity(rule: key, value: text) }
            severities[key] = severity
        }
        try self.init(name: name, version: version, description: description, references: file.references ?? [],
                      thresholds: try PolicyThresholds(values: thresholdValues), severities: severities)
    }

    /// Reads a profile file from disk.
    public init(contentsOf url: URL) throws(PolicyProfileError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable("\(url.path): \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    /// A decoding error as a path and a reason, e.g. `thresholds.rsa_min_bits: expected a number`.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : keys + ": "
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context))expected \(type == Double.self ? "a number" : type == String.self ? "a string" : "\(type)")"
        case .valueNotFound(_, let context):
            return "\(path(context))a value is null"
        case .keyNotFound(let key, let context):
            return "\(path(context))missing \(key.stringValue)"
        case .dataCorrupted(let context):
            return "\(path(context))\(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: Bundled profiles

    /// The bundled profile `baseline` (`Profiles/baseline.json`). The file is part of the
    /// build and tested; a broken one stops the program with the reason.
    public static let baseline: PolicyProfile = {
        do {
            return try bundled(named: "baseline")
        } catch {
            fatalError("the bundled policy profile is broken: \(error)")
        }
    }()

    /// The names of the bundled profiles, sorted.
    public static var bundledNames: [String] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: profilesFolder.path) else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The file of a bundled profile; nil for a name that is none.
    static func bundledURL(named name: String) -> URL? {
        guard bundledNames.contains(name) else { return nil }
        return profilesFolder.appendingPathComponent(name + ".json")
    }

    /// The folder of the bundled profiles: the resource bundle beside the executable (a
    /// build, the tests), or under `../share/netaudit/` (an installed netaudit: `make
    /// install`, the Debian package, which put the binary in `bin/`), else where SwiftPM's
    /// own accessor finds it (the build folder). `Bundle.module` alone would look only beside
    /// the executable and in the build folder, so an installed binary would stop once the
    /// build folder is gone.
    static let profilesFolder: URL = {
        let name = "netaudit_NetauditPolicy.resources"
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folders = [executable.deletingLastPathComponent(), Bundle.main.bundleURL]
        folders += folders.map { $0.deletingLastPathComponent().appendingPathComponent("share/netaudit") }
        for folder in folders {
            let profiles = folder.appendingPathComponent(name).appendingPathComponent("Profiles")
            if FileManager.default.fileExists(atPath: profiles.appendingPathComponent("baseline.json").path) { return profiles }
        }
        return Bundle.module.bundleURL.appendingPathComponent("Profiles")
    }()

    /// A bundled profile by name (an inventory's `policy: {profile: NAME}`).
    public static func bundled(named name: String) throws(PolicyProfileError) -> PolicyProfile {
        guard let url = bundledURL(named: name) else {
            throw .unknownProfile(name, available: bundledNames)
        }
        let profile = try PolicyProfile(contentsOf: url)
        guard profile.name == name else {
            throw .unreadable("Profiles/\(name).json names itself '\(profile.name)'")
        }
        return profile
    }
}
