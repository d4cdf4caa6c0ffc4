import Foundation
import NetauditCore
import NetauditPolicy
import Yams

/// The top-level settings of an inventory: version, title, levels, targets, allow-list,
/// trust anchors and known intermediates, probe defaults and policy.
struct SettingsDecoder {
    static let supportedVersion = 1

    let session: LoadSession
    let reader: NodeReader
    let file: String

    func decode(_ fields: Fields, into inventory: inout Inventory) {
        if let node = fields["version"], let text = reader.string(node, "version"), text != "\(Self.supportedVersion)" {
            reader.error(node, "unsupported inventory version \(quoted(text)): this netaudit reads version \(Self.supportedVersion)")
        }
        if let node = fields["title"], let title = reader.string(node, "title") {
            inventory.title = title.precomposedStringWithCanonicalMapping
        }
        if let node = fields["levels"] { session.levels = levels(node) }
        if let node = fields["targets"] { inventory.targets = targets(node) }
        if let node = fields["allow"], let allow = allowList(node) { session.allow = allow }
        if let node = fields["trust"] { trust(node, into: &inventory) }
        if let node = fields["probe"] { inventory.probe = probeDefaults(node) }
        if let node = fields["policy"] { inventory.policy = policy(node) }
        if let node = fields["include_folders"] { session.includeFolders = includeFolders(node) }
    }

