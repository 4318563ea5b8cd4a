import Foundation
import Testing
@testable import CairnUI

@Suite("LTTB downsampling")
struct LTTBTests {
    static func series(_ count: Int, _ y: (Int) -> Double) -> [LTTB.Point] {
        (0..<count).map { LTTB.Point(x: Double($0), y: y($0)) }
    }

    @Test("A long series shrinks to the threshold, keeping both ends in order")
    func shrinks() {
        let points = Self.series(100_000) { sin(Double($0) / 500) }
        let kept = LTTB.indices(of: points, threshold: 500)
        #expect(kept.count == 500)
        #expect(kept.first == 0 && kept.last == 99_999)
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("A single spike survives downsampling")
    func keepsSpikes() {
        let points = Self.series(10_000) { $0 == 6_543 ? 100 : 0 }
        #expect(LTTB.indices(of: points, threshold: 50).contains(6_543))
        let dip = Self.series(10_000) { $0 == 1_234 ? -7 : 1 }
        #expect(LTTB.downsample(dip, threshold: 50).contains(LTTB.Point(x: 1_234, y: -7)))
    }

    @Test("Short series and tiny thresholds are returned whole", arguments: [(10, 20), (10, 10), (10, 2), (0, 5), (2, 3)])
    func whole(count: Int, threshold: Int) {
        let points = Self.series(count) { Double($0 * $0) }
        #expect(LTTB.downsample(points, threshold: threshold) == points)
    }
}
