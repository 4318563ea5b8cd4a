/// Feast's point-in-time join for one feature view: for each entity row (key k, time t) the
/// view's row with key k and the latest event time at or before t — ties on event time going to
/// the latest created time — provided it is within the view's TTL of t (both bounds inclusive;
/// a TTL of 0 is no limit). No such row: nothing (the features are null). Values from after t
/// are never used.
public struct PointInTimeJoin: Sendable {
    /// Each key's rows, sorted by event time, then created time (missing first), then file order.
    let rowsByKey: [String: [Int]]
    let table: FeatureTable
    let ttlMicros: Int64

    public init(table: FeatureTable, ttlSeconds: Int64) {
        var rows: [String: [Int]] = [:]
        for index in 0..<table.count { rows[table.keys[index], default: []].append(index) }
        for key in rows.keys {
            rows[key]!.sort { a, b in
                let recencyA = table.recency(a), recencyB = table.recency(b)
                return recencyA != recencyB ? recencyA < recencyB : a < b
            }
        }
        rowsByKey = rows
        self.table = table
        ttlMicros = ttlSeconds * 1_000_000
    }

    /// The row of the table an entity row gets, if any.
    public func row(key: String, at time: Int64) -> Int? {
        guard let rows = rowsByKey[key] else { return nil }
        // The first row later than `time`; the one before it is the latest at or before `time`.
        var low = 0, high = rows.count
        while low < high {
            let middle = (low + high) / 2
            if table.eventTimes[rows[middle]] <= time { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let chosen = rows[low - 1]
        if ttlMicros > 0, table.eventTimes[chosen] < time - ttlMicros { return nil }
        return chosen
    }
}
