import CairnCore
import Foundation
import Yams

/// Typed reads of one YAML mapping, each refusing a wrong shape with where it is.
struct YAMLFields {
    let mapping: Node.Mapping
    let location: String

    init(_ node: Node, at location: String) throws(CairnError) {
        guard let mapping = node.mapping else { throw .invalidParameter("\(location) must be a mapping.") }
        self.mapping = mapping
        self.location = location
    }

    private func value(_ key: String) -> Node? {
        guard let node = mapping[key] else { return nil }
        if case .scalar(let scalar) = node, scalar.string == "null" || scalar.string == "~", scalar.style == .plain { return nil }
        return node
    }

    func optionalString(_ key: String) throws(CairnError) -> String? {
        guard let node = value(key) else { return nil }
        guard let text = node.scalar?.string else { throw .invalidParameter("\(location): '\(key)' must be a string.") }
        return text
    }

    func string(_ key: String) throws(CairnError) -> String {
        guard let text = try optionalString(key), !text.isEmpty else { throw .invalidParameter("\(location): '\(key)' is required.") }
        return text
    }

    func strings(_ key: String) throws(CairnError) -> [String] {
        guard let node = value(key) else { return [] }
        guard let items = node.sequence else { throw .invalidParameter("\(location): '\(key)' must be a list.") }
        var texts: [String] = []
        for item in items {
            guard let text = item.scalar?.string else { throw .invalidParameter("\(location): '\(key)' must be a list of strings.") }
            texts.append(text)
        }
        return texts
    }

    func bool(_ key: String) throws(CairnError) -> Bool? {
        guard let node = value(key) else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true"?, "yes"?: return true
        case "false"?, "no"?: return false
        default: throw .invalidParameter("\(location): '\(key)' must be true or false.")
        }
    }

    /// Seconds: a number, or `30s`, `15m`, `2h`, `7d`, `1w`; absent is 0 (no limit).
    func duration(_ key: String) throws(CairnError) -> Int64 {
        guard let text = try optionalString(key) else { return 0 }
        let digits = text.prefix { $0.isNumber }
        let units: [String: Int64] = ["": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let amount = Int64(digits), let unit = units[String(text.dropFirst(digits.count)).trimmingCharacters(in: .whitespaces)] else {
            throw .invalidParameter("\(location): '\(key)' must be a duration like 30s, 15m, 2h or 7d (got '\(text)').")
        }
        guard amount <= 100 * 366 * 86_400 / unit else { throw .invalidParameter("\(location): '\(key)' is longer than 100 years (got '\(text)').") }
        return amount * unit
    }

    /// A list of mappings, each read with its own location (`feature_views[2]`).
    func list(_ key: String) throws(CairnError) -> [YAMLFields] {
        guard let node = value(key) else { return [] }
        guard let items = node.sequence else { throw .invalidParameter("\(location): '\(key)' must be a list.") }
        var fields: [YAMLFields] = []
        for (index, item) in items.enumerated() {
            let name = (item.mapping?["name"]?.scalar?.string).map { " '\($0)'" } ?? ""
            fields.append(try YAMLFields(item, at: "\(key)[\(index)]\(name)"))
        }
        return fields
    }
}
