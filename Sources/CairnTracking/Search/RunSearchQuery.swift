import CairnCore
import SQLKit

/// What `runs/search` asks for, already validated.
public struct RunSearchRequest: Sendable {
    public var experimentIDs: [String]
    public var filter: Filter
    public var orderBy: [OrderClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var offset: Int
}

/// Builds the SQL for a run search: each comparison becomes an `EXISTS` over the table holding
/// that entity (latest metric values, params, tags, dataset inputs), each ordering key a
/// `LEFT JOIN`, so one row per run comes back and missing values sort last.
enum RunSearchQuery {
    /// `RunStore.columns`, qualified with the `r` alias the query gives `runs`.
    private static let selectColumns = RunStore.columns.split(separator: ",")
        .map { "r." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    static func sql(_ request: RunSearchRequest) throws -> SQLQueryString {
        // Ids are strings on the wire; one that is not a number matches nothing (and keeps the list non-empty).
        let experimentIDs = request.experimentIDs.map { Int64($0) ?? -1 }
        var joins: [SQLQueryString] = []
        var orderTerms: [SQLQueryString] = []
        for (index, clause) in request.orderBy.enumerated() {
            let alias = "o\(index)"
            let direction = clause.ascending ? "ASC" : "DESC"
            switch clause.entity {
            case .attribute:
                let column = try attributeColumn(clause.key)
                orderTerms.append("(\(unsafeRaw: column) IS NULL) ASC, \(unsafeRaw: column) \(unsafeRaw: direction)")
            case .metric, .param, .tag:
                let table = clause.entity == .metric ? "latest_metrics" : clause.entity == .param ? "params" : "run_tags"
                joins.append("LEFT JOIN \(ident: table) \(ident: alias) ON \(ident: alias).run_id = r.run_id AND \(ident: alias).key = \(bind: clause.key)")
                let missing = clause.entity == .metric ? "\(alias).value IS NULL OR \(alias).is_nan = 1" : "\(alias).value IS NULL"
                orderTerms.append("(CASE WHEN \(unsafeRaw: missing) THEN 1 ELSE 0 END) ASC, \(ident: alias).value \(unsafeRaw: direction)")
            case .dataset:
                throw CairnError.invalidParameter("Cannot order runs by dataset fields.")
            }
        }
        let orderedByStartTime = request.orderBy.contains { $0.entity == .attribute && $0.key == "start_time" }
        if !orderedByStartTime { orderTerms.append("r.start_time DESC") }
        orderTerms.append("r.run_id ASC")

        var conditions: [SQLQueryString] = [
            "r.experiment_id IN (\(binds: experimentIDs))",
            "r.lifecycle_stage IN (\(binds: request.viewType.stages))",
        ]
        for comparison in request.filter.comparisons {
            conditions.append(try condition(comparison))
        }
        var query: SQLQueryString = "SELECT \(unsafeRaw: selectColumns) FROM runs r "
        query += joins.joined(separator: " ")
        query += " WHERE " + conditions.joined(separator: " AND ")
        query += " ORDER BY " + orderTerms.joined(separator: ", ")
        query += " LIMIT \(bind: request.maxResults + 1) OFFSET \(bind: request.offset)"
        return query
    }

    private static func condition(_ comparison: FilterComparison) throws -> SQLQueryString {
        let key = comparison.key
        switch comparison.entity {
        case .attribute:
            let column = try attributeColumn(key)
            return try FilterSQL.compare("\(unsafeRaw: column)", comparison.comparator, comparison.value)
        case .metric:
            let test = try FilterSQL.compare("m.value", comparison.comparator, comparison.value)
            return "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.run_id AND m.key = \(bind: key) AND m.is_nan = 0 AND " + test + ")"
        case .param, .tag:
            let table = comparison.entity == .param ? "params" : "run_tags"
            return try FilterSQL.keyValue(table: table, ownerColumn: "run_id", outer: "r.run_id", comparison)
        case .dataset:
            let column: String = switch key {
            case "name": "d.name"
            case "digest": "d.digest"
            case "context": "i.context"
            default: throw CairnError.invalidParameter("Invalid dataset key '\(key)'. Valid keys are ['name', 'digest', 'context'].")
            }
            let test = try FilterSQL.compare("\(unsafeRaw: column)", comparison.comparator, comparison.value)
            return "EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id WHERE i.run_id = r.run_id AND " + test + ")"
        }
    }

    /// The `runs` column behind a canonical attribute name from the parser.
    static func attributeColumn(_ key: String) throws -> String {
        switch key {
        case "run_id": "r.run_id"
        case "run_name": "r.name"
        case "user_id": "r.user_id"
        case "status": "r.status"
        case "artifact_uri": "r.artifact_uri"
        case "lifecycle_stage": "r.lifecycle_stage"
        case "start_time", "created": "r.start_time"
        case "end_time": "r.end_time"
        default: throw CairnError.invalidParameter("Invalid attribute key '\(key)' specified.")
        }
    }
}
