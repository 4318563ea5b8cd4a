@testable import CairnFeatures
import CairnHTTP
import Foundation
import Testing

@Suite("The online answer's hand-written JSON")
struct OnlineFeaturesJSONTests {
    @Test("Values of every type, nulls, NaN, escaped text, statuses and timestamps read back as Feast's answer")
    func shape() throws {
        let time: Int64 = 1_705_312_800_000_000  // 2024-01-15T10:00:00Z
        let features = OnlineFeatures(columns: [
            .init(name: "user_id", values: [.string("u1"), .string("u\"2")], statuses: [.present, .present], eventTimes: [0, 0]),
            .init(name: "score", values: [.double(0.25), .double(.nan)], statuses: [.present, .present], eventTimes: [time, time]),
            .init(name: "count", values: [.int(-7), nil], statuses: [.present, .notFound], eventTimes: [time, 0]),
            .init(name: "flag", values: [.bool(true), nil], statuses: [.present, .outsideMaxAge], eventTimes: [time, time]),
            .init(name: "note\n", values: [.string("a\\b"), nil], statuses: [.present, .nullValue], eventTimes: [time, time]),
        ], keyCount: 1)
        var writer = JSONWriter()
        OnlineFeaturesDTO(features).writeJSON(to: &writer)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        let names = (answer["metadata"] as? [String: Any])?["feature_names"] as? [String]
        #expect(names == ["user_id", "score", "count", "flag", "note\n"])
        let results = try #require(answer["results"] as? [[String: Any]])
        #expect(results.count == 5)
        #expect(results[0]["values"] as? [String] == ["u1", "u\"2"])
        #expect(results[1]["values"] as? [AnyHashable] == [0.25 as AnyHashable, "NaN" as AnyHashable])
        #expect((results[2]["values"] as? [Any])?.first as? Int == -7)
        #expect((results[2]["values"] as? [Any])?.last is NSNull)
        #expect((results[3]["values"] as? [Any])?.first as? Bool == true)
        #expect((results[4]["values"] as? [Any])?.first as? String == "a\\b")
        #expect(results[2]["statuses"] as? [String] == ["PRESENT", "NOT_FOUND"])
        #expect(results[3]["statuses"] as? [String] == ["PRESENT", "OUTSIDE_MAX_AGE"])
        #expect(results[4]["statuses"] as? [String] == ["PRESENT", "NULL_VALUE"])
        #expect(results[1]["event_timestamps"] as? [String] == ["2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z"])
        #expect(results[0]["event_timestamps"] as? [String] == ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
    }
}
