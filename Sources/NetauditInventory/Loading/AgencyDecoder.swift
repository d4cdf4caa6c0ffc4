import Foundation
import NetauditCore
import Yams

/// Agencies, their links and endpoints, and their children (following includes).
struct AgencyDecoder {
    let session: LoadSession

    func decodeList(_ items: [Node], reader: NodeReader, parent: ParentContext?) -> [Agency] {
        var agencies: [Agency] = []
        for item in items {
            if case .mapping(let mapping) = item, mapping.keys.contains(where: { $0.string == Keys.include }) {
                agencies += session.include(item, reader: reader, parent: parent)
            } else if let agency = decode(item, reader: reader, parent: parent) {
                agencies.append(agency)
            }
        }
        return agencies
    }

    private func decode(_ node: Node, reader: NodeReader, parent: ParentContext?) -> Agency? {
        guard let fields = reader.fields(node, of: "agency", allowed: Keys.agency,
                                         required: ["code", "name", "level"]) else { return nil }
        let code = fields["code"].flatMap { codeValue($0, reader) }
        let name = fields["name"].flatMap { reader.string($0, "name") }?.precomposedStringWithCanonicalMapping
        let level = fields["level"].flatMap { levelValue($0, reader, parent: parent, code: code) }
        var kind = Agency.Kind.unit
        if let node = fields["kind"], let text = reader.string(node, "kind") {
            if let value = Agency.Kind(rawValue: text) {
                kind = value
            } else {
                reader.error(node, "invalid kind \(quoted(text))" + Suggestion.hint(for: text, in: Agency.Kind.allCases.map(\.rawValue)))
            }
        }
        let link = fields["link"].flatMap { decodeLink($0, reader) }
        var endpoints: [Endpoint] = []
        if let node = fields["endpoints"], let items = reader.list(node, "endpoints") {
            endpoints = items.compactMap { decodeEndpoint($0, reader) }
        }
        if let code, let codeNode = fields["code"] {  // before the children: records are in document order
            session.records.append(.init(code: code, codeLocation: reader.location(codeNode),
                                         hasLink: link != nil, via: link?.via,
                                         viaLocation: fields["link"].flatMap(viaNode).map(reader.location)))
        }
        var children: [Agency] = []
        if let node = fields["children"], let items = reader.list(node, "children") {
            let context = ParentContext(code: code ?? "?", level: level?.name ?? "?", levelIndex: level?.index)
            children = decodeList(items, reader: reader, parent: context)
        }
        guard let code, let name, let level else { return nil }
        return Agency(code: code, name: name, level: level.name, kind: kind, link: link,
                      endpoints: endpoints, children: children, location: reader.location(node))
    }

    private func viaNode(_ link: Node) -> Node? {
        guard case .mapping(let mapping) = link else { return nil }
        return mapping.first { $0.key.string == "via" }?.value
    }

