import CairnCore

/// Drift of a deployment's live traffic against its model version's reference dataset: each
/// reference column compared with the same feature in the logged requests (and the `prediction`
/// column with the logged answers), by Evidently's default tests, and the dataset verdict.
public struct DriftReport: Sendable {
    public let dataset: DatasetDrift
    public let currentRows: Int
    public let referenceRows: Int
    /// Each column's reference and current distributions in Evidently's bins, when asked for.
    public let histograms: [String: Binning]

    /// Compares `requests` with `reference`; a request whose columns cannot be matched to the
    /// reference's is refused with what is missing.
    public init(reference: ReferenceDataset, requests: [LoggedRequest], histograms wantHistograms: Bool = false) throws(CairnError) {
        let features = reference.columns.filter { $0 != ReferenceDataset.predictionColumn }
        var current: [String: [ReferenceDataset.Value]] = [:]
        var predictions: [ReferenceDataset.Value] = []
        var rowCount = 0
        for request in requests {
            let positions: [String: Int]
            switch request.columns {
            case .positional:
                guard let width = request.rows.first?.count, width == features.count else {
                    throw .invalidParameter("Logged requests have \(request.rows.first?.count ?? 0) features; the reference has \(features.count) (\(features.joined(separator: ", "))).")
                }
                positions = Dictionary(uniqueKeysWithValues: features.enumerated().map { ($1, $0) })
            case .named(let names):
                let missing = features.filter { !names.contains($0) }
                guard missing.isEmpty else { throw .invalidParameter("Logged requests lack the reference's columns \(missing.joined(separator: ", ")).") }
                positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            }
            for row in request.rows {
                for feature in features { current[feature, default: []].append(row[positions[feature]!]) }
            }
            rowCount += request.rows.count
            if let values = request.predictions { predictions += values }
        }
        guard rowCount > 0 else { throw CairnError(.invalidState, "There are no logged requests to compare with the reference yet.", httpStatus: 409) }
        var columns: [ColumnDrift] = []
        var histograms: [String: Binning] = [:]
        for (index, name) in reference.columns.enumerated() {
            let values = name == ReferenceDataset.predictionColumn ? predictions : current[name, default: []]
            guard !values.isEmpty else { continue }
            let referenceColumn = reference.column(index)
            let currentColumn = Self.column(values, like: referenceColumn)
            columns.append(ColumnDrift(column: name, reference: referenceColumn, current: currentColumn))
            if wantHistograms { histograms[name] = Self.binning(referenceColumn, currentColumn) }
        }
        self.histograms = histograms
        dataset = DatasetDrift(columns: columns)
        currentRows = rowCount
        referenceRows = reference.rows.count
    }

    /// Current values typed as the reference column is: numbers where the reference has numbers.
    static func column(_ values: [ReferenceDataset.Value], like reference: DriftColumn) -> DriftColumn {
        if case .numerical = reference {
            let numbers = values.compactMap { value -> Double? in
                if case .number(let number) = value { return number }
                return nil
            }
            if numbers.count == values.count { return .numerical(numbers) }
        }
        return .categorical(CategoryCounts(values.lazy.map(ReferenceDataset.label)))
    }

    static func binning(_ reference: DriftColumn, _ current: DriftColumn) -> Binning {
        switch (reference, current) {
        case (.numerical(let a), .numerical(let b)): Binning(reference: a, current: b)
        default: Binning(reference: SortedSample(reference).categoryCounts, current: SortedSample(current).categoryCounts)
        }
    }
}
