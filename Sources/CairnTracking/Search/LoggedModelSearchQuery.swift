import CairnCore
import SQLKit

/// Builds the SQL for `logged-models/search`: attributes on the row, params and tags through
/// `EXISTS`, metrics through the latest point logged with the model's id.
enum LoggedModelSearchQuery {
    static func sql(experimentIDs: [String], filter: Filter, orderBy: [LoggedModelOrder], limit: Int, offset: Int) throws -> SQLQueryString {
        var conditions: [SQLQueryString] = [
            "l.experiment_id IN (\(binds: experimentIDs.map { Int64($0) ?? -1 }))",
            "l.lifecycle_stage = 'active'",
        ]
        for comparison in filter.comparisons {
            switch comparison.entity {
            case .attribute:
                conditions.append(try FilterSQL.compare("\(unsafeRaw: try column(comparison.key))", comparison.comparator, comparison.value))
            case .param, .tag:
                let table = comparison.entity == .param ? "logged_model_params" : "logged_model_tags"
                conditions.append(try FilterSQL.keyValue(table: table, ownerColumn: "model_id", outer: "l.model_id", comparison))
            case .metric:
                let test = try FilterSQL.compare("m.value", comparison.comparator, comparison.value)
                conditions.append("EXISTS (SELECT 1 FROM metrics m WHERE m.model_id = l.model_id AND m.key = \(bind: comparison.key) AND m.is_nan = 0 AND " + test + ")")
            case .dataset:
                throw CairnError.invalidParameter("Invalid entity type 'dataset' in a logged model filter.")
            }
        }
        var orderTerms: [SQLQueryString] = try orderBy.map { order in
            "\(unsafeRaw: try column(order.fieldName)) \(unsafeRaw: order.ascending ? "ASC" : "DESC")"
        }
        if orderBy.isEmpty { orderTerms.append("l.creation_timestamp DESC") }
        orderTerms.append("l.model_id ASC")
        var query: SQLQueryString = "SELECT \(unsafeRaw: LoggedModelStore.columns) FROM logged_models l WHERE "
        query += conditions.joined(separator: " AND ")
        query += " ORDER BY " + orderTerms.joined(separator: ", ")
        query += " LIMIT \(bind: limit + 1) OFFSET \(bind: offset)"
        return query
    }

    private static func column(_ key: String) throws -> String {
        switch key {
        case "name": "l.name"
        case "model_id": "l.model_id"
        case "model_type": "l.model_type"
        case "status": "l.status"
        case "source_run_id": "l.source_run_id"
        case "creation_timestamp", "creation_time", "creation_timestamp_ms": "l.creation_timestamp"
        case "last_updated_timestamp", "last_updated_time", "last_updated_timestamp_ms": "l.last_updated_timestamp"
        default: throw CairnError.invalidParameter("Invalid attribute key '\(key)' for logged models.")
        }
    }
}
