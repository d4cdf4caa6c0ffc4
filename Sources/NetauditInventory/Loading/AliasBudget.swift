import Yams

/// The bound on alias expansion (the "billion laughs" of YAML): a 2 kB file of anchors that
/// alias each other ten times per level would expand into billions of nodes.
///
/// The rule is go-yaml v3's (`allowedAliasRatio` in decode.go), which other decoders of
/// libyaml's lineage follow: once a document has more than 1,000 nodes of which more than
/// 100 come from aliases, the share that comes from aliases may not exceed 99 % up to
/// 400,000 nodes, falling linearly to 10 % at 4,000,000. Ordinary files, with a few aliases
/// or none, never come near it; a bomb is refused after a few thousand nodes, at once.
///
/// Yams composes an alias as a copy of its anchor's node (shared storage, so composing is
/// cheap); the expansion happens when the tree is walked. The walk here counts, in
/// document order, and stops at the first node past the budget. A node comes from an
/// alias when it starts before a node already visited: in document order the nodes of the
/// text only move forward, and an alias brings back an anchor written earlier.
enum AliasBudget {
    static let percentText = "99%"

    /// The share of aliased nodes allowed in a document of `nodes` nodes.
    static func allowedRatio(_ nodes: Int) -> Double {
        let low = 400_000.0, high = 4_000_000.0
        let count = Double(nodes)
        if count <= low { return 0.99 }
        if count >= high { return 0.10 }
        return 0.99 - 0.89 * (count - low) / (high - low)
    }

    /// Where the text uses an alias of a collection as a mapping key (`*a: …`, `? *a`), or
    /// nil. The check runs on the text, before composing, because the composer compares the
    /// keys of each mapping for duplicates: comparing such a key walks its whole expansion,
    /// so one line could keep the CPU busy for hours. Keys of the format are plain words, so
    /// refusing any alias of a list or mapping (`&a [`, `&a {`, `&a` at the end of its line)
    /// in key position loses nothing; an alias of a scalar costs nothing and is left alone.
    static func collectionAliasKey(in text: String) -> (line: Int, column: Int, name: String)? {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "&")), bytes.contains(UInt8(ascii: "*")) else { return nil }
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        // Anchors of collections: `&name` then `[`, `{`, a comment or the end of the line.
        var collections = Set<ArraySlice<UInt8>>()
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "&") {
                var end = index + 1
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                var next = end
                while next < bytes.count, isBlank(bytes[next]) { next += 1 }
                if end > index + 1, next == bytes.count || [UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#"), 0x0A, 0x0D].contains(bytes[next]) {
                    collections.insert(bytes[(index + 1)..<end])
                }
                index = end
            } else {
                index += 1
            }
        }
        guard !collections.isEmpty else { return nil }
        var line = 1, lineStart = 0
        index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1; lineStart = index + 1; index += 1; continue }
            guard byte == UInt8(ascii: "*") else { index += 1; continue }
            var end = index + 1
            while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
            let name = bytes[(index + 1)..<end]
            if !name.isEmpty, collections.contains(name) {
                var next = end
                while next < bytes.count, isBlank(bytes[next]) { next += 1 }
                var before = index - 1
                while before >= lineStart, isBlank(bytes[before]) { before -= 1 }
                let keyBefore = before >= lineStart && bytes[before] == UInt8(ascii: "?")
                if keyBefore || (next < bytes.count && bytes[next] == UInt8(ascii: ":")) {
                    let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).count + 1
                    return (line, column, String(decoding: name, as: UTF8.self))
                }
            }
            index = max(end, index + 1)
        }
        return nil
    }

    /// The first node at which `root`'s expansion exceeds the budget, or nil when it fits.
    static func firstExcess(in root: Node) -> Node? {
        var nodes = 0, aliased = 0
        var latest = (line: 0, column: 0)
        var stack: [(node: Node, aliased: Bool)] = [(root, false)]
        while let (node, inherited) = stack.popLast() {
            var fromAlias = inherited
            if !fromAlias, let mark = node.mark {
                if (mark.line, mark.column) < latest { fromAlias = true } else { latest = (mark.line, mark.column) }
            }
            nodes += 1
            if fromAlias { aliased += 1 }
            if aliased > 100, nodes > 1_000, Double(aliased) / Double(nodes) > allowedRatio(nodes) { return node }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() {
                    stack.append((value, fromAlias))
                    stack.append((key, fromAlias))
                }
            case .sequence(let sequence):
                for item in sequence.reversed() { stack.append((item, fromAlias)) }
            case .scalar, .alias:
                break
            }
        }
        return nil
    }
}
