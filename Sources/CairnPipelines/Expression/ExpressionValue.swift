import Foundation

/// A value in a pipeline condition: what params, step metrics and step outputs evaluate to.
public enum ExpressionValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([ExpressionValue])
    case null

    public var description: String {
        switch self {
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): "\"\(value)\""
        case .bool(let value): String(value)
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }

    var typeName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "bool"
        case .list: "list"
        case .null: "null"
        }
    }

    /// Reads text written by a step or given as a parameter: numbers and booleans become typed.
    public static func parsing(_ text: String) -> ExpressionValue {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let number = Double(trimmed) { return .number(number) }
        if trimmed == "true" { return .bool(true) }
        if trimmed == "false" { return .bool(false) }
        return .string(trimmed)
    }
}
