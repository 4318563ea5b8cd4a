import CairnCore
import CairnTracking
import SQLKit

/// Builds the SQL for `registered-models/search`.
enum RegisteredModelSearchQuery {
    /// The client appends this clause to every search to hide prompts; models without the tag match.
    static let promptTag = "mlflow.prompt.is_prompt"

    static func sql(filter: Filter, orderBy: [OrderClause], limit: Int, offset: Int) throws -> SQLQueryString {
        var conditions: [SQLQueryString] = ["1 = 1"]
        for comparison in filter.comparisons {
            switch comparison.entity {
            case .attribute:
                conditions.append(try FilterSQL.compare("r.name", comparison.comparator, comparison.value))
            case .tag where comparison.key == promptTag && comparison.comparator == .notEqual:
                conditions.append("NOT EXISTS (SELECT 1 FROM registered_model_tags kv WHERE kv.model_id = r.id AND kv.key = \(bind: promptTag) AND "
                    + (try FilterSQL.compare("kv.value", .equal, comparison.value)) + ")")
            case .tag:
                conditions.append(try FilterSQL.keyValue(table: "registered_model_tags", ownerColumn: "model_id", outer: "r.id", comparison))
            default:
                throw CairnError.invalidParameter("Invalid entity in a registered model filter.")
            }
        }
        try RegistryOrder.rejectDuplicates(orderBy)
        var terms: [SQLQueryString] = orderBy.map { order in
            let column = order.key == "name" ? "r.name" : "r.last_updated_timestamp"
            return "\(unsafeRaw: column) \(unsafeRaw: order.ascending ? "ASC" : "DESC")"
        }
        if !orderBy.contains(where: { $0.key == "name" }) { terms.append("r.name ASC") }
        var query: SQLQueryString = "SELECT \(unsafeRaw: RegisteredModelStore.columns) FROM registered_models r WHERE "
        query += conditions.joined(separator: " AND ")
        query += " ORDER BY " + terms.joined(separator: ", ")
        query += " LIMIT \(bind: limit + 1) OFFSET \(bind: offset)"
        return query
    }
}

/// Checks shared by the registry's `order_by` lists.
enum RegistryOrder {
    static func rejectDuplicates(_ orderBy: [OrderClause]) throws {
        var seen = Set<String>()
        for order in orderBy {
            let key = order.key == "timestamp" ? "last_updated_timestamp" : order.key
            guard seen.insert(key).inserted else {
                throw CairnError.invalidParameter("`order_by` contains duplicate fields: \(orderBy.map(\.key))")
            }
        }
    }
}
