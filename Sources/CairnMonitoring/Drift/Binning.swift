import Foundation

/// How Evidently bins two samples before PSI, KL and Jensen–Shannon: a numerical column with more
/// than 20 distinct reference values goes into equal-width Sturges bins over the combined range
/// (numpy's `histogram_bin_edges(…, bins="sturges")`); anything else gets one bin per distinct
/// value of either sample. Each side is a share of its own sample.
public struct Binning: Sendable, Equatable {
    public let reference: [Double]
    public let current: [Double]
    /// The bin edges when the values were binned by range; nil for one bin per value.
    public let edges: [Double]?
    /// What each bin holds: its range, or its value.
    public let labels: [String]

    /// NaN and infinities are left out, as the drift tests leave them out.
    public init(reference: [Double], current: [Double]) {
        self.init(sortedReference: reference.filter(\.isFinite).radixSorted(), sortedCurrent: current.filter(\.isFinite).radixSorted())
    }

    init(sortedReference reference: [Double], sortedCurrent current: [Double]) {
        if SortedSample.distinctCount(reference, [], upTo: 21) > 20 {
            var low = min(reference.first!, current.first ?? .infinity), high = max(reference.last!, current.last ?? -.infinity)
            if low == high {
                low -= 0.5
                high += 0.5
            }
            let count = Int((log2(Double(reference.count + current.count)) + 1).rounded(.up))
            let width = (high - low) / Double(count)
            var edges = (0...count).map { low + Double($0) * width }
            edges[count] = high
            self.edges = edges
            labels = (0..<count).map { "\(Self.short(edges[$0]))–\(Self.short(edges[$0 + 1]))" }
            self.reference = Self.histogram(reference, edges: edges)
            self.current = Self.histogram(current, edges: edges)
        } else {
            let values = Set(reference).union(current).sorted()
            edges = nil
            labels = values.map(Self.short)
            self.reference = Self.shares(reference, of: values)
            self.current = Self.shares(current, of: values)
        }
    }

    public init(reference: [String], current: [String]) {
        self.init(reference: CategoryCounts(reference), current: CategoryCounts(current))
    }

    public init(reference: CategoryCounts, current: CategoryCounts) {
        let values = reference.union(current)
        edges = nil
        labels = values
        self.reference = values.map { Double(reference[$0]) / Double(max(reference.total, 1)) }
        self.current = values.map { Double(current[$0]) / Double(max(current.total, 1)) }
    }

    /// Four significant digits: enough to tell bins apart.
    static func short(_ value: Double) -> String { String(format: "%.4g", value) }

    /// Shares per bin; bins are [e_i, e_i+1), the last one closed, as numpy counts them.
    static func histogram(_ values: [Double], edges: [Double]) -> [Double] {
        let bins = edges.count - 1
        var counts = [Double](repeating: 0, count: bins)
        let low = edges[0], span = edges[bins] - edges[0]
        for value in values where value >= low && value <= edges[bins] {
            var index = min(bins - 1, Int((value - low) / span * Double(bins)))
            if index > 0, value < edges[index] { index -= 1 }
            if index < bins - 1, value >= edges[index + 1] { index += 1 }
            counts[index] += 1
        }
        return counts.map { $0 / Double(max(values.count, 1)) }
    }

    static func shares<Value: Hashable>(_ values: [Value], of categories: [Value]) -> [Double] {
        let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
        return categories.map { Double(counts[$0, default: 0]) / Double(max(values.count, 1)) }
    }

    /// Evidently's fill for empty bins before a logarithm: with m the smallest non-zero share,
    /// zeros become m/10⁶ when m ≤ 10⁻⁴, else 10⁻⁴ (no renormalisation).
    static func filledZeros(_ shares: [Double]) -> [Double] {
        guard let smallest = shares.filter({ $0 != 0 }).min() else { return shares }
        let fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4
        return shares.map { $0 == 0 ? fill : $0 }
    }
}
