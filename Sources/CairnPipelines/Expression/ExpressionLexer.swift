/// Splits a condition into tokens. Strings are quoted with ' or " (backslash escapes the quote);
/// identifiers are letters, digits, `_` and `-`, joined into paths by `.`.
struct ExpressionLexer {
    enum Token: Equatable {
        case number(Double)
        case string(String)
        case identifier(String)
        case symbol(String)  // ( ) [ ] , . == != < <= > >=
        case end
    }

    struct Located: Equatable {
        var token: Token
        /// Character offset of the token's start, for error messages.
        var offset: Int
    }

    static func tokenize(_ source: String) throws(ExpressionError) -> [Located] {
        let characters = Array(source)
        var tokens: [Located] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let start = index
            if character.isWhitespace {
                index += 1
            } else if character.isNumber || (character == "-" && index + 1 < characters.count && characters[index + 1].isNumber
                                             && !(tokens.last.map(endsOperand) ?? false)) {
                index += 1
                while index < characters.count, characters[index].isNumber || characters[index] == "." || characters[index] == "e"
                        || characters[index] == "E" || ((characters[index] == "-" || characters[index] == "+") && "eE".contains(characters[index - 1])) {
                    index += 1
                }
                let text = String(characters[start..<index])
                guard let value = Double(text) else { throw ExpressionError("invalid number '\(text)'", at: start) }
                tokens.append(Located(token: .number(value), offset: start))
            } else if character == "'" || character == "\"" {
                index += 1
                var text = ""
                while index < characters.count, characters[index] != character {
                    if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                    text.append(characters[index])
                    index += 1
                }
                guard index < characters.count else { throw ExpressionError("unterminated string", at: start) }
                index += 1
                tokens.append(Located(token: .string(text), offset: start))
            } else if character.isLetter || character == "_" {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "-" {
                    index += 1
                }
                tokens.append(Located(token: .identifier(String(characters[start..<index])), offset: start))
            } else {
                let pair = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["==", "!=", "<=", ">="].contains(pair) {
                    tokens.append(Located(token: .symbol(pair), offset: start))
                    index += 2
                } else if "()[],.<>".contains(character) {
                    tokens.append(Located(token: .symbol(String(character)), offset: start))
                    index += 1
                } else {
                    throw ExpressionError("unexpected character '\(character)'", at: start)
                }
            }
        }
        tokens.append(Located(token: .end, offset: characters.count))
        return tokens
    }

    /// Whether a `-` after this token is a minus sign between operands (there is none in the
    /// language, so it can only start a negative number when no operand precedes it).
    private static func endsOperand(_ located: Located) -> Bool {
        switch located.token {
        case .number, .string, .identifier: true
        case .symbol(let symbol): symbol == ")" || symbol == "]"
        case .end: false
        }
    }
}

/// A condition that cannot be parsed or evaluated, with where it went wrong.
public struct ExpressionError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int?

    init(_ message: String, at offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    public var description: String { offset.map { "\(message) at character \($0 + 1)" } ?? message }
}
