import NetauditCore

/// The findings block of the text reports: one line per finding, worst first, with its
/// evidence indented below.
enum FindingsText {
    static func render(_ findings: [Finding], labels: ReportLabels = .english) -> String {
        guard !findings.isEmpty else { return "findings: none\n" }
        var lines = ["findings (\(findings.count))"]
        for finding in findings {
            lines.append("  \(finding.severity.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.id): \(labels.message(finding))")
            for key in finding.evidence.keys.sorted() {
                lines.append("           \(key) = \(finding.evidence[key]!)")
            }
        }
        return lines.map(\.displaySafe).joined(separator: "\n") + "\n"
    }
}
