import Foundation
import NetauditCore

/// Outages from one link's segments. Down and unreachable segments that follow each other
/// without a break (the end of one is the start of the next) are one outage; connected
/// time ends it, and so does time not observed (a `not_observed` segment or a stretch no
/// interval covers): nobody can say the link stayed down through a gap, so what follows it
/// is a new outage.
enum PeriodOutages {
    static func outages(of segments: [PeriodSegment], agency: PeriodReport.AgencyRef, causeNames: [String: String],
                        in window: PeriodWindow) -> [PeriodReport.Outage] {
        var outages: [PeriodReport.Outage] = []
        var current: [PeriodSegment] = []
        func close() {
            guard let first = current.first, let last = current.last else { return }
            let states = Set(current.map(\.state))
            let cause = current.lazy.compactMap(\.cause).first
            outages.append(PeriodReport.Outage(
                agency: agency, start: Date(timeIntervalSince1970: first.start),
                end: last.ongoing ? nil : Date(timeIntervalSince1970: last.end),
                durationSeconds: last.end - first.start,
                kind: states.count > 1 ? "mixed" : first.state,
                causeCode: cause, causeName: cause.flatMap { causeNames[$0] }))
            current = []
        }
        for segment in segments {
            guard LinkCondition(rawValue: segment.state)?.isOutage == true else { close(); continue }
            if let last = current.last, last.end != segment.start { close() }
            current.append(segment)
        }
        close()
        return outages
    }
}

/// One endpoint's compliance over the period, from its segments.
enum PeriodEndpointCompliance {
    static func line(agencyCode: String, url: String, segments: [PeriodSegment], in window: PeriodWindow) -> PeriodReport.EndpointLine {
        var badDays = Array(repeating: false, count: window.days.count)
        var observed = false
        var fixedAt: Double?
        var previous: EndpointCondition?
        for segment in segments {
            guard let condition = EndpointCondition(rawValue: segment.state), condition.isObserved else { continue }
            observed = true
            let bad = condition != .compliant
            if bad { window.forEachDay(segment.start, segment.end) { day, _ in badDays[day] = true } }
            // A fix: the first compliant stretch after a bad one (time not observed between is
            // skipped: the last verdict before and the first after decide).
            if condition == .compliant, let previous, previous != .compliant { fixedAt = segment.start }
            previous = condition
        }
        // Fixed only if it stayed fixed: a last verdict that is not compliant leaves it unfixed.
        if previous != .compliant { fixedAt = nil }
        let fixedOn = fixedAt.map { window.days[window.dayIndex(containing: $0)].label }
        let days = badDays.filter { $0 }.count
        return PeriodReport.EndpointLine(agencyCode: agencyCode, url: url, observed: observed,
                                         compliantThroughout: observed && days == 0, daysNoncompliant: days,
                                         noncompliantDays: window.days.indices.filter { badDays[$0] }.map { window.days[$0].label },
                                         fixedOn: fixedOn)
    }
}
