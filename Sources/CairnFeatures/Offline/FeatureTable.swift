import CairnCore
import Foundation

/// A feature view's source rows, read from its CSV file: the entity key of each row (its join
/// keys' values joined), the event and created timestamps, and each declared feature's values.
public struct FeatureTable: Sendable {
    public var keys: [String]
    public var eventTimes: [Int64]
    public var createdTimes: [Int64?]
    /// One column per feature, in the view's order.
    public var columns: [[FeatureValue?]]

    public var count: Int { keys.count }

    /// How recent a row is: by event time, then created time (a row without one counts as oldest).
    func recency(_ row: Int) -> (Int64, Int64) { (eventTimes[row], createdTimes[row] ?? .min) }

    /// Joins the values of several join keys into one key (a unit separator between them).
    public static func key(_ values: [String]) -> String { values.joined(separator: "\u{1F}") }

    public init(keys: [String], eventTimes: [Int64], createdTimes: [Int64?], columns: [[FeatureValue?]]) {
        self.keys = keys
        self.eventTimes = eventTimes
        self.createdTimes = createdTimes
        self.columns = columns
    }

    /// Reads `view`'s source; a missing column, an unreadable timestamp or a value not of its
    /// feature's type is refused naming the file, line and column.
    public init(view: FeatureRepository.FeatureView, of repository: FeatureRepository, baseDirectory: URL) throws(CairnError) {
        guard let source = repository.source(view.source) else { throw .invalidParameter("Feature view '\(view.name)' names unknown source '\(view.source)'.") }
        let url = source.path.hasPrefix("/") ? URL(fileURLWithPath: source.path) : baseDirectory.appending(path: source.path)
        let table = try CSVTable(contentsOf: url)
        let joinKeys = repository.joinKeys(of: view)
        func column(_ name: String, _ role: String) throws(CairnError) -> Int {
            guard let index = table.header.firstIndex(of: name) else {
                throw .invalidParameter("Source '\(source.name)' (\(source.path)) has no column '\(name)' (\(role) of feature view '\(view.name)'); "
                                        + "it has \(table.header.joined(separator: ", ")).")
            }
            return index
        }
        var keyColumns: [Int] = []
        for key in joinKeys { keyColumns.append(try column(key, "a join key")) }
        let timeColumn = try column(source.timestampField, "the event timestamp")
        let createdColumn = try source.createdTimestampColumn.map { name throws(CairnError) in try column(name, "the created timestamp") }
        var featureColumns: [Int] = []
        for feature in view.features { featureColumns.append(try column(feature.name, "a feature")) }
        keys = []
        eventTimes = []
        createdTimes = []
        columns = Array(repeating: [], count: view.features.count)
        for (line, row) in table.rows.enumerated() {
            func refuse(_ why: String) -> CairnError { .invalidParameter("\(source.path), line \(line + 2): \(why).") }
            keys.append(Self.key(keyColumns.map { row[$0] }))
            guard let time = EventTime.parse(row[timeColumn]) else { throw refuse("'\(row[timeColumn])' in \(source.timestampField) is not a timestamp") }
            eventTimes.append(time)
            if let createdColumn {
                let text = row[createdColumn]
                guard text.isEmpty || EventTime.parse(text) != nil else { throw refuse("'\(text)' in \(source.createdTimestampColumn!) is not a timestamp") }
                createdTimes.append(text.isEmpty ? nil : EventTime.parse(text))
            } else {
                createdTimes.append(nil)
            }
            for (position, feature) in view.features.enumerated() {
                switch feature.type.parse(text: row[featureColumns[position]]) {
                case .success(let value): columns[position].append(value)
                case .failure(let mismatch):
                    throw refuse("'\(mismatch.text)' in column \(feature.name) is not \(feature.type.rawValue), the type feature view '\(view.name)' declares")
                }
            }
        }
    }
}
