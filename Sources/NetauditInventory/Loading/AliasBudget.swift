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
