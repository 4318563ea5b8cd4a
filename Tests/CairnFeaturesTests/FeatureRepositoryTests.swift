import CairnCore
@testable import CairnFeatures
import Testing

@Suite("Feature repositories: definitions read from YAML and refused when they cannot work")
struct FeatureRepositoryTests {
    static let valid = """
        project: fraud
        entities: [{name: user, join_keys: [user_id]}]
        sources: [{name: txns, path: txns.csv, created_timestamp_column: created}]
        feature_views:
          - name: user_txns
            entities: [user]
            source: txns
            ttl: 7d
            features: [{name: txn_count_7d, type: Int64}, {name: avg_amount, type: float32}]
        feature_services: [{name: fraud_v1, features: ["user_txns:avg_amount"]}]
        """

    @Test("A repository reads with Feast's type names, durations and defaults")
    func reads() throws {
        let repository = try FeatureRepository(yaml: Self.valid)
        try repository.validate()
        let view = try #require(repository.view("user_txns"))
        #expect(view.ttlSeconds == 7 * 86_400 && view.online && view.features.map(\.type) == [.int64, .float64])
        #expect(repository.sources[0].timestampField == "event_timestamp")
        #expect(try repository.resolve(["fraud_v1", "user_txns"]).map(\.features) == [["avg_amount", "txn_count_7d"]])
    }

    @Test("Bad definitions are refused naming the problem", arguments: [
        ("entities: [user]", "entities: [customer]", "unknown entity 'customer'"),
        ("{name: avg_amount, type: float32}", "{name: txn_count_7d, type: float32}", "declares feature 'txn_count_7d' twice"),
        ("type: float32", "type: decimal", "Unknown feature type 'decimal'"),
        ("source: txns", "source: payments", "unknown source 'payments'"),
        ("user_txns:avg_amount", "user_txns:amount", "has no feature 'amount'"),
        ("ttl: 7d", "ttl: 7 fortnights", "must be a duration"),
        ("project: fraud", "project: fraud detection", "project must be letters"),
        ("ttl: 7d", "ttl: 20000000000000w", "longer than 100 years"),
        ("path: txns.csv", "path: /etc/passwd", "must be inside the repository's folder"),
        ("path: txns.csv", "path: ../../secrets.csv", "must be inside the repository's folder"),
    ])
    func refused(original: String, replacement: String, message: String) {
        #expect {
            let repository = try FeatureRepository(yaml: Self.valid.replacingOccurrences(of: original, with: replacement))
            try repository.validate()
        } throws: { error in
            (error as? CairnError)?.message.contains(message) == true
        }
    }
}
