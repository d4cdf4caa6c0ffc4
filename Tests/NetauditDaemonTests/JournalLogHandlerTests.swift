import Logging
import NetauditDaemon
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
}
