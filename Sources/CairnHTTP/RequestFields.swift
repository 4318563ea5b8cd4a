import CairnCore
import Foundation

/// Typed access to the fields of one MLflow request, whether they came as a JSON body or as query
/// parameters (where every value is a string). Each accessor rejects a wrong type with MLflow's
/// message, so bad input is refused before any service is called.
public struct RequestFields: Sendable {
    public let values: [String: JSONValue]
    /// Query-string fields arrive as text; numbers and booleans are then parsed from it.
    private let isQueryString: Bool

    public init(values: [String: JSONValue], isQueryString: Bool = false) {
        self.values = values
        self.isQueryString = isQueryString
    }

    // MARK: - Scalars

    /// A string field; absent, null or "" count as missing when required (MLflow's rule).
    public func string(_ name: String, required: Bool = false) throws -> String? {
        guard let value = present(name) else {
            if required { throw Self.missing(name) }
            return nil
        }
        guard case .string(let string) = value else { throw Self.invalid(name, value) }
        if required && string.isEmpty { throw Self.missing(name) }
        return string
    }

    public func requiredString(_ name: String) throws -> String {
        try string(name, required: true)!
    }

    /// An integer field (int64 travels as a JSON number or a decimal string).
    public func int64(_ name: String, required: Bool = false) throws -> Int64? {
        guard let value = present(name) else {
            if required { throw Self.missing(name) }
            return nil
        }
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 9.2e18: return Int64(number)
        case .string(let text):
            if let number = Int64(text.trimmingCharacters(in: .whitespaces)) { return number }
            if text.isEmpty && !required { return nil }
            throw Self.invalid(name, value)
        default: throw Self.invalid(name, value)
        }
    }

    /// A double field; NaN and ±Infinity travel as the strings "NaN", "Infinity", "-Infinity".
    public func double(_ name: String, required: Bool = false) throws -> Double? {
        guard let value = present(name) else {
            if required { throw Self.missing(name) }
            return nil
        }
        if let number = Self.doubleValue(value) { return number }
        throw Self.invalid(name, value)
    }

    public func bool(_ name: String) throws -> Bool? {
        guard let value = present(name) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        default: throw Self.invalid(name, value)
        }
    }

    // MARK: - Collections

    /// A repeated string field (JSON array, or repeated query keys).
    public func strings(_ name: String) throws -> [String] {
        guard let value = present(name) else { return [] }
        switch value {
        case .array(let items):
            return try items.map { item in
                guard case .string(let string) = item else { throw Self.invalid(name, value) }
                return string
            }
        case .string(let string) where isQueryString: return [string]
        default: throw Self.invalid(name, value)
        }
    }

    /// A repeated message field: each element as its own `RequestFields`.
    public func objects(_ name: String) throws -> [RequestFields] {
        guard let value = present(name) else { return [] }
        guard case .array(let items) = value else { throw Self.invalid(name, value) }
        return try items.map { item in
            guard case .object(let fields) = item else { throw Self.invalid(name, value) }
            return RequestFields(values: fields)
        }
    }

    /// A nested message field.
    public func object(_ name: String) throws -> RequestFields? {
        guard let value = present(name) else { return nil }
        guard case .object(let fields) = value else { throw Self.invalid(name, value) }
        return RequestFields(values: fields)
    }

    /// An enum field given by name (`"RUNNING"`) or by number; `names` lists the values in number order, from 1.
    public func enumName(_ name: String, names: [String]) throws -> String? {
        guard let value = present(name) else { return nil }
        switch value {
        case .string(let text):
            if names.contains(text) { return text }
            if let number = Int(text), names.indices.contains(number - 1) { return names[number - 1] }
        case .int(let number) where names.indices.contains(Int(number) - 1):
            return names[Int(number) - 1]
        default: break
        }
        throw Self.invalid(name, value)
    }

    // MARK: - Helpers

    private func present(_ name: String) -> JSONValue? {
        guard let value = values[name] else { return nil }
        if case .null = value { return nil }
        if isQueryString, case .string(let text) = value, text.isEmpty { return nil }
        return value
    }

    static func doubleValue(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default: return Double(text)
            }
        default: return nil
        }
    }

    public static func missing(_ name: String) -> CairnError {
        .invalidParameter("Missing value for required parameter '\(name)'. See the API docs for more information about request parameters.")
    }

    public static func invalid(_ name: String, _ value: JSONValue) -> CairnError {
        .invalidParameter("Invalid value \(value.pythonDescription) for parameter '\(name)' supplied: Hint: Value was of type '\(value.pythonTypeName)'. See the API docs for more information about request parameters.")
    }
}
