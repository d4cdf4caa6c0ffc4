import Foundation
import Logging
import NetauditDaemon
import NetauditLab
import NetauditProbes
import Synchronization
import Testing

/// The journald lines: priority prefix, one line per event, fields as key=value.
struct JournalLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func priorityMessageAndFields() {
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: level) { line in lines.lines.withLock { $0.append(line) } } }
        logger.warning("agency Xã Ia Ka (21583) is not connected\nsecond line", metadata: ["agency": "21583", "rule": "link.down"])
        logger.error("bad", metadata: ["file": "a b.yaml"])
        logger.notice("recovered")
        logger.debug("not shown at info")
        #expect(lines.all == [
            "<4>agency Xã Ia Ka (21583) is not connected second line agency=21583 rule=link.down\n",
            "<3>bad file=\"a b.yaml\"\n",
            "<5>recovered\n",
        ])
    }

    /// A reload changes the shared level; a library quietening its own logger does not
    /// quieten the others.
    @Test func theSharedLevelAndAQuieterLogger() {
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let make: @Sendable (String) -> any LogHandler = { JournalLogHandler(label: $0, level: level) { line in lines.lines.withLock { $0.append(line) } } }
        let main = Logger(label: "main", factory: make)
        var library = Logger(label: "library", factory: make)
        library.logLevel = .warning
        main.info("main info")
        library.info("library info")
        level.current = .debug
        main.debug("main debug")
        library.debug("library debug")
        #expect(lines.all == ["<6>main info\n", "<7>main debug\n"])
    }

    /// Under systemd: one native record per event, to a datagram socket standing for
    /// journald's, with the text line as MESSAGE and the metadata as fields of their own.
    @Test func nativeFieldsToTheJournalSocket() throws {
        let folder = NSTemporaryDirectory() + "netaudit-journal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let socket = try LabNotifySocket(path: folder + "/socket")
        defer { socket.stop() }
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let journal = JournalLogHandler.Journal(socketPath: socket.path)
        let logger = Logger(label: "test") {
            JournalLogHandler(label: $0, level: level, journal: journal) { line in lines.lines.withLock { $0.append(line) } }
        }
        logger.warning("agency Xã Ia Ka (21583) is not connected\nsecond line",
                       metadata: ["agency": "21583", "rule": "link.down,link.unreachable", "event": "agency_down", "run": "7",
                                  "url": "https://ia-ka.test/", "note": "two\nlines", "message": "clash", "_trusted": "x", "9lives": "y",
                                  "webhook.not_tried": "3"])
        logger.debug("not shown at info")
        for _ in 0..<200 where socket.datagrams.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        #expect(lines.all.isEmpty, "sent to the journal, not written: \(lines.all)")
        let datagrams = socket.datagrams
        #expect(datagrams.count == 1)
        let datagram = try #require(datagrams.first)
        let fields = try #require(JournalRecord.parse(datagram))
        #expect(fields.map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "F_9LIVES", "TRUSTED", "AGENCY", "EVENT", "NETAUDIT_MESSAGE",
                                       "NOTE", "RULE", "RULE", "RUN", "URL", "WEBHOOK_NOT_TRIED"])
        let values = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        // The text as journald stored it before: the line without its priority prefix.
        #expect(values["MESSAGE"] == "agency Xã Ia Ka (21583) is not connected second line 9lives=y _trusted=x agency=21583 event=agency_down message=clash note=\"two lines\" rule=link.down,link.unreachable run=7 url=https://ia-ka.test/ webhook.not_tried=3")
        #expect(values["PRIORITY"] == "4" && values["SYSLOG_IDENTIFIER"] == "netaudit")
        #expect(values["AGENCY"] == "21583" && values["EVENT"] == "agency_down" && values["RUN"] == "7" && values["URL"] == "https://ia-ka.test/")
        #expect(fields.filter { $0.name == "RULE" }.map(\.value) == ["link.down", "link.unreachable"])
        // A value with a newline, in the binary-safe form: the name, a newline, its length.
        #expect(values["NOTE"] == "two\nlines")
        let bytes = try #require(datagrams.first)
        let note = Array("\nNOTE\n".utf8) + [9, 0, 0, 0, 0, 0, 0, 0] + Array("two\nlines\n".utf8)
        #expect(bytes.indices.contains { bytes[$0...].starts(with: note) })
        #expect(values["NETAUDIT_MESSAGE"] == "clash")
    }

    /// No journal socket (journald gone, or the path wrong): the text line, as before.
    @Test func withoutTheSocketTheTextLineIsWritten() {
        let lines = Lines()
        let level = JournalLogHandler.Level(.info)
        let journal = JournalLogHandler.Journal(socketPath: NSTemporaryDirectory() + "netaudit-no-such-socket-" + UUID().uuidString)
        let logger = Logger(label: "test") {
            JournalLogHandler(label: $0, level: level, journal: journal) { line in lines.lines.withLock { $0.append(line) } }
        }
        logger.warning("agency down", metadata: ["agency": "21583", "rule": "link.down"])
        #expect(lines.all == ["<4>agency down agency=21583 rule=link.down\n"])
    }

    /// The journal is used only when standard error is its stream (`$JOURNAL_STREAM` names
    /// the device and inode of standard error) and its socket exists.
    @Test func theJournalIsDetectedFromJournalStream() throws {
        #expect(JournalLogHandler.Journal.detect(environment: [:]) == nil)
        #expect(JournalLogHandler.Journal.detect(environment: ["JOURNAL_STREAM": "nonsense"]) == nil)
        #expect(!JournalSocket.standardErrorIsJournal(environment: ["JOURNAL_STREAM": "1:1"]))
        // What systemd would set: the device and inode of our standard error, as stat(1)
        // sees it from a child that inherits it.
        let stat = Process()
        stat.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
        stat.arguments = ["-L", "-c", "%d:%i", "/proc/self/fd/2"]
        let output = Pipe()
        stat.standardOutput = output
        try stat.run()
        stat.waitUntilExit()
        let stream = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stream.contains(":"), "stat said \(stream)")
        #expect(JournalSocket.standardErrorIsJournal(environment: ["JOURNAL_STREAM": stream]))
        let expected: JournalLogHandler.Journal? = JournalSocket.exists(JournalSocket.defaultPath) ? JournalLogHandler.Journal() : nil
        #expect(JournalLogHandler.Journal.detect(environment: ["JOURNAL_STREAM": stream]) == expected)
    }

    @Test func fieldNames() {
        #expect(JournalRecord.fieldName("agency") == "AGENCY")
        #expect(JournalRecord.fieldName("webhook.not_tried") == "WEBHOOK_NOT_TRIED")
        #expect(JournalRecord.fieldName("__x") == "X")
        #expect(JournalRecord.fieldName("2fa") == "F_2FA")
        #expect(JournalRecord.fieldName("_") == nil)
        #expect(JournalRecord.fieldName(String(repeating: "a", count: 80))?.count == 64)
    }
}
