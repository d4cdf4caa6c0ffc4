import CXlsxWriter
import Foundation

// The .xlsx writer: libxlsxwriter (Debian's libxlsxwriter-dev) behind typed Swift values.
// No pointer leaves this file: a workbook, its sheets and its formats are Swift values, and
// a cell is text, a number, a date, a day or a boolean, never a formula.

/// What went wrong writing a workbook: libxlsxwriter's message, or the wrapper's, with
/// where (the file, the sheet and the cell).
public struct XLSXError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// How a cell looks. Formats are made once per distinct style and shared.
public struct CellStyle: Hashable, Sendable {
    public var bold: Bool
    /// Excel's number format, e.g. `0.0%`, `0.000`, `yyyy-mm-dd`.
    public var numberFormat: String?
    public var wrap: Bool
    /// Background colour, 0xRRGGBB.
    public var background: UInt32?

    public init(bold: Bool = false, numberFormat: String? = nil, wrap: Bool = false, background: UInt32? = nil) {
        self.bold = bold
        self.numberFormat = numberFormat
        self.wrap = wrap
        self.background = background
    }

    /// A header row: bold, wrapped, on a light background.
    public static let header = CellStyle(bold: true, wrap: true, background: 0xDDE4EE)
    /// A fraction shown as a percentage: 0.017 reads 1.7%.
    public static let percent = CellStyle(numberFormat: "0.0%")
    /// A calendar day (`Cell.day`), ISO order so that it reads the same in every locale.
    public static let day = CellStyle(numberFormat: "yyyy-mm-dd")
    /// A moment (`Cell.date`), to the second.
    public static let dateTime = CellStyle(numberFormat: "yyyy-mm-dd hh:mm:ss")
}

/// A format of one workbook (from `Workbook.format(_:)`).
public struct CellFormat: Hashable, Sendable {
    let index: Int
}

/// One cell's value, typed: text is always written as a string cell (never evaluated as a
/// formula), numbers as numbers, dates as Excel dates.
public enum Cell: Sendable, Equatable {
    case text(String)
    case number(Double)
    /// A moment, written in the workbook's time zone (Excel dates have none).
    case date(Date)
    /// The calendar day of a moment in the workbook's time zone.
    case day(Date)
    case bool(Bool)
    case empty

    public static func integer(_ value: Int) -> Cell { .number(Double(value)) }
}

/// An .xlsx file being written. Sheets and formats are added, cells written, then `close()`
/// writes the file. A cell that cannot be written (a row beyond Excel's limit…) does not
/// stop the others: `close()` throws the first such error after writing the file.
public final class Workbook {
    public let path: String
    /// The zone `Cell.date` and `Cell.day` are written in.
    public let timeZone: TimeZone
    private var handle: UnsafeMutablePointer<lxw_workbook>?
    private var formats: [UnsafeMutablePointer<lxw_format>] = []
    private var formatOfStyle: [CellStyle: CellFormat] = [:]
    private var firstError: XLSXError?
    private var calendar: Calendar

    /// Excel's limits: rows and columns of a sheet, characters of a cell.
    public static let maxRows = 1_048_576, maxColumns = 16_384, maxCharacters = 32_767

    public init(path: String, timeZone: TimeZone = .current) throws {
        guard let handle = workbook_new(path) else { throw XLSXError("cannot start the workbook '\(path)'") }
        self.path = path
        self.timeZone = timeZone
        self.handle = handle
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    deinit {
        // Never closed (an error while building it): freed without writing anything.
        if let handle { lxw_workbook_free(handle) }
    }

    /// Writes the file and frees the workbook; throws libxlsxwriter's error, or the first
    /// cell that could not be written. A second call does nothing.
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        let status = workbook_close(handle)
        if status != LXW_NO_ERROR { throw XLSXError("cannot write the workbook '\(path)': \(Self.message(status))") }
        if let firstError { throw firstError }
    }

    /// A new sheet. Names: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
    public func addWorksheet(_ name: String) throws -> Worksheet {
        guard let handle else { throw XLSXError("the workbook '\(path)' is closed") }
        let valid = workbook_validate_sheet_name(handle, name)
        guard valid == LXW_NO_ERROR else { throw XLSXError("sheet name '\(name)': \(Self.message(valid))") }
        guard let sheet = workbook_add_worksheet(handle, name) else { throw XLSXError("cannot add the sheet '\(name)'") }
        return Worksheet(book: self, sheet: sheet, name: name)
    }

    /// The format of `style` (made on first use).
    public func format(_ style: CellStyle) -> CellFormat {
        if let known = formatOfStyle[style] { return known }
        guard let handle, let format = workbook_add_format(handle) else { return CellFormat(index: -1) }
        if style.bold { format_set_bold(format) }
        if let numberFormat = style.numberFormat { format_set_num_format(format, numberFormat) }
        if style.wrap {
            format_set_text_wrap(format)
            format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        }
        if let background = style.background {
            format_set_pattern(format, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(format, background)
        }
        formats.append(format)
        let made = CellFormat(index: formats.count - 1)
        formatOfStyle[style] = made
        return made
    }

    /// Builds a workbook in a private temporary folder and returns the file's bytes; the
    /// folder is removed whatever happens (libxlsxwriter writes to a file only).
    public static func data(timeZone: TimeZone = .current, _ build: (Workbook) throws -> Void) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netaudit-xlsx-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { throw XLSXError("cannot create a temporary folder for the workbook: \(error.localizedDescription)") }
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.xlsx").path
        let book = try Workbook(path: path, timeZone: timeZone)
        try build(book)
        try book.close()
        guard let data = FileManager.default.contents(atPath: path) else { throw XLSXError("cannot read back the workbook '\(path)'") }
        return data
    }

