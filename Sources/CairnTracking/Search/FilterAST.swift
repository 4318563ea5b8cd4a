// The parsed form of an MLflow search filter and `order_by` list.
//
// Names are normalised: entity prefixes become a `FilterEntity` whatever alias was written
// (`params`, `parameter`, `attr`, `run`, …), and attribute aliases become the canonical key
// (`created` → `start_time`, `Run name` → `run_name`), so the SQL layer sees one spelling.

/// What a filter or order key refers to. A bare identifier (no prefix) is an attribute.
public enum FilterEntity: String, Sendable, Equatable {
    case metric, param, tag, attribute, dataset
}

public enum FilterComparator: String, Sendable, Equatable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case like = "LIKE", ilike = "ILIKE", `in` = "IN", notIn = "NOT IN", isNull = "IS NULL", isNotNull = "IS NOT NULL"
}

/// The right-hand side of a comparison.
///
/// `.string` holds the text between the quotes exactly as written: like MLflow, Cairn does not
/// unescape `''` or `\'` inside a value. `.list` is the value of `IN` / `NOT IN`;
/// `.none` is the value of `IS NULL` / `IS NOT NULL`.
public enum FilterValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case list([String])
    case none
}

public struct FilterComparison: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var comparator: FilterComparator
    public var value: FilterValue

    public init(entity: FilterEntity, key: String, comparator: FilterComparator, value: FilterValue) {
        self.entity = entity
        self.key = key
        self.comparator = comparator
        self.value = value
    }
}

/// A conjunction (AND) of comparisons; an empty filter has none.
public struct Filter: Sendable, Equatable {
    public var comparisons: [FilterComparison]

    public init(comparisons: [FilterComparison] = []) {
        self.comparisons = comparisons
    }
}

/// One `order_by` entry, such as `metrics.m1 DESC`.
public struct OrderClause: Sendable, Equatable {
    public var entity: FilterEntity
    public var key: String
    public var ascending: Bool

    public init(entity: FilterEntity, key: String, ascending: Bool) {
        self.entity = entity
        self.key = key
        self.ascending = ascending
    }
}
