import Foundation
import NetauditCore
import Yams

/// One YAML file read into a node tree that remembers line and column of every node.
struct YAMLFile {
    let path: String
    let root: Node?

    /// Reads and parses `path`; a file that cannot be read or parsed yields a diagnostic.
    /// Only regular files are read (a FIFO would block, a device never end); a document
    /// whose aliases expand far beyond its text is refused before anything walks it.
    static func read(_ path: String, at location: SourceLocation? = nil,
                     into diagnostics: inout [Diagnostic]) -> YAMLFile? {
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        let start = SourceLocation(file: path, line: 1, column: 1)
        if let problem = FileKind.problem(path) {
            diagnostics.append(Diagnostic(location ?? fileLocation, "cannot read \(quoted(path, limit: 200)): \(problem)"))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.append(Diagnostic(location ?? fileLocation, "cannot read \(quoted(path, limit: 200)): permission denied"))
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            diagnostics.append(Diagnostic(invalidUTF8Location(data, path), "the file is not valid UTF-8"))
            return nil
        }
        if let key = AliasBudget.collectionAliasKey(in: text) {
            diagnostics.append(Diagnostic(SourceLocation(file: path, line: key.line, column: key.column),
                                          "the alias \(quoted("*" + key.name)) of a list or mapping is used as a mapping key: keys are plain words"))
            return nil
        }
        do {
            let root = try Yams.compose(yaml: text)
            if let root, let node = AliasBudget.firstExcess(in: root) {
                diagnostics.append(Diagnostic(
                    SourceLocation(file: path, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1),
                    "excessive aliasing: the node here is repeated through aliases too many times "
                        + "(aliased nodes may be at most \(AliasBudget.percentText) of a document's nodes, less in large documents)"))
                return nil
            }
            return YAMLFile(path: path, root: root)
        } catch let error as YamlError {
            diagnostics.append(diagnostic(for: error, path: path))
            return nil
        } catch {
            diagnostics.append(Diagnostic(start, "invalid YAML: \(error)"))
            return nil
        }
    }

    static func diagnostic(for error: YamlError, path: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: path, line: max(mark.line, 1), column: max(mark.column, 1)) }
        func text(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context, !context.text.isEmpty else { return "invalid YAML: \(problem)" }
            return "invalid YAML: \(problem) (\(context.text))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return Diagnostic(at(mark), text(problem, context))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { quoted($0) }.joined(separator: ", ")
            return Diagnostic(at(context.mark), "key \(keys) appears more than once in this mapping")
        case .reader(let problem, let offset, let value, let yaml):
            // libyaml's reader refuses control characters (NUL included) and bad encodings
            // with the offset, in characters, of the culprit and its value.
            let where_ = offset.map { characterLocation(yaml, offset: $0, path: path) } ?? SourceLocation(file: path, line: 1, column: 1)
            let culprit = value >= 0 ? String(format: " (character U+%04X)", value) : ""
            return Diagnostic(where_, "invalid YAML: \(problem)\(culprit)")
        default:
            return Diagnostic(SourceLocation(file: path, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }

    /// Line and column (from 1) of the character at `offset` characters into `text`.
    static func characterLocation(_ text: String, offset: Int, path: String) -> SourceLocation {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(file: path, line: line, column: column)
    }

    /// Line and column (in characters) of the first byte that breaks UTF-8.
    static func invalidUTF8Location(_ data: Data, _ path: String) -> SourceLocation {
        var line = 1, lineStart = 0, index = 0
        let bytes = [UInt8](data)
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            let end = index + length
            if length == 0 || end > bytes.count
                || String(validating: bytes[index..<end], as: UTF8.self) == nil {
                let column = (String(validating: bytes[lineStart..<index], as: UTF8.self)?.count ?? 0) + 1
                return SourceLocation(file: path, line: line, column: column)
            }
            if byte == 0x0A { line += 1; lineStart = end }
            index = end
        }
        return SourceLocation(file: path, line: 1, column: 1)
    }
}

/// Typed access to the nodes of one file, reporting each problem at its node.
struct NodeReader {
    let file: String
    let report: (Diagnostic) -> Void

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    func error(_ node: Node, _ message: String) {
        report(Diagnostic(location(node), message))
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return "a single value"
        case .alias: return "an alias"
        }
    }

    /// Whether the node is an empty or null scalar (`key:` with nothing after it, `~`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The fields of a mapping: unknown keys are reported (with a suggestion), missing
    /// required keys too. Returns nil when the node is not a mapping.
    func fields(_ node: Node, of what: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error(node, "expected a mapping (key: value lines) for \(what), found \(NodeReader.describe(node))")
            return nil
        }
        var fields = Fields(node: node)
        var suggested: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                error(keyNode, "a key of \(what) must be a plain word, found \(NodeReader.describe(keyNode))")
                continue
            }
            guard allowed.contains(key.string) else {
                error(keyNode, "unknown key \(quoted(key.string)) in \(what)" + Suggestion.hint(for: key.string, in: allowed))
                if let match = Suggestion.closest(to: key.string, in: allowed) { suggested.insert(match) }
                continue
            }
            fields.values[key.string] = (keyNode, value)
        }
        // A misspelt required key is reported once, as the unknown key with its suggestion.
        for key in required where fields.values[key] == nil && !suggested.contains(key) {
            error(node, "missing required key '\(key)' in \(what)")
        }
        return fields
    }

    /// A scalar's text; reports lists, mappings and empty values.
    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "expected a single value for \(what), found \(NodeReader.describe(node))")
            return nil
        }
        guard !NodeReader.isNull(node), !scalar.string.isEmpty else {
            error(node, "\(what) has no value")
            return nil
        }
        return scalar.string
    }

    /// A list's items; reports anything else. A null value is an empty list.
    func list(_ node: Node, _ what: String) -> [Node]? {
        if NodeReader.isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            error(node, "expected a list for \(what), found \(NodeReader.describe(node))")
            return nil
        }
        return Array(sequence)
    }

    /// A whole number within `range`.
    func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            error(node, "invalid \(what) \(quoted(text)): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A positive duration with a unit.
    func duration(_ node: Node, _ what: String) -> Duration? {
        guard let text = string(node, what) else { return nil }
        guard let value = Duration(text: text), value > .zero else {
            error(node, "invalid \(what) \(quoted(text)): write a positive number and a unit, e.g. 200ms, 1s, 5m")
            return nil
        }
        return value
    }

    /// An IPv4 or IPv6 address.
    func address(_ node: Node, _ what: String) -> IPAddress? {
        guard let text = string(node, what) else { return nil }
        guard let address = IPAddress(text) else {
            error(node, "invalid \(what) \(quoted(text)): not an IPv4 or IPv6 address")
            return nil
        }
        return address
    }
}

/// The recognised keys of one mapping, each with its key node (for positions) and value.
struct Fields {
    let node: Node
    var values: [String: (key: Node, value: Node)] = [:]

    subscript(key: String) -> Node? { values[key]?.value }
    func keyNode(_ key: String) -> Node? { values[key]?.key }
}
