import Foundation
import NetauditDaemon
import NetauditInventory
import Testing

/// When runs start: on the grid, late by at most the jitter, and never piled up.
struct ScheduleMathTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aRunInTimeKeepsTheGrid() {
        let next = ScheduleMath.nextSlot(after: t0, every: .seconds(300), ended: t0.addingTimeInterval(40))
        #expect(next == t0.addingTimeInterval(300))
    }

    /// A sweep that took 11 minutes on a 5-minute grid: the slots at +5 and +10 are skipped,
    /// the next one is +15, not three sweeps back to back.
    @Test func anOverrunSkipsTheSlotsItMissed() {
        let next = ScheduleMath.nextSlot(after: t0, every: .seconds(300), ended: t0.addingTimeInterval(660))
        #expect(next == t0.addingTimeInterval(900))
        // Ending exactly on a slot: that slot is gone too (it would start in the past).
        #expect(ScheduleMath.nextSlot(after: t0, every: .seconds(300), ended: t0.addingTimeInterval(300)) == t0.addingTimeInterval(600))
    }

    @Test func theDailyAuditIsAtTheNextOccurrenceOfItsTime() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))
        let at = TimeOfDay(hour: 2, minute: 30)
        // 2027-01-15 01:00 in Hanoi → the same day at 02:30.
        let before = try #require(calendar.date(from: DateComponents(year: 2027, month: 1, day: 15, hour: 1)))
        let sameDay = ScheduleMath.nextDaily(at, after: before, calendar: calendar)
        #expect(calendar.dateComponents([.day, .hour, .minute], from: sameDay) == DateComponents(day: 15, hour: 2, minute: 30))
        // 02:30 itself, or later → the next day.
        let onTime = ScheduleMath.nextDaily(at, after: sameDay, calendar: calendar)
        #expect(onTime.timeIntervalSince(sameDay) == 86_400)
    }

    @Test func theJitterOnlyEverDelays() {
        #expect(ScheduleMath.start(of: t0, jitter: .seconds(30), fraction: 0) == t0)
        #expect(ScheduleMath.start(of: t0, jitter: .seconds(30), fraction: 0.5) == t0.addingTimeInterval(15))
        #expect(ScheduleMath.start(of: t0, jitter: .seconds(30), fraction: 7) == t0.addingTimeInterval(30))
        #expect(ScheduleMath.start(of: t0, jitter: .zero, fraction: 0.9) == t0)
    }
}
