/// A report rendered in every format of `--format`: the period and national reports (the
/// run report has its own entry point, `ReportFormat.render`, with its extra options).
public protocol FormattedReport {
    func table(_ labels: ReportLabels, colour: Bool) -> String
    func json() throws -> String
    func csv(_ labels: ReportLabels) -> String
    func html(_ labels: ReportLabels) -> String
}

extension PeriodReport: FormattedReport {}
extension NationalReport: FormattedReport {}
