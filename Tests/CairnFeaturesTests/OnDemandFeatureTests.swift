import CairnCore
@testable import CairnFeatures
import Foundation
import Testing

@Suite("On-demand features: one small language, computed the same offline and online")
struct OnDemandFeatureTests {
    func value(_ text: String, _ inputs: [String: FeatureValue] = [:]) throws -> FeatureValue? {
        try FeatureExpression(parsing: text).evaluate(inputs)
    }

    @Test("Arithmetic, comparisons, logic, functions, precedence, and missing inputs")
    func evaluates() throws {
        #expect(try value("1 + 2 * 3") == .double(7))
        #expect(try value("(1 + 2) * 3 - -1") == .double(10))
        #expect(try value("amount / stats.avg", ["amount": .double(30), "stats.avg": .int(12)]) == .double(2.5))
        #expect(try value("amount > 2 * avg and not flag", ["amount": .int(30), "avg": .double(10), "flag": .bool(false)]) == .bool(true))
        #expect(try value("if(amount >= 100, 'big', 'small')", ["amount": .int(5)]) == .string("small"))
        #expect(try value("max(1, 7, 3) + min(4, 2) + abs(-1) + round(2.4) + floor(1.9) + ceil(0.1)") == .double(14))
        #expect(try value("log(exp(2))") == .double(2))
        #expect(try value("amount / 0", ["amount": .int(1)]) == nil)
        #expect(try value("amount * 2") == nil)  // missing input: missing result
        #expect(try value("sqrt(-1)") == nil)
    }

    @Test("What is not in the language is refused", arguments: [
        ("1 +", "ends too early"), ("system('ls')", "unknown function 'system'"), ("max(1)", "max takes 2 to 16 arguments"),
        ("(1 + 2", "'(' is not closed"), ("a ; b", "';' is not part of the language"), ("1 2", "unexpected '2.0'"),
    ])
    func refused(text: String, message: String) {
        #expect { try FeatureExpression(parsing: text) } throws: { error in (error as? CairnError)?.message.contains(message) == true }
    }

    static let repository = """
        project: shop
        entities: [{name: user, join_keys: [user_id]}]
        sources: [{name: stats, path: stats.csv}]
        feature_views:
          - {name: stats, entities: [user], source: stats, features: [{name: avg_amount, type: float64}]}
        on_demand_feature_views:
          - name: ratios
            sources: [stats]
            request: [{name: amount, type: float64}]
            features: [{name: amount_ratio, type: float64, expression: "amount / avg_amount"}]
          - name: flags
            sources: [ratios]
            features: [{name: unusual, type: bool, expression: "amount_ratio > 3"}]
        """

    @Test("Offline, on-demand features are computed per row from the joined values and the entity table's request fields")
    func offline() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "odfv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "user_id,event_timestamp,avg_amount\nu1,2024-01-01 00:00:00,10\nu1,2024-01-05 00:00:00,20\n".write(to: folder.appending(path: "stats.csv"), atomically: true, encoding: .utf8)
        let repository = try FeatureRepository(yaml: Self.repository)
        try repository.validate()
        let entities = CSVTable(header: ["user_id", "event_timestamp", "amount"],
                                rows: [["u1", "2024-01-02 00:00:00", "50"], ["u1", "2024-01-06 00:00:00", "50"], ["u2", "2024-01-06 00:00:00", "50"]])
        let result = try HistoricalRetrieval.join(entities: entities, features: ["flags", "ratios:amount_ratio"], repository: repository, baseDirectory: folder)
        #expect(result.header == ["user_id", "event_timestamp", "amount", "unusual", "amount_ratio"])
        #expect(result.rows.map { Array($0.suffix(2)) } == [["true", "5.0"], ["false", "2.5"], ["", ""]])
    }

    @Test("Bad on-demand definitions: cycles, unknown inputs, ambiguous names", arguments: [
        ("sources: [stats]\n    request", "sources: [stats, flags]\n    request", "cycle: ratios → flags → ratios"),
        ("amount / avg_amount", "amount / median_amount", "reads 'median_amount'"),
        ("sources: [ratios]", "sources: [nowhere]", "unknown source 'nowhere'"),
    ])
    func refused(original: String, replacement: String, message: String) {
        #expect {
            try FeatureRepository(yaml: Self.repository.replacingOccurrences(of: original, with: replacement)).validate()
        } throws: { error in (error as? CairnError)?.message.contains(message) == true }
    }
}
