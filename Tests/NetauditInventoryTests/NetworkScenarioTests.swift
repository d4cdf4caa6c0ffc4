import NetauditInventory
import Testing

/// When a link that flaps or has an outage is cut.
struct NetworkScenarioConductTests {
    @Test func aFlapStartsUpAndTurnsEveryPeriod() {
        let conduct = NetworkScenario.Conduct(flap: .seconds(4))
        #expect(conduct.changesOverTime)
        let cut: [(Duration, Bool)] = [(.zero, false), (.milliseconds(3999), false), (.seconds(4), true), (.milliseconds(7999), true),
                                       (.seconds(8), false), (.seconds(12), true), (.milliseconds(40_500), false)]
        for (elapsed, expected) in cut { #expect(conduct.isCut(at: elapsed) == expected, "at \(elapsed)") }
        #expect(conduct.nextChange(after: .zero) == .seconds(4))
        #expect(conduct.nextChange(after: .milliseconds(3999)) == .seconds(4))
        #expect(conduct.nextChange(after: .seconds(4)) == .seconds(8))
        #expect(conduct.nextChange(after: .milliseconds(9500)) == .seconds(12))
    }

    @Test func anOutageIsOneWindow() {
        let conduct = NetworkScenario.Conduct(outage: .init(after: .seconds(10), length: .seconds(5)))
        #expect(conduct.changesOverTime)
        let cut: [(Duration, Bool)] = [(.zero, false), (.milliseconds(9999), false), (.seconds(10), true),
                                       (.milliseconds(14_999), true), (.seconds(15), false), (.seconds(100), false)]
        for (elapsed, expected) in cut { #expect(conduct.isCut(at: elapsed) == expected, "at \(elapsed)") }
        #expect(conduct.nextChange(after: .zero) == .seconds(10))
        #expect(conduct.nextChange(after: .seconds(10)) == .seconds(15))
        #expect(conduct.nextChange(after: .seconds(12)) == .seconds(15))
        #expect(conduct.nextChange(after: .seconds(15)) == nil)
    }

    @Test func aFlapAndAnOutageTogether() {
        let conduct = NetworkScenario.Conduct(flap: .seconds(4), outage: .init(after: .seconds(2), length: .seconds(3)))
        // Cut by the outage from 2 s to 5 s, by the flap from 4 s to 8 s.
        let cut: [(Duration, Bool)] = [(.seconds(1), false), (.seconds(2), true), (.seconds(3), true), (.milliseconds(4500), true),
                                       (.seconds(6), true), (.seconds(8), false), (.seconds(12), true)]
        for (elapsed, expected) in cut { #expect(conduct.isCut(at: elapsed) == expected, "at \(elapsed)") }
        #expect(conduct.nextChange(after: .zero) == .seconds(2))
        #expect(conduct.nextChange(after: .seconds(2)) == .seconds(4))
        #expect(conduct.nextChange(after: .seconds(4)) == .seconds(5))
        #expect(conduct.nextChange(after: .seconds(5)) == .seconds(8))
        #expect(conduct.nextChange(after: .seconds(9)) == .seconds(12))
    }

    @Test func staticLinksNeverChange() {
        #expect(NetworkScenario.Conduct(link: .down).isCut(at: .seconds(3)))
        #expect(!NetworkScenario.Conduct(link: .silent).isCut(at: .seconds(3)))
        #expect(NetworkScenario.Conduct(link: .silent).nextChange(after: .zero) == nil)
        #expect(!NetworkScenario.Conduct(lossPercent: 60).changesOverTime)
    }
}
