/// The first Wasserstein distance between two samples (`scipy.stats.wasserstein_distance`: the
/// area between their empirical CDFs), and Evidently's normed form: W1 divided by the reference's
/// population standard deviation (at least 0.001).
public enum Wasserstein {
    public static func distance(sortedReference a: [Double], sortedCurrent b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        // Each step's CDFs are i/m and j/n; multiplying by the reciprocals differs from dividing by
        // at most an ulp, far below what the sum's own rounding (numpy sums pairwise) leaves.
        let perA = 1 / Double(a.count), perB = 1 / Double(b.count)
        var i = 0, j = 0, area = 0.0
        var previous = min(a[0], b[0])
        // Walk both samples in merged order, one value at a time, without branching on which
        // comes next (the next sample is a coin toss the processor would often guess wrong).
        // A value repeated within one sample adds an empty step: (value − previous) is 0.
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                while i < a.count, j < b.count {
                    let x = a[i], y = b[j]
                    let value = min(x, y)
                    area += abs(Double(i) * perA - Double(j) * perB) * (value - previous)
                    previous = value
                    i &+= x <= y ? 1 : 0
                    j &+= y <= x ? 1 : 0
                }
                while i < a.count {
                    area += abs(Double(i) * perA - 1) * (a[i] - previous)
                    previous = a[i]
                    i += 1
                }
                while j < b.count {
                    area += abs(1 - Double(j) * perB) * (b[j] - previous)
                    previous = b[j]
                    j += 1
                }
            }
        }
        return area
    }

    public static func normed(sortedReference a: [Double], sortedCurrent b: [Double]) -> Double {
        distance(sortedReference: a, sortedCurrent: b) / max(populationStandardDeviation(a), 0.001)
    }

    static func populationStandardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }
}
