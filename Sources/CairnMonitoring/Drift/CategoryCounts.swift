/// How often each category occurs in a sample: what the categorical tests and bins need, counted
/// once per column instead of once per test.
public struct CategoryCounts: Sendable, Equatable {
    public private(set) var counts: [String: Int] = [:]
    public private(set) var total = 0

    public init<Values: Sequence<String>>(_ values: Values) {
        for value in values { counts[value, default: 0] += 1 }
        total = counts.values.reduce(0, +)
    }

    public subscript(category: String) -> Int { counts[category, default: 0] }

    /// The categories of either sample, in Swift's string order.
    func union(_ other: CategoryCounts) -> [String] { Set(counts.keys).union(other.counts.keys).sorted() }
}
