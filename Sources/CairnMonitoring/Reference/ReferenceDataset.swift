import CairnCore

/// A sample of a model version's training data: named columns of numbers or categories, the
/// baseline its live inputs (and, in a `prediction` column, its predictions) are compared with.
public struct ReferenceDataset: Sendable, Equatable, Codable {
    public enum Value: Sendable, Equatable, Codable {
        case number(Double)
        case text(String)
    }

    public let columns: [String]
    public let rows: [[Value]]

    /// The column predictions are compared with, when the reference has one.
    public static let predictionColumn = "prediction"
    static let maxCells = 5_000_000

    /// Refuses a dataset that cannot serve as a reference, naming what is wrong.
    public init(columns: [String], rows: [[Value]]) throws(CairnError) {
        guard !columns.isEmpty else { throw .invalidParameter("A reference dataset needs at least one column.") }
        if let empty = columns.firstIndex(where: \.isEmpty) { throw .invalidParameter("Column \(empty) has no name.") }
        guard Set(columns).count == columns.count else { throw .invalidParameter("Column names must be unique (got \(columns)).") }
        guard rows.count >= 2 else { throw .invalidParameter("A reference dataset needs at least 2 rows (got \(rows.count)).") }
        guard rows.count * columns.count <= Self.maxCells else {
            throw .invalidParameter("A reference dataset holds at most \(Self.maxCells) values (got \(rows.count) × \(columns.count)); sample it.")
        }
        if let index = rows.firstIndex(where: { $0.count != columns.count }) {
            throw .invalidParameter("Row \(index) has \(rows[index].count) values for \(columns.count) columns (\(columns.joined(separator: ", "))).")
        }
        self.columns = columns
        self.rows = rows
    }

    /// Column `index` as numbers when every value is one, else as categories.
    public func column(_ index: Int) -> DriftColumn {
        var numbers: [Double] = []
        numbers.reserveCapacity(rows.count)
        for row in rows {
            guard case .number(let value) = row[index] else { return .categorical(CategoryCounts(rows.lazy.map { Self.label($0[index]) })) }
            numbers.append(value)
        }
        return .numerical(numbers)
    }

    static func label(_ value: Value) -> String {
        switch value {
        case .number(let number): CategoryCounts.label(number)
        case .text(let text): text
        }
    }
}
