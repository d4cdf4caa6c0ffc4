import Foundation

/// A store failure, with what a caller can act on: a `code` (retry when locked, stop
/// writing when the disk is full, refuse a store written by a newer netaudit…), the
/// store's location and the backend's message. Every backend maps its own errors onto
/// these codes; nothing already stored is lost by any of them.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, in terms a caller can act on.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The disk (or the database's quota) is full: nothing new is stored until space is
        /// freed; everything already stored is kept.
        case diskFull = "disk_full"
        /// The file or database is damaged, or is not a netaudit results store.
        case corrupt
        /// Another writer held the store longer than the busy timeout.
        case locked
        /// The store was written by a newer netaudit (a migration this one does not know).
        case schemaTooNew = "schema_too_new"
        /// The store may not be written (opened read-only, a read-only file or folder,
        /// permissions), or may not be opened at all.
        case notWritable = "not_writable"
        /// No store at that location (reading only creates nothing).
        case notFound = "not_found"
        /// The server or file system could not be reached (a network database).
        case unavailable
        /// A run, inventory or result this store does not have, or a request it refuses.
        case invalidRequest = "invalid_request"
        /// Anything else the backend reported.
        case other
    }

    public let code: Code
    /// The store's path or URL (without a password).
    public let path: String
    public let message: String

    public init(_ code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "results store \(path): \(message)" }
}
