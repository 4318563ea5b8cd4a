import Yams

/// A YAML node with its dotted path in the spec, so every complaint names where it is. Mappings
/// are read field by field and must not hold fields the reader did not ask for.
struct SpecNode {
    let node: Node
    let path: String

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> SpecError { SpecError(path, message, line: line) }

    func child(_ key: String, _ node: Node) -> SpecNode {
        SpecNode(node: node, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The mapping's entries in order; anything else is an error.
    func mapping() throws(SpecError) -> [(key: String, value: SpecNode)] {
        guard let mapping = node.mapping else { throw error("expected a mapping of names to values") }
        var entries: [(key: String, value: SpecNode)] = []
        var seen = Set<String>()
        for (key, value) in mapping {
            guard let name = key.string else { throw error("keys must be strings") }
            guard seen.insert(name).inserted else { throw SpecError(child(name, value).path, "given twice", line: key.mark?.line) }
            entries.append((name, child(name, value)))
        }
        return entries
    }

    /// The mapping's fields by name, refusing any field not in `allowed`.
    func fields(allowed: Set<String>) throws(SpecError) -> [String: SpecNode] {
        var fields: [String: SpecNode] = [:]
        for (key, value) in try mapping() {
            guard allowed.contains(key) else {
                throw SpecError(value.path, "unknown field '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))", line: value.line)
            }
            fields[key] = value
        }
        return fields
    }

    func sequence() throws(SpecError) -> [SpecNode] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { SpecNode(node: $1, path: "\(path)[\($0)]") }
    }

    func string() throws(SpecError) -> String {
        guard let scalar = node.scalar else { throw error("expected text") }
        return scalar.string
    }

    func number() throws(SpecError) -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite, abs(value) < 1e15 else { throw error("expected a number") }
        return value
    }

    func integer() throws(SpecError) -> Int {
        guard let value = node.int else { throw error("expected an integer") }
        return value
    }

    func bool() throws(SpecError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    /// A scalar or list as a condition value: numbers, booleans and text keep their YAML types.
    func value() throws(SpecError) -> ExpressionValue {
        if let sequence = node.sequence {
            var items: [ExpressionValue] = []
            for (index, item) in sequence.enumerated() { items.append(try SpecNode(node: item, path: "\(path)[\(index)]").value()) }
            return .list(items)
        }
        guard let scalar = node.scalar else { throw error("expected a value or a list of values") }
        if node.null != nil, scalar.style == .plain { return .null }
        if scalar.style == .plain {
            if let int = node.int { return .number(Double(int)) }
            if let float = node.float { return .number(float) }
            if let bool = node.bool { return .bool(bool) }
        }
        return .string(scalar.string)
    }

    /// Longest duration accepted anywhere in a spec: 30 days.
    static let maxDuration: Double = 30 * 86_400

    /// `30`, `30s`, `5m`, `2h`, `1.5s`: seconds, from 0 to 30 days.
    func duration() throws(SpecError) -> Double {
        var seconds: Double?
        if let number = node.float ?? node.int.map(Double.init), node.scalar?.style == .plain {
            seconds = number
        } else {
            let text = try string().trimmingCharacters(in: .whitespaces)
            let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                seconds = Double(text.dropLast(suffix.count)).map { $0 * factor }
                break
            }
        }
        guard let seconds, seconds.isFinite, seconds >= 0, seconds <= Self.maxDuration else {
            throw error("expected a duration like 30s, 5m or 1h (at most 30 days), got '\(node.scalar?.string ?? "")'")
        }
        return seconds
    }
}
