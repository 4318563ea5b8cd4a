import Foundation
import Hummingbird

/// A page's query string read as HTML forms write it (`application/x-www-form-urlencoded`): `+`
/// is a space and `%2B` a plus. Hummingbird's `queryParameters` keeps `+` as is, so a filter
/// typed into a GET form (`name LIKE 'a%'` → `name+LIKE+%27a%25%27`) would arrive mangled.
struct FormQuery {
    private let fields: [(name: String, value: String)]

    init(_ request: Request) {
        fields = (request.uri.query ?? "").split(separator: "&").map { field in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, or nil.
    func get(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    func getAll(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The value of `name`, or "" when absent.
    subscript(_ name: String) -> String { self.get(name) ?? "" }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
