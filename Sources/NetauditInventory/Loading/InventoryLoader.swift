import Foundation
import NetauditCore
import Yams

/// Every problem found in an inventory, each at its file, line and column.
public struct InventoryError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Reads an inventory (the top file and everything it includes), checks it whole and
/// returns the model, or every problem at once.
///
/// The format is documented in `docs/inventory.md`. Checks: YAML syntax, unknown keys (with
/// a suggestion), missing keys, value formats (addresses, URLs, durations, ports), levels
/// (declared, and never above the parent's), unique codes, `via` naming a linked agency
/// without cycles, targets inside the allow-list, includes that exist and do not loop.
public struct InventoryLoader: Sendable {
    public init() {}

    /// The file an inventory folder stands for: `netaudit inventory check Inventory/gia-lai-2019`.
    public static let folderFileName = "inventory.yaml"

    /// Loads the inventory at `path`: its top file, or a folder holding `inventory.yaml`.
    public func load(path: String) throws(InventoryError) -> Inventory {
        var path = PathText.normalize(path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            path = path == "." ? Self.folderFileName : path + "/" + Self.folderFileName
        }
        let session = LoadSession()
        let inventory = session.loadTop(path)
        let diagnostics = session.sortedDiagnostics()
        guard diagnostics.isEmpty, let inventory else {
            throw InventoryError(diagnostics: diagnostics)
        }
        return inventory
    }
}

/// The keys of each mapping of the format, in the order the documentation lists them.
enum Keys {
    static let top = ["version", "title", "levels", "targets", "allow", "trust", "probe", "policy", "include_folders", "agencies"]
    static let policy = ["profile", "thresholds", "severities"]
    static let trust = ["anchors", "intermediates"]
    static let probe = ["link", "tls", "run_timeout"]
    static let probeLink = ["count", "interval", "timeout"]
    static let probeTLS = ["timeout", "http_port"]
    static let agency = ["code", "name", "level", "kind", "link", "endpoints", "children"]
    static let link = ["address", "method", "port", "via"]
    static let endpoint = ["url", "address", "sni"]
    static let include = "include"
}

/// The state of one load: diagnostics so far, files read, the include chain, and what the
/// whole-inventory checks (codes, via) need to know of each agency.
final class LoadSession {
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var files: [String] = []
    private var includeChain: [(identity: String, display: String)] = []
    private var includedAt: [String: SourceLocation] = [:]
    /// The top file's folder, symbolic links resolved: includes must stay under it.
    private var topFolder = "/"
    /// Further folders includes may read from (`include_folders`), symbolic links resolved.
    var includeFolders: [String] = []

    var levels: [String]?
    var allow: [IPNetwork] = IPNetwork.loopback
    var records: [AgencyRecord] = []

    struct AgencyRecord {
        let code: String
        let codeLocation: SourceLocation
        let hasLink: Bool
        let via: String?
        let viaLocation: SourceLocation?
    }

    func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    func reader(for file: String) -> NodeReader {
        NodeReader(file: file) { [unowned self] in self.report($0) }
    }

    /// Diagnostics ordered by file (in reading order), line, column.
    func sortedDiagnostics() -> [Diagnostic] {
        let order = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return diagnostics.enumerated().sorted { left, right in
            let l = left.element.location, r = right.element.location
            let lf = order[l.file] ?? Int.max, rf = order[r.file] ?? Int.max
            if lf != rf { return lf < rf }
            if l.file != r.file { return l.file < r.file }
            if (l.line, l.column) != (r.line, r.column) { return (l.line, l.column) < (r.line, r.column) }
            return left.offset < right.offset
        }.map(\.element)
    }

    // MARK: Files and includes

    /// Reads one file and enters it into the include chain; nil when it cannot be read.
    private func open(_ display: String, from location: SourceLocation?) -> YAMLFile? {
        var found: [Diagnostic] = []
        let file = YAMLFile.read(display, at: location, into: &found)
        if !files.contains(display) { files.append(display) }
        found.forEach(report)
        return file
    }

