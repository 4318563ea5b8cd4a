@testable import CairnMonitoring
import Testing

/// The shared golden vectors (`../shared/research/golden_drift.py`, numpy 2.4.6 / scipy 1.17.1):
/// every statistic equals scipy's and Evidently's formulas to 1e-6.
@Suite("Drift statistics against the golden values")
struct DriftGoldenTests {
    let reference = (0..<200).map { Double(($0 * 37) % 101) / 10 }
    let current = (0..<150).map { Double(($0 * 53) % 113) / 10 + 0.5 }

    func close(_ value: Double, _ expected: Double, tolerance: Double = 1e-6) -> Bool {
        abs(value - expected) <= tolerance * max(abs(expected), 1e-300)
    }

    @Test("Kolmogorov–Smirnov: D, the exact p-value (scipy's auto) and the asymptotic one")
    func kolmogorovSmirnov() {
        let exact = KolmogorovSmirnov(reference: reference, current: current)
        #expect(close(exact.statistic, 0.16))
        #expect(close(exact.pValue, 2.2463339639e-02), "\(exact.pValue)")
        let asymptotic = KolmogorovSmirnov(sortedReference: reference.sorted(), sortedCurrent: current.sorted(), forceAsymptotic: true)
        #expect(close(asymptotic.pValue, 2.1681597087e-02), "\(asymptotic.pValue)")
    }

    @Test("Wasserstein: W1, the reference's population standard deviation, and the normed distance")
    func wasserstein() {
        let a = reference.sorted(), b = current.sorted()
        #expect(close(Wasserstein.distance(sortedReference: a, sortedCurrent: b), 1.0981666667))
        #expect(close(Wasserstein.populationStandardDeviation(a), 2.9238210872))
        #expect(close(Wasserstein.normed(sortedReference: a, sortedCurrent: b), 0.3755929771))
    }

    @Test("Sturges binning over the combined data, then PSI, KL and Jensen–Shannon")
    func binnedDistances() throws {
        let binning = Binning(reference: reference, current: current)
        let edges = try #require(binning.edges)
        #expect(edges.count == 11 && edges[0] == 0 && close(edges[1], 1.17) && close(edges[10], 11.7))
        #expect(close(DistributionDistances.populationStability(binning), 0.8090403689))
        #expect(close(DistributionDistances.kullbackLeibler(binning), 0.1397360746))
        #expect(close(DistributionDistances.jensenShannon(binning), 0.2124593367))
    }

    @Test("Categorical: Evidently's chi-square goodness of fit, PSI and Jensen–Shannon per category")
    func categorical() {
        let a = Array(repeating: "a", count: 50) + Array(repeating: "b", count: 30) + Array(repeating: "c", count: 20)
        let b = Array(repeating: "a", count: 30) + Array(repeating: "b", count: 30) + Array(repeating: "c", count: 40)
        let chi = ChiSquareTest(reference: a, current: b)
        #expect(close(chi.statistic, 28) && chi.degreesOfFreedom == 2)
        #expect(close(chi.pValue, 8.3152871910e-07), "\(chi.pValue)")
        let binning = Binning(reference: a, current: b)
        #expect(close(DistributionDistances.populationStability(binning), 0.2407945609))
        #expect(close(DistributionDistances.jensenShannon(binning), 0.1721147310))
    }

    @Test("Binary: the pooled two-proportion Z-test")
    func binary() {
        let a = Array(repeating: "0", count: 70) + Array(repeating: "1", count: 30)
        let b = Array(repeating: "0", count: 55) + Array(repeating: "1", count: 45)
        let test = ProportionZTest(reference: a, current: b)
        #expect(close(test.z, -2.19089023))
        #expect(close(test.pValue, 2.8459736916e-02), "\(test.pValue)")
    }
}
