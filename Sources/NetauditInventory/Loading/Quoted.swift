import NetauditCore

/// `text` as messages quote input: short, escaped (``QuotedInput``).
func quoted(_ text: some StringProtocol, limit: Int = 40) -> String {
    QuotedInput.quote(text, limit: limit)
}
