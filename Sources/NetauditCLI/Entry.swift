import ArgumentParser
import Foundation
import NetauditInventory
import NetauditProbes

/// The process entry point with netaudit's exit statuses: ArgumentParser's own usage
/// errors (which it would end with 64) become 2, and anything unforeseen becomes 3.
public enum Entry {
    public static func main(_ arguments: [String]? = nil) async -> Never {
        ProcessLimits.raiseOpenFiles()  // the soft open-file limit up to the hard one, before anything opens
        let command: ParsableCommand
        do {
            command = try NetauditCommand.parseAsRoot(arguments)
        } catch {
            exitForParse(error, arguments: arguments ?? Array(CommandLine.arguments.dropFirst()))
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
            exit(ExitStatus.success)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let error as UserError {
            printError("netaudit: \(error)")
            exit(ExitStatus.invalidInput)
        } catch let error as InventoryError {
            printError(error.description)
            exit(ExitStatus.invalidInput)
        } catch {
            let status = NetauditCommand.exitCode(for: error)
            if status == .success || status == .validationFailure {
                exitForParse(error, arguments: [])
            }
            printError("netaudit: internal error: \(error)")
            exit(ExitStatus.internalError)
        }
    }

    /// A parent may start netaudit with SIGINT, SIGTERM or SIGHUP blocked (Foundation's
    /// `Process` passes its thread's mask on): unblocked here, on the main thread, before
    /// anything else, so that the daemon's and the audit's signal handling always hear them.
    public static func unblockStopSignals() { StopSignals.unblock() }

    private static func exitForParse(_ error: any Error, arguments: [String]) -> Never {
        let status = NetauditCommand.exitCode(for: error)
        if status == .success {
            NetauditCommand.exit(withError: error)  // --help, --version: prints and exits 0
        }
        // A mistyped subcommand or option is named first, with the closest name.
        if let root = ArgumentHints.tree(), let hint = ArgumentHints.hint(for: arguments, root: root) {
            let command = (["netaudit"] + hint.path).joined(separator: " ")
            printError("Error: \(hint.message)\n  See '\(command) --help' for more information.")
            exit(ExitStatus.invalidInput)
        }
        printError(NetauditCommand.fullMessage(for: error))
        exit(ExitStatus.invalidInput)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
