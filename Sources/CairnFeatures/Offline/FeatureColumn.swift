/// One feature's values down a source, stored by type (a float column is 9 bytes a value, not an
/// enum's 24), read back as `FeatureValue`s; nil where the source has no value.
public struct FeatureColumn: Sendable {
    public let type: FeatureType
    /// int64 values, and bools as 0 / 1.
    private var integers: [Int64] = []
    private var doubles: [Double] = []
    private var strings: [String] = []
    private var present: [Bool] = []

    public var count: Int { present.count }

    public init(type: FeatureType, capacity: Int = 0) {
        self.type = type
        present.reserveCapacity(capacity)
        switch type {
        case .int64, .bool: integers.reserveCapacity(capacity)
        case .float64: doubles.reserveCapacity(capacity)
        case .string: strings.reserveCapacity(capacity)
        }
    }

    /// A column of `values`, all of `type` (or nil).
    public init(type: FeatureType, values: [FeatureValue?]) {
        self.init(type: type, capacity: values.count)
        for value in values { append(value?.typed(type)) }
    }

    public subscript(row: Int) -> FeatureValue? {
        guard present[row] else { return nil }
        switch type {
        case .int64: return .int(integers[row])
        case .float64: return .double(doubles[row])
        case .string: return .string(strings[row])
        case .bool: return .bool(integers[row] != 0)
        }
    }

    /// Appends a value of the column's type (anything else is stored as missing).
    public mutating func append(_ value: FeatureValue?) {
        switch (type, value) {
        case (.int64, .int(let number)?): integers.append(number)
        case (.float64, .double(let number)?): doubles.append(number)
        case (.string, .string(let text)?): strings.append(text)
        case (.bool, .bool(let flag)?): integers.append(flag ? 1 : 0)
        default:
            switch type {
            case .int64, .bool: integers.append(0)
            case .float64: doubles.append(0)
            case .string: strings.append("")
            }
            present.append(false)
            return
        }
        present.append(true)
    }

    /// Appends `other`'s values (a column of the same type).
    public mutating func append(contentsOf other: FeatureColumn) {
        precondition(other.type == type, "appending a \(other.type) column to a \(type) one")
        integers.append(contentsOf: other.integers)
        doubles.append(contentsOf: other.doubles)
        strings.append(contentsOf: other.strings)
        present.append(contentsOf: other.present)
    }
}
