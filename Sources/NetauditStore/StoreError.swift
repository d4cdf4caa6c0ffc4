import Foundation

/// A store failure a user can act on (a path that cannot be opened, a full disk…), with
/// the file's path and SQLite's message.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "results store \(path): \(message)" }
}
