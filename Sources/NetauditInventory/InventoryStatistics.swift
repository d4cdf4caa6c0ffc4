import NetauditCore

/// What an inventory holds, per level: the figures of `netaudit inventory stats`.
/// Field names are the JSON contract of `inventory stats --format json`.
public struct InventoryStatistics: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var level: String
        public var agencies = 0
        public var units = 0
        public var departments = 0
        /// Agencies with a link to the dedicated network.
        public var links = 0
        public var linksICMP = 0
        public var linksTCP = 0
        /// Agencies without a link: not connected by definition.
        public var withoutLink = 0
        /// Links that depend on another agency's node.
        public var via = 0
        public var endpoints = 0
        /// The connection target in percent (absent on the total row).
        public var targetPercent: Double?

        enum CodingKeys: String, CodingKey {
            case level, agencies, units, departments, links, via, endpoints
            case linksICMP = "links_icmp"
            case linksTCP = "links_tcp"
            case withoutLink = "without_link"
            case targetPercent = "target_percent"
        }

        mutating func add(_ agency: Agency) {
            agencies += 1
            if agency.kind == .department { departments += 1 } else { units += 1 }
            if let link = agency.link {
                links += 1
                if case .tcp = link.method { linksTCP += 1 } else { linksICMP += 1 }
                if link.via != nil { via += 1 }
            } else {
                withoutLink += 1
            }
            endpoints += agency.endpoints.count
        }
    }

    public var title: String?
    /// The top file.
    public var inventory: String
    /// Number of files read (the top file and its includes).
    public var files: Int
    public var levels: [Row]
    public var total: Row

    public init(_ inventory: Inventory) {
        title = inventory.title
        self.inventory = inventory.files.first ?? "-"
        files = inventory.files.count
        var rows = inventory.levels.map { Row(level: $0, targetPercent: inventory.target(forLevel: $0)) }
        var total = Row(level: "total")
        for agency in inventory.allAgencies {
            total.add(agency)
            if let index = inventory.levelIndex(agency.level) { rows[index].add(agency) }
        }
        levels = rows
        self.total = total
    }
}
