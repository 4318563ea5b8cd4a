import CairnCore

/// How often each category occurs in a sample: all the categorical tests and bins need (the
/// order of the values matters to none of them).
public struct CategoryCounts: Sendable, Equatable, ExpressibleByArrayLiteral {
    public private(set) var counts: [String: Int] = [:]
    public private(set) var total = 0

    public init<Values: Sequence<String>>(_ values: Values) {
        for value in values { counts[value, default: 0] += 1 }
        total = counts.values.reduce(0, +)
    }

    public init(arrayLiteral values: String...) { self.init(values) }

    /// Counts already made, by category; categories counted zero times are left out.
    public init(counts: [String: Int]) {
        self.counts = counts.filter { $0.value > 0 }
        total = self.counts.values.reduce(0, +)
    }

    public subscript(category: String) -> Int { counts[category, default: 0] }

    /// A number as a category: its `wholeNumberText` (`3` for 3.0), "" for a missing value. Every
    /// place that turns numbers into categories uses this, so 3 and 3.0 are one category wherever
    /// they come from.
    public static func label(_ number: Double) -> String {
        number.isNaN ? "" : number.wholeNumberText
    }

    /// Both samples' counts added up.
    public static func + (left: CategoryCounts, right: CategoryCounts) -> CategoryCounts {
        CategoryCounts(counts: left.counts.merging(right.counts, uniquingKeysWith: +))
    }

    /// The categories of either sample, in Swift's string order.
    func union(_ other: CategoryCounts) -> [String] { Set(counts.keys).union(other.counts.keys).sorted() }
}