    /// `include_folders`: folders outside the top file's, relative to it, whose regular
    /// files may be included too (a shared file of departments, say). Each must be a folder.
    private func includeFolders(_ node: Node) -> [String] {
        guard let items = reader.list(node, "include_folders") else { return [] }
        var folders: [String] = []
        for item in items {
            guard let relative = reader.string(item, "an include folder") else { continue }
            let path = PathText.resolve(relative, from: file)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                reader.error(item, "include folder \(quoted(relative, limit: QuotedInput.pathLimit)) is not a folder (looked for \(path))")
                continue
            }
            folders.append(PathText.identity(path))
        }
        return folders
    }

    /// `policy: {profile, thresholds, severities}`, each name checked against the profile.
    private func policy(_ node: Node) -> InventoryPolicy {
        var result = InventoryPolicy()
        guard let fields = reader.fields(node, of: "policy", allowed: Keys.policy) else { return result }
        var valid = true
        if let profileNode = fields["profile"], let name = reader.string(profileNode, "policy.profile") {
            if PolicyProfile.bundledNames.contains(name) {
                result.profile = name
            } else {
                reader.error(profileNode, "unknown policy profile \(quoted(name))" + Suggestion.hint(for: name, in: PolicyProfile.bundledNames))
                valid = false
            }
        }
        let thresholdNames = PolicyThresholds.Name.allCases.map(\.rawValue)
        if let thresholds = fields["thresholds"] {
            if case .mapping(let mapping) = thresholds {
                for (keyNode, valueNode) in mapping {
                    guard let name = reader.string(keyNode, "a threshold name") else { valid = false; continue }
                    guard thresholdNames.contains(name) else {
                        reader.error(keyNode, "unknown threshold \(quoted(name)) in policy" + Suggestion.hint(for: name, in: thresholdNames))
                        valid = false
                        continue
                    }
                    guard let text = reader.string(valueNode, "threshold \(quoted(name))"), let value = Double(text), value.isFinite else {
                        reader.error(valueNode, "invalid value for threshold \(quoted(name)): expected a number")
                        valid = false
                        continue
                    }
                    result.thresholds[name] = value
                }
            } else {
                reader.error(thresholds, "expected a mapping of name: number for policy.thresholds, found \(NodeReader.describe(thresholds))")
                valid = false
            }
        }
        if let severities = fields["severities"] {
            if case .mapping(let mapping) = severities {
                for (keyNode, valueNode) in mapping {
                    guard let id = reader.string(keyNode, "a rule id") else { valid = false; continue }
                    guard SeverityKey.all.contains(id) else {
                        reader.error(keyNode, "unknown rule id \(quoted(id)) in policy" + Suggestion.hint(for: id, in: SeverityKey.all))
                        valid = false
                        continue
                    }
                    let names = Severity.allCases.map(\.rawValue)
                    guard let text = reader.string(valueNode, "severity of \(quoted(id))"), names.contains(text) else {
                        reader.error(valueNode, "invalid severity for \(quoted(id)): expected one of \(names.joined(separator: ", "))")
                        valid = false
                        continue
                    }
                    result.severities[id] = text
                }
            } else {
                reader.error(severities, "expected a mapping of rule id: severity for policy.severities, found \(NodeReader.describe(severities))")
                valid = false
            }
        }
        if valid {  // values in range, windows consistent: the profile's own checks
            do throws(PolicyProfileError) {
                _ = try Policy(inventory: result)
            } catch {
                reader.error(node, "policy: \(error)")
            }
        }
        return result
    }

    private func levels(_ node: Node) -> [String]? {
        guard let items = reader.list(node, "levels") else { return nil }
        guard !items.isEmpty else {
            reader.error(node, "levels needs at least one level name, e.g. [province, district, commune]")
            return nil
        }
        var names: [String] = []
        var valid = true
        for item in items {
            guard let name = reader.string(item, "a level name") else { valid = false; continue }
            let normalized = name.precomposedStringWithCanonicalMapping
            if names.contains(normalized) {
                reader.error(item, "level \(quoted(name)) is declared twice")
                valid = false
            } else if !normalized.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                reader.error(item, "invalid level name \(quoted(name)): use letters, digits, '-' and '_'")
                valid = false
            }
            names.append(normalized)
        }
        return valid ? names : nil
    }

    private func targets(_ node: Node) -> [String: Double] {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "expected a mapping of level: percent for targets, found \(NodeReader.describe(node))")
            return [:]
        }
        var result: [String: Double] = [:]
        for (keyNode, valueNode) in mapping {
            guard let level = reader.string(keyNode, "a level name") else { continue }
            if let levels = session.levels, !levels.contains(level) {
                reader.error(keyNode, "targets: unknown level \(quoted(level))" + Suggestion.hint(for: level, in: levels))
                continue
            }
            guard let text = reader.string(valueNode, "the target of \(quoted(level))") else { continue }
            let number = text.hasSuffix("%") ? String(text.dropLast()) : text
            guard let value = Double(number), value.isFinite, (0...100).contains(value) else {
                reader.error(valueNode, "invalid target \(quoted(text)) for level \(quoted(level)): expected a percentage from 0 to 100")
                continue
            }
            result[level] = value
        }
        return result
    }

    private func allowList(_ node: Node) -> [IPNetwork]? {
        guard let items = reader.list(node, "allow") else { return nil }
        var networks: [IPNetwork] = []
        for item in items {
            guard let text = reader.string(item, "an allowed network") else { continue }
            guard let network = IPNetwork(text) else {
                reader.error(item, "invalid network \(quoted(text)) in allow: write ADDRESS/PREFIX with the network's first address, e.g. 127.0.0.0/8")
                continue
            }
            networks.append(network)
        }
        return networks
    }

    /// `trust: {anchors, intermediates}`: PEM files, relative to this file, each readable and
    /// holding at least one PEM certificate.
    private func trust(_ node: Node, into inventory: inout Inventory) {
        guard let fields = reader.fields(node, of: "trust", allowed: Keys.trust) else { return }
        if let list = fields["anchors"] { inventory.trustAnchors = pemFiles(list, list: "trust anchors", item: "trust anchor") }
        if let list = fields["intermediates"] {
            inventory.trustIntermediates = pemFiles(list, list: "trust intermediates", item: "trust intermediate")
        }
    }

    private func pemFiles(_ node: Node, list: String, item noun: String) -> [String] {
        guard let items = reader.list(node, list) else { return [] }
        var paths: [String] = []
        for item in items {
            guard let relative = reader.string(item, "a \(noun)") else { continue }
            let path = PathText.resolve(relative, from: file)
            // A FIFO or a device is refused without opening it: reading one could block the load.
            if let problem = FileKind.problem(path), problem != "no such file", problem != "permission denied" {
                reader.error(item, "\(noun) \(quoted(relative, limit: QuotedInput.pathLimit)) cannot be read: \(problem)")
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                reader.error(item, "\(noun) \(quoted(relative, limit: QuotedInput.pathLimit)) cannot be read (looked for \(path))")
                continue
            }
            guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                reader.error(item, "\(noun) \(quoted(relative, limit: QuotedInput.pathLimit)) holds no PEM certificate")
                continue
            }
            paths.append(path)
        }
        return paths
    }

    private func probeDefaults(_ node: Node) -> ProbeDefaults {
        var defaults = ProbeDefaults()
        guard let fields = reader.fields(node, of: "probe", allowed: Keys.probe) else { return defaults }
        if let link = fields["link"], let linkFields = reader.fields(link, of: "probe.link", allowed: Keys.probeLink) {
            if let count = linkFields["count"], let value = reader.integer(count, "probe.link.count", in: 1...1000) {
                defaults.linkCount = value
            }
            if let interval = linkFields["interval"], let value = reader.duration(interval, "probe.link.interval") {
                defaults.linkInterval = value
            }
            if let timeout = linkFields["timeout"], let value = reader.duration(timeout, "probe.link.timeout") {
                defaults.linkTimeout = value
            }
        }
        if let tls = fields["tls"], let tlsFields = reader.fields(tls, of: "probe.tls", allowed: Keys.probeTLS) {
            if let timeout = tlsFields["timeout"], let value = reader.duration(timeout, "probe.tls.timeout") {
                defaults.tlsTimeout = value
            }
            if let port = tlsFields["http_port"], let value = reader.integer(port, "probe.tls.http_port", in: 1...65535) {
                defaults.httpPort = value
            }
        }
        if let timeout = fields["run_timeout"], let value = reader.duration(timeout, "probe.run_timeout") {
            defaults.runTimeout = value
        }
        return defaults
    }
}
