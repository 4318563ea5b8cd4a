/// One column's samples: numbers, or categories (labels, strings, booleans as text) with how
/// often each occurs.
public enum DriftColumn: Sendable {
    case numerical([Double])
    case categorical(CategoryCounts)
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
        defaultTest(SortedSample(reference), SortedSample(current))
    }

    static func defaultTest(_ reference: SortedSample, _ current: SortedSample) -> DriftTest {
        let (distinct, numerical): (Int, Bool)
        if case .numbers(let a) = reference, case .numbers(let b) = current {
            (distinct, numerical) = (SortedSample.distinctCount(a, b, upTo: 6), true)
        } else {
            (distinct, numerical) = (reference.categoryCounts.union(current.categoryCounts).count, false)
        }
        if reference.count <= 1_000 {
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
        let reference = SortedSample(reference), current = SortedSample(current)
        let test = test ?? DriftTest.defaultTest(reference, current)
        self.column = column
        self.test = test
        self.threshold = threshold ?? test.defaultThreshold
        score = Self.score(test, reference, current)
        detected = test.detects(score, threshold: self.threshold)
    }

    static func score(_ test: DriftTest, _ reference: SortedSample, _ current: SortedSample) -> Double {
        switch (test, reference, current) {
        case (.kolmogorovSmirnov, .numbers(let a), .numbers(let b)):
            return KolmogorovSmirnov(sortedReference: a, sortedCurrent: b).pValue
        case (.wasserstein, .numbers(let a), .numbers(let b)):
            return Wasserstein.normed(sortedReference: a, sortedCurrent: b)
        case (.jensenShannon, _, _), (.populationStability, _, _):
            let binning: Binning
            if case .numbers(let a) = reference, case .numbers(let b) = current {
                binning = Binning(sortedReference: a, sortedCurrent: b)
            } else {
                binning = Binning(reference: reference.categoryCounts, current: current.categoryCounts)
            }
            return test == .jensenShannon ? DistributionDistances.jensenShannon(binning) : DistributionDistances.populationStability(binning)
        case (.chiSquare, _, _):
            return ChiSquareTest(reference: reference.categoryCounts, current: current.categoryCounts).pValue
        default:
            return ProportionZTest(reference: reference.categoryCounts, current: current.categoryCounts).pValue
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
