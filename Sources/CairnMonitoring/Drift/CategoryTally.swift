import CairnCore

/// Counts categories as they are read from a file's bytes: each distinct category becomes a
/// String once, where `CategoryCounts` would make and hash a String per value.
struct CategoryTally: Sendable {
    private var interner = KeyInterner()
    private var counts: [Int] = []

    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) { count(interner.id(bytes)) }

    mutating func add(_ category: String) { count(interner.id(category)) }

    private mutating func count(_ id: Int32) {
        if Int(id) == counts.count { counts.append(0) }
        counts[Int(id)] += 1
    }

    var categoryCounts: CategoryCounts { CategoryCounts(counts: Dictionary(uniqueKeysWithValues: zip(interner.names, counts))) }
}
