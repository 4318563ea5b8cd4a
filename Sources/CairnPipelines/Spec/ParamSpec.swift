import Foundation

/// A pipeline parameter: its type, and the default used when a run does not set it.
public struct ParamSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case string, int, float, bool, list
    }

    public var name: String
    public var kind: Kind
    /// nil: the parameter is required when a run is submitted.
    public var defaultValue: ExpressionValue?

    /// Checks and converts a value given for this parameter (from YAML, the API or `--param k=v`).
    public func coerce(_ value: ExpressionValue) throws(SpecError) -> ExpressionValue {
        switch (kind, value) {
        case (.string, .string), (.bool, .bool), (.list, .list): return value
        case (.string, .number), (.string, .bool): return .string(value.plainText)
        case (.float, .number(let number)): return .number(number)
        case (.int, .number(let number)) where number == number.rounded(): return .number(number)
        case (.float, .string(let text)), (.int, .string(let text)):
            if let number = Double(text.trimmingCharacters(in: .whitespaces)) { return try coerce(.number(number)) }
        case (.bool, .string(let text)) where ["true", "false"].contains(text.lowercased()): return .bool(text.lowercased() == "true")
        case (.list, .string(let text)):
            // `--param variants=0.1,1,10` on the command line.
            return .list(text.split(separator: ",").map { ExpressionValue.parsing(String($0)) })
        default: break
        }
        throw SpecError("params.\(name)", "expected \(kind == .int ? "an integer" : "a \(kind.rawValue)"), got \(value.typeName) \(value)")
    }
}

extension ExpressionValue {
    /// The value as a command line or environment variable sees it (no quotes; lists joined by commas).
    public var plainText: String {
        switch self {
        case .string(let text): text
        case .list(let items): items.map(\.plainText).joined(separator: ",")
        case .null: ""
        default: description
        }
    }
}
