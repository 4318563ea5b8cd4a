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
        // One column of values per requested or needed feature ("view.feature"), one value per entity row.
        var values: [String: [FeatureValue?]] = [:]
        let rowCount = entities.rows.count
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
            let rows = entities.rows, entityTimes = times
            let chosen = [Int?].parallelMap(count: rowCount) { index in
                let row = rows[index]
                return join.row(key: keyColumns.count == 1 ? row[keyColumns[0]] : FeatureTable.key(keyColumns.map { row[$0] }), at: entityTimes[index])
            }
            for name in features {
                let column = table.columns[view.features.firstIndex { $0.name == name }!]
                values["\(view.name).\(name)"] = [FeatureValue?].parallelMap(count: rowCount) { chosen[$0].flatMap { column[$0] } }
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
            let derivedNames = selection.onDemand.flatMap { view in view.features.map { "\(view.name).\($0.name)" } }
            for name in derivedNames { values[name] = Array(repeating: nil, count: rowCount) }
            for index in 0..<rowCount {
                var request: [String: FeatureValue] = [:]
                for (field, column) in requestColumns {
                    let text = entities.rows[index][column]
                    switch field.type.parse(text: text) {
                    case .success(let value): request[field.name] = value
                    case .failure: throw .invalidParameter("Entity table, line \(index + 2): '\(text)' in \(field.name) is not \(field.type.rawValue).")
                    }
                }
                var stored: [String: FeatureValue] = [:]
                for (view, features) in selection.stored {
                    for feature in features { if let value = values["\(view).\(feature)"]![index] { stored["\(view).\(feature)"] = value } }
                }
                let derived = selection.derive(stored: stored, request: request)
                for name in derivedNames { values[name]![index] = derived[name] }
            }
        }
        let header = entities.header + selection.outputs.map { fullFeatureNames ? "\($0.view)__\($0.feature)" : $0.feature }
        guard Set(header).count == header.count else {
            throw .invalidParameter("Two requested features (or a feature and an entity column) share a name; ask for full feature names.")
        }
        let outputColumns = selection.outputs.map { values["\($0.view).\($0.feature)"]! }
        let entityRows = entities.rows
        let rows = [[String]].parallelMap(count: rowCount) { index in
            entityRows[index] + outputColumns.map { $0[index]?.description ?? "" }
        }
        return CSVTable(header: header, rows: rows)
    }
}
