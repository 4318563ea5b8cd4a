/// Splits a filter or `order_by` string into tokens, following the token shapes of `sqlparse`,
/// which MLflow parses filters with.
///
/// - Identifiers are dotted chains: `metrics.acc`, `tags.mlflow.runName`, `` params.`my param` ``,
///   `tags."mlflow.runName"`, `` `metrics`.acc ``. A chain starts with a word or a backtick-quoted
///   part; after a dot a part may also be double-quoted or start with a digit.
/// - A lone `"…"` is its own token: the parser reads it as an identifier on the left of a
///   comparison and as a string value on the right.
/// - Quoted text is kept exactly as written between its quotes. As in sqlparse, a doubled quote
///   (`''`) or a backslash before the quote (`\'`) does not end the string; MLflow keeps both
///   characters in the value rather than unescaping them.
/// - A run of `< > = ! ~` is one symbol (`>>` included), so a bad comparator can be reported as written.
enum FilterLexer {
    static func tokenize(_ source: String) throws(FilterSyntaxError) -> [FilterToken] {
        var scanner = FilterScanner(source)
        var tokens: [FilterToken] = []
        while let token = try scanner.next() {
            tokens.append(token)
        }
        return tokens
    }
}

/// One part of a dotted identifier; `quoted` says it was written in backticks or double quotes.
struct IdentifierPart: Sendable, Equatable {
    var text: String
    var quoted: Bool
}

/// Words with a meaning in the filter grammar, matched case-insensitively.
enum FilterKeyword: String, Sendable, Equatable {
    case and = "AND", or = "OR", like = "LIKE", ilike = "ILIKE", `in` = "IN", not = "NOT", `is` = "IS", null = "NULL"
}

struct FilterToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier([IdentifierPart])
        case keyword(FilterKeyword)
        case singleQuoted(String)
        case doubleQuoted(String)
        case number(Double)
        /// A run of comparison characters, e.g. `>=` or `>>`.
        case symbol(String)
        case leftParen, rightParen, comma
    }

    var kind: Kind
    /// The token as written, for error messages.
    var text: String
    /// Unicode-scalar offsets of the token in the source, `start..<end`.
    var start: Int
    var end: Int
}

/// A string the lexer cannot split: `fragment` is the offending text, `reason` says why.
struct FilterSyntaxError: Error, Sendable, Equatable {
    var fragment: String
    var reason: String
}

