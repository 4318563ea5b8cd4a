/// Parses `application/x-www-form-urlencoded` query strings as Python's `requests` writes them:
/// `+` is a space, keys may repeat (`order_by=a&order_by=b` becomes an array).
public enum QueryString {
    public static func parse(_ query: String) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = JSONValue.string(parts.count > 1 ? decode(parts[1]) : "")
            switch result[key] {
            case nil: result[key] = value
            case .array(let values): result[key] = .array(values + [value])
            case let existing?: result[key] = .array([existing, value])
            }
        }
        return result
    }

    static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
