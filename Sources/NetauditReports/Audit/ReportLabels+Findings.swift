import NetauditCore
import NetauditPolicy

extension ReportLabels {
    /// A finding's message in this language: the stored English one, or the Vietnamese
    /// sentence the policy makes from the rule id and the evidence (``FindingText``). The
    /// JSON output keeps the English `message` whatever the language.
    public func message(_ finding: Finding) -> String {
        FindingText.message(finding, language: FindingLanguage(rawValue: language) ?? .en)
    }
}
