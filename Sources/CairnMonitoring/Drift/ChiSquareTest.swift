/// Evidently's chi-square drift test for a categorical column: a goodness-of-fit test of the
/// current counts against the reference proportions (`scipy.stats.chisquare(f_obs, f_exp)` with
/// f_exp = reference count · n_current / n_reference over the union of categories). A category
/// never seen in the reference makes the statistic infinite and the p-value 0.
public struct ChiSquareTest: Sendable, Equatable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double

    public init(reference: [String], current: [String]) {
        self.init(reference: CategoryCounts(reference), current: CategoryCounts(current))
    }

    public init(reference: CategoryCounts, current: CategoryCounts) {
        let expectedScale = Double(current.total) / Double(max(reference.total, 1))
        let categories = reference.union(current)
        var statistic = 0.0
        for category in categories {
            let expected = Double(reference[category]) * expectedScale
            let observed = Double(current[category])
            statistic += expected == 0 ? (observed == 0 ? 0 : .infinity) : (observed - expected) * (observed - expected) / expected
        }
        self.statistic = statistic
        degreesOfFreedom = categories.count - 1
        // One category: nothing can differ.
        pValue = degreesOfFreedom < 1 ? 1 : SpecialFunctions.chiSquareSurvival(statistic, degrees: degreesOfFreedom)
    }
}
