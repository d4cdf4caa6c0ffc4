import Foundation
import NetauditInventory

/// When runs start: pure functions of the schedule, the clock and a random draw, so that
/// the rules are tested without waiting.
///
/// A slot is the time a run is due; it starts at the slot plus a random part of the jitter.
/// A run that overruns its slots does not pile up: the next slot is the first one after
/// the run ended.
public enum ScheduleMath {
    /// The slot after `previous` for a run every `every`, given that the run of `previous`
    /// ended at `ended`: `previous + every`, or the first slot of that grid after `ended`.
    public static func nextSlot(after previous: Date, every: Duration, ended: Date) -> Date {
        let step = every.seconds
        var next = previous.addingTimeInterval(step)
        if next <= ended {
            let missed = ((ended.timeIntervalSince(previous)) / step).rounded(.down) + 1
            next = previous.addingTimeInterval(missed * step)
        }
        return next
    }

    /// The first time after `date` that the clock of `calendar` shows `time`.
    public static func nextDaily(_ time: TimeOfDay, after date: Date, calendar: Calendar = .current) -> Date {
        let components = DateComponents(hour: time.hour, minute: time.minute, second: 0)
        return calendar.nextDate(after: date, matching: components, matchingPolicy: .nextTime) ?? date.addingTimeInterval(86_400)
    }

    /// `slot` moved later by `fraction` (0 ≤ fraction < 1) of `jitter`.
    public static func start(of slot: Date, jitter: Duration, fraction: Double) -> Date {
        slot.addingTimeInterval(jitter.seconds * min(max(fraction, 0), 1))
    }
}
