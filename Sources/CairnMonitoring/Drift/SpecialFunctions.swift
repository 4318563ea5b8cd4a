import Foundation

/// The distribution functions the drift tests need, to double precision.
enum SpecialFunctions {
    /// P(Z > z) for a standard normal Z.
    static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// P(X > x) for X chi-square with `degrees` degrees of freedom: Q(k/2, x/2).
    static func chiSquareSurvival(_ x: Double, degrees: Int) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return regularizedGammaQ(Double(degrees) / 2, x / 2)
    }

    /// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): a power series
    /// for P = 1 − Q below x = a + 1, a continued fraction (modified Lentz) above.
    static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let logPrefactor = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, denominator = a
            for _ in 0..<10_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return max(0, 1 - sum * exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, fraction = d
        for index in 1..<10_000 {
            let an = -Double(index) * (Double(index) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefactor) * fraction)
    }
}
