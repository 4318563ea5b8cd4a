import Foundation

/// Distances between two binned distributions, as Evidently computes them: PSI and KL on shares
/// with empty bins filled, Jensen–Shannon (natural log, as `scipy.spatial.distance.jensenshannon`)
/// on the raw shares.
public enum DistributionDistances {
    /// Σ (r − c)·ln(r / c).
    public static func populationStability(_ binning: Binning) -> Double {
        let r = Binning.filledZeros(binning.reference), c = Binning.filledZeros(binning.current)
        return zip(r, c).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }

    /// KL(reference ‖ current) after both are normalised to sum 1 (`scipy.stats.entropy`).
    public static func kullbackLeibler(_ binning: Binning) -> Double {
        let r = normalized(Binning.filledZeros(binning.reference)), c = normalized(Binning.filledZeros(binning.current))
        return zip(r, c).reduce(0) { $0 + ($1.0 > 0 ? $1.0 * log($1.0 / $1.1) : 0) }
    }

    /// sqrt((KL(p ‖ m) + KL(q ‖ m)) / 2) with m the mean of p and q, both normalised to sum 1.
    public static func jensenShannon(_ binning: Binning) -> Double {
        let p = normalized(binning.reference), q = normalized(binning.current)
        var total = 0.0
        for (x, y) in zip(p, q) {
            let mean = (x + y) / 2
            if x > 0 { total += x * log(x / mean) }
            if y > 0 { total += y * log(y / mean) }
        }
        return max(0, total / 2).squareRoot()
    }

    static func normalized(_ shares: [Double]) -> [Double] {
        let sum = shares.reduce(0, +)
        return sum > 0 ? shares.map { $0 / sum } : shares
    }
}
