/// A column's finite values made ready for the tests once: numbers sorted ascending (by radix
/// sort), categories counted. Every test and the bins read one of these.
enum SortedSample: Sendable {
    case numbers([Double])
    case categories(CategoryCounts)

    /// NaN and infinities are dropped first, as Evidently does.
    init(_ column: DriftColumn) {
        switch column {
        case .numerical(let values): self = .numbers((values.allSatisfy(\.isFinite) ? values : values.filter(\.isFinite)).radixSorted())
        case .categorical(let counts): self = .categories(counts)
        }
    }

    var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .categories(let counts): counts.total
        }
    }

    /// Categories as text; numbers written as `CategoryCounts.label` writes them.
    var categoryCounts: CategoryCounts {
        switch self {
        case .numbers(let values): CategoryCounts(values.lazy.map(CategoryCounts.label))
        case .categories(let counts): counts
        }
    }

    /// The number of distinct values in two sorted arrays together, counted up to `limit`.
    static func distinctCount(_ a: [Double], _ b: [Double], upTo limit: Int) -> Int {
        var i = 0, j = 0, distinct = 0
        while (i < a.count || j < b.count) && distinct < limit {
            let value = min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            while i < a.count, a[i] == value { i += 1 }
            while j < b.count, b[j] == value { j += 1 }
            distinct += 1
        }
        return distinct
    }
}
