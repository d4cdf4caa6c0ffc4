import Foundation
import NetauditCore

/// Builds an inventory skeleton from the General Statistics Office's list of administrative
/// units (`level,code,name,division_type,parent_code`, as in `shared/data/admin-units/`, or
/// the GSO's own Vietnamese headers: see `GSOUnitsFile`) and, optionally, a list of
/// provincial departments (`id,name[,basis]`).
///
/// This is how an operator bootstraps a province, and how the inventories under
/// `Inventory/` are made: levels come from the file, names and codes are kept exactly,
/// every agency gets a link and an endpoint on the loopback plan (or no address at all).
public struct GSOImport: Sendable {
    public enum Addresses: String, Sendable, CaseIterable {
        /// One 127.x.y.z per agency, see `LoopbackAddressPlan`.
        case loopback
        /// No link and no endpoint: the operator fills in the real ones.
        case none
    }

    public enum Via: String, Sendable, CaseIterable {
        /// Each agency's link depends on its parent's network node.
        case parent
        /// No `via`.
        case none
    }

    /// One file, or several (the GSO's lists of provinces, districts and communes).
    public var unitsPaths: [String]
    public var unitsPath: String { unitsPaths[0] }
    public var departmentsPath: String?
    /// Keep only the top unit with this code (e.g. one province out of the national list).
    public var root: String?
    /// Pad numeric codes to the widest code of their level in the file (`1` → `01` for
    /// provinces), which is how the GSO writes them and keeps national codes unique.
    public var padCodes: Bool
    public var addresses: Addresses
    public var via: Via
    /// Endpoints are `https://<code>.<domain>/`; no endpoints when nil.
    public var endpointDomain: String?
    public var endpointPort: Int
    public var title: String?
    /// The real links and endpoints (`AddressesFile`), with `addresses: .none`.
    public var addressesPath: String?
    /// The networks netaudit may probe, for the addresses of `addressesPath` (loopback by default).
    public var allow: [IPNetwork]

    public init(unitsPath: String, moreUnitsPaths: [String] = [], departmentsPath: String? = nil, root: String? = nil, padCodes: Bool = true,
                addresses: Addresses = .loopback, via: Via = .none, endpointDomain: String? = nil,
                endpointPort: Int = 443, title: String? = nil, addressesPath: String? = nil,
                allow: [IPNetwork] = IPNetwork.loopback) {
        self.addressesPath = addressesPath
        self.allow = allow
        self.unitsPaths = [unitsPath] + moreUnitsPaths
        self.departmentsPath = departmentsPath
        self.root = root
        self.padCodes = padCodes
        self.addresses = addresses
        self.via = via
        self.endpointDomain = endpointDomain
        self.endpointPort = endpointPort
        self.title = title
    }

    struct Unit {
        let level: String
        var code: String
        let name: String
        let parentCode: String
        let location: SourceLocation
    }

    /// Reads the files and builds the inventory, or throws every problem of the input.
    public func run() throws(InventoryError) -> Inventory {
        var diagnostics: [Diagnostic] = []
        var units: [Unit] = []
        var levels: [String] = []
        var layouts: [GSOUnitsFile.Layout] = []
        for path in unitsPaths {
            let file = try GSOUnitsFile.read(path)
            diagnostics += file.diagnostics
            if file.units.isEmpty && file.diagnostics.isEmpty {
                diagnostics.append(Diagnostic(SourceLocation(file: path, line: 0, column: 0), "no administrative units in the file"))
            }
            units += file.units
            layouts.append(file.layout)
            for level in file.levels where !levels.contains(level) { levels.append(level) }
        }
        // The GSO's lists of one level each, given in any order: top first.
        if !layouts.contains(.netaudit) { levels = GSOUnitsFile.gsoLevels.filter(levels.contains) }
        if padCodes { Self.pad(&units, levels: levels) }

        // Index by (level, code) and attach each unit to its parent at the level above.
        var index: [String: [String: Int]] = [:]
        for (position, unit) in units.enumerated() {
            if index[unit.level]?[unit.code] != nil {
                diagnostics.append(Diagnostic(unit.location, "duplicate code '\(unit.code)' at level '\(unit.level)'"))
            } else {
                index[unit.level, default: [:]][unit.code] = position
            }
        }
        var childrenOf: [Int: [Int]] = [:]
        var roots: [Int] = []
        for (position, unit) in units.enumerated() {
            let depth = levels.firstIndex(of: unit.level)!
            if unit.parentCode.isEmpty {
                if depth == 0 { roots.append(position) } else {
                    diagnostics.append(Diagnostic(unit.location,
                        "unit '\(unit.code)' at level '\(unit.level)' has no parent_code; only the top level '\(levels[0])' may have none"))
                }
                continue
            }
            guard depth > 0 else {
                diagnostics.append(Diagnostic(unit.location, "unit '\(unit.code)' at the top level '\(unit.level)' has a parent_code"))
                continue
            }
            let parentLevel = levels[depth - 1]
            let parentCode = padCodes ? Self.padded(unit.parentCode, like: units, level: parentLevel) : unit.parentCode
            guard let parent = index[parentLevel]?[parentCode] else {
                diagnostics.append(Diagnostic(unit.location,
                    "parent_code '\(unit.parentCode)' of unit '\(unit.code)' names no unit at level '\(parentLevel)'"))
                continue
            }
            childrenOf[parent, default: []].append(position)
        }
        if let root {
            let wanted = padCodes ? Self.padded(root, like: units, level: levels.first ?? "") : root
            roots = roots.filter { units[$0].code == wanted }
            if roots.isEmpty {
                diagnostics.append(Diagnostic(SourceLocation(file: unitsPath, line: 0, column: 0),
                    "no top-level unit with code '\(root)'"))
            }
        }
        var departments: [(id: String, name: String)] = []
        if let departmentsPath {
            do throws(InventoryError) {
                departments = try Self.readDepartments(departmentsPath)
            } catch {
                diagnostics += error.diagnostics
            }
        }
        guard diagnostics.isEmpty else {
            throw InventoryError(diagnostics: diagnostics.enumerated()
                .sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }.map(\.element))
        }

