import CairnCore
@testable import CairnFeatures
import Foundation
import Testing

@Suite("Feature sources read straight from bytes, on every core")
struct FeatureSourceReadingTests {
    let folder = FileManager.default.temporaryDirectory.appending(path: "source-\(UUID().uuidString)")

    func repository(keys: String = "[user_id]") throws -> FeatureRepository {
        try FeatureRepository(yaml: """
            project: reading
            entities: [{name: user, join_keys: \(keys)}]
            sources: [{name: stats, path: stats.csv, created_timestamp_column: created}]
            feature_views:
              - {name: stats, entities: [user], source: stats, features: [{name: score, type: float64}, {name: visits, type: int64}, {name: plan, type: string}]}
            """)
    }

    /// A source big enough to be read in parts (over a megabyte), with keys longer and shorter
    /// than a slot holds, missing values, blank lines and CRLF line ends.
    func writeSource(rows: Int, badLine: Int? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "user_id,region,event_timestamp,created,score,visits,plan\r\n"
        for row in 0..<rows {
            let key = row % 3 == 0 ? "customer-with-a-long-identifier-\(row % 5000)" : "u\(row % 5000)"
            let score = row + 2 == badLine ? "n/a" : row % 7 == 0 ? "" : "\(Double(row) / 8)"
            text += "\(key),eu,2024-01-\(10 + row % 20) 10:\(10 + row % 50):00,\(row % 11 == 0 ? "" : "2024-02-01 00:00:00"),\(score),\(row),p\(row % 4)\r\n"
            if row % 1000 == 999 { text += "\r\n" }
        }
        try text.write(to: folder.appending(path: "stats.csv"), atomically: true, encoding: .utf8)
    }

    @Test("Every row, key, time and typed value lands where a line-by-line reading puts it")
    func matchesLineByLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeSource(rows: 30_000)
        let repository = try repository()
        let table = try FeatureTable(view: repository.featureViews[0], of: repository, baseDirectory: folder)
        let lines = try CSVTable(contentsOf: folder.appending(path: "stats.csv"))
        #expect(table.count == 30_000 && lines.rows.count == 30_000)
        #expect(Set(table.keyNames).count == table.keyNames.count && table.keyNames.count == 5000 + 5000)
        for (index, row) in lines.rows.enumerated() {
            #expect(table.key(index) == row[0])
            #expect(table.eventTimes[index] == EventTime.parse(row[2]))
            #expect(table.createdTimes[index] == (row[3].isEmpty ? nil : EventTime.parse(row[3])))
            #expect(table.columns[0][index] == (row[4].isEmpty ? nil : .double(Double(row[4])!)))
            #expect(table.columns[1][index] == .int(Int64(row[5])!) && table.columns[2][index] == .string(row[6]))
        }
    }

    @Test("A bad value deep in the file is refused with its own line number")
    func badValueLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeSource(rows: 30_000, badLine: 25_000)
        let repository = try repository()
        #expect(throws: CairnError.invalidParameter("stats.csv, line 25024: 'n/a' in column score is not float64, the type feature view 'stats' declares.")) {
            try FeatureTable(view: repository.featureViews[0], of: repository, baseDirectory: folder)
        }
    }

    @Test("Two join keys make one key, as online reads and entity tables spell it")
    func compositeKeys() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeSource(rows: 20_000)
        let repository = try FeatureRepository(yaml: """
            project: reading
            entities: [{name: user, join_keys: [user_id, region]}]
            sources: [{name: stats, path: stats.csv}]
            feature_views:
              - {name: stats, entities: [user], source: stats, features: [{name: visits, type: int64}]}
            """)
        let table = try FeatureTable(view: repository.featureViews[0], of: repository, baseDirectory: folder)
        #expect(table.key(1) == FeatureTable.key(["u1", "eu"]) && table.key(0) == FeatureTable.key(["customer-with-a-long-identifier-0", "eu"]))
        #expect(table.keyNames.count == 10_000)
    }

    @Test("A view without entities reads every row, all under the empty key")
    func noJoinKeys() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeSource(rows: 20_000)
        let repository = try FeatureRepository(yaml: """
            project: reading
            sources: [{name: stats, path: stats.csv}]
            feature_views:
              - {name: stats, source: stats, features: [{name: visits, type: int64}]}
            """)
        let table = try FeatureTable(view: repository.featureViews[0], of: repository, baseDirectory: folder)
        #expect(table.count == 20_000)
        #expect(table.keyNames == [""])
        #expect(table.columns[0][19_999] == .int(19_999))
    }
}
