/// A parsed pipeline condition, e.g. `steps.evaluate.metrics.auc > 0.85 and params.mode == "full"`.
/// The language has literals, dotted references, comparisons, `in`, `and`, `or`, `not` and
/// parentheses, and nothing else: no calls, no assignment, no loops, so a condition can only read.
public indirect enum Expression: Sendable, Equatable {
    case literal(ExpressionValue)
    /// A dotted path such as `params.mode` or `steps.train.metrics.auc`.
    case reference([String])
    case list([Expression])
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case compare(Expression, ComparisonOperator, Expression)

    public enum ComparisonOperator: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case contains = "in", notContains = "not in"
    }

    /// Every reference the expression reads, for validation against the spec.
    public var references: [[String]] {
        switch self {
        case .literal: []
        case .reference(let path): [path]
        case .list(let items): items.flatMap(\.references)
        case .not(let inner): inner.references
        case .and(let lhs, let rhs), .or(let lhs, let rhs), .compare(let lhs, _, let rhs): lhs.references + rhs.references
        }
    }
}
