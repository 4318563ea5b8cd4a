import CairnCore

/// One feature value: what a source row holds, the online store keeps and a model is fed.
/// Encoded as the plain JSON scalar; read back by the feature's declared type.
public enum FeatureValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .bool(let value): String(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Int64.self) { self = .int(number) }
        else if let number = try? container.decode(Double.self) { self = .double(number) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    /// The text an entity key is matched by, as it reads in a CSV file (`1001`, not `1001.0`).
    public var keyText: String {
        if case .double(let value) = self { return value.wholeNumberText }
        return description
    }

    /// The value as `type` holds it (a whole float read back from JSON is still a float).
    public func typed(_ type: FeatureType) -> FeatureValue? {
        switch (type, self) {
        case (.int64, .int), (.float64, .double), (.string, .string), (.bool, .bool): self
        case (.float64, .int(let value)): .double(Double(value))
        case (.int64, .double(let value)) where value == value.rounded() && abs(value) < 9.2e18: .int(Int64(value))
        case (.string, _): .string(description)
        default: nil
        }
    }
}
