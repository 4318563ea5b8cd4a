import CairnCore
import Testing

@Suite("Radix sort of doubles")
struct RadixSortTests {
    @Test("Sorts like sorted(): negatives, zeros, tiny and huge magnitudes, infinities, ties, shared high digits")
    func sortsLikeSorted() {
        var generator = SystemRandomNumberGenerator()
        let mixed = (0..<50_000).map { index -> Double in
            switch index % 5 {
            case 0: Double.random(in: -1e300...1e300, using: &generator)
            case 1: Double.random(in: -1...1, using: &generator) * 1e-300
            case 2: Double(Int.random(in: -3...3, using: &generator))  // many ties
            case 3: Double.random(in: 0..<1, using: &generator)
            default: [Double.infinity, -.infinity, 0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude][index / 5 % 5]
            }
        }
        #expect(mixed.radixSorted() == mixed.sorted())
        // Values that share their top digits (all in [1, 2)), and a short array.
        let narrow = (0..<30_000).map { _ in Double.random(in: 1..<2, using: &generator) }
        #expect(narrow.radixSorted() == narrow.sorted())
        #expect([3.0, -1, 2].radixSorted() == [-1, 2, 3])
        #expect([Double]().radixSorted().isEmpty)
        // -0.0 sorts before 0.0.
        let zeros = Array(repeating: 0.0, count: 15_000) + Array(repeating: -0.0, count: 15_000)
        #expect(zeros.radixSorted().prefix(15_000).allSatisfy { $0.sign == .minus })
    }
}
