import Foundation
import NetauditCore

/// Writes an inventory as YAML that an operator can review and edit: settings first,
/// one agency per block, codes and names quoted, links and endpoints on one line each.
/// With `split`, every top-level child that has children of its own (a district and its
/// communes) goes to its own file under a folder named for its level, included from the
/// main file.
public struct InventoryWriter: Sendable {
    public struct File: Sendable, Equatable {
        /// Relative to the folder of the main file.
        public let path: String
        public let text: String
    }

    public var split: Bool
    /// Comment lines at the top of the main file (without `#`).
    public var header: [String]

    public init(split: Bool = false, header: [String] = []) {
        self.split = split
        self.header = header
    }

    /// The main file first (named `mainName`), then the included files.
    public func render(_ inventory: Inventory, mainName: String) -> [File] {
        var out = header.map { "# " + $0 }.joined(separator: "\n")
        if !out.isEmpty { out += "\n" }
        out += "version: 1\n"
        if let title = inventory.title { out += "title: \(Self.quoted(title))\n" }
        out += "levels: [\(inventory.levels.map(Self.scalar).joined(separator: ", "))]\n"
        out += "\n# Connection target per level, in percent of agencies.\ntargets:\n"
        for level in inventory.levels {
            out += "  \(Self.scalar(level)): \(Self.number(inventory.target(forLevel: level)))\n"
        }
        out += "\n# netaudit sends traffic only to these networks.\nallow:\n"
        for network in inventory.allow { out += "  - \(Self.scalar(network.description))\n" }
        if !inventory.trustAnchors.isEmpty || !inventory.trustIntermediates.isEmpty {
            out += "\ntrust:\n"
            for (key, files) in [("anchors", inventory.trustAnchors), ("intermediates", inventory.trustIntermediates)] where !files.isEmpty {
                out += "  \(key):\n"
                for file in files { out += "    - \(Self.quoted(file))\n" }
            }
        }
        let probe = inventory.probe
        out += """

            probe:
              link:
                count: \(probe.linkCount)
                interval: \(probe.linkInterval.text)
                timeout: \(probe.linkTimeout.text)
              tls:
                timeout: \(probe.tlsTimeout.text)
                http_port: \(probe.httpPort)

            agencies:

            """
        var files: [File] = []
        for root in inventory.agencies {
            out += agencyBlock(root, indent: 2) { child in
                guard split, !child.children.isEmpty else { return nil }
                let path = "\(Self.slug(child.level))/\(Self.fileName(for: child))"
                let body = "# \(child.name) (\(child.level) \(child.code)) and the agencies below it.\n"
                    + "# Included from ../\(mainName).\nagencies:\n"
                    + agencyBlock(child, indent: 2) { _ in nil }
                files.append(File(path: path, text: body))
                return path
            }
        }
        return [File(path: mainName, text: out)] + files
    }

    /// One agency and its subtree; `include` may move a child to its own file and return its path.
    private func agencyBlock(_ agency: Agency, indent: Int, include: (Agency) -> String?) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = "\(pad)- code: \(Self.quoted(agency.code))\n"
        out += "\(pad)  name: \(Self.quoted(agency.name))\n"
        out += "\(pad)  level: \(Self.scalar(agency.level))\n"
        if agency.kind != .unit { out += "\(pad)  kind: \(agency.kind.rawValue)\n" }
        if let link = agency.link {
            var parts = ["address: \(Self.scalar(link.address.description))"]
            switch link.method {
            case .icmp: parts.append("method: icmp")
            case .tcp(let port): parts += ["method: tcp", "port: \(port)"]
            }
            if let via = link.via { parts.append("via: \(Self.quoted(via))") }
            out += "\(pad)  link: {\(parts.joined(separator: ", "))}\n"
        }
        if !agency.endpoints.isEmpty {
            out += "\(pad)  endpoints:\n"
            for endpoint in agency.endpoints {
                var parts = ["url: \(Self.quoted(endpoint.url.description))"]
                if let address = endpoint.address { parts.append("address: \(Self.scalar(address.description))") }
                if let sni = endpoint.sni { parts.append("sni: \(Self.quoted(sni))") }
                out += "\(pad)    - {\(parts.joined(separator: ", "))}\n"
            }
        }
        if !agency.children.isEmpty {
            out += "\(pad)  children:\n"
            for child in agency.children {
                if let path = include(child) {
                    out += "\(pad)    - include: \(Self.quoted(path))\n"
                } else {
                    out += agencyBlock(child, indent: indent + 4, include: include)
                }
            }
        }
        return out
    }

    /// A value that YAML reads back as the same string without quotes, else quoted.
    static func scalar(_ text: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]
        let safe = !text.isEmpty && !reserved.contains(text.lowercased())
            && text.first!.isLetter && Double(text) == nil
            && text.allSatisfy { $0.isLetter || $0.isNumber || "._/-".contains($0) }
        let address = IPAddress(text).map { !$0.isIPv6 } ?? false
        let network = IPNetwork(text).map { !$0.address.isIPv6 } ?? false
        return safe || address || network ? text : quoted(text)
    }

    /// A double-quoted YAML string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// `622-thanh-pho-pleiku.yaml`: the code, then the name folded to ASCII.
    static func fileName(for agency: Agency) -> String {
        let name = slug(agency.name)
        return (name.isEmpty ? agency.code : "\(agency.code)-\(name)") + ".yaml"
    }

    /// Vietnamese folded to lower-case ASCII words joined by '-': diacritics dropped, đ → d.
    static func slug(_ text: String) -> String {
        var out = ""
        var pendingDash = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            var character = Character(scalar)
            if character == "đ" || character == "Đ" { character = "d" }
            if character.isASCII && (character.isLetter || character.isNumber) {
                if pendingDash && !out.isEmpty { out += "-" }
                out += character.lowercased()
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return out
    }
}
