import Foundation
import NetauditCore

/// A CSV file (RFC 4180: commas, double quotes, `""` inside quotes, LF or CRLF, an optional
/// UTF-8 byte-order mark) read into records that remember where each field started, so that
/// an import error names its line and column like every other input error of netaudit.
struct CSVTable {
    struct Field {
        let text: String
        let location: SourceLocation
    }

    struct Record {
        let fields: [Field]
        var location: SourceLocation { fields.first!.location }
    }

    let path: String
    let header: [String]
    let records: [Record]

    /// Reads `path`; the first record is the header. Throws every problem found.
    static func read(_ path: String) throws(InventoryError) -> CSVTable {
        let whole = SourceLocation(file: path, line: 0, column: 0)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InventoryError(diagnostics: [Diagnostic(whole, "cannot read '\(path)'")])
        }
        guard var text = String(validating: data, as: UTF8.self) else {
            throw InventoryError(diagnostics: [Diagnostic(YAMLFile.invalidUTF8Location(data, path), "the file is not valid UTF-8")])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records: [Record] = []
        var fields: [Field] = []
        var field = ""
        var fieldStart = SourceLocation(file: path, line: 1, column: 1)
        var line = 1, column = 1
        var quoted = false, wasQuoted = false
        var quoteStart = fieldStart
        var atFieldStart = true

        func endField() {
            fields.append(Field(text: wasQuoted ? field : field, location: fieldStart))
            field = ""
            wasQuoted = false
            atFieldStart = true
        }
        var scalars = Array(text.unicodeScalars)
        if scalars.last != "\n" { scalars.append("\n") }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if atFieldStart {
                fieldStart = SourceLocation(file: path, line: line, column: column)
                atFieldStart = false
            }
            if quoted {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                        column += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                    if scalar == "\n" { line += 1; column = 0 }
                }
            } else if scalar == "\"" && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
                quoteStart = SourceLocation(file: path, line: line, column: column)
            } else if scalar == "," {
                endField()
            } else if scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n" {
                // CRLF: the LF ends the record.
            } else if scalar == "\n" {
                endField()
                if !(fields.count == 1 && fields[0].text.isEmpty) { records.append(Record(fields: fields)) }
                fields = []
                line += 1
                column = 0
            } else if wasQuoted {
                throw InventoryError(diagnostics: [Diagnostic(SourceLocation(file: path, line: line, column: column),
                    "unexpected character after a closing quote")])
            } else {
                field.unicodeScalars.append(scalar)
            }
            index += 1
            column += 1
        }
        if quoted {
            throw InventoryError(diagnostics: [Diagnostic(quoteStart, "this quoted field is never closed")])
        }
        guard let headerRecord = records.first else {
            throw InventoryError(diagnostics: [Diagnostic(whole, "the file is empty: it needs a header line")])
        }
        return CSVTable(path: path, header: headerRecord.fields.map { $0.text.trimmingCharacters(in: .whitespaces) },
                        records: Array(records.dropFirst()))
    }

    /// The records with as many fields as the header; each other one is reported.
    func completeRecords(reporting diagnostics: inout [Diagnostic]) -> [Record] {
        records.filter { record in
            guard record.fields.count == header.count else {
                diagnostics.append(Diagnostic(record.location,
                    "expected \(header.count) fields as in the header, found \(record.fields.count)"))
                return false
            }
            return true
        }
    }

    /// The column index of each required name; reports the missing ones.
    func columns(_ required: [String]) throws(InventoryError) -> [String: Int] {
        var result: [String: Int] = [:]
        var missing: [String] = []
        for name in required {
            if let index = header.firstIndex(of: name) { result[name] = index } else { missing.append(name) }
        }
        guard missing.isEmpty else {
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw InventoryError(diagnostics: [Diagnostic(SourceLocation(file: path, line: 1, column: 1),
                "missing column \(names) (the header has: \(header.joined(separator: ", ")))")])
        }
        return result
    }
}
