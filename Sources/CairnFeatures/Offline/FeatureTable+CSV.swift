import CairnCore
import Foundation

extension FeatureTable {
    /// Reads `view`'s source straight from the file's bytes, on every core (line-aligned parts of
    /// the file read at once, then put together in file order). A missing column, a row of the
    /// wrong width, an unreadable timestamp or a value not of its feature's type is refused
    /// naming the file, line and column.
    public init(view: FeatureRepository.FeatureView, of repository: FeatureRepository, baseDirectory: URL) throws(CairnError) {
        guard let source = repository.source(view.source) else { throw .invalidParameter("Feature view '\(view.name)' names unknown source '\(view.source)'.") }
        let url = source.path.hasPrefix("/") ? URL(fileURLWithPath: source.path) : baseDirectory.appending(path: source.path)
        let file = try MappedFile(path: url.path)
        self = try file.withBytes { bytes throws(CairnError) in
            var position = 0
            let header = CSVTokenizer.header(bytes, from: &position)
            guard !header.isEmpty else { throw CairnError.invalidParameter("\(url.path) has no header row.") }
            let layout = try SourceLayout(header: header, view: view, repository: repository, source: source)
            var parts = try CSVChunks.readBody(bytes, from: position, source: source.path) { bytes, range in try SourcePart(bytes, range, layout) }
            return FeatureTable(joining: &parts)
        }
    }

    /// The parts one after another, their key numbers made the table's own. The later parts are
    /// appended to the first, which reserved room for the whole file, so it is not copied again.
    init(joining parts: inout [SourcePart]) {
        var table = parts[0]
        parts[0] = SourcePart(featureTypes: [])  // `table` now holds the only reference to the first part's arrays
        for part in parts.dropFirst() { table.append(part) }
        self.init(keys: table.keys, keyIDs: table.keyIDs, eventTimes: table.eventTimes, createdTimes: table.createdTimes, columns: table.columns)
    }
}

/// What each column of a source file is to a feature view: a join key, the event or created
/// timestamp, a feature, or nothing.
final class SourceLayout: Sendable {
    enum Role: Sendable {
        case key(Int)
        case eventTime
        case createdTime
        case feature(Int, FeatureType)
        case unused
    }

    let roles: [Role]
    let keyCount: Int
    let view: FeatureRepository.FeatureView
    let source: FeatureRepository.Source

    init(header: [String], view: FeatureRepository.FeatureView, repository: FeatureRepository, source: FeatureRepository.Source) throws(CairnError) {
        var roles = Array(repeating: Role.unused, count: header.count)
        func assign(_ name: String, _ role: Role, _ description: String) throws(CairnError) {
            guard let index = header.firstIndex(of: name) else {
                throw .invalidParameter("Source '\(source.name)' (\(source.path)) has no column '\(name)' (\(description) of feature view '\(view.name)'); "
                                        + "it has \(header.joined(separator: ", ")).")
            }
            roles[index] = role
        }
        let joinKeys = repository.joinKeys(of: view)
        for (position, key) in joinKeys.enumerated() { try assign(key, .key(position), "a join key") }
        try assign(source.timestampField, .eventTime, "the event timestamp")
        if let created = source.createdTimestampColumn { try assign(created, .createdTime, "the created timestamp") }
        for (position, feature) in view.features.enumerated() { try assign(feature.name, .feature(position, feature.type), "a feature") }
        self.roles = roles
        keyCount = joinKeys.count
        self.view = view
        self.source = source
    }
}

/// The rows of one line-aligned part of a source file, read column by column.
struct SourcePart: Sendable {
    /// Appends `other`'s rows, renumbering its keys as this part's.
    mutating func append(_ other: SourcePart) {
        let renumbered = other.keys.names.map { keys.id($0) }
        keyIDs.append(contentsOf: other.keyIDs.lazy.map { renumbered[Int($0)] })
        eventTimes.append(contentsOf: other.eventTimes)
        createdTimes.append(contentsOf: other.createdTimes)
        for index in columns.indices { columns[index].append(contentsOf: other.columns[index]) }
    }