    func loadTop(_ path: String) -> Inventory? {
        guard let file = open(path, from: nil) else { return nil }
        let identity = PathText.identity(path)
        topFolder = PathText.identity((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        includeChain.append((identity, path))
        includedAt[identity] = SourceLocation(file: path, line: 0, column: 0)
        defer { includeChain.removeLast() }
        let reader = reader(for: path)
        guard let root = file.root else {
            report(Diagnostic(SourceLocation(file: path, line: 1, column: 1),
                              "the inventory is empty: it needs at least 'levels' and 'agencies'"))
            return nil
        }
        guard let fields = reader.fields(root, of: "the inventory", allowed: Keys.top,
                                         required: ["levels", "agencies"]) else { return nil }
        var inventory = Inventory(levels: [])
        SettingsDecoder(session: self, reader: reader, file: path).decode(fields, into: &inventory)
        inventory.levels = levels ?? []
        inventory.allow = allow
        if let list = fields["agencies"], let items = reader.list(list, "agencies") {
            inventory.agencies = AgencyDecoder(session: self).decodeList(items, reader: reader, parent: nil)
        }
        ViaChecker(records: records).check().forEach(report)
        inventory.files = files
        return inventory
    }

    /// The agencies of the file(s) named by an include item, decoded under `parent`.
    func include(_ item: Node, reader: NodeReader, parent: ParentContext?) -> [Agency] {
        guard let fields = reader.fields(item, of: "an include item", allowed: [Keys.include]),
              let valueNode = fields[Keys.include],
              let relative = reader.string(valueNode, "include") else { return [] }
        let here = reader.location(valueNode)
        let target = PathText.resolve(relative, from: reader.file)
        var targets = [target]
        if PathText.isPattern(target) {
            targets = PathText.expand(target)
            if targets.isEmpty {
                reader.error(valueNode, "include \(quoted(relative, limit: QuotedInput.pathLimit)) matches no file")
                return []
            }
        } else if !FileManager.default.fileExists(atPath: target) {
            reader.error(valueNode, "included file \(quoted(relative, limit: QuotedInput.pathLimit)) does not exist")
            return []
        }
        var agencies: [Agency] = []
        for display in targets {
            let identity = PathText.identity(display)
            if let index = includeChain.firstIndex(where: { $0.identity == identity }) {
                if index == includeChain.count - 1 {
                    reader.error(valueNode, "include \(quoted(relative, limit: QuotedInput.pathLimit)) includes the file itself")
                } else {
                    let cycle = includeChain[index...].map(\.display) + [display]
                    reader.error(valueNode, "include \(quoted(relative, limit: QuotedInput.pathLimit)) makes a cycle: \(cycle.joined(separator: " → "))")
                }
                continue
            }
            // The true reason first (a FIFO, a device, a folder), then where the file is.
            if let problem = FileKind.problem(display) {
                reader.error(valueNode, "cannot read \(quoted(display, limit: QuotedInput.resolvedPathLimit)): \(problem)")
                continue
            }
            guard ([topFolder] + includeFolders).contains(where: { PathText.isInside(identity, folder: $0) }) else {
                let also = includeFolders.isEmpty ? "" : " or include_folders"
                reader.error(valueNode, "included file \(quoted(display, limit: QuotedInput.resolvedPathLimit)) is outside the folder of the top file (\(topFolder)): "
                                 + "it leads to \(quoted(identity, limit: QuotedInput.resolvedPathLimit)); only files under that folder\(also) are included")
                continue
            }
            if let first = includedAt[identity] {
                reader.error(valueNode, "\(quoted(display, limit: QuotedInput.resolvedPathLimit)) is already included at \(first)")
                continue
            }
            includedAt[identity] = here
            agencies += includedFile(display, from: here, parent: parent)
        }
        return agencies
    }

    private func includedFile(_ display: String, from location: SourceLocation, parent: ParentContext?) -> [Agency] {
        guard let file = open(display, from: location) else { return [] }
        includeChain.append((PathText.identity(display), display))
        defer { includeChain.removeLast() }
        let reader = reader(for: display)
        guard let root = file.root else {
            report(Diagnostic(SourceLocation(file: display, line: 1, column: 1),
                              "the included file is empty: it needs 'agencies'"))
            return []
        }
        guard case .mapping(let mapping) = root else {
            reader.error(root, "expected a mapping with the key 'agencies' in an included file, found \(NodeReader.describe(root))")
            return []
        }
        var agenciesNode: Node?
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            if key == "agencies" {
                agenciesNode = value
            } else if Keys.top.contains(key) {
                reader.error(keyNode, "key \(quoted(key)) belongs in the top inventory file, not in an included file")
            } else {
                reader.error(keyNode, "unknown key \(quoted(key)) in an included file" + Suggestion.hint(for: key, in: ["agencies"]))
            }
        }
        guard let agenciesNode else {
            reader.error(root, "missing required key 'agencies' in an included file")
            return []
        }
        guard let items = reader.list(agenciesNode, "agencies") else { return [] }
        return AgencyDecoder(session: self).decodeList(items, reader: reader, parent: parent)
    }
}

/// What a child needs to know of its parent.
struct ParentContext {
    let code: String
    let level: String
    let levelIndex: Int?
}
