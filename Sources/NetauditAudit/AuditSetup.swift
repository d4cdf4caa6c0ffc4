import Foundation
import NetauditCore
import NetauditInventory
import NetauditPolicy
import NetauditProbes

/// Everything a run needs that comes from the operator's files: the configuration, the
/// inventory, the policy and the trust stores. Loaded whole or refused whole, so a reload
/// never leaves the daemon with half a new setup.
public struct AuditSetup: Sendable {
    public let configuration: DaemonConfiguration
    public let inventory: Inventory
    public let policy: Policy
    public let trust: TrustStores

    public var inventoryPath: String { configuration.inventory }

    public init(configuration: DaemonConfiguration, inventory: Inventory, policy: Policy, trust: TrustStores) {
        self.configuration = configuration
        self.inventory = inventory
        self.policy = policy
        self.trust = trust
    }

    /// Reads the configuration file; every problem at once.
    public static func loadConfiguration(_ path: String) throws(SetupError) -> DaemonConfiguration {
        do {
            return try DaemonConfigurationLoader().load(path: path)
        } catch {
            throw SetupError(lines: error.diagnostics.map(\.description),
                             summary: "\(error.diagnostics.count) problem\(error.diagnostics.count == 1 ? "" : "s") in the configuration \(path)")
        }
    }

    /// Loads the inventory the configuration names, its policy, its trust anchors and known intermediates.
    public static func load(_ configuration: DaemonConfiguration) throws(SetupError) -> AuditSetup {
        var inventory: Inventory
        do {
            inventory = try InventoryLoader().load(path: configuration.inventory)
        } catch {
            throw SetupError(lines: error.diagnostics.map(\.description),
                             summary: "\(error.diagnostics.count) problem\(error.diagnostics.count == 1 ? "" : "s") in the inventory \(configuration.inventory)")
        }
        inventory.trustAnchors += configuration.caFiles
        let policy: Policy
        do { policy = try Policy(inventory: inventory.policy) } catch {
            throw SetupError(lines: [], summary: "the inventory's policy: \(error)")
        }
        let trust: TrustStores
        do { trust = try TrustStores(governmentAnchors: inventory.trustAnchors, intermediates: inventory.trustIntermediates) } catch {
            throw SetupError(lines: [], summary: "trust anchors: \(error)")
        }
        // A daemon without the right to send ICMP would store every sweep as a provincial
        // outage: it refuses to start (or a reload refuses the inventory) instead.
        if configuration.linkSweep.enabled || configuration.fullAudit.enabled,
           let refusal = ICMPAccess.refusal(for: inventory.allAgencies.compactMap(\.link)) {
            throw SetupError(lines: [], summary: refusal)
        }
        return AuditSetup(configuration: configuration, inventory: inventory, policy: policy, trust: trust)
    }
}

/// Why a configuration or an inventory was refused: the `FILE:LINE:COLUMN: message` lines
/// and a one-line summary.
public struct SetupError: Error, Sendable, CustomStringConvertible {
    public let lines: [String]
    public let summary: String

    public var description: String { (lines + [summary]).joined(separator: "\n") }
}
