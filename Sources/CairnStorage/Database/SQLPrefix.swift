import SQLKit

/// "Starts with" as an index-friendly range on a text column: `prefix <= column < next(prefix)`,
/// where `next` bumps the prefix's last character (`a/` → `a0`). Unlike `LIKE 'prefix%'` it
/// needs no escaping of `%` and `_` and uses the column's index on both engines.
public enum SQLPrefix {
    public static func startsWith(_ column: String, _ prefix: String) -> SQLQueryString {
        "(\(ident: column) >= \(bind: prefix) AND \(ident: column) < \(bind: upperBound(of: prefix)))"
    }

    /// The smallest string greater than every string that starts with `prefix`.
    static func upperBound(of prefix: String) -> String {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else {
            return "\u{10FFFF}"
        }
        return String(prefix.unicodeScalars.dropLast()) + String(next)
    }
}
