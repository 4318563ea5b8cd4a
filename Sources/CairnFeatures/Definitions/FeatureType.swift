import CairnCore

/// The types a feature may be declared with (Feast's scalar types; 32-bit ones are kept as 64).
public enum FeatureType: String, Sendable, Codable, CaseIterable {
    case int64, float64, string, bool

    /// Also reads Feast's names: `Int32`, `Float32`, `String`, `Bool`, `Int64`, `Float64`.
    public init(name: String) throws(CairnError) {
        switch name.lowercased() {
        case "int64", "int32", "int": self = .int64
        case "float64", "float32", "float", "double": self = .float64
        case "string", "str": self = .string
        case "bool", "boolean": self = .bool
        default: throw .invalidParameter("Unknown feature type '\(name)' (int64, float64, string or bool).")
        }
    }

    /// The value a CSV field holds for this type; nil for an empty field (missing); throws when it
    /// is not of the type.
    public func parse(_ field: UnsafeBufferPointer<UInt8>) -> Result<FeatureValue?, TypeMismatch> {
        guard !field.isEmpty else { return .success(nil) }
        switch self {
        case .int64:
            let text = String(decoding: field, as: UTF8.self)
            if let value = Int64(text) { return .success(.int(value)) }
            // pandas writes whole floats as `3.0` when a column has missing values.
            if let number = Double(text), number == number.rounded(), abs(number) < 9e15 { return .success(.int(Int64(number))) }
        case .float64:
            if let value = CSVTokenizer.number(field) { return .success(.double(value)) }
        case .string:
            return .success(.string(String(decoding: field, as: UTF8.self)))
        case .bool:
            switch String(decoding: field, as: UTF8.self).lowercased() {
            case "true", "1": return .success(.bool(true))
            case "false", "0": return .success(.bool(false))
            default: break
            }
        }
        return .failure(TypeMismatch(text: String(decoding: field, as: UTF8.self), type: self))
    }

    /// `parse` of a field already read as text.
    public func parse(text: String) -> Result<FeatureValue?, TypeMismatch> {
        Array(text.utf8).withUnsafeBufferPointer { parse($0) }
    }

    public struct TypeMismatch: Error, Sendable {
        public let text: String
        public let type: FeatureType
    }
}
