import CairnCore
import Foundation

/// A training set: every row of an entity table (keys, an `event_timestamp`, the request fields
/// of on-demand features, and anything else such as labels, kept as is) joined point-in-time to
/// the requested features, in the entity table's order. On-demand features are computed per row
/// by the same code as online. Feature columns are named by the feature, or `view__feature` with
/// full names.
public struct HistoricalRetrieval {
    public static let timestampColumn = "event_timestamp"

    public static func join(entities: CSVTable, features references: [String], repository: FeatureRepository, baseDirectory: URL,
                            fullFeatureNames: Bool = false) throws(CairnError) -> CSVTable {
        let selection = try FeatureSelection(references, in: repository)
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
        var values = Array(repeating: [String: FeatureValue](), count: entities.rows.count)
        for (viewName, features) in selection.stored {
            let view = repository.view(viewName)!
            let keyColumns = try repository.joinKeys(of: view).map { key throws(CairnError) -> Int in
                guard let index = entities.header.firstIndex(of: key) else {
                    throw .invalidParameter("The entity table lacks join key '\(key)' of feature view '\(view.name)'.")
                }
                return index
            }
            let table = try FeatureTable(view: view, of: repository, baseDirectory: baseDirectory)
            let join = PointInTimeJoin(table: table, ttlSeconds: view.ttlSeconds)
            let positions = features.map { name in (name, view.features.firstIndex { $0.name == name }!) }
            for index in entities.rows.indices {
                guard let chosen = join.row(key: FeatureTable.key(keyColumns.map { entities.rows[index][$0] }), at: times[index]) else { continue }
                for (name, position) in positions {
                    if let value = table.columns[position][chosen] { values[index]["\(view.name).\(name)"] = value }
                }
            }
        }
        if !selection.onDemand.isEmpty {
            var requestColumns: [(FeatureRepository.Feature, Int)] = []
            for field in selection.requestFields {
                guard let index = entities.header.firstIndex(of: field.name) else {
                    throw .invalidParameter("The entity table lacks '\(field.name)', a request field of the on-demand features asked for.")
                }
                requestColumns.append((field, index))
            }
            for index in entities.rows.indices {
                var request: [String: FeatureValue] = [:]
                for (field, column) in requestColumns {
                    let text = entities.rows[index][column]
                    switch field.type.parse(text: text) {
                    case .success(let value): request[field.name] = value
                    case .failure: throw .invalidParameter("Entity table, line \(index + 2): '\(text)' in \(field.name) is not \(field.type.rawValue).")
                    }
                }
                values[index] = selection.derive(stored: values[index], request: request)
            }
        }
        let header = entities.header + selection.outputs.map { fullFeatureNames ? "\($0.view)__\($0.feature)" : $0.feature }
        guard Set(header).count == header.count else {
            throw .invalidParameter("Two requested features (or a feature and an entity column) share a name; ask for full feature names.")
        }
        let rows = entities.rows.indices.map { index in
            entities.rows[index] + selection.outputs.map { values[index]["\($0.view).\($0.feature)"]?.description ?? "" }
        }
        return CSVTable(header: header, rows: rows)
    }
}
