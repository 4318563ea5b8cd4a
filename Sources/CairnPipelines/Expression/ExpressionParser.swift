/// Parses a condition into an `Expression`. Grammar, loosest first:
///
///     or      := and ("or" and)*
///     and     := not ("and" not)*
///     not     := "not" not | compare
///     compare := primary (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") primary)?
///     primary := number | string | true | false | null | path | "[" list "]" | "(" or ")"
///     path    := identifier ("." identifier)*
public enum ExpressionParser {
    /// Longest condition accepted; conditions are short, and a bound keeps parsing cheap.
    public static let maxLength = 4096

    public static func parse(_ source: String) throws(ExpressionError) -> Expression {
        guard source.count <= maxLength else { throw ExpressionError("condition longer than \(maxLength) characters") }
        var parser = State(tokens: try ExpressionLexer.tokenize(source))
        guard parser.peek != .end else { throw ExpressionError("empty condition") }
        let expression = try parser.parseOr(depth: 0)
        guard parser.peek == .end else { throw ExpressionError("unexpected \(parser.describe(parser.peek))", at: parser.offset) }
        return expression
    }

    private struct State {
        let tokens: [ExpressionLexer.Located]
        var position = 0
        static let maxDepth = 64

        var peek: ExpressionLexer.Token { tokens[position].token }
        var offset: Int { tokens[position].offset }

        mutating func advance() -> ExpressionLexer.Token {
            defer { position += 1 }
            return tokens[position].token
        }

        func isKeyword(_ word: String, at lookahead: Int = 0) -> Bool {
            guard position + lookahead < tokens.count, case .identifier(let name) = tokens[position + lookahead].token else { return false }
            return name == word
        }

        mutating func parseOr(depth: Int) throws(ExpressionError) -> Expression {
            guard depth < Self.maxDepth else { throw ExpressionError("condition nested too deeply", at: offset) }
            var expression = try parseAnd(depth: depth)
            while isKeyword("or") {
                _ = advance()
                expression = .or(expression, try parseAnd(depth: depth))
            }
            return expression
        }

        mutating func parseAnd(depth: Int) throws(ExpressionError) -> Expression {
            var expression = try parseNot(depth: depth)
            while isKeyword("and") {
                _ = advance()
                expression = .and(expression, try parseNot(depth: depth))
            }
            return expression
        }

        mutating func parseNot(depth: Int) throws(ExpressionError) -> Expression {
            if isKeyword("not") {
                _ = advance()
                guard depth < Self.maxDepth else { throw ExpressionError("condition nested too deeply", at: offset) }
                return .not(try parseNot(depth: depth + 1))
            }
            return try parseComparison(depth: depth)
        }

        mutating func parseComparison(depth: Int) throws(ExpressionError) -> Expression {
            let lhs = try parsePrimary(depth: depth)
            var comparison: Expression.ComparisonOperator?
            if case .symbol(let symbol) = peek, let op = Expression.ComparisonOperator(rawValue: symbol) {
                comparison = op
                _ = advance()
            } else if isKeyword("in") {
                comparison = .contains
                _ = advance()
            } else if isKeyword("not"), isKeyword("in", at: 1) {
                comparison = .notContains
                _ = advance()
                _ = advance()
            }
            guard let comparison else { return lhs }
            return .compare(lhs, comparison, try parsePrimary(depth: depth))
        }

        mutating func parsePrimary(depth: Int) throws(ExpressionError) -> Expression {
            let start = offset
            switch advance() {
            case .number(let value): return .literal(.number(value))
            case .string(let value): return .literal(.string(value))
            case .identifier(let name):
                switch name {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                case "and", "or", "not", "in": throw ExpressionError("expected a value, found '\(name)'", at: start)
                default:
                    var path = [name]
                    while peek == .symbol(".") {
                        _ = advance()
                        let segmentStart = offset
                        guard case .identifier(let segment) = advance() else {
                            throw ExpressionError("expected a name after '.'", at: segmentStart)
                        }
                        path.append(segment)
                    }
                    return .reference(path)
                }
            case .symbol("("):
                guard depth < Self.maxDepth else { throw ExpressionError("condition nested too deeply", at: start) }
                let inner = try parseOr(depth: depth + 1)
                guard advance() == .symbol(")") else { throw ExpressionError("expected ')'", at: tokens[position - 1].offset) }
                return inner
            case .symbol("["):
                guard depth < Self.maxDepth else { throw ExpressionError("condition nested too deeply", at: start) }
                var items: [Expression] = []
                if peek == .symbol("]") {
                    _ = advance()
                    return .list(items)
                }
                while true {
                    items.append(try parsePrimary(depth: depth + 1))
                    let separatorStart = offset
                    switch advance() {
                    case .symbol(","): continue
                    case .symbol("]"): return .list(items)
                    default: throw ExpressionError("expected ',' or ']' in list", at: separatorStart)
                    }
                }
            case let token:
                throw ExpressionError("expected a value, found \(describe(token))", at: start)
            }
        }

        func describe(_ token: ExpressionLexer.Token) -> String {
            switch token {
            case .number(let value): "number \(value)"
            case .string(let value): "string '\(value)'"
            case .identifier(let name): "'\(name)'"
            case .symbol(let symbol): "'\(symbol)'"
            case .end: "end of condition"
            }
        }
    }
}
