#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CNetauditShims

/// The sending end of journald's native protocol (systemd.journal-fields(7), "Native
/// Journal Protocol"): one AF_UNIX datagram per log record, to `/run/systemd/journal/socket`.
/// The daemon builds the record (``JournalRecord``); the socket address stays in C
/// (`na_datagram_send`), as for ``NotifySocket``.
public enum JournalSocket {
    /// Where journald listens for native records.
    public static let defaultPath = "/run/systemd/journal/socket"

    /// Sends `record` as one datagram to the socket at `path`. Returns the errno value when
    /// it was not sent (no socket, journald gone, EMSGSIZE for a record too large), nil when it was.
    public static func send(_ record: [UInt8], to path: String) -> Int32? {
        let code = na_datagram_send(path, record, UInt(record.count))
        return code == 0 ? nil : code
    }

    /// Whether standard error is connected to the journal: `$JOURNAL_STREAM` (systemd sets it
    /// to `DEVICE:INODE` of the stream it gives a service) names the file standard error is.
    /// A daemon started by hand from such a service's shell, or with its standard error
    /// redirected, is not: it keeps writing text lines.
    public static func standardErrorIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(2, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// Whether a socket (of any kind) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
    }
}

/// One journal record in the native protocol's wire form: `KEY=value\n` per field, or,
/// for a value holding a newline, `KEY\n`, its length as a 64-bit little-endian integer,
/// the value and `\n`. A field may repeat (`RULE=link.down` and `RULE=link.unreachable`).
public struct JournalRecord: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends a field; `name` must be a valid field name (``fieldName(_:)``).
    public mutating func append(_ name: String, _ value: String) {
        bytes += Array(name.utf8)
        let data = Array(value.utf8)
        if data.contains(UInt8(ascii: "\n")) {
            bytes.append(UInt8(ascii: "\n"))
            var length = UInt64(data.count).littleEndian
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: length))
                length >>= 8
            }
        } else {
            bytes.append(UInt8(ascii: "="))
        }
        bytes += data
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A metadata key as a journal field name: upper case, `A-Z`, `0-9` and `_` only (others
    /// become `_`), not starting with `_` (trusted fields are journald's) nor a digit, at most
    /// 64 characters; nil when nothing is left.
    public static func fieldName(_ key: String) -> String? {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        })
        while name.hasPrefix("_") { name.removeFirst() }
        if let first = name.first, first.isNumber { name = "F_" + name }
        guard !name.isEmpty else { return nil }
        return String(name.prefix(64))
    }

    /// Parses a record back into its fields, in order (the tests, and what journald does);
    /// nil when it is not well formed.
    public static func parse(_ bytes: [UInt8]) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "=") }) else { return nil }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                fields.append((name, String(decoding: bytes[(end + 1)..<newline], as: UTF8.self)))
                index = newline + 1
            } else {
                guard end + 9 <= bytes.count else { return nil }
                var length: UInt64 = 0
                for offset in (0..<8).reversed() { length = length << 8 | UInt64(bytes[end + 1 + offset]) }
                let start = end + 9
                guard length <= UInt64(bytes.count - start), start + Int(length) < bytes.count,
                      bytes[start + Int(length)] == UInt8(ascii: "\n") else { return nil }
                fields.append((name, String(decoding: bytes[start..<(start + Int(length))], as: UTF8.self)))
                index = start + Int(length) + 1
            }
        }
        return fields
    }
}
