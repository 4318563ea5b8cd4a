import CairnCore

/// Parses an MLflow search filter: comparisons joined by `AND`.
///
/// Grammar (keywords case-insensitive):
///
///     filter     := comparison (AND comparison)*
///     comparison := identifier ( symbol value | [NOT] LIKE value | ILIKE value
///                              | [NOT] IN '(' string (',' string)* [','] ')'
///                              | IS [NOT] NULL )
///     identifier := [prefix '.'] key        -- no prefix: an attribute
///     value      := 'string' | "string" | number
///
/// Like MLflow, it first checks the whole string's shape (`OR`, parentheses and dangling
/// pieces are "Invalid clause(s)"), then checks each comparison against the search kind's
/// `SearchRules`: entity, key, comparator, then value type.
public enum FilterParser {
    /// A nil, empty or all-whitespace filter is an empty `Filter`.
    public static func parse(_ filter: String?, rules: SearchRules) throws -> Filter {
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return Filter() }
        var reader = try ClauseReader(filter)
        let raw = try reader.readAll()
        return Filter(comparisons: try raw.map { try rules.check($0) })
    }
}

/// A comparison as written, before a search kind's rules give it meaning.
struct RawComparison: Sendable {
    var identifier: [IdentifierPart]
    var identifierText: String
    var comparator: RawComparator
    var value: RawOperand
}

enum RawComparator: Sendable, Equatable {
    case known(FilterComparator)
    /// Written like a comparator but not one (`>>`, `==`, `NOT LIKE`); kept for the error message.
    case unknown(String)
}

enum RawOperand: Sendable {
    case token(FilterToken)
    /// An `IN` list: the strings, and the list as written.
    case list([String], text: String)
    /// `IS NULL` / `IS NOT NULL` take no value.
    case none
}

/// Reads the comparisons out of a token stream, checking only the shape of the filter.
private struct ClauseReader {
    let source: [Unicode.Scalar]
    let tokens: [FilterToken]
    var position = 0

    init(_ filter: String) throws {
        source = Array(filter.unicodeScalars)
        do throws(FilterSyntaxError) {
            tokens = try FilterLexer.tokenize(filter)
        } catch {
            throw CairnError.invalidParameter("Invalid clause(s) in filter string: '\(error.fragment)' (\(error.reason))")
        }
    }

    mutating func readAll() throws -> [RawComparison] {
        var comparisons: [RawComparison] = []
        while true {
            comparisons.append(try readComparison())
            guard let token = peek() else { return comparisons }
            guard token.kind == .keyword(.and) else {
                // `OR`, `NAND`, `(…)`, or a second comparison without AND.
                throw invalidClause(token.kind == .leftParen ? group(at: position) : token.text)
            }
            position += 1
            if peek() == nil {
                throw invalidClause(token.text, "expected a comparison after it")
            }
        }
    }

    private mutating func readComparison() throws -> RawComparison {
        guard let first = next() else { throw invalidClause("", "expected a comparison") }
        let identifier: [IdentifierPart]
        switch first.kind {
        case .identifier(let parts):
            identifier = parts
        case .doubleQuoted(let text):
            identifier = [IdentifierPart(text: text, quoted: true)]
        case .number, .singleQuoted:
            throw CairnError.invalidParameter("Invalid comparison clause. Expected 'Identifier' found '\(first.text)'")
        case .leftParen:
            throw invalidClause(group(at: position - 1), "parentheses are only allowed around an IN list")
        default:
            throw invalidClause(first.text)
        }

        let start = first.start
        guard let operatorToken = next() else {
            throw invalidClause(text(from: start), "expected a comparator after '\(first.text)'")
        }
        let comparator: RawComparator
        let value: RawOperand
        switch operatorToken.kind {
        case .symbol(let symbol):
            comparator = FilterComparator(rawValue: symbol).map(RawComparator.known) ?? .unknown(symbol)
            value = try readValue(from: start)
        case .keyword(.like):
            comparator = .known(.like)
            value = try readValue(from: start)
        case .keyword(.ilike):
            comparator = .known(.ilike)
            value = try readValue(from: start)
        case .keyword(.in):
            comparator = .known(.in)
            value = try readList(from: start)
        case .keyword(.not):
            let negated = next()
            switch negated?.kind {
            case .keyword(.in)?:
                comparator = .known(.notIn)
                value = try readList(from: start)
            case .keyword(.like)?, .keyword(.ilike)?:
                comparator = .unknown("NOT " + (negated?.text.uppercased() ?? ""))
                value = try readValue(from: start)
            default:
                throw invalidClause(text(from: start), "NOT must be followed by IN")
            }
        case .keyword(.is):
            switch (next()?.kind, peek()?.kind) {
            case (.keyword(.null)?, _):
                comparator = .known(.isNull)
            case (.keyword(.not)?, .keyword(.null)?):
                position += 1
                comparator = .known(.isNotNull)
            default:
                throw invalidClause(text(from: start), "IS must be followed by NULL or NOT NULL")
            }
            value = .none
        default:
            throw invalidClause(text(from: start), "expected a comparator after '\(first.text)'")
        }
        return RawComparison(identifier: identifier, identifierText: first.text, comparator: comparator, value: value)
    }

