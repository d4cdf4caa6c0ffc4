/// Text bound for a spreadsheet cell (CSV or xlsx), guarded against formula injection
/// (OWASP's "CSV injection"): a text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading apostrophe, so that no spreadsheet takes an inventory's name for a
/// formula, whether it opens the CSV, or the user re-enters or re-exports an xlsx cell.
/// Numbers the reports write are numbers (a negative one is never touched): only text
/// goes through here.
public enum SpreadsheetText {
    static let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `text`, with a leading `'` when its first character would start a formula.
    public static func guarded(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, triggers.contains(first) else { return text }
        return "'" + text
    }
}
