import Foundation
import NetauditCore

/// The administrative units of one CSV file, in any of the layouts an operator has at hand:
///
/// - **netaudit's** (`shared/data/admin-units/`): `level,code,name,division_type,parent_code`;
/// - **the GSO's list of one level**, as danhmuchanhchinh.gso.gov.vn exports it and a
///   spreadsheet saves it as CSV: `Mã, Tên, Tên Tiếng Anh, Cấp` and, below the top,
///   the parent's code: `Mã cấp trên`, or `Mã TP` (a district, or a commune since 2025) and
///   `Mã QH` (a commune under a district);
/// - **the GSO's combined list**, one row per commune with its province and district:
///   `Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã, Mã PX, Cấp, Tên Tiếng Anh`
///   (without the district columns for the two-level structure of 2025).
///
/// Headers are matched without regard to case, Unicode normalisation or the spaces around
/// a `/`. In the GSO's layouts the level comes from `Cấp` (tỉnh, thành phố, quận, huyện,
/// thị xã, xã, phường, thị trấn, đặc khu): the levels are `province`, `district` and
/// `commune`, as in the shipped inventories.
struct GSOUnitsFile {
    enum Layout: Equatable {
        case netaudit
        case gsoLevel
        case gsoCombined
    }

    /// The level names the GSO's layouts give, top first.
    static let gsoLevels = ["province", "district", "commune"]

    var layout: Layout
    var units: [GSOImport.Unit] = []
    /// The levels in the file, top first.
    var levels: [String] = []
    var diagnostics: [Diagnostic] = []

    /// A header as compared: NFC, lower case, one space between words, none around '/'.
    static func normalised(_ header: String) -> String {
        let words = header.precomposedStringWithCanonicalMapping.lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return words.replacingOccurrences(of: " / ", with: "/").replacingOccurrences(of: " /", with: "/")
            .replacingOccurrences(of: "/ ", with: "/")
    }

    /// The headers each column of the GSO's layouts is known by (normalised).
    enum Column: CaseIterable {
        case code, name, type, parentCode
        case provinceCode, provinceName, districtCode, districtName, communeCode, communeName

        var names: [String] {
            switch self {
            case .code: return ["mã", "mã đơn vị", "mã đvhc", "mã số"]
            case .name: return ["tên", "tên đơn vị", "tên đvhc"]
            case .type: return ["cấp", "loại"]
            case .parentCode: return ["mã cấp trên", "mã đơn vị cấp trên", "mã đvhc cấp trên"]
            case .provinceCode: return ["mã tp", "mã tỉnh", "mã tỉnh/thành phố", "mã tỉnh/tp"]
            case .provinceName: return ["tỉnh thành phố", "tỉnh/thành phố", "tỉnh/tp", "tỉnh"]
            case .districtCode: return ["mã qh", "mã huyện", "mã quận/huyện"]
            case .districtName: return ["quận huyện", "quận/huyện", "huyện"]
            case .communeCode: return ["mã px", "mã xã", "mã phường/xã", "mã xã/phường"]
            case .communeName: return ["phường xã", "phường/xã", "xã/phường", "xã"]
            }
        }
    }

    /// Which layout a header is, by its columns; nil when it is none of the GSO's.
    static func gsoLayout(_ header: [String]) -> (Layout, [Column: Int])? {
        let normal = header.map(normalised)
        var found: [Column: Int] = [:]
        for column in Column.allCases {
            if let index = normal.firstIndex(where: { column.names.contains($0) }) { found[column] = index }
        }
        if found[.communeCode] != nil, found[.communeName] != nil, found[.provinceCode] != nil { return (.gsoCombined, found) }
        if found[.code] != nil, found[.name] != nil, found[.type] != nil { return (.gsoLevel, found) }
        return nil
    }

    /// The level a GSO `Cấp` names; a `thành phố` is a province at the top and a district below it.
    static func level(ofType type: String, hasParent: Bool) -> String? {
        switch normalised(type) {
        case "tỉnh", "thành phố trung ương", "thành phố trực thuộc trung ương": return "province"
        case "thành phố", "thành phố thuộc tỉnh": return hasParent ? "district" : "province"
        case "quận", "huyện", "thị xã": return "district"
        case "xã", "phường", "thị trấn", "đặc khu": return "commune"
        default: return nil
        }
    }

    static let typesAccepted = "tỉnh, thành phố, quận, huyện, thị xã, xã, phường, thị trấn, đặc khu"

    /// Reads one file in whichever layout its header has.
    static func read(_ path: String) throws(InventoryError) -> GSOUnitsFile {
        let table = try CSVTable.read(path)
        if table.header.contains("level") || gsoLayout(table.header) == nil {
            let columns: [String: Int]
            do throws(InventoryError) {
                columns = try table.columns(["level", "code", "name", "parent_code"])
            } catch {
                // Neither layout: say both.
                let message = (error.diagnostics.first?.message ?? "missing columns")
                    + "; or the GSO's headers: Mã, Tên, Cấp and Mã cấp trên (or Mã TP / Mã QH), or Mã TP, Tỉnh Thành Phố, Mã QH, Quận Huyện, Mã PX, Phường Xã, Cấp"
                throw InventoryError(diagnostics: [Diagnostic(SourceLocation(file: path, line: 1, column: 1), message)])
            }
            return readNetaudit(table, columns)
        }
        let (layout, columns) = gsoLayout(table.header)!
        return layout == .gsoCombined ? readCombined(table, columns) : readLevel(table, columns)
    }

