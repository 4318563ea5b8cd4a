/// A parsed JSON document, keeping integers apart from fractions and booleans apart from numbers
/// so that type errors can be reported the way MLflow reports them.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a JSON document (see `JSONParser`).
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try JSONParser.parse(bytes)
    }

    /// The value as MLflow's error messages print it (`123`, `'abc'`, `True`).
    var pythonDescription: String {
        switch self {
        case .null: "None"
        case .bool(let value): value ? "True" : "False"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): "'\(value)'"
        case .array(let values): "[" + values.map(\.pythonDescription).joined(separator: ", ") + "]"
        case .object: "{...}"
        }
    }

    /// The Python type name MLflow's hint uses.
    var pythonTypeName: String {
        switch self {
        case .null: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }
}
