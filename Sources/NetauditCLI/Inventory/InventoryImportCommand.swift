import ArgumentParser
import Foundation
import NetauditCore
import NetauditInventory

struct InventoryImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Create an inventory skeleton from the GSO list of administrative units.",
        discussion: """
            Reads the administrative units from one CSV or several, and writes an inventory: every unit with its GSO code and name, and the provincial departments (--departments, columns id,name) under each top unit. A department's code is its id, prefixed with the top unit's code and '-' when the file has several top units.

            A units CSV has netaudit's columns level,code,name,parent_code (division_type and others are ignored; the levels in the order of the file), or the General Statistics Office's Vietnamese headers as its lists come (saved as CSV, UTF-8): the list of one level, Mã,Tên,Cấp with the parent's code in Mã cấp trên, Mã TP or Mã QH (give the lists of provinces, districts and communes together); or the combined list, Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp. There the levels are province, district and commune, from Cấp.

            With --addresses loopback (the default) every agency gets a link and, with --endpoint-domain, a TLS endpoint on the lab's loopback plan (docs/inventory.md); with --addresses none the operator fills in the real ones. With --addresses-file, the real ones come from a CSV with the columns code,link_address[,method][,via][,endpoints] (endpoint URLs separated by spaces), checked like the YAML at their line and column; every address must lie in the networks of --allow.

            Example (the shipped Gia Lai 2019 inventory):
              netaudit inventory import gia-lai-2019.csv --departments provincial-departments-2019.csv \\
                --via parent --endpoint-domain gialai.test --split --output Inventory/gia-lai-2019
            """
    )

    @Argument(help: ArgumentHelp("The units CSV: level,code,name,division_type,parent_code, or the GSO's lists with Vietnamese headers (several files: provinces, districts, communes).", valueName: "units-csv"))
    var units: [String]

    @Option(help: ArgumentHelp("A CSV of departments (id,name) to place under each top-level unit.", valueName: "csv"))
    var departments: String?

    @Option(help: ArgumentHelp("Keep only the top-level unit with this code, e.g. 64 for Gia Lai in the national list.", valueName: "code"))
    var root: String?

    @Flag(inversion: .prefixedNo, help: "Pad numeric codes with zeros to the widest code of their level (01, 001, 00001), as the GSO writes them.")
    var padCodes = true

    @Option(help: "Addresses to give links and endpoints: loopback (the lab plan; the default) or none.")
    var addresses: GSOImport.Addresses?

    @Option(help: ArgumentHelp("The real links and endpoints: a CSV with code,link_address[,method][,via][,endpoints] (implies --addresses none).", valueName: "csv"))
    var addressesFile: String?

    @Option(help: ArgumentHelp("A network netaudit may probe, for --addresses-file (repeat for several; default 127.0.0.0/8 and ::1).", valueName: "cidr"))
    var allow: [String] = []

    @Option(help: "Set each link's 'via' to the parent agency (parent) or leave it out (none).")
    var via: GSOImport.Via = .none

    @Option(help: ArgumentHelp("Give every agency the endpoint https://CODE.DOMAIN/ (pinned to its loopback address).", valueName: "domain"))
    var endpointDomain: String?

    @Option(help: ArgumentHelp("Port of the generated endpoints.", valueName: "port"))
    var endpointPort = 443

    @Option(help: ArgumentHelp("The inventory's title.", valueName: "text"))
    var title: String?

    @Flag(help: "Write each top-level child with children of its own (a district) to its own file; --output is then a folder.")
    var split = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write: a .yaml file, or a folder with --split (default: standard output).", valueName: "path"))
    var output: String?

    @Flag(help: "Replace files that already exist.")
    var force = false

    /// What --addresses means once --addresses-file is taken into account.
    private var addressPlan: GSOImport.Addresses { addresses ?? (addressesFile == nil ? .loopback : .none) }

    func validate() throws {
        if units.isEmpty {
            throw ValidationError("give at least one units CSV.")
        }
        if addressesFile != nil, addresses == .loopback {
            throw ValidationError("--addresses-file gives the real addresses: it cannot be combined with --addresses loopback.")
        }
        if !allow.isEmpty, addressesFile == nil {
            throw ValidationError("--allow applies to the addresses of --addresses-file.")
        }
        for network in allow where IPNetwork(network) == nil {
            throw ValidationError("--allow '\(network)' is not a network: write it as ADDRESS/PREFIX, e.g. 198.18.0.0/15.")
        }
        if split && output == nil {
            throw ValidationError("--split writes several files: give the folder with --output.")
        }
        if let endpointDomain {
            guard addressPlan == .loopback else {
                throw ValidationError("--endpoint-domain needs --addresses loopback: an endpoint without a pinned address would be resolved through DNS.")
            }
            guard EndpointURL.isValidHostName(endpointDomain), endpointDomain.contains(where: \.isLetter) else {
                throw ValidationError("--endpoint-domain '\(endpointDomain)' is not a valid domain name.")
            }
        }
        guard (1...65535).contains(endpointPort) else {
            throw ValidationError("--endpoint-port must be from 1 to 65535.")
        }
    }

    func run() throws {
        let importer = GSOImport(unitsPath: units[0], moreUnitsPaths: Array(units.dropFirst()), departmentsPath: departments,
                                 root: root, padCodes: padCodes, addresses: addressPlan, via: via, endpointDomain: endpointDomain,
                                 endpointPort: endpointPort, title: title, addressesPath: addressesFile,
                                 allow: allow.isEmpty ? IPNetwork.loopback : allow.compactMap(IPNetwork.init))
        let inventory = try importer.run()
        let sources = (units + [departments, addressesFile].compactMap { $0 }).map { ($0 as NSString).lastPathComponent }
            .joined(separator: ", ")
        var header = ["Generated by `netaudit inventory import` from \(sources)."]
        if addressPlan == .loopback {
            header.append("Addresses follow the lab's loopback plan (docs/inventory.md): for the lab, not a real network.")
        }
        let writer = InventoryWriter(split: split, header: header)
        guard let output else {
            printOut(writer.render(inventory, mainName: "-")[0].text)
            return
        }
        let folder = split ? output : (output as NSString).deletingLastPathComponent
        let mainName = split ? "inventory.yaml" : (output as NSString).lastPathComponent
        let files = writer.render(inventory, mainName: mainName)
        try write(files, into: folder)
        let main = PathJoin.join(folder, mainName)
        let written = try InventoryLoader().load(path: main)  // what we wrote must read back
        let agencies = written.allAgencies.count
        let extra = files.count - 1
        printError("netaudit: wrote \(main)\(extra > 0 ? " and \(extra) included files" : ""): \(agencies) agencies")
    }

    /// Writes every file next to its final name, then renames them all: an interrupted
    /// import leaves either the old files or the new ones, never a mix of halves.
    private func write(_ files: [InventoryWriter.File], into folder: String) throws {
        let manager = FileManager.default
        let targets = files.map { PathJoin.join(folder, $0.path) }
        if !force, let existing = targets.first(where: { manager.fileExists(atPath: $0) }) {
            throw UserError("'\(existing)' already exists; use --force to replace it")
        }
        var staged: [(temporary: String, final: String)] = []
        do {
            for (file, target) in zip(files, targets) {
                let directory = (target as NSString).deletingLastPathComponent
                if !directory.isEmpty {
                    try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
                }
                let temporary = target + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: temporary))
                staged.append((temporary, target))
            }
            for (temporary, final) in staged {
                if manager.fileExists(atPath: final) { try manager.removeItem(atPath: final) }
                try manager.moveItem(atPath: temporary, toPath: final)
            }
        } catch {
            for (temporary, _) in staged { try? manager.removeItem(atPath: temporary) }
            throw UserError("cannot write the inventory under '\(folder.isEmpty ? "." : folder)': \(error.localizedDescription)")
        }
    }
}

extension GSOImport.Addresses: ExpressibleByArgument {}
extension GSOImport.Via: ExpressibleByArgument {}

enum PathJoin {
    static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty || folder == "." ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }
}
