import CairnCore

/// Parses `order_by` entries of the form `<identifier> [ASC|DESC]`, e.g. `metrics.m1 DESC`,
/// `` params.`my param` ``, `attributes.start_time asc`. The direction is case-insensitive and
/// defaults to ascending; identifiers follow the filter syntax and the search kind's `SearchRules`.
public enum OrderByParser {
    public static func parse(_ clauses: [String], rules: SearchRules) throws -> [OrderClause] {
        try clauses.map { try parse(clause: $0, rules: rules) }
    }

    static func parse(clause: String, rules: SearchRules) throws -> OrderClause {
        let unparsable = CairnError.invalidParameter("Invalid order_by clause '\(clause)'. Could not be parsed.")
        let tokens: [FilterToken]
        do throws(FilterSyntaxError) {
            tokens = try FilterLexer.tokenize(clause)
        } catch {
            throw unparsable
        }
        guard let first = tokens.first, tokens.count <= 2 else { throw unparsable }

        let parts: [IdentifierPart]
        switch first.kind {
        case .identifier(let identifier): parts = identifier
        case .doubleQuoted(let key): parts = [IdentifierPart(text: key, quoted: true)]
        default: throw unparsable
        }

        var ascending = true
        if tokens.count == 2 {
            guard case .identifier(let words) = tokens[1].kind, words.count == 1, !words[0].quoted else {
                throw unparsable
            }
            switch words[0].text.lowercased() {
            case "asc": ascending = true
            case "desc": ascending = false
            default: throw CairnError.invalidParameter("Invalid ordering key in order_by clause '\(clause)'.")
            }
        }

        let (entity, key) = try rules.resolve(parts, text: first.text, for: .orderBy)
        return OrderClause(entity: entity, key: key, ascending: ascending)
    }
}