private struct FilterScanner {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    func text(_ start: Int, _ end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<min(end, scalars.count)])
        return String(view)
    }

    func scalar(at offset: Int) -> Unicode.Scalar? {
        offset < scalars.count ? scalars[offset] : nil
    }

    mutating func next() throws(FilterSyntaxError) -> FilterToken? {
        while let c = scalar(at: index), c.properties.isWhitespace {
            index += 1
        }
        guard let c = scalar(at: index) else { return nil }
        let start = index
        switch c {
        case "(": return single(.leftParen)
        case ")": return single(.rightParen)
        case ",": return single(.comma)
        case "'":
            let content = try quoted(by: "'")
            return token(.singleQuoted(content), from: start)
        case "\"":
            let content = try quoted(by: "\"")
            return token(.doubleQuoted(content), from: start)
        case "`":
            return try identifier()
        case "<", ">", "=", "!", "~":
            while let s = scalar(at: index), "<>=!~".unicodeScalars.contains(s) {
                index += 1
            }
            return token(.symbol(text(start, index)), from: start)
        case ";":
            throw FilterSyntaxError(fragment: ";", reason: "a filter is one expression; join comparisons with AND")
        default:
            if startsNumber(at: index) {
                return try number()
            }
            if isWordStart(c) {
                return try identifier()
            }
            throw FilterSyntaxError(fragment: String(c), reason: "unexpected character")
        }
    }

    private mutating func single(_ kind: FilterToken.Kind) -> FilterToken {
        index += 1
        return token(kind, from: index - 1)
    }

    private func token(_ kind: FilterToken.Kind, from start: Int) -> FilterToken {
        FilterToken(kind: kind, text: text(start, index), start: start, end: index)
    }

    /// Reads a string opened by `quote` at `index`; returns the raw text between the quotes.
    private mutating func quoted(by quote: Unicode.Scalar) throws(FilterSyntaxError) -> String {
        let start = index
        var i = index + 1
        while let c = scalar(at: i) {
            let following = scalar(at: i + 1)
            if c == "\\", quote != "`", following == "\\" || following == quote {
                i += 2
            } else if c == quote {
                if following == quote {
                    i += 2
                } else {
                    index = i + 1
                    return text(start + 1, i)
                }
            } else {
                i += 1
            }
        }
        throw FilterSyntaxError(fragment: text(start, scalars.count), reason: "unterminated quoted text")
    }

    /// Reads a dotted identifier chain, or a keyword when it is a single bare word.
    private mutating func identifier() throws(FilterSyntaxError) -> FilterToken {
        let start = index
        var parts: [IdentifierPart] = []
        while true {
            guard let c = scalar(at: index) else {
                throw FilterSyntaxError(fragment: text(start, index), reason: "expected a key after '.'")
            }
            if c == "`" {
                parts.append(IdentifierPart(text: try quoted(by: "`"), quoted: true))
            } else if c == "\"", !parts.isEmpty {
                parts.append(IdentifierPart(text: try quoted(by: "\""), quoted: true))
            } else if isWordCharacter(c) {
                let wordStart = index
                while let w = scalar(at: index), isWordCharacter(w) {
                    index += 1
                }
                parts.append(IdentifierPart(text: text(wordStart, index), quoted: false))
            } else {
                throw FilterSyntaxError(fragment: text(start, index), reason: "expected a key after '.'")
            }
            guard scalar(at: index) == "." else { break }
            index += 1
        }
        if parts.count == 1, !parts[0].quoted, let keyword = FilterKeyword(rawValue: parts[0].text.uppercased()) {
            return token(.keyword(keyword), from: start)
        }
        return token(.identifier(parts), from: start)
    }

    /// `-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`, not directly followed by a word character or a dot.
    private mutating func number() throws(FilterSyntaxError) -> FilterToken {
        let start = index
        if scalar(at: index) == "-" { index += 1 }
        var mantissa = ""
        while let d = scalar(at: index), isDigit(d) {
            mantissa.unicodeScalars.append(d)
            index += 1
        }
        if scalar(at: index) == "." {
            index += 1
            mantissa += "."
            while let d = scalar(at: index), isDigit(d) {
                mantissa.unicodeScalars.append(d)
                index += 1
            }
        }
        var exponent = ""
        if let e = scalar(at: index), e == "e" || e == "E" {
            var i = index + 1
            var sign = ""
            if let s = scalar(at: i), s == "+" || s == "-" {
                sign = String(s)
                i += 1
            }
            if let d = scalar(at: i), isDigit(d) {
                exponent = "e" + sign
                while let d = scalar(at: i), isDigit(d) {
                    exponent.unicodeScalars.append(d)
                    i += 1
                }
                index = i
            }
        }
        if let c = scalar(at: index), isWordCharacter(c) || c == "." {
            while let c = scalar(at: index), isWordCharacter(c) || c == "." {
                index += 1
            }
            throw FilterSyntaxError(fragment: text(start, index), reason: "not a number")
        }
        // Swift's Double parser wants digits on both sides of the point.
        if mantissa.hasPrefix(".") { mantissa = "0" + mantissa }
        if mantissa.hasSuffix(".") { mantissa += "0" }
        let negative = scalars[start] == "-"
        guard let value = Double((negative ? "-" : "") + mantissa + exponent), value.isFinite else {
            throw FilterSyntaxError(fragment: text(start, index), reason: "not a number")
        }
        return token(.number(value), from: start)
    }

    private func startsNumber(at offset: Int) -> Bool {
        var i = offset
        if scalar(at: i) == "-" { i += 1 }
        if let c = scalar(at: i), isDigit(c) { return true }
        if scalar(at: i) == ".", let c = scalar(at: i + 1), isDigit(c) { return true }
        return false
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c)
    }

    private func isWordStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic
    }

    private func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.generalCategory == .decimalNumber
    }
}
