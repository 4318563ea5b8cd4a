import Foundation
import CairnMonitoring
import Testing

@Suite("Drift test selection and verdicts (Evidently's rules)")
struct DriftSelectionTests {
    @Test("Small references use KS, chi-square or Z; large ones Wasserstein or Jensen–Shannon")
    func defaultTests() {
        let small = DriftColumn.numerical((0..<1_000).map(Double.init))
        let large = DriftColumn.numerical((0..<1_001).map(Double.init))
        #expect(DriftTest.defaultTest(for: small, current: small) == .kolmogorovSmirnov)  // 1,000 rows still count as small
        #expect(DriftTest.defaultTest(for: large, current: large) == .wasserstein)
        let fewValues = DriftColumn.numerical((0..<2_000).map { Double($0 % 4) })
        #expect(DriftTest.defaultTest(for: fewValues, current: fewValues) == .jensenShannon)
        let binary = DriftColumn.categorical(["yes", "no", "yes"])
        #expect(DriftTest.defaultTest(for: binary, current: binary) == .proportionZ)
        let threeValues = DriftColumn.categorical(["a", "b"])
        #expect(DriftTest.defaultTest(for: threeValues, current: .categorical(["c"])) == .chiSquare)
    }

    @Test("A category never seen in the reference is drift: chi-square's p is 0")
    func unseenCategory() {
        let drift = ColumnDrift(column: "plan", reference: .categorical(["a", "b", "c", "a"]), current: .categorical(["a", "b", "c", "zzz"]))
        #expect(drift.test == .chiSquare && drift.score == 0 && drift.detected)
    }

    @Test("A shifted feature drifts and an unchanged one does not; half the columns drifting is dataset drift")
    func verdicts() {
        // Deterministic stand-ins for N(0,1) and N(0.5,1): normal quantiles of an even grid.
        let grid = (1...2_000).map { Double($0) / 2_001 }
        let normal = grid.map(Self.normalQuantile)
        let shifted = normal.map { $0 + 0.5 }
        let same = ColumnDrift(column: "x1", reference: .numerical(normal), current: .numerical(normal.reversed()))
        let moved = ColumnDrift(column: "x2", reference: .numerical(normal), current: .numerical(shifted))
        #expect(same.test == .wasserstein && !same.detected && same.score < 1e-12)
        #expect(moved.test == .wasserstein && moved.detected && abs(moved.score - 0.5) < 0.01)
        #expect(DatasetDrift(columns: [same, moved]).detected)
        #expect(!DatasetDrift(columns: [same, moved, same]).detected)
        // NaN and infinities are dropped before testing.
        let dirty = ColumnDrift(column: "x3", reference: .numerical(normal + [.nan, .infinity]), current: .numerical(normal))
        #expect(!dirty.detected && dirty.score < 1e-12)
    }

    /// The inverse normal CDF by bisection on erfc: plenty for test data.
    static func normalQuantile(_ p: Double) -> Double {
        var low = -10.0, high = 10.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
