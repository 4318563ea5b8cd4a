import CairnCore
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
        let file = try MappedFile(path: url.path)
        self = try file.withBytes { bytes in try CSVColumns(bytes: bytes, source: url.path) }
    }

    public init(data: Data, source: String = "the CSV") throws {
        self = try data.withUnsafeBytes { raw in try CSVColumns(bytes: raw.bindMemory(to: UInt8.self), source: source) }
    }

    init(bytes: UnsafeBufferPointer<UInt8>, source: String) throws {
        var names: [String] = []
        var numbers: [[Double]] = []
        var texts: [[String]?] = []
        var rows = 0
        do {
            var position = 0
            var line = 0
            while names.isEmpty, position < bytes.count {
                var header: [String] = []
                CSVTokenizer.readLine(bytes, from: &position) { _, field in header.append(String(decoding: field, as: UTF8.self)) }
                line += 1
                if header.count > 1 || header.first?.isEmpty == false { names = header }
            }
            numbers = Array(repeating: [], count: names.count)
            texts = Array(repeating: nil, count: names.count)
            while position < bytes.count {
                // A blank line is skipped.
                if bytes[position] == UInt8(ascii: "\n") || (bytes[position] == UInt8(ascii: "\r") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\n")) {
                    position += bytes[position] == UInt8(ascii: "\n") ? 1 : 2
                    line += 1
                    continue
                }
                var count = 0
                var overflow = false
                CSVTokenizer.readLine(bytes, from: &position) { index, field in
                    count = index + 1
                    guard index < names.count else {
                        overflow = true
                        return
                    }
                    if texts[index] != nil {
                        texts[index]!.append(String(decoding: field, as: UTF8.self))
                    } else if let number = field.isEmpty ? Double.nan : CSVTokenizer.number(field) {
                        numbers[index].append(number)
                    } else {
                        // The first value that is not a number: the column is categorical after all.
                        texts[index] = numbers[index].map { $0.isNaN ? "" : Self.label($0) } + [String(decoding: field, as: UTF8.self)]
                        numbers[index] = []
                    }
                }
                line += 1
                guard count == names.count, !overflow else {
                    throw Invalid(description: "\(source), line \(line): \(count) values for \(names.count) columns.")
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
}
