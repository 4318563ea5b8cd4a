import CairnCore
import SQLKit

/// Translates one parsed comparison on a column into parameterised SQL. Values are always bound,
/// never pasted. LIKE is case-sensitive (SQLite runs with `case_sensitive_like`); ILIKE is
/// `LOWER(x) LIKE LOWER(?)` on both engines.
package enum FilterSQL {
    package static func compare(_ column: SQLQueryString, _ comparator: FilterComparator, _ value: FilterValue) throws -> SQLQueryString {
        switch comparator {
        case .isNull: return column + " IS NULL"
        case .isNotNull: return column + " IS NOT NULL"
        case .in, .notIn:
            guard case .list(let items) = value, !items.isEmpty else {
                throw CairnError.invalidParameter("'\(comparator.rawValue)' needs a non-empty list of values, e.g. ('a', 'b').")
            }
            let keyword = comparator == .in ? " IN " : " NOT IN "
            return column + "\(unsafeRaw: keyword)(\(binds: items))"
        case .like: return column + " LIKE \(bind(value))"
        case .ilike: return "LOWER(" + column + ") LIKE LOWER(\(bind(value)))"
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return column + " \(unsafeRaw: comparator.rawValue) \(bind(value))"
        }
    }

    /// A comparison on a key-value table (params, tags) owned by the outer row `outer`: a row with
    /// that key whose value passes must exist; IS NULL / IS NOT NULL test whether the key exists.
    package static func keyValue(table: String, ownerColumn: String, outer: String, _ comparison: FilterComparison) throws -> SQLQueryString {
        let row: SQLQueryString = "SELECT 1 FROM \(ident: table) kv WHERE kv.\(ident: ownerColumn) = \(unsafeRaw: outer) AND kv.key = \(bind: comparison.key)"
        switch comparison.comparator {
        case .isNull: return "NOT EXISTS (" + row + ")"
        case .isNotNull: return "EXISTS (" + row + ")"
        default: return "EXISTS (" + row + " AND " + (try compare("kv.value", comparison.comparator, comparison.value)) + ")"
        }
    }

    /// Binds a scalar: whole numbers as integers (exact against BIGINT columns), others as doubles.
    private static func bind(_ value: FilterValue) -> any SQLExpression {
        switch value {
        case .string(let text): return SQLBind(text)
        case .number(let number):
            if number == number.rounded(), abs(number) < 9.0e15 { return SQLBind(Int64(number)) }
            return SQLBind(number)
        case .list(let items): return SQLBind(items.first ?? "")
        case .none: return SQLLiteral.null
        }
    }
}
