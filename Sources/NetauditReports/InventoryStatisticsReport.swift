import Foundation
import NetauditCore
import NetauditInventory

/// Renders `netaudit inventory stats`: a table for people, JSON for scripts.
public enum InventoryStatisticsReport {
    public static func table(_ statistics: InventoryStatistics) -> String {
        var table = TextTable(columns: [
            ("level", .left), ("agencies", .right), ("units", .right), ("departments", .right),
            ("links", .right), ("icmp", .right), ("tcp", .right), ("via", .right),
            ("no link", .right), ("endpoints", .right), ("target", .right),
        ])
        for row in statistics.levels + [statistics.total] {
            table.append([
                row.level, "\(row.agencies)", "\(row.units)", "\(row.departments)",
                "\(row.links)", "\(row.linksICMP)", "\(row.linksTCP)", "\(row.via)",
                "\(row.withoutLink)", "\(row.endpoints)",
                row.targetPercent.map { percent($0) } ?? "",
            ])
        }
        var heading = statistics.title.map { "\($0)\n" } ?? ""
        heading += "\(statistics.inventory) (\(statistics.files) file\(statistics.files == 1 ? "" : "s"))\n\n"
        return heading + table.render()
    }

    public static func json(_ statistics: InventoryStatistics) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(statistics), as: UTF8.self) + "\n"
    }

    static func percent(_ value: Double) -> String {
        (value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)) + "%"
    }
}
