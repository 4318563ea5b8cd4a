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

    public init(data: Data, source: String) throws(CairnError) {
        var lines: [[String]] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var position = 0
            while position < bytes.count {
                var fields: [String] = []
                CSVTokenizer.readLine(bytes, from: &position) { _, field in fields.append(String(decoding: field, as: UTF8.self)) }
                if fields != [""] { lines.append(fields) }
            }
        }
        guard let header = lines.first else { throw .invalidParameter("\(source) has no header row.") }
        for (index, line) in lines.enumerated().dropFirst() where line.count != header.count {
            throw .invalidParameter("\(source), line \(index + 1): \(line.count) values for \(header.count) columns.")
        }
        self.header = header
        rows = Array(lines.dropFirst())
    }

    /// Writes the table as CSV, quoting fields that need it.
    public func csv() -> String {
        func quoted(_ field: String) -> String {
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }
        return ([header] + rows).map { $0.map(quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
