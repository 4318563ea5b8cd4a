import CairnCore

extension FeatureExpression {
    /// Parses `text`, refusing what is not in the language with where it stopped.
    public init(parsing text: String) throws(CairnError) {
        var parser = Parser(tokens: try Self.tokens(text), text: text)
        self = try parser.expression(0)
        guard parser.position == parser.tokens.count else { throw parser.refuse("unexpected '\(parser.tokens[parser.position])'") }
    }

    enum Token: Equatable, CustomStringConvertible {
        case number(Double), text(String), name(String), symbol(String)

        var description: String {
            switch self {
            case .number(let value): String(value)
            case .text(let value): "'\(value)'"
            case .name(let value), .symbol(let value): value
            }
        }
    }

    static func tokens(_ text: String) throws(CairnError) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." || characters[end] == "e"
                    || ((characters[end] == "-" || characters[end] == "+") && end > index && characters[end - 1] == "e") { end += 1 }
                guard let number = Double(String(characters[index..<end])) else {
                    throw .invalidParameter("Expression '\(text)': '\(String(characters[index..<end]))' is not a number.")
                }
                tokens.append(.number(number))
                index = end
            } else if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" || characters[end] == "." { end += 1 }
                tokens.append(.name(String(characters[index..<end])))
                index = end
            } else if character == "'" || character == "\"" {
                guard let close = characters[(index + 1)...].firstIndex(of: character) else {
                    throw .invalidParameter("Expression '\(text)': a string is not closed.")
                }
                tokens.append(.text(String(characters[(index + 1)..<close])))
                index = close + 1
            } else {
                let pair = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["<=", ">=", "==", "!="].contains(pair) {
                    tokens.append(.symbol(pair))
                    index += 2
                } else if "+-*/%()<>,".contains(character) {
                    tokens.append(.symbol(String(character)))
                    index += 1
                } else {
                    throw .invalidParameter("Expression '\(text)': '\(character)' is not part of the language.")
                }
            }
        }
        return tokens
    }

    /// Precedence climbing over the binary operators.
    struct Parser {
        let tokens: [Token]
        let text: String
        var position = 0

        static let precedence: [String: Int] = ["or": 1, "and": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6]

        func refuse(_ why: String) -> CairnError { .invalidParameter("Expression '\(text)': \(why).") }

        var next: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func expression(_ minimum: Int) throws(CairnError) -> FeatureExpression {
            var lhs = try unary()
            while let token = next {
                let op: String
                switch token {
                case .symbol(let symbol): op = symbol
                case .name(let name) where name == "and" || name == "or": op = name
                default: return lhs
                }
                guard let level = Self.precedence[op], level > minimum else { return lhs }
                position += 1
                lhs = .binary(op, lhs, try expression(level))
            }
            return lhs
        }

        mutating func unary() throws(CairnError) -> FeatureExpression {
            guard let token = next else { throw refuse("it ends too early") }
            position += 1
            switch token {
            case .number(let value): return .number(value)
            case .text(let value): return .text(value)
            case .symbol("-"): return .negate(try unary())
            case .name("not"): return .not(try unary())
            case .symbol("("):
                let inner = try expression(0)
                guard next == .symbol(")") else { throw refuse("a '(' is not closed") }
                position += 1
                return inner
            case .name(let name):
                guard next == .symbol("(") else { return .reference(name) }
                guard let arity = FeatureExpression.functions[name] else { throw refuse("unknown function '\(name)'") }
                position += 1
                var arguments: [FeatureExpression] = []
                if next != .symbol(")") {
                    arguments.append(try expression(0))
                    while next == .symbol(",") {
                        position += 1
                        arguments.append(try expression(0))
                    }
                }
                guard next == .symbol(")") else { throw refuse("'\(name)(' is not closed") }
                position += 1
                guard arity.contains(arguments.count) else { throw refuse("\(name) takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)") arguments, not \(arguments.count)") }
                return .call(name, arguments)
            default:
                throw refuse("unexpected '\(token)'")
            }
        }
    }
}