    /// A single value: a quoted string, a number, or (to be rejected with MLflow's message
    /// by the rules) an unquoted word or a parenthesised list.
    private mutating func readValue(from start: Int) throws -> RawOperand {
        guard let token = next() else {
            throw invalidClause(text(from: start), "expected a value")
        }
        switch token.kind {
        case .singleQuoted, .doubleQuoted, .number, .identifier:
            return .token(token)
        case .leftParen:
            position -= 1
            return try readList(from: start)
        default:
            throw invalidClause(text(from: start, through: token), "expected a value")
        }
    }

    /// `'(' string (',' string)* [','] ')'`, with MLflow's messages for empty and malformed lists.
    private mutating func readList(from start: Int) throws -> RawOperand {
        let open = position
        guard let first = next(), first.kind == .leftParen else {
            throw invalidClause(text(from: start), "IN needs a parenthesised list of quoted strings, e.g. ('a', 'b')")
        }
        let illFormed = CairnError.invalidParameter(
            "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list."
        )
        if peek()?.kind == .rightParen {
            throw CairnError.invalidParameter(
                "While parsing a list in the query, expected a non-empty list of string values, but got empty list"
            )
        }
        var items: [String] = []
        while true {
            guard let item = next() else { throw illFormed }
            switch item.kind {
            case .singleQuoted(let text), .doubleQuoted(let text):
                items.append(text)
            case .number, .identifier, .keyword, .symbol:
                throw CairnError.invalidParameter(
                    "While parsing a list in the query, expected string value, punctuation, or whitespace, "
                        + "but got different type in list: \(group(at: open))"
                )
            case .leftParen, .rightParen, .comma:
                throw illFormed
            }
            guard let separator = next() else { throw illFormed }
            if separator.kind == .rightParen { break }
            guard separator.kind == .comma else { throw illFormed }
            if peek()?.kind == .rightParen {
                position += 1
                break
            }
        }
        return .list(items, text: text(from: tokens[open].start, to: tokens[position - 1].end))
    }

    // MARK: Tokens and source text

    private func peek() -> FilterToken? {
        position < tokens.count ? tokens[position] : nil
    }

    private mutating func next() -> FilterToken? {
        guard let token = peek() else { return nil }
        position += 1
        return token
    }

    private func text(from start: Int, to end: Int? = nil) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[start..<(end ?? source.count)])
        return String(view)
    }

    private func text(from start: Int, through token: FilterToken) -> String {
        text(from: start, to: token.end)
    }

    /// The parenthesised group opening at token `index`, up to its matching `)` (or the end).
    private func group(at index: Int) -> String {
        var depth = 0
        for token in tokens[index...] {
            if token.kind == .leftParen { depth += 1 }
            if token.kind == .rightParen { depth -= 1 }
            if depth == 0 { return text(from: tokens[index].start, to: token.end) }
        }
        return text(from: tokens[index].start)
    }

    private func invalidClause(_ fragment: String, _ hint: String? = nil) -> CairnError {
        .invalidParameter("Invalid clause(s) in filter string: '\(fragment)'" + (hint.map { " (\($0))" } ?? ""))
    }
}
