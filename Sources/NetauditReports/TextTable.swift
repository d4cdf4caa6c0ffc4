import NetauditCore

/// A plain-text table for terminals: a header row, aligned columns (numbers to the right),
/// widths counted in characters so Vietnamese names line up.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var columns: [(title: String, alignment: Alignment)]
    public var rows: [[String]] = []

    public init(columns: [(title: String, alignment: Alignment)]) {
        self.columns = columns
    }

    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as text. `style` may wrap a cell (row 0 is the header) in terminal colour
    /// codes; it gets the cell's text and returns it styled, after the widths are counted.
    public func render(style: ((_ row: Int, _ column: Int, _ text: String) -> String)? = nil) -> String {
        // Cells come from outside (names, codes): shown, never obeyed (String.displaySafe).
        let all = ([columns.map(\.title)] + rows).map { $0.map(\.displaySafe) }
        let widths = columns.indices.map { index in all.map { $0.indices.contains(index) ? $0[index].count : 0 }.max() ?? 0 }
        return all.enumerated().map { number, row in
            columns.indices.map { index in
                var text = row.indices.contains(index) ? row[index] : ""
                let fill = String(repeating: " ", count: widths[index] - text.count)
                if let style, !text.isEmpty { text = style(number, index, text) }
                return columns[index].alignment == .right ? fill + text : text + fill
            }.joined(separator: "  ").replacingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
