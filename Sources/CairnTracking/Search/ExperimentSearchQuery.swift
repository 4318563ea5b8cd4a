import CairnCore
import SQLKit

/// What `experiments/search` asks for, already validated.
public struct ExperimentSearchRequest: Sendable {
    public var filter: Filter
    public var orderBy: [OrderClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var offset: Int
}

/// Builds the SQL for an experiment search; default order is newest first, then by id.
enum ExperimentSearchQuery {
    static func sql(_ request: ExperimentSearchRequest) throws -> SQLQueryString {
        var conditions: [SQLQueryString] = ["e.lifecycle_stage IN (\(binds: request.viewType.stages))"]
        for comparison in request.filter.comparisons {
            switch comparison.entity {
            case .attribute:
                if comparison.key == "experiment_id", case .list(let items) = comparison.value {
                    // Ids are strings on the wire and integers in the table; bind them as integers.
                    let ids = items.map { Int64($0) ?? -1 }
                    let keyword = comparison.comparator == .notIn ? "NOT IN" : "IN"
                    conditions.append("e.experiment_id \(unsafeRaw: keyword) (\(binds: ids))")
                    continue
                }
                var value = comparison.value
                if comparison.key == "experiment_id", case .string(let text) = value {
                    value = .number(Double(Int64(text) ?? -1))
                }
                conditions.append(try FilterSQL.compare("\(unsafeRaw: try column(comparison.key))", comparison.comparator, value))
            case .tag:
                conditions.append(try FilterSQL.keyValue(table: "experiment_tags", ownerColumn: "experiment_id", outer: "e.experiment_id", comparison))
            default:
                throw CairnError.invalidParameter("Invalid entity type '\(comparison.entity.rawValue)'. Valid values are ['attribute', 'tag'].")
            }
        }
        var orderTerms: [SQLQueryString] = []
        for clause in request.orderBy {
            guard clause.entity == .attribute else {
                throw CairnError.invalidParameter("Invalid order_by entity type '\(clause.entity.rawValue)'")
            }
            orderTerms.append("\(unsafeRaw: try column(clause.key)) \(unsafeRaw: clause.ascending ? "ASC" : "DESC")")
        }
        if request.orderBy.isEmpty { orderTerms.append("e.creation_time DESC") }
        if !request.orderBy.contains(where: { $0.key == "experiment_id" }) { orderTerms.append("e.experiment_id ASC") }

        var query: SQLQueryString = "SELECT \(unsafeRaw: ExperimentStore.columns) FROM experiments e WHERE "
        query += conditions.joined(separator: " AND ")
        query += " ORDER BY " + orderTerms.joined(separator: ", ")
        query += " LIMIT \(bind: request.maxResults + 1) OFFSET \(bind: request.offset)"
        return query
    }

    private static func column(_ key: String) throws -> String {
        switch key {
        case "name": "e.name"
        case "experiment_id": "e.experiment_id"
        case "creation_time": "e.creation_time"
        case "last_update_time": "e.last_update_time"
        case "lifecycle_stage": "e.lifecycle_stage"
        default: throw CairnError.invalidParameter("Invalid attribute key '\(key)' specified. Valid keys are ['name', 'creation_time', 'last_update_time', 'experiment_id']")
        }
    }
}