    // MARK: - What the sheets call

    var isOpen: Bool { handle != nil }

    func pointer(_ format: CellFormat?) -> UnsafeMutablePointer<lxw_format>? {
        guard let format, formats.indices.contains(format.index) else { return nil }
        return formats[format.index]
    }

    /// Keeps the first error; `close()` throws it.
    func fail(_ message: String) {
        if firstError == nil { firstError = XLSXError("\(path): \(message)") }
    }

    /// The moment in the workbook's zone as libxlsxwriter's date; nil outside Excel's years.
    func datetime(_ date: Date, dayOnly: Bool) -> lxw_datetime? {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        guard let year = c.year, (1900...9999).contains(year), let month = c.month, let day = c.day else { return nil }
        if dayOnly { return lxw_datetime(year: Int32(year), month: Int32(month), day: Int32(day), hour: 0, min: 0, sec: 0) }
        let seconds = Double(c.second ?? 0) + Double(c.nanosecond ?? 0) / 1e9
        return lxw_datetime(year: Int32(year), month: Int32(month), day: Int32(day), hour: Int32(c.hour ?? 0), min: Int32(c.minute ?? 0), sec: seconds)
    }

    static func message(_ status: lxw_error) -> String {
        guard let text = lxw_strerror(status) else { return "libxlsxwriter error \(status.rawValue)" }
        return String(cString: text)
    }
}

/// One sheet of a workbook. Rows and columns count from 0.
public struct Worksheet {
    private let book: Workbook
    private let sheet: UnsafeMutablePointer<lxw_worksheet>
    public let name: String

    fileprivate init(book: Workbook, sheet: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        self.book = book
        self.sheet = sheet
        self.name = name
    }

    /// Writes one cell. Text longer than Excel's 32,767 characters is cut there; a number
    /// that is not finite, or a date outside Excel's years (1900–9999), is written as text.
    public func write(_ row: Int, _ column: Int, _ cell: Cell, _ format: CellFormat? = nil) {
        guard book.isOpen, let (r, c) = place(row, column) else { return }
        let style = book.pointer(format)
        let status: lxw_error
        switch cell {
        case .empty:
            return
        case .text(let text):
            var text = text.replacingOccurrences(of: "\u{0}", with: "")
            if text.unicodeScalars.count > Workbook.maxCharacters {
                text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(Workbook.maxCharacters - 1))) + "…"
            }
            status = worksheet_write_string(sheet, r, c, text, style)
        case .number(let number):
            guard number.isFinite else { return write(row, column, .text("\(number)"), format) }
            status = worksheet_write_number(sheet, r, c, number, style)
        case .bool(let value):
            status = worksheet_write_boolean(sheet, r, c, value ? 1 : 0, style)
        case .date(let date), .day(let date):
            let dayOnly = if case .day = cell { true } else { false }
            guard var datetime = book.datetime(date, dayOnly: dayOnly) else {
                return write(row, column, .text(ISO8601DateFormatter().string(from: date)), format)
            }
            // Without a format of its own a date gets one, or it would read as a serial number.
            let dated = style ?? book.pointer(book.format(dayOnly ? .day : .dateTime))
            status = worksheet_write_datetime(sheet, r, c, &datetime, dated)
        }
        if status != LXW_NO_ERROR { book.fail("sheet '\(name)', row \(row + 1), column \(column + 1): \(Workbook.message(status))") }
    }

    /// Writes `cells` from `column` on.
    public func write(row: Int, from column: Int = 0, _ cells: [Cell], _ format: CellFormat? = nil) {
        for (offset, cell) in cells.enumerated() { write(row, column + offset, cell, format) }
    }

    /// The width of columns `first...last`, in characters.
    public func setColumns(_ first: Int, _ last: Int, width: Double, _ format: CellFormat? = nil) {
        guard book.isOpen, let (_, from) = place(0, first), let (_, to) = place(0, last) else { return }
        let status = worksheet_set_column(sheet, from, to, width, book.pointer(format))
        if status != LXW_NO_ERROR { book.fail("sheet '\(name)', columns \(first + 1)–\(last + 1): \(Workbook.message(status))") }
    }

    /// Keeps the first `rows` rows and `columns` columns in view while scrolling.
    public func freeze(rows: Int, columns: Int = 0) {
        guard book.isOpen, let (r, c) = place(rows, columns) else { return }
        worksheet_freeze_panes(sheet, r, c)
    }

    /// A filter button on each column of the header row `firstRow`, over the rows to `lastRow`.
    public func autofilter(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
        guard book.isOpen, let (r1, c1) = place(firstRow, firstColumn), let (r2, c2) = place(lastRow, lastColumn) else { return }
        let status = worksheet_autofilter(sheet, r1, c1, r2, c2)
        if status != LXW_NO_ERROR { book.fail("sheet '\(name)', autofilter: \(Workbook.message(status))") }
    }

    /// The row and column as libxlsxwriter counts them, or nil (and an error kept) outside the sheet.
    private func place(_ row: Int, _ column: Int) -> (lxw_row_t, lxw_col_t)? {
        guard (0..<Workbook.maxRows).contains(row), (0..<Workbook.maxColumns).contains(column) else {
            book.fail("sheet '\(name)': row \(row + 1), column \(column + 1) is outside a sheet (\(Workbook.maxRows) rows, \(Workbook.maxColumns) columns)")
            return nil
        }
        return (lxw_row_t(row), lxw_col_t(column))
    }
}
