import Foundation
import Logging
import NetauditInventory
import Synchronization

/// Log lines for journald on standard error: one line per event, starting with the
/// syslog priority journald reads (`<3>` error … `<7>` debug), then the message, then the
/// metadata as `key=value` fields (`agency=64001 rule=link.down`). Newlines in a message
/// are folded, so one event is always one journal entry. The level can change at runtime
/// (a reload), for every logger at once, through the shared ``Level``.
public struct JournalLogHandler: LogHandler {
    /// The level of every handler made from it; a reload sets it.
    public final class Level: Sendable {
        private let value: Mutex<Logger.Level>
        public init(_ level: Logger.Level) { value = Mutex(level) }
        public var current: Logger.Level {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    public let label: String
    public let level: Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void

    public init(label: String, level: Level, write: @escaping @Sendable (String) -> Void = JournalLogHandler.standardError) {
        self.label = label
        self.level = level
        self.write = write
    }

    /// This handler's own floor (a library's logger kept quieter); nil: the shared level.
    private var floor: Logger.Level?

    /// The stricter of the shared level and this handler's own floor. Setting it sets the
    /// floor only: a library quietening its logger does not quieten the daemon's.
    public var logLevel: Logger.Level {
        get { max(level.current, floor ?? level.current) }
        set { floor = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        write(Self.line(level: event.level, message: event.message.description, metadata: fields))
    }

    /// `<N>message key=value …` with a trailing newline.
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var text = "<\(priority(level))>" + fold(message)
        for key in metadata.keys.sorted() {
            text += " \(key)=\(quote(fold(metadata[key]!.description)))"
        }
        return text + "\n"
    }

    /// syslog priorities (sd-daemon(3)).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    private static func fold(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    private static func quote(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// One write(2) per line: lines from several threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Logger.Level {
    init(_ level: DaemonConfiguration.LogLevel) {
        switch level {
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        }
    }
}
