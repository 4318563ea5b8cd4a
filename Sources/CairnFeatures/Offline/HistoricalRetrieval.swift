import CairnCore
import Foundation

/// A training set: every row of an entity table (keys, an `event_timestamp` and anything else,
/// such as labels, kept as is) joined point-in-time to the requested features, in the entity
/// table's order. Feature columns are named by the feature, or `view__feature` with full names.
public struct HistoricalRetrieval {
    public static let timestampColumn = "event_timestamp"

    public static func join(entities: CSVTable, features references: [String], repository: FeatureRepository, baseDirectory: URL,
                            fullFeatureNames: Bool = false) throws(CairnError) -> CSVTable {
        let requested = try repository.resolve(references)
        guard let timeColumn = entities.header.firstIndex(of: timestampColumn) else {
            throw .invalidParameter("The entity table needs an '\(timestampColumn)' column (it has \(entities.header.joined(separator: ", "))).")
        }
        var times: [Int64] = []
        for (line, row) in entities.rows.enumerated() {
            guard let time = EventTime.parse(row[timeColumn]) else {
                throw .invalidParameter("Entity table, line \(line + 2): '\(row[timeColumn])' is not a timestamp.")
            }
            times.append(time)
        }
        var header = entities.header
        var rows = entities.rows
        for (viewName, features) in requested {
            let view = repository.view(viewName)!
            let keyColumns = try repository.joinKeys(of: view).map { key throws(CairnError) -> Int in
                guard let index = entities.header.firstIndex(of: key) else {
                    throw .invalidParameter("The entity table lacks join key '\(key)' of feature view '\(view.name)'.")
                }
                return index
            }
            let table = try FeatureTable(view: view, of: repository, baseDirectory: baseDirectory)
            let join = PointInTimeJoin(table: table, ttlSeconds: view.ttlSeconds)
            let positions = features.map { name in view.features.firstIndex { $0.name == name }! }
            header += features.map { fullFeatureNames ? "\(view.name)__\($0)" : $0 }
            for index in rows.indices {
                let chosen = join.row(key: FeatureTable.key(keyColumns.map { entities.rows[index][$0] }), at: times[index])
                rows[index] += positions.map { position in chosen.flatMap { table.columns[position][$0] }.map(\.description) ?? "" }
            }
        }
        guard Set(header).count == header.count else {
            throw .invalidParameter("Two requested features (or a feature and an entity column) share a name; ask for full feature names.")
        }
        return CSVTable(header: header, rows: rows)
    }
}
