extension PeriodReport {
    /// Whether the period met the plan: every level met its connection target on every day
    /// it was observed, and every endpoint observed stayed compliant throughout. (A level
    /// never observed says nothing either way.)
    public var targetsMetThroughout: Bool {
        levels.allSatisfy { $0.figures.daysMet == $0.figures.observedDays }
            && levels.allSatisfy { $0.figures.endpointsCompliantThroughout == $0.figures.endpointsObserved }
    }
}
