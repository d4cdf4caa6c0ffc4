import ArgumentParser
import NetauditInventory
import NetauditReports

struct InventoryStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count agencies, links and endpoints per level of an inventory.",
        discussion: """
            Per level: agencies (administrative units and departments), links to the dedicated network (ICMP, TCP, and those depending on another node through 'via'), agencies without a link (not connected by definition), TLS endpoints, and the level's connection target. The JSON fields are documented in docs/inventory.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Argument(help: ArgumentHelp("The inventory's top YAML file, or a folder holding inventory.yaml.", valueName: "path"))
    var path: String

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        let statistics = InventoryStatistics(try loadInventory(path))
        switch format {
        case .table: printOut(InventoryStatisticsReport.table(statistics))
        case .json: printOut(try InventoryStatisticsReport.json(statistics))
        }
    }
}