    private static func readNetaudit(_ table: CSVTable, _ columns: [String: Int]) -> GSOUnitsFile {
        var file = GSOUnitsFile(layout: .netaudit)
        for record in table.completeRecords(reporting: &file.diagnostics) {
            func field(_ name: String) -> CSVTable.Field { record.fields[columns[name]!] }
            func value(_ name: String) -> String { field(name).text.trimmingCharacters(in: .whitespaces) }
            var complete = true
            for name in ["level", "code", "name"] where value(name).isEmpty {
                file.diagnostics.append(Diagnostic(field(name).location, "empty \(name)"))
                complete = false
            }
            guard complete else { continue }
            file.add(GSOImport.Unit(level: value("level"), code: value("code"), name: value("name").precomposedStringWithCanonicalMapping,
                                    parentCode: value("parent_code"), location: field("code").location))
        }
        return file
    }

    private static func readLevel(_ table: CSVTable, _ columns: [Column: Int]) -> GSOUnitsFile {
        var file = GSOUnitsFile(layout: .gsoLevel)
        for record in table.completeRecords(reporting: &file.diagnostics) {
            func field(_ column: Column) -> CSVTable.Field? { columns[column].map { record.fields[$0] } }
            func value(_ column: Column) -> String { field(column)?.text.trimmingCharacters(in: .whitespaces) ?? "" }
            let parent = [Column.parentCode, .districtCode, .provinceCode].lazy.map(value).first { !$0.isEmpty } ?? ""
            guard let code = field(.code), let type = field(.type) else { continue }
            var complete = true
            for (column, label) in [(Column.code, "Mã"), (.name, "Tên"), (.type, "Cấp")] where value(column).isEmpty {
                file.diagnostics.append(Diagnostic(field(column)?.location ?? record.location, "empty \(label)"))
                complete = false
            }
            guard complete else { continue }
            guard let level = level(ofType: value(.type), hasParent: !parent.isEmpty) else {
                file.diagnostics.append(Diagnostic(type.location, "unknown Cấp '\(value(.type))' (expected one of: \(typesAccepted))"))
                continue
            }
            file.add(GSOImport.Unit(level: level, code: value(.code), name: value(.name).precomposedStringWithCanonicalMapping,
                                    parentCode: parent, location: code.location))
        }
        file.levels = gsoLevels.filter(file.levels.contains)
        return file
    }

    private static func readCombined(_ table: CSVTable, _ columns: [Column: Int]) -> GSOUnitsFile {
        var file = GSOUnitsFile(layout: .gsoCombined)
        var seen: [String: String] = [:]  // "level code" → name, for the units each row repeats
        for record in table.completeRecords(reporting: &file.diagnostics) {
            func field(_ column: Column) -> CSVTable.Field? { columns[column].map { record.fields[$0] } }
            func value(_ column: Column) -> String { field(column)?.text.trimmingCharacters(in: .whitespaces) ?? "" }
            let province = value(.provinceCode), district = value(.districtCode), commune = value(.communeCode)
            guard !province.isEmpty, !commune.isEmpty else {
                let missing = province.isEmpty ? (Column.provinceCode, "Mã TP") : (Column.communeCode, "Mã PX")
                file.diagnostics.append(Diagnostic(field(missing.0)?.location ?? record.location, "empty \(missing.1)"))
                continue
            }
            /// A province or district the row repeats: added the first time, checked after.
            func repeated(_ level: String, _ code: String, _ nameColumn: Column, parent: String, codeColumn: Column) {
                let name = value(nameColumn).precomposedStringWithCanonicalMapping
                let location = field(codeColumn)?.location ?? record.location
                if let known = seen["\(level) \(code)"] {
                    if !name.isEmpty, known != name {
                        file.diagnostics.append(Diagnostic(field(nameColumn)?.location ?? location,
                            "\(level) '\(code)' is named '\(name)' here and '\(known)' above"))
                    }
                    return
                }
                seen["\(level) \(code)"] = name
                if name.isEmpty { file.diagnostics.append(Diagnostic(field(nameColumn)?.location ?? location, "empty name of \(level) '\(code)'")) }
                file.add(GSOImport.Unit(level: level, code: code, name: name, parentCode: parent, location: location))
            }
            repeated("province", province, .provinceName, parent: "", codeColumn: .provinceCode)
            if !district.isEmpty { repeated("district", district, .districtName, parent: province, codeColumn: .districtCode) }
            let type = value(.type)
            if columns[.type] != nil, !type.isEmpty, level(ofType: type, hasParent: true) != "commune" {
                file.diagnostics.append(Diagnostic(field(.type)?.location ?? record.location,
                    "Cấp '\(type)' is not a commune's (expected xã, phường, thị trấn or đặc khu)"))
                continue
            }
            let name = value(.communeName).precomposedStringWithCanonicalMapping
            if name.isEmpty { file.diagnostics.append(Diagnostic(field(.communeName)?.location ?? record.location, "empty Phường Xã")); continue }
            file.add(GSOImport.Unit(level: "commune", code: commune, name: name, parentCode: district.isEmpty ? province : district,
                                    location: field(.communeCode)?.location ?? record.location))
        }
        file.levels = gsoLevels.filter(file.levels.contains)
        return file
    }

    private mutating func add(_ unit: GSOImport.Unit) {
        if !levels.contains(unit.level) { levels.append(unit.level) }
        units.append(unit)
    }
}