    private func codeValue(_ node: Node, _ reader: NodeReader) -> String? {
        guard let code = reader.string(node, "code") else { return nil }
        guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            reader.error(node, "invalid agency code \(quoted(code)): use ASCII letters, digits, '-', '_' and '.'")
            return nil
        }
        return code
    }

    private func levelValue(_ node: Node, _ reader: NodeReader, parent: ParentContext?, code: String?)
        -> (name: String, index: Int?)? {
        guard let text = reader.string(node, "level") else { return nil }
        let name = text.precomposedStringWithCanonicalMapping
        guard let levels = session.levels else { return (name, nil) }  // already reported
        guard let index = levels.firstIndex(of: name) else {
            reader.error(node, "unknown level \(quoted(text))" + Suggestion.hint(for: text, in: levels))
            return nil
        }
        if let parent, let parentIndex = parent.levelIndex, index < parentIndex {
            reader.error(node, "level \(quoted(name)) of agency \(quoted(code ?? "?")) is above the level '\(parent.level)' of its parent '\(parent.code)' (levels from the top: \(levels.joined(separator: ", ")))")
        }
        return (name, index)
    }

    private func decodeLink(_ node: Node, _ reader: NodeReader) -> Link? {
        guard let fields = reader.fields(node, of: "link", allowed: Keys.link, required: ["address"]) else { return nil }
        let address = fields["address"].flatMap { reader.address($0, "link address") }
        if let address, let addressNode = fields["address"], !session.allow.permits(address) {
            reader.error(addressNode, "link address \(address) is outside the allowed target networks (\(allowText))")
        }
        var method = Link.Method.icmp
        var methodName = "icmp"
        if let node = fields["method"], let text = reader.string(node, "link method") {
            if ["icmp", "tcp"].contains(text) {
                methodName = text
            } else {
                reader.error(node, "invalid link method \(quoted(text))" + Suggestion.hint(for: text, in: ["icmp", "tcp"]))
            }
        }
        var port: Int?
        if let node = fields["port"] {
            port = reader.integer(node, "port", in: 1...65535)
            if methodName != "tcp", let key = fields.keyNode("port") {
                reader.error(key, "a port is only used with method tcp")
            }
        }
        if methodName == "tcp" {
            if let port { method = .tcp(port: port) } else if fields["port"] == nil {
                reader.error(node, "link method tcp needs a port")
            }
        }
        var via: String?
        if let node = fields["via"] { via = reader.string(node, "via") }
        guard let address else { return nil }
        return Link(address: address, method: method, via: via, location: reader.location(node))
    }

    private func decodeEndpoint(_ node: Node, _ reader: NodeReader) -> Endpoint? {
        var urlNode = node
        var fields: Fields?
        if case .mapping = node {
            fields = reader.fields(node, of: "endpoint", allowed: Keys.endpoint, required: ["url"])
            guard let url = fields?["url"] else { return nil }
            urlNode = url
        } else if case .sequence = node {
            reader.error(node, "expected a URL or a mapping for an endpoint, found a list")
            return nil
        }
        guard let text = reader.string(urlNode, "endpoint url") else { return nil }
        var url: EndpointURL?
        switch EndpointURL.parse(text) {
        case .success(let parsed): url = parsed
        case .failure(let problem): reader.error(urlNode, "invalid endpoint url \(quoted(text)): \(problem)")
        }
        if let address = url?.hostAddress, !session.allow.permits(address) {
            reader.error(urlNode, "endpoint host \(address) is outside the allowed target networks (\(allowText))")
        }
        var pinned: IPAddress?
        if let node = fields?["address"] {
            pinned = reader.address(node, "endpoint address")
            if let pinned, !session.allow.permits(pinned) {
                reader.error(node, "endpoint address \(pinned) is outside the allowed target networks (\(allowText))")
            }
        }
        var sni: String?
        if let node = fields?["sni"], let text = reader.string(node, "sni") {
            if EndpointURL.isValidHostName(text) && IPAddress(text) == nil {
                sni = text.lowercased()
            } else {
                reader.error(node, "invalid sni \(quoted(text)): expected a host name")
            }
        }
        guard let url else { return nil }
        return Endpoint(url: url, address: pinned, sni: sni, location: reader.location(node))
    }

    private var allowText: String {
        session.allow.isEmpty ? "none" : session.allow.map(\.description).joined(separator: ", ")
    }
}

/// The whole-inventory checks on codes and `via`: codes are unique, `via` names an agency
/// that has a link, and following `via` never comes back to where it started.
struct ViaChecker {
    let records: [LoadSession.AgencyRecord]

    func check() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var first: [String: LoadSession.AgencyRecord] = [:]
        for record in records {
            if let earlier = first[record.code] {
                diagnostics.append(Diagnostic(record.codeLocation,
                    "duplicate agency code \(quoted(record.code)) (first declared at \(earlier.codeLocation))"))
            } else {
                first[record.code] = record
            }
        }
        // Each agency has at most one via, so the via graph is a functional graph:
        // walk each chain once, colouring nodes, and report each cycle once.
        var state: [String: Int] = [:]  // 1: on the current walk, 2: done
        for record in records where state[record.code] == nil {
            var path: [String] = []
            var current: String? = record.code
            while let code = current, state[code] == nil {
                state[code] = 1
                path.append(code)
                current = first[code]?.via.flatMap { first[$0] != nil ? $0 : nil }
            }
            if let code = current, state[code] == 1, let start = path.firstIndex(of: code) {
                let cycle = Array(path[start...])
                let order = Dictionary(records.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
                let head = cycle.min { (order[$0] ?? 0) < (order[$1] ?? 0) }!
                let headIndex = cycle.firstIndex(of: head)!
                let rotated = Array(cycle[headIndex...] + cycle[..<headIndex]) + [head]
                if let location = first[head]?.viaLocation {
                    diagnostics.append(Diagnostic(location, "link via forms a cycle: \(rotated.joined(separator: " → "))"))
                }
            }
            path.forEach { state[$0] = 2 }
        }
        for record in records {
            guard let via = record.via, let location = record.viaLocation else { continue }
            guard let target = first[via] else {
                diagnostics.append(Diagnostic(location, "link via \(quoted(via)) names no agency of the inventory"))
                continue
            }
            if !target.hasLink && via != record.code {
                diagnostics.append(Diagnostic(location, "link via \(quoted(via)) names an agency that has no link"))
            }
        }
        return diagnostics
    }
}
