/// Evidently's Z-test for a column with at most two values: the values are sorted, the first
/// counts as 0 and any other as 1, and the two shares are compared by a pooled two-proportion
/// z-test, two-sided. Two constant, equal columns give p = 1.
public struct ProportionZTest: Sendable, Equatable {
    public let z: Double
    public let pValue: Double

    public init(reference: [String], current: [String]) {
        self.init(reference: CategoryCounts(reference), current: CategoryCounts(current))
    }

    public init(reference: CategoryCounts, current: CategoryCounts) {
        let first = reference.union(current).first ?? ""
        let n1 = Double(reference.total), n2 = Double(current.total)
        let ones1 = n1 - Double(reference[first]), ones2 = n2 - Double(current[first])
        let p1 = ones1 / n1, p2 = ones2 / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else {
            z = 0
            pValue = 1
            return
        }
        z = (p1 - p2) / variance.squareRoot()
        pValue = 2 * SpecialFunctions.normalSurvival(abs(z))
    }
}
