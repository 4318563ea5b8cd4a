import CairnCore
import Foundation

/// A small CSV file as text rows under a header (entity tables and feature sources); every row
/// must have as many fields as the header.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    public init(contentsOf url: URL) throws(CairnError) {
        let file = try MappedFile(path: url.path)
        try self.init(file.withBytes { bytes throws(CairnError) in try Self.parse(bytes, source: url.path) })
    }

    public init(data: Data, source: String) throws(CairnError) {
        do {
            try self.init(data.withUnsafeBytes { raw in try Self.parse(raw.bindMemory(to: UInt8.self), source: source) })
        } catch let error as CairnError {
            throw error
        } catch {
            throw .internalError("Reading \(source): \(error)")
        }
    }

    private init(_ parsed: (header: [String], rows: [[String]])) {
        self.init(header: parsed.header, rows: parsed.rows)
    }

    /// Parses the text on every core (line-aligned parts of the file at once, see `CSVChunks`).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(CairnError) -> (header: [String], rows: [[String]]) {
        var position = 0
        let header = CSVTokenizer.header(bytes, from: &position)
        guard !header.isEmpty else { throw .invalidParameter("\(source) has no header row.") }
        let width = header.count
        let parts = try CSVChunks.readBody(bytes, from: position, source: source) { bytes, range in
            var rows: [[String]] = []
            var position = range.lowerBound
            let part = UnsafeBufferPointer(rebasing: bytes[..<range.upperBound])
            while position < range.upperBound {
                let lineStart = position
                var fields: [String] = []
                fields.reserveCapacity(width)
                CSVTokenizer.readLine(part, from: &position) { _, field in fields.append(String(decoding: field, as: UTF8.self)) }
                if fields == [""] { continue }
                guard fields.count == width else { throw CSVChunks.LineFailure(offset: lineStart, reason: "\(fields.count) values for \(width) columns") }
                rows.append(fields)
            }
            return rows
        }
        return (header, parts.count == 1 ? parts[0] : parts.flatMap { $0 })
    }

    /// Writes the table as CSV, quoting fields that need it (parts of the rows on every core).
    public func csv() -> String {
        let rows = self.rows
        let partCount = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 50_000))
        let parts = [[UInt8]].parallelMap(count: partCount) { part in
            Self.csvBytes(rows[(rows.count * part / partCount)..<(rows.count * (part + 1) / partCount)])
        }
        var bytes = Self.csvBytes([header])
        bytes.reserveCapacity(bytes.count + parts.reduce(0) { $0 + $1.count })
        for part in parts { bytes.append(contentsOf: part) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func csvBytes(_ lines: ArraySlice<[String]>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((lines.first.map { $0.reduce(0) { $0 + $1.utf8.count + 1 } } ?? 0) * lines.count)
        for line in lines {
            for (index, field) in line.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                let utf8 = field.utf8
                if utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                    bytes.append(UInt8(ascii: "\""))
                    for byte in utf8 {
                        if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                        bytes.append(byte)
                    }
                    bytes.append(UInt8(ascii: "\""))
                } else {
                    bytes.append(contentsOf: utf8)
                }
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
