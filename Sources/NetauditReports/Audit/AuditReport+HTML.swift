import Foundation
import NetauditCore

extension AuditReport {
    /// One self-contained HTML page (no external asset, no script): both verdicts, the
    /// per-level and per-unit bars against the target, the agencies not connected and not
    /// compliant, the certificate calendar, the changes. It reads on a phone (tables scroll
    /// sideways in their own box, the page itself does not) and prints on paper.
    public func html(_ l: ReportLabels = .english) -> String {
        func e(_ text: String) -> String {
            text.displaySafe.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func bar(_ rate: Double, target: Double) -> String {
            let width = String(format: "%.1f", max(0, min(100, rate)))
            let mark = String(format: "%.1f", max(0, min(100, target)))
            let tone = rate >= target ? "ok" : (rate >= target - 10 ? "warn" : "bad")
            return "<div class=\"bar\"><div class=\"fill \(tone)\" style=\"width:\(width)%\"></div><div class=\"target\" style=\"left:\(mark)%\"></div></div>"
        }
        var body: [String] = []
        body.append("<h1>\(e(run.title ?? "netaudit"))</h1>")
        body.append("<p class=\"meta\">\(e(l.text("run {id}", ["id": "\(run.id)"]))) · \(e(l[run.kind])) · \(e(l[run.state])) · \(e(l.times.time(run.startedAt))) · \(e(run.inventoryPath))</p>")
        if let note = run.note { body.append("<p class=\"meta bad\">\(e(l.text("note: {note}", ["note": note])))</p>") }
        if let source = endpointsSourceLine(l) { body.append("<p class=\"meta\">\(e(source))</p>") }
        body.append("<p class=\"verdict \(summary.targetsMet ? "ok" : "bad")\">\(e(resultSentence(l)))</p>")
        func tone(_ met: Bool?) -> String { met == nil || !verdicts.complete ? "na" : (met == true ? "ok" : "bad") }
        body.append("<ul class=\"verdicts\"><li class=\"connection \(tone(verdicts.connection.met))\">\(e(connectionVerdictLine(l)))</li>"
                    + "<li class=\"tls \(tone(verdicts.tls.met))\">\(e(tlsVerdictLine(l)))</li></ul>")

        func cells(_ values: [String]) -> String { values.map { "<td>\(e($0))</td>" }.joined() }
        func heads(_ values: [String]) -> String { values.map { $0 == "" ? "<th class=\"wide\"></th>" : "<th>\(e(l[$0]))</th>" }.joined() }

        body.append("<h2>\(e(l["Connection to the dedicated network, per level"]))</h2><table><tr>\(heads(["level", "connected", "", "rate", "target", "gap", "degraded", "down", "unreachable", "no link", "not probed"]))</tr>")
        for level in summary.levels {
            let f = level.figures
            if level.linksProbed {
                body.append("<tr>\(cells([level.level, "\(f.connected)/\(f.agencies)"]))<td>\(bar(f.connectionRate, target: level.targetPercent))</td>\(cells([Self.percent(f.connectionRate), Self.percent(level.targetPercent), "\(level.gap)", "\(f.degraded)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)", "\(f.notProbed)"]))</tr>")
            } else {
                body.append("<tr>\(cells([level.level, "-/\(f.agencies)", l["not probed"], "-", Self.percent(level.targetPercent), "-", "-", "-", "-", "\(f.unconfigured)", "\(f.notProbed)"]))</tr>")
            }
        }
        body.append("</table>")

        if summary.levels.contains(where: { $0.figures.endpoints > 0 }) {
            body.append("<h2>\(e(l["TLS endpoints, per level"]))</h2><table><tr>\(heads(["level", "endpoints", "", "compliance", "compliant", "noncompliant", "unreachable", "public CA", "Government CA"]))</tr>")
            for level in summary.levels where level.figures.endpoints > 0 {
                let f = level.figures
                let rate = f.complianceRate ?? 0
                body.append("<tr>\(cells([level.level, "\(f.endpoints)"]))<td>\(bar(rate, target: 100))</td>\(cells([Self.percent(rate), "\(f.compliant)", "\(f.noncompliant)", "\(f.endpointsUnreachable)", "\(f.trustedPublic)", "\(f.trustedGovernment)"]))</tr>")
            }
            body.append("</table>")
        }

        let units = summary.parents.filter { !$0.childLevels.isEmpty }
        if units.count > 1 {
            let probed = summary.levels.contains(where: \.linksProbed)
            body.append("<h2>\(e(l["Per unit (the agencies below it)"]))</h2><table class=\"units\"><tr>\(heads(["code", "unit", "connected", "", "rate", "gap", "down", "unreachable", "no link", "endpoints", "compliant", "noncompliant", "endpoints unreachable"]))</tr>")
            for unit in units {
                let f = unit.figures
                let target = unit.childLevels.map(\.targetPercent).max() ?? 100
                let link = probed ? "<td>\(bar(f.connectionRate, target: target))</td>" + cells([Self.percent(f.connectionRate), "\(unit.gap)", "\(f.down)", "\(f.unreachable)", "\(f.unconfigured)"])
                                  : cells([l["not probed"], "-", "-", "-", "-", "\(f.unconfigured)"])
                body.append("<tr>\(cells([unit.code, unit.name, "\(probed ? "\(f.connected)" : "-")/\(f.agencies)"]))\(link)\(cells(["\(f.endpoints)", "\(f.compliant)", "\(f.noncompliant)", "\(f.endpointsUnreachable)"]))</tr>")
            }
            body.append("</table>")
            body.append("<p class=\"note\">\(e(l[Self.unitNote]))</p>")
        }

        // The agencies not connected, with the causes; then those not compliant. An agency
        // that is both is in both tables, each with its own findings.
        func gapTable(_ gaps: [AuditSummary.Gap], link: Bool) {
            guard !gaps.isEmpty else { return }
            body.append("<table class=\"gaps\"><tr><th>\(e(l["code"]))</th><th>\(e(l["path"]))</th><th>\(e(l["findings"]))</th></tr>")
            for gap in gaps {
                let findings = Self.findings(of: gap, link: link).map { "<span class=\"sev \($0.severity.rawValue)\">\(e($0.severity.rawValue))</span> <code>\(e($0.id))</code> \(e(l.message($0)))" }
                var notes = ""
                if link, let node = gap.cause {
                    notes += "<br><em>\(e(l.text("its link depends on {node}, which is down", ["node": Self.named(node, gap.causeName)])))</em>"
                }
                if link, let problem = gap.linkProblem { notes += "<br><em>\(e(l.text("link not probed: {problem}", ["problem": problem])))</em>" }
                if !link, let count = gap.endpointsNotProbed { notes += "<br><em>\(e(l.text("{count} endpoints not checked", ["count": "\(count)"])))</em>" }
                body.append("<tr><td>\(e(gap.code))</td><td>\(e(gap.path.joined(separator: " › ")))\(notes)</td><td>\(findings.joined(separator: "<br>"))</td></tr>")
            }
            body.append("</table>")
        }
        body.append("<h2 class=\"not-connected\">\(e(l["Not connected"])) (\(notConnected.count))</h2>")
        gapTable(notConnected, link: true)
        for (label, behind) in namedCauses {
            body.append("<p class=\"cause\">\(e(l.text("cause: {node} is down: {count} agencies behind it ({list})", ["node": label, "count": "\(behind.count)", "list": behind.joined(separator: ", ")])))</p>")
        }
        body.append("<h2 class=\"not-compliant\">\(e(l["Not compliant"])) (\(notCompliant.count))</h2>")
        gapTable(notCompliant, link: false)

        body.append("<h2>\(e(l["Certificates expired or expiring within 30 days"]))</h2>")
        if summary.expiringCertificates.isEmpty {
            body.append("<p>-</p>")
        } else {
            body.append("<ol class=\"calendar\">")
            for certificate in summary.expiringCertificates {
                let tone = certificate.expired ? "bad" : (certificate.daysLeft <= 7 ? "warn" : "ok")
                let when = certificate.expired
                    ? (certificate.daysLeft == 0 ? l["expired today"] : l.text("expired {days} days ago", ["days": "\(-certificate.daysLeft)"]))
                    : l.text("{days} days left", ["days": "\(certificate.daysLeft)"])
                body.append("<li class=\"\(tone)\"><strong>\(e(when))</strong> · \(e(l.times.time(certificate.notAfter))) · \(e(certificate.agencyCode)) · \(e(certificate.url)) · \(e(certificate.subject))</li>")
            }
            body.append("</ol>")
        }

        if !summary.endpoints.isEmpty {
            body.append("<h2>\(e(l["TLS endpoints and the trust anchor each reached"])) (\(summary.endpoints.count))</h2><details><summary>\(e(l["endpoints"]))</summary><table><tr>\(heads(["agency", "url", "verdict", "protocol", "trust"]))</tr>")
            for endpoint in summary.endpoints {
                let anchor = l.anchor(endpoint.anchor) + (endpoint.anchor?.subject.map { ": \($0)" } ?? "")
                body.append("<tr>\(cells([endpoint.agencyCode, endpoint.url, l[endpoint.verdict.rawValue], endpoint.tlsProtocol ?? "-", anchor]))</tr>")
            }
            body.append("</table></details>")
        }
        if let changes {
            body.append("<h2>\(e(l["Changes since run"])) \(changes.previousRun)</h2><ul>")
            for (label, items) in [("newly down", changes.newlyDown), ("recovered", changes.recovered),
                                   ("newly non-compliant", changes.newlyNoncompliant), ("fixed", changes.fixed)] {
                body.append("<li>\(e(l[label])): \(items.isEmpty ? "-" : e(items.joined(separator: ", ")))</li>")
            }
            body.append("</ul>")
        }
        // Every table in a box of its own that scrolls sideways: on a phone the page keeps its width.
        let page = body.joined(separator: "\n").replacingOccurrences(of: "<table", with: "<div class=\"scroll\"><table")
            .replacingOccurrences(of: "</table>", with: "</table></div>")
        return """
            <!DOCTYPE html>
            <html lang="\(l.language)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(run.title ?? "netaudit")) · \(e(l.text("run {id}", ["id": "\(run.id)"])))</title>
            <style>
            body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;font-size:16px;line-height:1.4;margin:2em auto;max-width:70em;color:#222;padding:0 1em;overflow-wrap:break-word}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
            .meta{color:#666}.meta.bad{color:#a50e0e}.verdict{font-weight:bold;padding:.5em;border-radius:4px}.verdict.ok{background:#e6f4ea}.verdict.bad{background:#fce8e6}
            .verdicts{list-style:none;padding:0;margin:.4em 0}.verdicts li{padding:.3em .6em;margin:.25em 0;border-left:6px solid #888}
            .verdicts li.ok{border-color:#34a853}.verdicts li.bad{border-color:#ea4335;font-weight:bold}
            .scroll{overflow-x:auto;max-width:100%;margin:.3em 0}
            table{border-collapse:collapse;width:100%}td,th{padding:.25em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
            th{white-space:nowrap}th.wide{width:30%;min-width:7em}table.units th.wide{width:20%}table.units td:nth-child(2){white-space:nowrap}
            table.gaps td:nth-child(2){min-width:12em}table.gaps td:nth-child(3){min-width:18em}
            .bar{position:relative;height:1em;min-width:6em;background:#eee;border-radius:3px}
            .fill{height:100%;border-radius:3px}.fill.ok{background:#34a853}.fill.warn{background:#fbbc04}.fill.bad{background:#ea4335}
            .target{position:absolute;top:-2px;bottom:-2px;width:2px;background:#222}
            .sev{display:inline-block;min-width:4.5em;font-size:.8em;padding:0 .3em;border-radius:3px;color:#fff;background:#888}
            .sev.critical{background:#a50e0e}.sev.high{background:#ea4335}.sev.medium{background:#f29900}.sev.low{background:#1a73e8}
            .calendar li.bad{color:#a50e0e}.calendar li.warn{color:#b06000}.cause{color:#555}.note{color:#555;font-size:.9em}
            @media (max-width:600px){body{margin:.8em auto;padding:0 .6em}h1{font-size:1.3em}td,th{padding:.2em .35em}}
            @media print{
            body{max-width:none;margin:0;padding:0;color:#000;font-size:10pt}
            *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
            .scroll{overflow:visible}table{font-size:8.5pt}th{white-space:normal}
            tr,li,.verdict,.verdicts,.bar{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid;page-break-after:avoid}
            .meta,.cause,.note{color:#333}.verdict.ok,.verdict.bad{background:none;border:2px solid #000}
            .bar{border:1px solid #000;background:#fff}.target{background:#000}
            .sev{color:#000;background:none;border:1px solid #000}
            details>*{display:block}details::details-content{content-visibility:visible;display:block}
            }
            </style></head><body>
            \(page)
            </body></html>

            """
    }
}