    var keys = KeyInterner()
    var keyIDs: [Int32] = []
    var eventTimes: [Int64] = []
    var createdTimes: [Int64?] = []
    var columns: [FeatureColumn]

    init(featureTypes: [FeatureType], capacity: Int = 0) {
        columns = featureTypes.map { FeatureColumn(type: $0, capacity: capacity) }
        keyIDs.reserveCapacity(capacity)
        eventTimes.reserveCapacity(capacity)
        createdTimes.reserveCapacity(capacity)
    }

    /// Reads the rows in `range`, with room for those of the rest of the file (room that is not
    /// written costs no memory), so the parts after it can be appended in place.
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ layout: SourceLayout) throws {
        self.init(featureTypes: layout.view.features.map(\.type), capacity: (bytes.count - range.lowerBound) / max(16, layout.roles.count * 8))
        var keyParts = Array(repeating: [UInt8](), count: layout.keyCount)
        // Keys are numbered a batch of rows at a time (see `KeyInterner.appendIDs`).
        var pendingKeys: [UInt8] = [], pendingLengths: [Int] = []
        let batch = 256
        pendingKeys.reserveCapacity(batch * 16)
        pendingLengths.reserveCapacity(batch)
        func numberPendingKeys() {
            pendingKeys.withUnsafeBufferPointer { keys.appendIDs(of: $0, lengths: pendingLengths, to: &keyIDs) }
            pendingKeys.removeAll(keepingCapacity: true)
            pendingLengths.removeAll(keepingCapacity: true)
        }
        var position = range.lowerBound
        while position < range.upperBound {
            let lineStart = position
            if CSVChunks.skipBlankLine(bytes, at: &position, end: range.upperBound) { continue }
            var fieldCount = 0
            var eventTime: Int64?, createdTime: Int64?
            try CSVTokenizer.readLine(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), from: &position) { index, field in
                fieldCount = index + 1
                guard index < layout.roles.count else { return }
                switch layout.roles[index] {
                case .key(let part):
                    if layout.keyCount == 1 {
                        pendingKeys.append(contentsOf: field)
                        pendingLengths.append(field.count)
                    } else {
                        keyParts[part].removeAll(keepingCapacity: true)
                        keyParts[part].append(contentsOf: field)
                    }
                case .eventTime:
                    guard let time = EventTime.parse(field) else {
                        throw CSVChunks.LineFailure(offset: lineStart, reason: "'\(String(decoding: field, as: UTF8.self))' in \(layout.source.timestampField) is not a timestamp")
                    }
                    eventTime = time
                case .createdTime:
                    createdTime = EventTime.parse(field)
                    guard field.isEmpty || createdTime != nil else {
                        throw CSVChunks.LineFailure(offset: lineStart, reason: "'\(String(decoding: field, as: UTF8.self))' in \(layout.source.createdTimestampColumn!) is not a timestamp")
                    }
                case .feature(let feature, let type):
                    switch type.parse(field) {
                    case .success(let value): columns[feature].append(value)
                    case .failure(let mismatch):
                        throw CSVChunks.LineFailure(offset: lineStart, reason: "'\(mismatch.text)' in column \(layout.view.features[feature].name) is not \(type.rawValue), "
                                                                 + "the type feature view '\(layout.view.name)' declares")
                    }
                case .unused:
                    break
                }
            }
            guard fieldCount == layout.roles.count, let eventTime else {
                throw CSVChunks.LineFailure(offset: lineStart, reason: "\(fieldCount) values for \(layout.roles.count) columns")
            }
            if layout.keyCount != 1 {
                // The join keys' values with a unit separator between them, as `FeatureTable.key`
                // joins them (no join keys: every row has the key "").
                let before = pendingKeys.count
                for (index, part) in keyParts.enumerated() {
                    if index > 0 { pendingKeys.append(0x1F) }
                    pendingKeys.append(contentsOf: part)
                }
                pendingLengths.append(pendingKeys.count - before)
            }
            if pendingLengths.count == batch { numberPendingKeys() }
            eventTimes.append(eventTime)
            createdTimes.append(createdTime)
        }
        numberPendingKeys()
    }
}
