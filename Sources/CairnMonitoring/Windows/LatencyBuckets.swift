import Foundation

/// Log-spaced latency buckets, 100 µs to about two minutes, each 15 % wider than the one before:
/// a percentile read from them is off by at most half a bucket (under 8 %).
public enum LatencyBuckets {
    static let smallest = 0.0001
    static let growth = 1.15
    public static let count = 101

    /// The bucket of a latency in seconds (the last one holds everything longer).
    static func index(of seconds: Double) -> Int {
        guard seconds > smallest else { return 0 }
        return min(count - 1, Int((log(seconds / smallest) / log(growth)).rounded(.up)))
    }

    /// The upper bound of bucket `index`, in seconds.
    static func upperBound(_ index: Int) -> Double { smallest * pow(growth, Double(index)) }

    /// The `fraction` quantile of latencies counted in `counts`, interpolated inside its bucket
    /// (as Prometheus' `histogram_quantile` does); nil without any.
    static func quantile(_ fraction: Double, of counts: [Int]) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = fraction * Double(total)
        var seen = 0
        for (index, count) in counts.enumerated() where count > 0 {
            if Double(seen + count) >= rank {
                let lower = index == 0 ? 0 : upperBound(index - 1)
                return lower + (upperBound(index) - lower) * max(0, rank - Double(seen)) / Double(count)
            }
            seen += count
        }
        return upperBound(counts.count - 1)
    }
}
