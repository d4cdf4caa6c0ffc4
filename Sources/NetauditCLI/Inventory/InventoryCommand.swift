import ArgumentParser
import NetauditCore
import NetauditInventory

struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Check, summarise and create inventories (see docs/inventory.md).",
        subcommands: [InventoryCheckCommand.self, InventoryStatsCommand.self, InventoryImportCommand.self]
    )
}

/// Loads an inventory or ends the command with every problem and exit status 2.
func loadInventory(_ path: String) throws -> Inventory {
    do {
        return try InventoryLoader().load(path: path)
    } catch {
        let count = error.diagnostics.count
        printError(error.description)
        printError("netaudit: \(count) problem\(count == 1 ? "" : "s") in the inventory \(path)")
        throw ExitCode(ExitStatus.invalidInput)
    }
}

struct InventoryCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an inventory and every file it includes.",
        discussion: """
            Reports every problem at once, one per line as FILE:LINE:COLUMN: message, and exits with status 2 when there is any; prints a one-line summary and exits 0 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("The inventory's top YAML file, or a folder holding inventory.yaml.", valueName: "path"))
    var path: String

    @Flag(name: .shortAndLong, help: "Print nothing when the inventory is valid.")
    var quiet = false

    func run() throws {
        let inventory = try loadInventory(path)
        guard !quiet else { return }
        let agencies = inventory.allAgencies.count
        let files = inventory.files.count
        printOut("\(path): valid, \(agencies) agencies in \(files) file\(files == 1 ? "" : "s") (levels: \(inventory.levels.joined(separator: " > ")))\n")
    }
}
