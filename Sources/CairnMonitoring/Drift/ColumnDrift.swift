/// One column's samples: numbers, or categories (labels, strings, booleans as text).
public enum DriftColumn: Sendable {
    case numerical([Double])
    case categorical([String])
}

/// The drift tests Evidently runs by default, and PSI on request.
public enum DriftTest: String, Sendable, Codable, CaseIterable {
    case kolmogorovSmirnov = "ks"
    case chiSquare = "chisquare"
    case proportionZ = "z"
    case wasserstein
    case jensenShannon = "jensenshannon"
    case populationStability = "psi"

    /// Evidently's default threshold: a p-value for the tests, a distance for the others.
    public var defaultThreshold: Double {
        switch self {
        case .kolmogorovSmirnov, .chiSquare, .proportionZ: 0.05
        case .wasserstein, .jensenShannon, .populationStability: 0.1
        }
    }

    /// Whether `score` means drift at `threshold`: p ≤ thr for KS, p < thr for the other tests,
    /// score ≥ thr for the distances (Evidently's comparisons, exactly).
    public func detects(_ score: Double, threshold: Double) -> Bool {
        switch self {
        case .kolmogorovSmirnov: score <= threshold
        case .chiSquare, .proportionZ: score < threshold
        case .wasserstein, .jensenShannon, .populationStability: score >= threshold
        }
    }

    /// Evidently's choice for a column (after NaN and infinities are dropped): with up to 1,000
    /// reference rows, KS for numbers with more than 5 distinct values, else chi-square (3 or more
    /// values) or the Z-test (2 or fewer); with more, Wasserstein for numbers with more than 5
    /// values, else Jensen–Shannon.
    public static func defaultTest(for reference: DriftColumn, current: DriftColumn) -> DriftTest {
        let (count, distinct, numerical): (Int, Int, Bool)
        switch (reference, current) {
        case (.numerical(let a), .numerical(let b)): (count, distinct, numerical) = (a.count, Set(a).union(b).count, true)
        case (.categorical(let a), .categorical(let b)): (count, distinct, numerical) = (a.count, Set(a).union(b).count, false)
        case (.numerical(let a), .categorical(let b)): (count, distinct, numerical) = (a.count, Set(a.map { String($0) }).union(b).count, false)
        case (.categorical(let a), .numerical(let b)): (count, distinct, numerical) = (a.count, Set(a).union(b.map { String($0) }).count, false)
        }
        if count <= 1_000 {
            if numerical && distinct > 5 { return .kolmogorovSmirnov }
            return distinct > 2 ? .chiSquare : .proportionZ
        }
        return numerical && distinct > 5 ? .wasserstein : .jensenShannon
    }
}

/// A column's drift verdict: which test, its score (a p-value or a distance), and whether it drifted.
public struct ColumnDrift: Sendable, Equatable {
    public let column: String
    public let test: DriftTest
    public let threshold: Double
    public let score: Double
    public let detected: Bool

    /// Runs `test` (Evidently's default when nil) on the column's reference and current values;
    /// NaN and infinities are dropped first, as Evidently does.
    public init(column: String, reference: DriftColumn, current: DriftColumn, test: DriftTest? = nil, threshold: Double? = nil) {
        let reference = Self.finite(reference), current = Self.finite(current)
        let test = test ?? DriftTest.defaultTest(for: reference, current: current)
        self.column = column
        self.test = test
        self.threshold = threshold ?? test.defaultThreshold
        score = Self.score(test, reference, current)
        detected = test.detects(score, threshold: self.threshold)
    }

    static func finite(_ column: DriftColumn) -> DriftColumn {
        if case .numerical(let values) = column { return .numerical(values.filter(\.isFinite)) }
        return column
    }

    static func score(_ test: DriftTest, _ reference: DriftColumn, _ current: DriftColumn) -> Double {
        switch (test, reference, current) {
        case (.kolmogorovSmirnov, .numerical(let a), .numerical(let b)):
            return KolmogorovSmirnov(reference: a, current: b).pValue
        case (.wasserstein, .numerical(let a), .numerical(let b)):
            return Wasserstein.normed(sortedReference: a.sorted(), sortedCurrent: b.sorted())
        case (.jensenShannon, _, _), (.populationStability, _, _):
            let binning: Binning
            if case .numerical(let a) = reference, case .numerical(let b) = current {
                binning = Binning(reference: a, current: b)
            } else {
                binning = Binning(reference: labels(reference), current: labels(current))
            }
            return test == .jensenShannon ? DistributionDistances.jensenShannon(binning) : DistributionDistances.populationStability(binning)
        case (.chiSquare, _, _):
            return ChiSquareTest(reference: labels(reference), current: labels(current)).pValue
        default:
            return ProportionZTest(reference: labels(reference), current: labels(current)).pValue
        }
    }

    /// Categories as text; numbers written as Swift writes them, so equal numbers are one category.
    static func labels(_ column: DriftColumn) -> [String] {
        switch column {
        case .categorical(let values): values
        case .numerical(let values): values.map { String($0) }
        }
    }
}

/// Evidently's dataset-level rule: the dataset drifted when the share of drifted columns is at
/// least `share` (0.5 by default: exactly half counts).
public struct DatasetDrift: Sendable, Equatable {
    public let columns: [ColumnDrift]
    public let driftedShare: Double
    public let detected: Bool

    public init(columns: [ColumnDrift], share: Double = 0.5) {
        self.columns = columns
        driftedShare = columns.isEmpty ? 0 : Double(columns.filter(\.detected).count) / Double(columns.count)
        detected = !columns.isEmpty && driftedShare >= share
    }
}
