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
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw .invalidParameter("Cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses the text on every core (line-aligned parts of the file at once, see `CSVChunks`).
    public init(data: Data, source: String) throws(CairnError) {
        do {
            (header, rows) = try data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                var position = 0
                var header: [String] = []
                while header.isEmpty || header == [""], position < bytes.count {
                    header = []
                    CSVTokenizer.readLine(bytes, from: &position) { _, field in header.append(String(decoding: field, as: UTF8.self)) }
                }
                guard !header.isEmpty, header != [""] else { throw CairnError.invalidParameter("\(source) has no header row.") }
                let width = header.count
                let parts = try CSVChunks.read(bytes, from: position) { bytes, range in
                    var rows: [[String]] = []
                    var position = range.lowerBound
                    let part = UnsafeBufferPointer(rebasing: bytes[..<range.upperBound])
                    while position < range.upperBound {
                        let lineStart = position
                        var fields: [String] = []
                        fields.reserveCapacity(width)
                        CSVTokenizer.readLine(part, from: &position) { _, field in fields.append(String(decoding: field, as: UTF8.self)) }
                        if fields == [""] { continue }
                        guard fields.count == width else { throw RowWidthError(offset: lineStart, count: fields.count, width: width) }
                        rows.append(fields)
                    }
                    return rows
                }
                return (header, parts.count == 1 ? parts[0] : parts.flatMap { $0 })
            }
        } catch let error as CairnError {
            throw error
        } catch let error as RowWidthError {
            let line = data.withUnsafeBytes { raw in raw[..<error.offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
            throw .invalidParameter("\(source), line \(line): \(error.count) values for \(error.width) columns.")
        } catch {
            throw .internalError("Reading \(source): \(error)")
        }
    }

    private struct RowWidthError: Error {
        let offset: Int
        let count: Int
        let width: Int
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
