import CairnCore
import Foundation

/// Feast's point-in-time join for one feature view: for each entity row (key k, time t) the
/// view's row with key k and the latest event time at or before t — ties on event time going to
/// the latest created time — provided it is within the view's TTL of t (both bounds inclusive;
/// a TTL of 0 is no limit). No such row: nothing (the features are null). Values from after t
/// are never used.
public struct PointInTimeJoin: Sendable {
    /// One row of the table where the join looks for it: side by side, so a search touches
    /// neighbouring memory rather than the whole table.
    struct Entry: Sendable {
        var eventTime: Int64
        var createdTime: Int64
        var row: Int32

        static func isOlder(_ a: Entry, _ b: Entry) -> Bool {
            (a.eventTime, a.createdTime, a.row) < (b.eventTime, b.createdTime, b.row)
        }
    }

    let keys: KeyInterner
    /// The table's rows grouped by key (key i's are `entries[starts[i]..<starts[i + 1]]`), each
    /// group sorted by event time, then created time (missing first), then file order.
    let entries: [Entry]
    let starts: [Int]
    let ttlMicros: Int64

    public init(table: FeatureTable, ttlSeconds: Int64) {
        // A counting sort by key keeps file order within each key; then each group by recency.
        let keyCount = table.keyNames.count
        var starts = [Int](repeating: 0, count: keyCount + 1)
        for id in table.keyIDs { starts[Int(id) + 1] += 1 }
        for id in 0..<keyCount { starts[id + 1] += starts[id] }
        // Each core places the rows of its own keys (every `workers`-th), so no two write one
        // slot, and then sorts those keys' groups.
        var entries = [Entry](repeating: Entry(eventTime: 0, createdTime: 0, row: 0), count: table.count)
        let workers = ProcessInfo.processInfo.activeProcessorCount
        var next = starts
        let groups = starts
        entries.withUnsafeMutableBufferPointer { entries in
            next.withUnsafeMutableBufferPointer { next in
                nonisolated(unsafe) let (sharedEntries, sharedNext) = (entries, next)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for row in 0..<table.count {
                        let id = Int(table.keyIDs[row])
                        guard id % workers == worker else { continue }
                        sharedEntries[sharedNext[id]] = Entry(eventTime: table.eventTimes[row], createdTime: table.createdTimes[row] ?? .min, row: Int32(row))
                        sharedNext[id] += 1
                    }
                    for id in stride(from: worker, to: keyCount, by: workers) where groups[id + 1] - groups[id] > 1 {
                        var group = UnsafeMutableBufferPointer(rebasing: sharedEntries[groups[id]..<groups[id + 1]])
                        group.sort(by: Entry.isOlder)
                    }
                }
            }
        }
        keys = table.keys
        self.entries = entries
        self.starts = starts
        ttlMicros = ttlSeconds * 1_000_000
    }

    /// The row of the table an entity row gets, if any. Keys match byte for byte (as Python's
    /// string equality, and so Feast, matches them: no Unicode normalisation).
    public func row(key: String, at time: Int64) -> Int? {
        guard let id = keys.find(key).map(Int.init) else { return nil }
        // The first entry later than `time`; the one before it is the latest at or before `time`.
        var low = starts[id], high = starts[id + 1]
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].eventTime <= time { low = middle + 1 } else { high = middle }
        }
        guard low > starts[id] else { return nil }
        let chosen = entries[low - 1]
        if ttlMicros > 0, chosen.eventTime < time - ttlMicros { return nil }
        return Int(chosen.row)
    }
}
