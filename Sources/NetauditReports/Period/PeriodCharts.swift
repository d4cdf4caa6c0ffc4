import Foundation
import NetauditCore

/// The period page's two charts, as inline SVG (no script, nothing loaded from elsewhere):
/// the daily connection rate of each level against its target, and the heat map of units
/// by day. Every text from the inventory goes through `PeriodText.html`.
enum PeriodCharts {
    static let palette = ["#1a73e8", "#e8710a", "#188038", "#a142f4", "#d01884", "#12b5cb"]

    /// The rate's vertical axis: from a round floor below the lowest rate or target to 100%.
    static func axisFloor(_ values: [Double]) -> Double {
        let lowest = values.min() ?? 100
        return max(0, min(90, ((lowest - 2) / 5).rounded(.down) * 5))
    }

    /// (a) The daily connection rate per level, one line each (broken over days without an
    /// observation), with a dashed line at each level's target; days along the x axis.
    static func dailyRates(_ report: PeriodReport, _ l: ReportLabels) -> String {
        let width = 760.0, height = 280.0, left = 52.0, right = 150.0, top = 16.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let rates = report.levels.flatMap { $0.figures.dailyRatePercent.compactMap { $0 } + [$0.figures.targetPercent] }
        let floor = axisFloor(rates)
        let count = report.days.count
        func x(_ day: Int) -> Double { count <= 1 ? left + plotWidth / 2 : left + Double(day) * plotWidth / Double(count - 1) }
        func y(_ rate: Double) -> Double { top + (100 - rate) / (100 - floor) * plotHeight }
        var svg = ["<svg class=\"chart rates\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(PeriodText.html(l["Daily connection rate per level"]))\">"]
        svg += grid(floor: floor, left: left, width: plotWidth, y: y)
        svg += dayLabels(report.days, y: height - bottom + 16, x: x)
        for (index, level) in report.levels.enumerated() {
            let colour = palette[index % palette.count]
            let target = y(level.figures.targetPercent)
            svg.append("<line class=\"target\" x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(target))\" y2=\"\(f(target))\" stroke=\"\(colour)\" stroke-dasharray=\"6 4\" stroke-width=\"1\"><title>\(PeriodText.html(level.level)) · \(PeriodText.html(l["target"])) \(PeriodText.percent(level.figures.targetPercent))</title></line>")
            svg += line(level.figures.dailyRatePercent, colour: colour, x: x, y: y) { day, rate in
                "\(PeriodText.html(level.level)) · \(report.days[day]) · \(PeriodText.percent(rate))"
            }
            let legendY = top + 14 + Double(index) * 18
            svg.append("<line x1=\"\(f(width - right + 12))\" x2=\"\(f(width - right + 36))\" y1=\"\(f(legendY - 4))\" y2=\"\(f(legendY - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/><text x=\"\(f(width - right + 42))\" y=\"\(f(legendY))\">\(PeriodText.html(level.level))</text>")
        }
        let legendY = top + 14 + Double(report.levels.count) * 18
        svg.append("<line x1=\"\(f(width - right + 12))\" x2=\"\(f(width - right + 36))\" y1=\"\(f(legendY - 4))\" y2=\"\(f(legendY - 4))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/><text x=\"\(f(width - right + 42))\" y=\"\(f(legendY))\">\(PeriodText.html(l["target"]))</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// Horizontal grid lines and their percentages, every 5 or 10 points.
    private static func grid(floor: Double, left: Double, width: Double, y: (Double) -> Double) -> [String] {
        let step = 100 - floor > 40 ? 10.0 : (100 - floor > 10 ? 5.0 : 1.0)
        return stride(from: floor, through: 100, by: step).map { value in
            "<line x1=\"\(f(left))\" x2=\"\(f(left + width))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" stroke=\"#e0e0e0\"/><text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(Int(value))%</text>"
        }
    }

    /// The days under the x axis as `MM-dd`, thinned to at most about 16 labels.
    private static func dayLabels(_ days: [String], y: Double, x: (Int) -> Double) -> [String] {
        let every = max(1, (days.count + 15) / 16)
        return days.indices.filter { $0 % every == 0 }.map { day in
            "<text class=\"axis\" x=\"\(f(x(day)))\" y=\"\(f(y))\" text-anchor=\"middle\">\(PeriodText.html(String(days[day].suffix(5))))</text>"
        }
    }

    /// A series as polylines broken where a day has no value, with a dot (and tooltip) per day.
    private static func line(_ values: [Double?], colour: String, x: (Int) -> Double, y: (Double) -> Double,
                             tip: (Int, Double) -> String) -> [String] {
        var out: [String] = [], run: [String] = []
        func flush() {
            if run.count > 1 { out.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(run.joined(separator: " "))\"/>") }
            run = []
        }
        for (day, value) in values.enumerated() {
            guard let value else { flush(); continue }
            run.append("\(f(x(day))),\(f(y(value)))")
        }
        flush()
        for (day, value) in values.enumerated() {
            guard let value else { continue }
            out.append("<circle cx=\"\(f(x(day)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"\(colour)\"><title>\(tip(day, value))</title></circle>")
        }
        return out
    }

    /// The colour of an availability against a target: green at the target, then lighter,
    /// yellow, orange and red as it falls further below; grey for a day not observed.
    static func heatColour(_ rate: Double?, target: Double) -> String {
        guard let rate else { return "#dadce0" }
        let below = target - rate
        if below <= 1e-9 { return "#188038" }
        if below <= 1 { return "#81c995" }
        if below <= 5 { return "#fdd663" }
        if below <= 10 { return "#f29900" }
        return "#d93025"
    }

    static let heatLegend: [(colour: String, label: String)] = [
        ("#188038", "target met"), ("#81c995", "up to 1 point below"), ("#fdd663", "up to 5 points below"),
        ("#f29900", "up to 10 points below"), ("#d93025", "more than 10 points below"), ("#dadce0", "not observed"),
    ]

    /// (b) Units (rows) by day (columns), each cell coloured by the availability of the
    /// agencies below the unit that day against the unit's target, with a tooltip; a legend.
    static func heatMap(_ report: PeriodReport, _ l: ReportLabels) -> String {
        let cell = 18.0, rowHeight = 16.0, labelWidth = 230.0, top = 30.0
        let width = labelWidth + max(Double(report.days.count) * cell + 10, 320)  // room for the legend's words
        let legendTop = top + Double(report.units.count) * rowHeight + 16
        let height = legendTop + Double(heatLegend.count) * 16 + 6
        var svg = ["<svg class=\"chart heat\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" role=\"img\" aria-label=\"\(PeriodText.html(l["Availability per unit and day"]))\">"]
        let every = max(1, (report.days.count + 15) / 16)  // at most about 16 day labels
        for (day, label) in report.days.enumerated() where day % every == 0 {
            svg.append("<text class=\"axis\" x=\"\(f(labelWidth + Double(day) * cell + cell / 2))\" y=\"\(f(top - 8))\" text-anchor=\"middle\">\(PeriodText.html(String(label.suffix(2))))</text>")
        }
        for (row, unit) in report.units.enumerated() {
            let y = top + Double(row) * rowHeight
            let name = "\(unit.code) \(unit.name)"
            svg.append("<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + rowHeight - 4))\" text-anchor=\"end\">\(PeriodText.html(String(name.prefix(34))))<title>\(PeriodText.html(unit.path.joined(separator: " › ")))</title></text>")
            for (day, rate) in unit.figures.dailyRatePercent.enumerated() {
                let tip = "\(unit.code) \(unit.name) · \(report.days[day]) · \(rate.map { PeriodText.percent($0) } ?? l["not observed"])"
                svg.append("<rect x=\"\(f(labelWidth + Double(day) * cell))\" y=\"\(f(y))\" width=\"\(f(cell - 2))\" height=\"\(f(rowHeight - 2))\" fill=\"\(heatColour(rate, target: unit.figures.targetPercent))\"><title>\(PeriodText.html(tip))</title></rect>")
            }
        }
        for (index, entry) in heatLegend.enumerated() {
            let y = legendTop + Double(index) * 16
            svg.append("<rect x=\"\(f(labelWidth))\" y=\"\(f(y))\" width=\"14\" height=\"12\" fill=\"\(entry.colour)\"/><text x=\"\(f(labelWidth + 20))\" y=\"\(f(y + 11))\">\(PeriodText.html(l[entry.label]))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// A coordinate with one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
