/// The first Wasserstein distance between two samples (`scipy.stats.wasserstein_distance`: the
/// area between their empirical CDFs), and Evidently's normed form: W1 divided by the reference's
/// population standard deviation (at least 0.001).
public enum Wasserstein {
    public static func distance(sortedReference a: [Double], sortedCurrent b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var i = 0, j = 0, area = 0.0
        var previous = min(a[0], b[0])
        while i < a.count || j < b.count {
            let value = min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            area += abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)) * (value - previous)
            while i < a.count, a[i] == value { i += 1 }
            while j < b.count, b[j] == value { j += 1 }
            previous = value
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
