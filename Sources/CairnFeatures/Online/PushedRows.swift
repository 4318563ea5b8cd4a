import CairnCore
import Foundation

/// Rows pushed to a feature view, column-oriented as Feast's `/push` takes them: the view's join
/// keys, `event_timestamp`, optionally `created`, and any of its features, every value checked
/// against the feature's type.
struct PushedRows {
    var keys: [[String]]
    var eventTimes: [Int64]
    var eventTexts: [String]
    var createdTexts: [String?]
    var features: [(name: String, texts: [String?], values: [FeatureValue?])]

    var count: Int { eventTimes.count }

    init(view: FeatureRepository.FeatureView, repository: FeatureRepository, columns: [String: [String?]]) throws(CairnError) {
        let counts = Set(columns.values.map(\.count))
        guard counts.count == 1, let count = counts.first, count > 0 else {
            throw .invalidParameter("Every pushed column needs the same, non-zero number of values.")
        }
        let joinKeys = repository.joinKeys(of: view)
        for name in columns.keys where !joinKeys.contains(name) && name != "event_timestamp" && name != "created"
            && !view.features.contains(where: { $0.name == name }) {
            throw .invalidParameter("Feature view '\(view.name)' has no feature or join key '\(name)'.")
        }
        var keyColumns: [[String?]] = []
        for key in joinKeys {
            guard let values = columns[key] else { throw .invalidParameter("Missing entity key '\(key)' in the pushed rows.") }
            keyColumns.append(values)
        }
        guard let times = columns["event_timestamp"] else { throw .invalidParameter("The pushed rows need an 'event_timestamp' column.") }
        keys = []
        eventTimes = []
        eventTexts = []
        for row in 0..<count {
            var key: [String] = []
            for column in keyColumns {
                guard let value = column[row] else { throw .invalidParameter("Row \(row) has no value for a join key.") }
                key.append(value)
            }
            keys.append(key)
            guard let text = times[row], let time = EventTime.parse(text) else { throw .invalidParameter("Row \(row): '\(times[row] ?? "null")' is not a timestamp.") }
            eventTimes.append(time)
            eventTexts.append(text)
        }
        createdTexts = columns["created"] ?? Array(repeating: nil, count: count)
        for (row, text) in createdTexts.enumerated() where text.map({ EventTime.parse($0) == nil }) ?? false {
            throw .invalidParameter("Row \(row): created '\(text!)' is not a timestamp.")
        }
        features = []
        for feature in view.features {
            guard let texts = columns[feature.name] else { continue }
            var values: [FeatureValue?] = []
            for (row, text) in texts.enumerated() {
                guard let text else {
                    values.append(nil)
                    continue
                }
                switch feature.type.parse(text: text) {
                case .success(let value): values.append(value)
                case .failure: throw .invalidParameter("Row \(row): '\(text)' is not a \(feature.type.rawValue) (feature '\(feature.name)').")
                }
            }
            features.append((feature.name, texts, values))
        }
    }

    func onlineRows(view: FeatureRepository.FeatureView) -> [OnlineRow] {
        (0..<count).map { row in
            OnlineRow(key: FeatureTable.key(keys[row]), eventTime: eventTimes[row], createdTime: createdTexts[row].flatMap(EventTime.parse),
                      values: Dictionary(uniqueKeysWithValues: features.compactMap { feature in feature.values[row].map { (feature.name, $0) } }))
        }
    }

    /// Appends the rows to the view's CSV source, in its columns' order (others left empty).
    func append(toSourceOf view: FeatureRepository.FeatureView, repository: FeatureRepository, baseDirectory: URL) throws(CairnError) {
        guard let source = repository.source(view.source) else { throw .invalidParameter("Feature view '\(view.name)' has no source.") }
        let url = source.path.hasPrefix("/") ? URL(fileURLWithPath: source.path) : baseDirectory.appending(path: source.path)
        let existing = try CSVTable(contentsOf: url)
        let joinKeys = repository.joinKeys(of: view)
        var lines = ""
        for row in 0..<count {
            let fields = existing.header.map { column -> String in
                if let index = joinKeys.firstIndex(of: column) { return keys[row][index] }
                if column == source.timestampField { return eventTexts[row] }
                if column == source.createdTimestampColumn { return createdTexts[row] ?? "" }
                return features.first { $0.name == column }?.texts[row] ?? ""
            }
            lines += CSVTable(header: fields, rows: []).csv()
        }
        do {
            let handle = try FileHandle(forUpdating: url)
            defer { try? handle.close() }
            let end = try handle.seekToEnd()
            if end > 0 {
                try handle.seek(toOffset: end - 1)
                if try handle.read(upToCount: 1) != Data("\n".utf8) { lines = "\n" + lines }
                try handle.seekToEnd()
            }
            try handle.write(contentsOf: Data(lines.utf8))
            try handle.synchronize()
        } catch {
            throw .internalError("Could not append to \(url.path): \(error)")
        }
    }
}
