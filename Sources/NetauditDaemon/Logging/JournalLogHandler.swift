import Foundation
import Logging
import NetauditInventory
import NetauditProbes
import Synchronization

/// Log lines for journald on standard error: one line per event, starting with the
/// syslog priority journald reads (`<3>` error … `<7>` debug), then the message, then the
/// metadata as `key=value` fields (`agency=64001 rule=link.down`). Newlines in a message
/// are folded, so one event is always one journal entry. The level can change at runtime
/// (a reload), for every logger at once, through the shared ``Level``.
///
/// Under systemd with the journal (``Journal/detect(environment:)``), each event goes to
/// journald through its native protocol instead, with the same text as `MESSAGE` and the
/// metadata as fields of their own (`AGENCY=64001`, `RULE=link.down`, `EVENT=agency_down`),
/// so that `journalctl AGENCY=64001 RULE=link.down` finds it; when the journal's socket
/// refuses a record, that record is written to standard error as before.
public struct JournalLogHandler: LogHandler {
    /// Where native records go: journald's socket.
    public struct Journal: Sendable, Equatable {
        public let socketPath: String
        public init(socketPath: String = JournalSocket.defaultPath) { self.socketPath = socketPath }

        /// The journal, when standard error is the journal's stream (`$JOURNAL_STREAM`) and
        /// its socket exists; nil otherwise (by hand in a terminal, in tests, in a container).
        public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> Journal? {
            guard JournalSocket.standardErrorIsJournal(environment: environment), JournalSocket.exists(JournalSocket.defaultPath) else { return nil }
            return Journal()
        }
    }

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
    /// nil: text lines only.
    public let journal: Journal?

    public init(label: String, level: Level, journal: Journal? = nil,
                write: @escaping @Sendable (String) -> Void = JournalLogHandler.standardError) {
        self.label = label
        self.level = level
        self.journal = journal
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
        let line = Self.line(level: event.level, message: event.message.description, metadata: fields)
        if let journal, JournalSocket.send(Self.record(line: line, level: event.level, metadata: fields).bytes, to: journal.socketPath) == nil {
            return
        }
        write(line)
    }

    /// Field names journald or this handler sets itself: metadata with such a name is
    /// sent as `NETAUDIT_…` instead.
    static let reservedFields: Set<String> = ["MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "SYSLOG_FACILITY", "SYSLOG_PID",
                                              "SYSLOG_TIMESTAMP", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERRNO", "TID", "DOCUMENTATION"]

    /// The native record of a text line (``line(level:message:metadata:)``): `MESSAGE` is
    /// the line as journald would have stored it (without the `<N>` prefix and the newline),
    /// `PRIORITY`, `SYSLOG_IDENTIFIER=netaudit`, then each metadata key upper-cased
    /// (``JournalRecord/fieldName(_:)``) with its value unfolded; `rule`, a comma-separated
    /// list, is one `RULE` field per rule.
    public static func record(line: String, level: Logger.Level, metadata: Logger.Metadata) -> JournalRecord {
        var record = JournalRecord()
        var message = Substring(line)
        if message.hasSuffix("\n") { message = message.dropLast() }
        let prefix = "<\(priority(level))>"
        if message.hasPrefix(prefix) { message = message.dropFirst(prefix.count) }
        record.append("MESSAGE", String(message))
        record.append("PRIORITY", "\(priority(level))")
        record.append("SYSLOG_IDENTIFIER", "netaudit")
        for key in metadata.keys.sorted() {
            guard var name = JournalRecord.fieldName(key) else { continue }
            if reservedFields.contains(name) { name = "NETAUDIT_" + name }
            let value = metadata[key]!.description
            let values = name == "RULE" ? value.split(separator: ",").map(String.init) : [value]
            for value in values { record.append(name, value) }
        }
        return record
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
