import ArgumentParser
import CairnMonitoring
import Foundation

/// `cairn drift --reference A.csv --current B.csv`: Evidently's column drift tests, locally.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare two CSV files column by column with Evidently's default drift tests.")

    @Option(help: "The reference CSV (training data): a header row, then values.") var reference: String
    @Option(help: "The current CSV (live data), with the same column names.") var current: String
    @Option(help: "A test for every column instead of the default choice: \(DriftTest.allCases.map(\.rawValue).joined(separator: ", ")).")
    var test: String?
    @Option(help: "The share of drifted columns that makes the dataset drift.") var driftShare = 0.5
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let test, DriftTest(rawValue: test) == nil { throw ValidationError("--test: one of \(DriftTest.allCases.map(\.rawValue).joined(separator: ", ")).") }
        guard driftShare > 0, driftShare <= 1 else { throw ValidationError("--drift-share is above 0 and at most 1.") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        async let referenceTable = CSVColumns(contentsOf: URL(fileURLWithPath: reference))
        async let currentTable = CSVColumns(contentsOf: URL(fileURLWithPath: current))
        let (a, b) = try await (referenceTable, currentTable)
        let missing = a.names.filter { !b.names.contains($0) }
        guard missing.isEmpty else { throw ValidationError("\(current) lacks the reference's columns \(missing.joined(separator: ", ")).") }
        let chosen = test.flatMap(DriftTest.init(rawValue:))
        let columns = await withTaskGroup(of: (Int, ColumnDrift).self) { group in
            for (index, name) in a.names.enumerated() {
                let referenceColumn = a.columns[index], currentColumn = b.columns[b.names.firstIndex(of: name)!]
                group.addTask { (index, ColumnDrift(column: name, reference: referenceColumn, current: currentColumn, test: chosen)) }
            }
            return await group.reduce(into: [(Int, ColumnDrift)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let dataset = DatasetDrift(columns: columns, share: driftShare)
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        if json {
            let output = DriftJSON(dataset_drift: dataset.detected, drifted_share: dataset.driftedShare, reference_rows: a.rowCount, current_rows: b.rowCount,
                                   seconds: seconds, columns: columns.map { .init(column: $0.column, test: $0.test.rawValue, threshold: $0.threshold,
                                                                                   score: $0.score, drift_detected: $0.detected) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        print(TextTable(["COLUMN", "TEST", "SCORE", "THRESHOLD", "DRIFT"], columns.map {
            [$0.column, $0.test.rawValue, String(format: "%.6g", $0.score), String($0.threshold), $0.detected ? "yes" : "no"]
        }).render())
        print("\(columns.filter(\.detected).count) of \(columns.count) columns drifted (\(String(format: "%.0f", dataset.driftedShare * 100)) %): "
              + (dataset.detected ? "dataset drift" : "no dataset drift") + String(format: " — %d × %d rows in %.2f s", a.rowCount, b.rowCount, seconds))
    }

    struct DriftJSON: Encodable {
        struct Column: Encodable {
            let column: String
            let test: String
            let threshold: Double
            let score: Double
            let drift_detected: Bool
        }

        let dataset_drift: Bool
        let drifted_share: Double
        let reference_rows: Int
        let current_rows: Int
        let seconds: Double
        let columns: [Column]
    }
}
