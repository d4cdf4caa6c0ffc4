import Foundation
import NetauditCore
import Yams

/// Reads and checks a network-lab scenario file (docs/lab-network.md): every problem at
/// once, each as `FILE:LINE:COLUMN: message`, before the lab builds anything.
public struct NetworkScenarioLoader: Sendable {
    public init() {}

    enum Keys {
        static let top = ["version", "title", "inventory", "tls", "default", "agencies"]
        static let conduct = ["link", "loss", "delay", "jitter", "flap", "outage", "tls"]
        static let outage = ["after", "for"]
    }

    public func load(path: String) throws(ConfigurationError) -> NetworkScenario {
        var diagnostics: [Diagnostic] = []
        var scenario = NetworkScenario(file: path)
        if let file = YAMLFile.read(path, into: &diagnostics), let root = file.root {
            let reader = NodeReader(file: path) { diagnostics.append($0) }
            decode(root, reader: reader, into: &scenario)
        }
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics.sorted { $0.location < $1.location }) }
        return scenario
    }

    private func decode(_ root: Node, reader: NodeReader, into scenario: inout NetworkScenario) {
        if NodeReader.isNull(root) { return }
        guard let fields = reader.fields(root, of: "the scenario", allowed: Keys.top) else { return }
        if let node = fields["version"], let text = reader.string(node, "version"), text != "1" {
            reader.error(node, "unsupported scenario version \(quoted(text)): this netaudit reads version 1")
        }
        if let node = fields["title"] { scenario.title = reader.string(node, "title") }
        if let node = fields["inventory"], let text = reader.string(node, "inventory") {
            scenario.inventory = PathText.resolve(text, from: reader.file)
        }
        if let node = fields["tls"], let text = reader.string(node, "tls") {
            if let pattern = NetworkScenario.TLSPattern(rawValue: text) {
                scenario.tlsPattern = pattern
            } else {
                reader.error(node, "unknown tls pattern \(quoted(text)): expected " + Self.choices(NetworkScenario.TLSPattern.allCases.map(\.rawValue)))
            }
        }
        if let node = fields["default"], let conduct = self.conduct(node, of: "default", reader: reader) {
            scenario.defaults = conduct
            scenario.defaults.location = nil
        }
        if let node = fields["agencies"] {
            guard case .mapping(let mapping) = node else {
                reader.error(node, "expected a mapping of agency codes (\"24041\": silent) for agencies, found \(NodeReader.describe(node))")
                return
            }
            for (key, value) in mapping {
                guard case .scalar(let code) = key, !code.string.isEmpty else {
                    reader.error(key, "an agency code must be a single value, found \(NodeReader.describe(key))")
                    continue
                }
                if scenario.agencies[code.string] != nil {
                    reader.error(key, "agency \(quoted(code.string)) is listed twice")
                    continue
                }
                if var conduct = self.conduct(value, of: "agency \(quoted(code.string))", reader: reader) {
                    conduct.location = reader.location(key)
                    scenario.agencies[code.string] = conduct
                }
            }
        }
    }

    /// A conduct: a link behaviour alone (`silent`), or a mapping of its keys.
    private func conduct(_ node: Node, of what: String, reader: NodeReader) -> NetworkScenario.Conduct? {
        var conduct = NetworkScenario.Conduct(location: reader.location(node))
        if case .scalar = node {
            guard let behaviour = linkBehaviour(node, of: what, reader: reader) else { return nil }
            conduct.link = behaviour
            return conduct
        }
        guard let fields = reader.fields(node, of: what, allowed: Keys.conduct) else { return nil }
        var valid = true
        if let value = fields["link"] {
            if let behaviour = linkBehaviour(value, of: what, reader: reader) { conduct.link = behaviour } else { valid = false }
        }
        if let value = fields["loss"] {
            if let loss = lossPercent(value, of: what, reader: reader) { conduct.lossPercent = loss } else { valid = false }
        }
        var delayRead = true
        if let value = fields["delay"] {
            if let delay = reader.duration(value, "\(what): delay") { conduct.delay = delay } else { valid = false; delayRead = false }
        }
        if let value = fields["jitter"] {
            if let jitter = zeroOrDuration(value, "\(what): jitter", reader: reader) {
                conduct.jitter = jitter
                // Compared only with a delay that was read: an invalid one is reported once, on its own.
                if delayRead && jitter > conduct.delay {
                    reader.error(value, "\(what): jitter \(jitter.text) is larger than the delay (\(conduct.delay.text)): a reply cannot come before its request")
                    valid = false
                }
            } else { valid = false }
        }
        if let value = fields["flap"] {
            if let flap = reader.duration(value, "\(what): flap") {
                if flap >= .milliseconds(100) {
                    conduct.flap = flap
                } else {
                    reader.error(value, "\(what): flap must be at least 100ms")
                    valid = false
                }
            } else { valid = false }
        }
        if let value = fields["outage"] {
            if let outage = reader.fields(value, of: "\(what): outage", allowed: Keys.outage, required: Keys.outage),
               let after = outage["after"].flatMap({ zeroOrDuration($0, "\(what): outage.after", reader: reader) }),
               let length = outage["for"].flatMap({ reader.duration($0, "\(what): outage.for") }) {
                conduct.outage = NetworkScenario.Outage(after: after, length: length)
            } else { valid = false }
        }
        if let value = fields["tls"], let text = reader.string(value, "\(what): tls") {
            if let behaviour = NetworkScenario.TLSBehaviour(rawValue: text) {
                conduct.tls = behaviour
            } else {
                reader.error(value, "\(what): unknown tls behaviour \(quoted(text))" + Self.didYouMean(text, in: NetworkScenario.TLSBehaviour.allCases.map(\.rawValue))
                             + "; expected " + Self.choices(NetworkScenario.TLSBehaviour.allCases.map(\.rawValue)))
                valid = false
            }
        }
        if conduct.link == .none && (conduct.lossPercent > 0 || conduct.delay > .zero || conduct.changesOverTime) {
            reader.error(node, "\(what): link none (no link yet) takes no loss, delay, flap or outage")
            valid = false
        }
        return valid ? conduct : nil
    }

    /// A duration that may also be zero (`0s`: an outage from the lab's start, no jitter).
    private func zeroOrDuration(_ node: Node, _ what: String, reader: NodeReader) -> Duration? {
        if case .scalar(let scalar) = node, ["0", "0s", "0ms", "0m"].contains(scalar.string) { return .zero }
        return reader.duration(node, what)
    }

    private func linkBehaviour(_ node: Node, of what: String, reader: NodeReader) -> NetworkScenario.LinkBehaviour? {
        guard let text = reader.string(node, "\(what): link") else { return nil }
        guard let behaviour = NetworkScenario.LinkBehaviour(rawValue: text) else {
            let names = NetworkScenario.LinkBehaviour.allCases.map(\.rawValue)
            reader.error(node, "\(what): unknown link behaviour \(quoted(text))" + Self.didYouMean(text, in: names) + "; expected " + Self.choices(names))
            return nil
        }
        return behaviour
    }

    /// `60` or `60%`.
    private func lossPercent(_ node: Node, of what: String, reader: NodeReader) -> Int? {
        guard let text = reader.string(node, "\(what): loss") else { return nil }
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Int(digits), (0...100).contains(value) else {
            reader.error(node, "\(what): invalid loss \(quoted(text)): expected a whole percentage from 0 to 100, e.g. 60 or 60%")
            return nil
        }
        return value
    }

    /// " (did you mean 'x'?)" for a likely typo, else nothing: the message lists the choices itself.
    static func didYouMean(_ text: String, in names: [String]) -> String {
        Suggestion.closest(to: text, in: names).map { " (did you mean \(quoted($0))?)" } ?? ""
    }

    static func choices(_ names: [String]) -> String {
        names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }
}
