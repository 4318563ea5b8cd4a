/// Evaluates a condition against the values a pipeline run knows (params, upstream step metrics
/// and outputs). Comparing different types is an error, not `false`, so a typo in a metric name
/// or a string where a number was meant fails the step visibly instead of silently skipping it.
public struct ExpressionEvaluator {
    /// Looks a dotted reference up; nil when it names nothing.
    public var resolve: (_ path: [String]) throws -> ExpressionValue?

    public init(resolve: @escaping (_ path: [String]) throws -> ExpressionValue?) {
        self.resolve = resolve
    }

    public func isTrue(_ expression: Expression) throws -> Bool {
        guard case .bool(let result) = try evaluate(expression) else {
            throw ExpressionError("the condition is not true or false")
        }
        return result
    }

    public func evaluate(_ expression: Expression) throws -> ExpressionValue {
        switch expression {
        case .literal(let value): return value
        case .reference(let path):
            guard let value = try resolve(path) else { throw ExpressionError("'\(path.joined(separator: "."))' has no value") }
            return value
        case .list(let items): return .list(try items.map(evaluate))
        case .not(let inner): return .bool(!(try truth(inner, "not")))
        case .and(let lhs, let rhs): return .bool(try truth(lhs, "and") && (try truth(rhs, "and")))
        case .or(let lhs, let rhs): return .bool(try truth(lhs, "or") || (try truth(rhs, "or")))
        case .compare(let lhs, let op, let rhs): return .bool(try compare(try evaluate(lhs), op, try evaluate(rhs)))
        }
    }

    private func truth(_ expression: Expression, _ keyword: String) throws -> Bool {
        let value = try evaluate(expression)
        guard case .bool(let result) = value else {
            throw ExpressionError("'\(keyword)' needs true or false, got \(value.typeName) \(value)")
        }
        return result
    }

    private func compare(_ lhs: ExpressionValue, _ op: Expression.ComparisonOperator, _ rhs: ExpressionValue) throws -> Bool {
        switch op {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        case .contains, .notContains:
            let found: Bool
            switch rhs {
            case .list(let items): found = items.contains(lhs)
            case .string(let text):
                guard case .string(let needle) = lhs else { throw mismatch(lhs, op, rhs) }
                found = text.contains(needle)
            default: throw mismatch(lhs, op, rhs)
            }
            return op == .contains ? found : !found
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order: Int
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)):
                guard !a.isNaN, !b.isNaN else { return false }
                order = a < b ? -1 : a > b ? 1 : 0
            case (.string(let a), .string(let b)): order = a < b ? -1 : a > b ? 1 : 0
            default: throw mismatch(lhs, op, rhs)
            }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    private func mismatch(_ lhs: ExpressionValue, _ op: Expression.ComparisonOperator, _ rhs: ExpressionValue) -> ExpressionError {
        ExpressionError("cannot compare \(lhs.typeName) \(lhs) \(op.rawValue) \(rhs.typeName) \(rhs)")
    }
}
