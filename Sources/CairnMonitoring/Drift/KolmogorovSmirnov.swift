import Foundation

/// The two-sample Kolmogorov–Smirnov test as `scipy.stats.ks_2samp(ref, cur)` computes it
/// (two-sided, `method="auto"`): D = sup |F_ref − F_cur|, with an exact p-value while both samples
/// have at most 10,000 values and the asymptotic one (the one-sample distribution of D at
/// n = round(m·n / (m + n))) above.
public struct KolmogorovSmirnov: Sendable, Equatable {
    public let statistic: Double
    public let pValue: Double

    /// Largest sample size for which the exact p-value is computed (scipy's `MAX_AUTO_N`).
    static let exactLimit = 10_000

    public init(reference: [Double], current: [Double]) {
        self.init(sortedReference: reference.sorted(), sortedCurrent: current.sorted())
    }

    init(sortedReference a: [Double], sortedCurrent b: [Double], forceAsymptotic: Bool = false) {
        let m = a.count, n = b.count
        var i = 0, j = 0, largest = 0.0
        // Walk the merged values; compare the two CDFs after every tie at each value.
        while i < m, j < n {
            let value = min(a[i], b[j])
            while i < m, a[i] == value { i += 1 }
            while j < n, b[j] == value { j += 1 }
            largest = max(largest, abs(Double(i) / Double(m) - Double(j) / Double(n)))
        }
        statistic = m == 0 || n == 0 ? 0 : largest
        guard statistic > 0 else {
            pValue = 1
            return
        }
        if !forceAsymptotic, max(m, n) <= Self.exactLimit {
            pValue = min(1, max(0, 1 - Self.probabilityInside(m: m, n: n, statistic: statistic)))
        } else {
            let effective = (Double(m) * Double(n) / Double(m + n)).rounded(.toNearestOrEven)
            pValue = min(1, max(0, Self.oneSampleSurvival(statistic, n: max(1, Int(effective)))))
        }
    }

    /// P(D < d) under the null: the share of the C(m+n, m) lattice paths from (0, 0) to (m, n)
    /// that keep |i/m − j/n| < d everywhere. `u(i, j)`, the share of paths to (i, j) that stayed
    /// inside, follows u(i, j) = (i·u(i−1, j) + j·u(i, j−1)) / (i + j).
    static func probabilityInside(m: Int, n: Int, statistic d: Double) -> Double {
        // |i/m − j/n| = |i·n − j·m| / (m·n); D·m·n is an integer, so compare integers.
        let bound = Int((d * Double(m) * Double(n)).rounded())
        var column = [Double](repeating: 0, count: n + 1)  // u(i, ·) for the current i
        // Paths along the edge j = 0 or i = 0 are a single path each: u = 1 while inside.
        var stillInside = true
        for j in 0...n {
            stillInside = stillInside && abs(j * m) < bound
            column[j] = stillInside ? 1 : 0
        }
        for i in 1...m {
            let inside0 = abs(i * n) < bound && column[0] > 0
            column[0] = inside0 ? 1 : 0
            for j in 1...n {
                guard abs(i * n - j * m) < bound else {
                    column[j] = 0
                    continue
                }
                column[j] = (Double(i) * column[j] + Double(j) * column[j - 1]) / Double(i + j)
            }
        }
        return column[n]
    }

    /// P(D_n ≥ d) for the one-sample statistic with n values (scipy's `kstwo.sf`): exact by
    /// Durbin's matrix formula as Marsaglia, Tsang and Wang evaluate it while the matrix is small,
    /// else Kolmogorov's limiting distribution at λ = d·√n (the p-value is then below 1e-30).
    static func oneSampleSurvival(_ d: Double, n: Int) -> Double {
        guard d < 1 else { return 0 }
        let nd = Double(n) * d
        let k = Int(nd.rounded(.down)) + 1
        let size = 2 * k - 1
        guard size <= 401 else { return kolmogorovSurvival(d * Double(n).squareRoot()) }
        return 1 - durbin(n: n, k: k, h: Double(k) - nd, size: size)
    }

    /// P(D_n < d) = n!/nⁿ · (Hⁿ)[k−1][k−1] with H the (2k−1)² matrix of the method, scaled by
    /// powers of ten to stay in range.
    private static func durbin(n: Int, k: Int, h: Double, size m: Int) -> Double {
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m where i - j + 1 >= 0 { matrix[i * m + j] = 1 }
        }
        for i in 0..<m {
            matrix[i * m] -= pow(h, Double(i + 1))
            matrix[(m - 1) * m + i] -= pow(h, Double(m - i))
        }
        if 2 * h - 1 > 0 { matrix[(m - 1) * m] += pow(2 * h - 1, Double(m)) }
        for i in 0..<m {
            for j in 0..<m where i - j + 1 > 0 {
                var factorial = 1.0
                for g in 1...(i - j + 1) { factorial *= Double(g) }
                matrix[i * m + j] /= factorial
            }
        }
        let (power, exponent) = Self.power(matrix, size: m, n)
        var s = power[(k - 1) * m + k - 1]
        var tens = exponent
        for i in 1...n {
            s = s * Double(i) / Double(n)
            if s < 1e-140 {
                s *= 1e140
                tens -= 140
            }
        }
        return s * pow(10, Double(tens))
    }

    /// `matrix`ⁿ as (mantissa matrix, power of ten), by repeated squaring.
    private static func power(_ matrix: [Double], size m: Int, _ n: Int) -> ([Double], Int) {
        if n == 1 { return (matrix, 0) }
        let (half, halfTens) = power(matrix, size: m, n / 2)
        var result = multiply(half, half, size: m)
        var tens = 2 * halfTens
        if n % 2 == 1 { result = multiply(matrix, result, size: m) }
        if result[(m / 2) * m + m / 2] > 1e140 {
            for index in result.indices { result[index] *= 1e-140 }
            tens += 140
        }
        return (result, tens)
    }

    private static func multiply(_ a: [Double], _ b: [Double], size m: Int) -> [Double] {
        var product = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for l in 0..<m {
                let left = a[i * m + l]
                if left == 0 { continue }
                for j in 0..<m { product[i * m + j] += left * b[l * m + j] }
            }
        }
        return product
    }

    /// Kolmogorov's limiting survival function: 2·Σ (−1)^(k−1)·exp(−2k²λ²).
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += k % 2 == 1 ? term : -term
            if term < 1e-300 { break }
        }
        return min(1, max(0, 2 * sum))
    }
}
