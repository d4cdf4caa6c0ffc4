import ArgumentParser
import Foundation
import NetauditInventory

/// "Did you mean" for a mistyped subcommand or long option, as the inventory checker gives
/// for a mistyped key. ArgumentParser says "Unexpected argument 'reprot'" for a subcommand,
/// and reports a missing required option before an unknown one (`audit --invenotry x`
/// said that `--inventory` was missing): the first word it could not place is named here,
/// with the closest name the command has.
enum ArgumentHints {
    /// A command as ArgumentParser describes it (`--experimental-dump-help`).
    struct Command: Decodable {
        var commandName: String
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var kind: String
        var names: [Name]?
    }

    private struct Tool: Decodable {
        var command: Command
    }

    /// What to say, and the command whose usage to show.
    struct Hint: Equatable {
        var message: String
        /// The subcommand path that was recognised, e.g. `["inventory"]`.
        var path: [String]
    }

    /// netaudit's commands, from ArgumentParser's own description of them.
    static func tree() -> Command? {
        try? JSONDecoder().decode(Tool.self, from: Data(NetauditCommand._dumpHelp().utf8)).command
    }

    /// The first subcommand or long option in `arguments` that `root` does not know, with
    /// the closest known name when one is close enough; nil when every word is known.
    static func hint(for arguments: [String], root: Command) -> Hint? {
        var command = root
        var path: [String] = []
        var index = 0
        while index < arguments.count, let subcommands = command.subcommands, !subcommands.isEmpty {
            let word = arguments[index]
            if word.hasPrefix("-") { break }
            guard let next = subcommands.first(where: { $0.commandName == word }) else {
                let names = subcommands.map(\.commandName)
                let whose = ([root.commandName] + path).joined(separator: " ")
                return Hint(message: "unknown subcommand '\(word)' of '\(whose)'" + suggestion(word, names), path: path)
            }
            command = next
            path.append(word)
            index += 1
        }
        var known: Set<String> = ["--help", "--version", "--experimental-dump-help", "--generate-completion-script"]
        for argument in command.arguments ?? [] {
            for name in argument.names ?? [] where name.kind == "long" { known.insert("--" + name.name) }
        }
        for word in arguments.dropFirst(index) {
            if word == "--" { break }
            guard word.hasPrefix("--"), word.count > 2 else { continue }
            let name = String(word.split(separator: "=", maxSplits: 1)[0])
            if !known.contains(name) {
                let options = known.filter { !["--experimental-dump-help", "--generate-completion-script"].contains($0) }.sorted()
                return Hint(message: "unknown option '\(name)'" + suggestion(name, options, listAll: false), path: path)
            }
        }
        return nil
    }

    /// " (did you mean 'x'?)", else the choices when they are few enough to read.
    private static func suggestion(_ word: String, _ names: [String], listAll: Bool = true) -> String {
        if let match = Suggestion.closest(to: word, in: names) { return " (did you mean '\(match)'?)" }
        return listAll ? " (expected one of: \(names.joined(separator: ", ")))" : ""
    }
}
