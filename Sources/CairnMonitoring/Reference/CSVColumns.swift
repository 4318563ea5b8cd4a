import CairnCore
import Foundation

/// A CSV file read column by column for drift: a header row, then values; a column whose every
/// value reads as a number is numerical, any other is categorical. Fields may be quoted
/// (`"a, b"`, `""` for a quote); empty fields are missing values (NaN, or "" for categories).
/// Large files are read on every core, in line-aligned parts.
public struct CSVColumns: Sendable {
    public let names: [String]
    public let columns: [DriftColumn]
    public let rowCount: Int

    public init(contentsOf url: URL) throws(CairnError) {
        let file = try MappedFile(path: url.path)
        self = try file.withBytes { bytes throws(CairnError) in try CSVColumns(bytes: bytes, source: url.path) }
    }

    public init(data: Data, source: String = "the CSV") throws(CairnError) {
        do {
            self = try data.withUnsafeBytes { raw in try CSVColumns(bytes: raw.bindMemory(to: UInt8.self), source: source) }
        } catch let error as CairnError {
            throw error
        } catch {
            throw .internalError("Reading \(source): \(error)")
        }
    }

    init(bytes: UnsafeBufferPointer<UInt8>, source: String) throws(CairnError) {
        var position = 0
        let names = CSVTokenizer.header(bytes, from: &position)
        guard !names.isEmpty else { throw .invalidParameter("\(source) has no header row.") }
        let bodyStart = position
        var parts = try CSVChunks.readBody(bytes, from: position, source: source) { bytes, range in
            try ColumnsPart(bytes, range, width: names.count, isFirst: range.lowerBound == bodyStart)
        }
        self.names = names
        let isText = names.indices.map { index in parts.contains { $0.texts[index] != nil } }
        // Later parts are appended to the first, which reserved room for the whole file.
        for index in names.indices where !isText[index] {
            for part in 1..<max(1, parts.count) { parts[0].numbers[index].append(contentsOf: parts[part].numbers[index]) }
        }
        columns = names.indices.map { index in
            guard isText[index] else { return .numerical(parts[0].numbers[index]) }
            return .categorical(parts.reduce(CategoryCounts(counts: [:])) { counts, part in counts + part.categories(index) })
        }
        rowCount = parts.reduce(0) { $0 + $1.rows }
    }
}

/// The columns of one part of a file: a column holds numbers until its first value that is not
/// one, and text from then on.
struct ColumnsPart: Sendable {
    var numbers: [[Double]]
    var texts: [CategoryTally?]
    var rows = 0

    /// Reads the lines in `range`; the first part reserves room for the lines of the whole file,
    /// so the parts after it can be appended to it in place.
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, width: Int, isFirst: Bool) throws {
        numbers = Array(repeating: [], count: width)
        texts = Array(repeating: nil, count: width)
        let lines = Self.estimatedLines(bytes, isFirst ? range.lowerBound..<bytes.count : range)
        for index in 0..<width { numbers[index].reserveCapacity(lines) }
        let part = UnsafeBufferPointer(rebasing: bytes[..<range.upperBound])
        var position = range.lowerBound
        while position < range.upperBound {
            if CSVChunks.skipBlankLine(bytes, at: &position, end: range.upperBound) { continue }
            let lineStart = position
            var count = 0
            repeat {
                defer { count += 1 }
                guard count < width else {
                    CSVTokenizer.readField(part, from: &position) { _ in }
                    continue
                }
                // Most values are plain decimals: read in one pass, without finding the field first.
                if texts[count] == nil, let number = CSVTokenizer.decimalField(part, at: &position) {
                    numbers[count].append(number)
                    continue
                }
                CSVTokenizer.readField(part, from: &position) { field in append(field, to: count) }
            } while CSVTokenizer.skipDelimiter(part, at: &position)
            guard count == width else { throw CSVChunks.LineFailure(offset: lineStart, reason: "\(count) values for \(width) columns") }
            rows += 1
        }
    }

    /// Adds a field that is not a plain decimal to column `index`.
    private mutating func append(_ field: UnsafeBufferPointer<UInt8>, to index: Int) {
        let number = field.isEmpty ? Double.nan : CSVTokenizer.number(field)
        if texts[index] != nil {
            // In a categorical column a number counts as `CategoryCounts.label` writes it, as the
            // numbers read before the column's first text do (wherever the file was split).
            if let number { texts[index]!.add(CategoryCounts.label(number)) } else { texts[index]!.add(field) }
        } else if let number {
            numbers[index].append(number)
        } else {
            // The first value that is not a number: the column is categorical after all.
            var tally = CategoryTally()
            for number in numbers[index] { tally.add(CategoryCounts.label(number)) }
            tally.add(field)
            texts[index] = tally
            numbers[index] = []
        }
    }

    /// Column `index` of this part counted as categories (its numbers, if it holds numbers, as text).
    func categories(_ index: Int) -> CategoryCounts {
        texts[index]?.categoryCounts ?? CategoryCounts(numbers[index].lazy.map(CategoryCounts.label))
    }

    /// A little more than the lines in `range`, judged by the length of its first few: room to
    /// reserve so the columns are not copied as they grow (room never written costs no memory).
    static func estimatedLines(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var position = range.lowerBound, lines = 0
        while position < range.upperBound, lines < 16 {
            if bytes[position] == UInt8(ascii: "\n") { lines += 1 }
            position += 1
        }
        let sampled = max(1, position - range.lowerBound)
        return range.count * max(lines, 1) / sampled * 5 / 4 + 16
    }
}
