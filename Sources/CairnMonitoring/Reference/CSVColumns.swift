import Foundation

/// A CSV file read column by column for drift: a header row, then values; a column whose every
/// value reads as a number is numerical, any other is categorical. Fields may be quoted
/// (`"a, b"`, `""` for a quote); empty fields are missing values (NaN, or "" for categories).
public struct CSVColumns: Sendable {
    public let names: [String]
    public let columns: [DriftColumn]
    public let rowCount: Int

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(contentsOf url: URL) throws {
        try self.init(data: try Data(contentsOf: url, options: .mappedIfSafe), source: url.path)
    }

    public init(data: Data, source: String = "the CSV") throws {
        var names: [String] = []
        var numbers: [[Double]] = []
        var texts: [[String]?] = []
        var rows = 0
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var position = 0
            var line = 0
            while position < bytes.count {
                let fields = Self.fields(bytes, from: &position)
                line += 1
                if fields.count == 1, fields[0].isEmpty { continue }  // a blank line
                if names.isEmpty {
                    names = fields
                    numbers = Array(repeating: [], count: fields.count)
                    texts = Array(repeating: nil, count: fields.count)
                    continue
                }
                guard fields.count == names.count else {
                    throw Invalid(description: "\(source), line \(line): \(fields.count) values for \(names.count) columns.")
                }
                for (index, field) in fields.enumerated() {
                    if texts[index] != nil {
                        texts[index]!.append(field)
                    } else if let number = field.isEmpty ? Double.nan : Double(field) {
                        numbers[index].append(number)
                    } else {
                        // The first value that is not a number: the column is categorical after all.
                        texts[index] = numbers[index].map { $0.isNaN ? "" : Self.label($0) } + [field]
                        numbers[index] = []
                    }
                }
                rows += 1
            }
        }
        guard !names.isEmpty else { throw Invalid(description: "\(source) has no header row.") }
        self.names = names
        columns = names.indices.map { texts[$0].map(DriftColumn.categorical) ?? .numerical(numbers[$0]) }
        rowCount = rows
    }

    /// Numbers written back as text the way they would have been read: `3` for 3.0.
    static func label(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The fields of the line at `position`, which moves past its end.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, from position: inout Int) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where field.isEmpty: quoted = true
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\n"):
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            case UInt8(ascii: "\r"): break
            default: field.append(byte)
            }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}