        func build(_ position: Int) -> Agency {
            let unit = units[position]
            return Agency(code: unit.code, name: unit.name, level: unit.level,
                          children: (childrenOf[position] ?? []).map(build))
        }
        var agencies = roots.map(build)
        for rootIndex in agencies.indices where !departments.isEmpty {
            let prefix = agencies.count > 1 ? agencies[rootIndex].code + "-" : ""
            let root = agencies[rootIndex]
            let attached = departments.map {
                Agency(code: prefix + $0.id, name: $0.name, level: root.level, kind: .department)
            }
            agencies[rootIndex].children = attached + root.children
        }
        var inventory = Inventory(title: title, levels: levels,
                                  targets: Dictionary(uniqueKeysWithValues: levels.map { ($0, 100) }),
                                  agencies: agencies)
        if addresses == .loopback {
            let plan = LoopbackAddressPlan(levels: levels)
            inventory.agencies = try plan.assign(inventory.agencies, parent: nil, via: via,
                                                 domain: endpointDomain, port: endpointPort)
        } else if let addressesPath {
            inventory.allow = allow
            let file = try AddressesFile.read(addressesPath, agencies: inventory.allAgencies, allow: allow)
            inventory.agencies = Self.viaParent(file.apply(to: inventory.agencies), parent: nil, enabled: via == .parent)
        }
        return inventory
    }

    /// With `--via parent`: each link without a `via` of its own goes through its parent's node.
    static func viaParent(_ agencies: [Agency], parent: Agency?, enabled: Bool) -> [Agency] {
        guard enabled else { return agencies }
        return agencies.map { agency in
            var agency = agency
            if agency.link != nil, agency.link?.via == nil, let parent, parent.link != nil { agency.link?.via = parent.code }
            agency.children = viaParent(agency.children, parent: agency, enabled: enabled)
            return agency
        }
    }

    static func readDepartments(_ path: String) throws(InventoryError) -> [(id: String, name: String)] {
        let table = try CSVTable.read(path)
        let columns = try table.columns(["id", "name"])
        var result: [(id: String, name: String)] = []
        var seen: Set<String> = []
        var diagnostics: [Diagnostic] = []
        for record in table.completeRecords(reporting: &diagnostics) {
            let idField = record.fields[columns["id"]!]
            let id = idField.text.trimmingCharacters(in: .whitespaces)
            let name = record.fields[columns["name"]!].text.trimmingCharacters(in: .whitespaces)
            if id.isEmpty || name.isEmpty {
                diagnostics.append(Diagnostic(record.location, "a department needs an id and a name"))
            } else if !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                diagnostics.append(Diagnostic(idField.location, "invalid department id '\(id)': use ASCII letters, digits, '-', '_' and '.'"))
            } else if !seen.insert(id).inserted {
                diagnostics.append(Diagnostic(idField.location, "duplicate department id '\(id)'"))
            } else {
                result.append((id, name.precomposedStringWithCanonicalMapping))
            }
        }
        guard diagnostics.isEmpty else { throw InventoryError(diagnostics: diagnostics) }
        return result
    }

    /// Pads each level's numeric codes with zeros to the width of the level's longest code.
    static func pad(_ units: inout [Unit], levels: [String]) {
        for level in levels {
            let width = units.filter { $0.level == level }.map(\.code.count).max() ?? 0
            for index in units.indices where units[index].level == level {
                units[index].code = leftPad(units[index].code, to: width)
            }
        }
    }

    static func padded(_ code: String, like units: [Unit], level: String) -> String {
        let width = units.first { $0.level == level }?.code.count ?? code.count
        return leftPad(code, to: width)
    }

    static func leftPad(_ code: String, to width: Int) -> String {
        guard code.allSatisfy({ $0.isASCII && $0.isNumber }), code.count < width else { return code }
        return String(repeating: "0", count: width - code.count) + code
    }
}
