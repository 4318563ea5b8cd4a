import Foundation

/// The A/B verdict on a conversion (or correctness) rate: a two-sided, pooled two-proportion
/// z-test of arm B against arm A, with the difference and its 95 % confidence interval
/// (unpooled standard error, Wald).
public struct TwoProportionZTest: Sendable, Equatable {
    public let rateA: Double
    public let rateB: Double
    /// rateB − rateA.
    public let difference: Double
    public let z: Double
    /// Two-sided p-value: 2·(1 − Φ(|z|)).
    public let pValue: Double
    public let confidenceInterval: ClosedRange<Double>

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// `successesA` of `trialsA` against `successesB` of `trialsB`.
    public init(successesA: Int, trialsA: Int, successesB: Int, trialsB: Int) throws(Invalid) {
        guard trialsA > 0, trialsB > 0 else { throw Invalid(description: "Each arm needs at least one trial.") }
        guard (0...trialsA).contains(successesA), (0...trialsB).contains(successesB) else {
            throw Invalid(description: "Successes must be between 0 and the number of trials.")
        }
        let nA = Double(trialsA), nB = Double(trialsB)
        rateA = Double(successesA) / nA
        rateB = Double(successesB) / nB
        difference = rateB - rateA
        let pooled = Double(successesA + successesB) / (nA + nB)
        let pooledError = (pooled * (1 - pooled) * (1 / nA + 1 / nB)).squareRoot()
        // Both arms all-or-nothing and equal: no evidence of a difference.
        z = pooledError == 0 ? 0 : (rateA - rateB) / pooledError
        pValue = pooledError == 0 ? 1 : erfc(abs(z) / 2.0.squareRoot())
        let unpooledError = (rateA * (1 - rateA) / nA + rateB * (1 - rateB) / nB).squareRoot()
        let margin = 1.959963984540054 * unpooledError
        confidenceInterval = (difference - margin)...(difference + margin)
    }

    /// Whether the difference is significant at `alpha` (two-sided).
    public func isSignificant(alpha: Double = 0.05) -> Bool { pValue < alpha }
}
