import CairnCore
import CairnTracking
import SQLKit

/// Builds the SQL for `model-versions/search`. Deleted versions never match.
enum ModelVersionSearchQuery {
    static func sql(filter: Filter, orderBy: [OrderClause], limit: Int, offset: Int) throws -> SQLQueryString {
        var conditions: [SQLQueryString] = ["\(unsafeRaw: ModelVersionStore.visible)"]
        for comparison in filter.comparisons {
            switch comparison.entity {
            case .attribute:
                conditions.append(try FilterSQL.compare("\(unsafeRaw: column(comparison.key))", comparison.comparator, comparison.value))
            case .tag:
                let row: SQLQueryString = """
                    SELECT 1 FROM model_version_tags kv WHERE kv.model_id = v.model_id AND kv.version = v.version \
                    AND kv.key = \(bind: comparison.key) AND
                    """
                conditions.append("EXISTS (" + row + " " + (try FilterSQL.compare("kv.value", comparison.comparator, comparison.value)) + ")")
            default:
                throw CairnError.invalidParameter("Invalid entity in a model version filter.")
            }
        }
        try RegistryOrder.rejectDuplicates(orderBy)
        var terms: [SQLQueryString] = orderBy.map { order in
            "\(unsafeRaw: column(order.key)) \(unsafeRaw: order.ascending ? "ASC" : "DESC")"
        }
        // MLflow's default: most recently updated first, then by name and newest version.
        if orderBy.isEmpty { terms.append("v.last_updated_timestamp DESC") }
        if !orderBy.contains(where: { $0.key == "name" }) { terms.append("r.name ASC") }
        if !orderBy.contains(where: { $0.key == "version_number" }) { terms.append("v.version DESC") }
        var query: SQLQueryString = "SELECT \(unsafeRaw: ModelVersionStore.columns) FROM \(unsafeRaw: ModelVersionStore.from) WHERE "
        query += conditions.joined(separator: " AND ")
        query += " ORDER BY " + terms.joined(separator: ", ")
        query += " LIMIT \(bind: limit + 1) OFFSET \(bind: offset)"
        return query
    }

    private static func column(_ key: String) -> String {
        switch key {
        case "name": "r.name"
        case "run_id": "v.run_id"
        case "source_path": "v.source"
        case "version_number": "v.version"
        case "creation_timestamp": "v.creation_timestamp"
        default: "v.last_updated_timestamp"
        }
    }
}
