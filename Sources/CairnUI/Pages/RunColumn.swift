import CairnCore

/// A metric, param or tag column of the runs table, written in the URL as `metrics.<key>`,
/// `params.<key>` or `tags.<key>` (the search grammar's entity prefixes).
struct RunColumn: Hashable, Comparable {
    enum Kind: String, CaseIterable {
        case metrics, params, tags

        var title: String {
            switch self {
            case .metrics: "Metrics"
            case .params: "Parameters"
            case .tags: "Tags"
            }
        }
    }

    var kind: Kind
    var key: String

    init(kind: Kind, key: String) {
        self.kind = kind
        self.key = key
    }

    /// Parses `kind.key`; anything else is a bad request.
    init(spec: String) throws {
        guard let dot = spec.firstIndex(of: "."), let kind = Kind(rawValue: String(spec[..<dot])), spec.index(after: dot) < spec.endIndex else {
            throw CairnError.invalidParameter("Invalid column '\(spec)': expected metrics.<key>, params.<key> or tags.<key>.")
        }
        self.init(kind: kind, key: String(spec[spec.index(after: dot)...]))
    }

    var spec: String { "\(kind.rawValue).\(key)" }
    /// The `order_by` entity for sorting by this column; backquoted so keys with dots or spaces work.
    var orderKey: String { "\(kind.rawValue).`\(key)`" }

    static func < (lhs: RunColumn, rhs: RunColumn) -> Bool {
        (Kind.allCases.firstIndex(of: lhs.kind)!, lhs.key) < (Kind.allCases.firstIndex(of: rhs.kind)!, rhs.key)
    }
}
