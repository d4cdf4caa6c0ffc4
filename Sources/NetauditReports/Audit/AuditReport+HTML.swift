import Foundation
import NetauditCore

extension AuditReport {
    /// One self-contained HTML page (no external asset, no script): the per-level and
    /// per-unit bars against the target, the gap list, the certificate calendar, the changes.
    public func html(_ l: ReportLabels = .english) -> String {
        func e(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func bar(_ rate: Double, target: Double) -> String {
            let width = String(format: "%.1f", max(0, min(100, rate)))
            let mark = String(format: "%.1f", max(0, min(100, target)))
            let tone = rate >= target ? "ok" : (rate >= target - 10 ? "warn" : "bad")
            return "<div class=\"bar\"><div class=\"fill \(tone)\" style=\"width:\(width)%\"></div><div class=\"target\" style=\"left:\(mark)%\"></div></div>"
        }
        let dates = ISO8601DateFormatter()
        var body: [String] = []
        body.append("<h1>\(e(run.title ?? "netaudit"))</h1>")
        body.append("<p class=\"meta\">run \(run.id) · \(e(run.kind)) · \(e(run.state)) · \(e(dates.string(from: run.startedAt))) · \(e(run.inventoryPath))</p>")
        body.append("<p class=\"verdict \(summary.targetsMet ? "ok" : "bad")\">\(e(l[summary.targetsMet ? "Result: every level meets its target and every endpoint is compliant." : "Result: targets missed or endpoints not compliant."]))</p>")

        body.append("<h2>\(e(l["Connection to the dedicated network, per level"]))</h2><table><tr><th>\(e(l["level"]))</th><th>\(e(l["connected"]))</th><th class=\"wide\"></th><th>\(e(l["rate"]))</th><th>\(e(l["target"]))</th><th>\(e(l["gap"]))</th></tr>")
        for level in summary.levels {
            let f = level.figures
            body.append("<tr><td>\(e(level.level))</td><td>\(f.connected)/\(f.agencies)</td><td>\(bar(f.connectionRate, target: level.targetPercent))</td><td>\(Self.percent(f.connectionRate))</td><td>\(Self.percent(level.targetPercent))</td><td>\(level.gap)</td></tr>")
        }
        body.append("</table>")

        if summary.levels.contains(where: { $0.figures.endpoints > 0 }) {
            body.append("<h2>\(e(l["TLS endpoints, per level"]))</h2><table><tr><th>\(e(l["level"]))</th><th>\(e(l["endpoints"]))</th><th class=\"wide\"></th><th>\(e(l["compliant"]))</th><th>\(e(l["noncompliant"]))</th><th>\(e(l["unreachable"]))</th></tr>")
            for level in summary.levels where level.figures.endpoints > 0 {
                let f = level.figures
                body.append("<tr><td>\(e(level.level))</td><td>\(f.endpoints)</td><td>\(bar(Double(f.compliant) / Double(f.endpoints) * 100, target: 100))</td><td>\(f.compliant)</td><td>\(f.noncompliant)</td><td>\(f.endpointsUnreachable)</td></tr>")
            }
            body.append("</table>")
        }

        let units = summary.parents.filter { !$0.childLevels.isEmpty }
        if units.count > 1 {
            body.append("<h2>\(e(l["Per unit (the agencies below it)"]))</h2><table><tr><th>\(e(l["code"]))</th><th>\(e(l["unit"]))</th><th>\(e(l["connected"]))</th><th class=\"wide\"></th><th>\(e(l["rate"]))</th></tr>")
            for unit in units {
                let agencies = unit.childLevels.reduce(0) { $0 + $1.figures.agencies }
                let connected = unit.childLevels.reduce(0) { $0 + $1.figures.connected }
                let rate = agencies == 0 ? 0 : Double(connected) / Double(agencies) * 100
                let target = unit.childLevels.map(\.targetPercent).max() ?? 100
                body.append("<tr><td>\(e(unit.code))</td><td>\(e(unit.name))</td><td>\(connected)/\(agencies)</td><td>\(bar(rate, target: target))</td><td>\(Self.percent(rate))</td></tr>")
            }
            body.append("</table>")
        }

        body.append("<h2>\(e(l["Gaps"])) (\(summary.gaps.count))</h2>")
        if !summary.gaps.isEmpty {
            body.append("<table class=\"gaps\"><tr><th>\(e(l["code"]))</th><th>\(e(l["path"]))</th><th>\(e(l["findings"]))</th></tr>")
            for gap in summary.gaps {
                let findings = gap.findings.map { "<span class=\"sev \($0.severity.rawValue)\">\(e($0.severity.rawValue))</span> <code>\(e($0.id))</code> \(e($0.message))" }
                var cause = ""
                if let node = gap.cause { cause = "<br><em>→ \(e(node))</em>" }
                body.append("<tr><td>\(e(gap.code))</td><td>\(e(gap.path.joined(separator: " › ")))\(cause)</td><td>\(findings.joined(separator: "<br>"))</td></tr>")
            }
            body.append("</table>")
        }
        for (node, behind) in summary.causes.sorted(by: { $0.key < $1.key }) {
            body.append("<p class=\"cause\">\(e(node)): \(behind.count) → \(e(behind.joined(separator: ", ")))</p>")
        }

        body.append("<h2>\(e(l["Certificates expiring within 30 days"]))</h2>")
        if summary.expiringCertificates.isEmpty {
            body.append("<p>-</p>")
        } else {
            body.append("<ol class=\"calendar\">")
            for certificate in summary.expiringCertificates {
                let tone = certificate.daysLeft < 0 ? "bad" : (certificate.daysLeft <= 7 ? "warn" : "ok")
                body.append("<li class=\"\(tone)\"><strong>\(certificate.daysLeft)</strong> · \(e(dates.string(from: certificate.notAfter))) · \(e(certificate.url)) · \(e(certificate.subject))</li>")
            }
            body.append("</ol>")
        }
        if let changes {
            body.append("<h2>\(e(l["Changes since run"])) \(changes.previousRun)</h2><ul>")
            for (label, items) in [("newly down", changes.newlyDown), ("recovered", changes.recovered),
                                   ("newly non-compliant", changes.newlyNoncompliant), ("fixed", changes.fixed)] {
                body.append("<li>\(e(l[label])): \(items.isEmpty ? "-" : e(items.joined(separator: ", ")))</li>")
            }
            body.append("</ul>")
        }
        return """
            <!DOCTYPE html>
            <html lang="\(l.language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(run.title ?? "netaudit")) · run \(run.id)</title>
            <style>
            body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
            .meta{color:#666}.verdict{font-weight:bold;padding:.5em;border-radius:4px}.verdict.ok{background:#e6f4ea}.verdict.bad{background:#fce8e6}
            table{border-collapse:collapse;width:100%}td,th{padding:.25em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
            th.wide{width:40%}.bar{position:relative;height:1em;background:#eee;border-radius:3px}
            .fill{height:100%;border-radius:3px}.fill.ok{background:#34a853}.fill.warn{background:#fbbc04}.fill.bad{background:#ea4335}
            .target{position:absolute;top:-2px;bottom:-2px;width:2px;background:#222}
            .sev{display:inline-block;min-width:4.5em;font-size:.8em;padding:0 .3em;border-radius:3px;color:#fff;background:#888}
            .sev.critical{background:#a50e0e}.sev.high{background:#ea4335}.sev.medium{background:#f29900}.sev.low{background:#1a73e8}
            .calendar li.bad{color:#a50e0e}.calendar li.warn{color:#b06000}.cause{color:#555}
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }
}
