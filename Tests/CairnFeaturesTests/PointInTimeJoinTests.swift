import CairnCore
@testable import CairnFeatures
import Foundation
import Testing

@Suite("Point-in-time joins: Feast's rules, never the future")
struct PointInTimeJoinTests {
    func time(_ text: String) -> Int64 { EventTime.parse(text)! }

    @Test("The seed's example: the 2024-01-15 event uses the 2024-01-14 value, not 2024-01-17; the 2024-01-20 one uses 2024-01-17")
    func seedExample() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        user_id,feature_timestamp,txn_count_7d
        user_001,2024-01-10 00:00:00 UTC,5
        user_001,2024-01-14 00:00:00 UTC,8
        user_001,2024-01-17 00:00:00 UTC,12
        user_001,2024-01-21 00:00:00 UTC,15
        """.write(to: folder.appending(path: "txns.csv"), atomically: true, encoding: .utf8)
        let repository = try FeatureRepository(yaml: """
            project: fraud
            entities: [{name: user, join_keys: [user_id]}]
            sources: [{name: txns, path: txns.csv, timestamp_field: feature_timestamp}]
            feature_views:
              - {name: user_txns, entities: [user], source: txns, features: [{name: txn_count_7d, type: int64}]}
            """)
        try repository.validate()
        let entities = CSVTable(header: ["user_id", "event_timestamp", "label"],
                                rows: [["user_001", "2024-01-15 10:30:00 UTC", "fraud"], ["user_001", "2024-01-20 14:45:00 UTC", "not_fraud"]])
        let result = try HistoricalRetrieval.join(entities: entities, features: ["user_txns:txn_count_7d"], repository: repository, baseDirectory: folder)
        #expect(result.header == ["user_id", "event_timestamp", "label", "txn_count_7d"])
        #expect(result.rows.map(\.last) == ["8", "12"])
    }

    @Test("Both TTL bounds are inclusive, created time breaks ties, unknown keys and early events get nothing")
    func rules() {
        let table = FeatureTable(keys: ["a", "a", "a", "b"], eventTimes: [100_000_000, 100_000_000, 200_000_000, 50_000_000],
                                 createdTimes: [5, 9, nil, nil], columns: [FeatureColumn(type: .int64, values: [.int(1), .int(2), .int(3), .int(4)])])
        let join = PointInTimeJoin(table: table, ttlSeconds: 100)
        #expect(join.row(key: "a", at: 150_000_000) == 1)  // tie on event time: the later created
        #expect(join.row(key: "a", at: 200_000_000) == 2)  // at the event time itself
        #expect(join.row(key: "a", at: 99_999_999) == nil)  // before any value
        #expect(join.row(key: "b", at: 150_000_000) == 4 - 1)  // exactly ttl old: still in
        #expect(join.row(key: "b", at: 150_000_001) == nil)  // older than the ttl
        #expect(join.row(key: "c", at: 150_000_000) == nil)
        #expect(PointInTimeJoin(table: table, ttlSeconds: 0).row(key: "b", at: 9_000_000_000) == 3)  // no ttl: no lower bound
    }

    @Test("Randomized: the join equals a direct reading of Feast's rules on every row")
    func randomized() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let count = Int.random(in: 1...300, using: &generator)
            let keys = (0..<count).map { _ in ["k1", "k2", "k3"].randomElement(using: &generator)! }
            let times = (0..<count).map { _ in Int64.random(in: 0...50, using: &generator) * 1_000_000 }
            let created = (0..<count).map { _ in Bool.random(using: &generator) ? Int64.random(in: 0...3, using: &generator) : nil }
            let table = FeatureTable(keys: keys, eventTimes: times, createdTimes: created, columns: [FeatureColumn(type: .int64, values: (0..<count).map { .int(Int64($0)) })])
            let ttl = Int64.random(in: 0...10, using: &generator)
            let join = PointInTimeJoin(table: table, ttlSeconds: ttl)
            for key in ["k1", "k2", "k4"] {
                for second in stride(from: -1, through: 52, by: 1) {
                    let at = Int64(second) * 1_000_000
                    let candidates = (0..<count).filter { keys[$0] == key && times[$0] <= at && (ttl == 0 || times[$0] >= at - ttl * 1_000_000) }
                    let best = candidates.max { a, b in
                        (times[a], created[a] ?? .min, a) < (times[b], created[b] ?? .min, b)
                    }
                    #expect(join.row(key: key, at: at) == best, "key \(key) at \(second) s, ttl \(ttl) s")
                }
            }
        }
    }

    @Test("Timestamps in the forms CSV files and Feast write")
    func timestamps() {
        let base = time("2024-01-15 10:30:00")
        #expect(base == 1_705_314_600_000_000)
        #expect(time("2024-01-15T10:30:00Z") == base && time("2024-01-15 10:30:00 UTC") == base && time("2024-01-15 10:30:00+00:00") == base)
        #expect(time("2024-01-15 12:30:00+02:00") == base)
        #expect(time("2024-01-15 10:30:00.25") == base + 250_000)
        #expect(time("2024-01-15") == base - 37_800_000_000)
        #expect(EventTime.parse("yesterday") == nil && EventTime.parse("2024-13-01") == nil)
        #expect(EventTime.parse("nan") == nil && EventTime.parse("inf") == nil && EventTime.parse("1e20") == nil)  // refused, not a trap
        #expect(EventTime.parse("1705314600") == base)
        #expect(EventTime.format(base) == "2024-01-15T10:30:00Z" && EventTime.format(base + 250_000) == "2024-01-15T10:30:00.250000Z")
        #expect(EventTime.format(0) == "1970-01-01T00:00:00Z" && EventTime.format(time("2000-02-29 23:59:59")) == "2000-02-29T23:59:59Z")
        for days in stride(from: -1000, through: 30_000, by: 97) {  // round trips across leap years and centuries
            let moment = Int64(days) * 86_400_000_000 + 3_723_000_000
            #expect(EventTime.parse(EventTime.format(moment)) == moment)
        }
        #expect(FeatureValue.double(1e19).typed(.int64) == nil && FeatureValue.double(.infinity).keyText == "inf")
    }
}
