import CairnCore
import CairnTracking
import Testing
@testable import CairnRegistry

@Suite("Promotion rules and alias names")
struct PolicyEvaluatorTests {
    static func version(tags: [KeyValue]) -> ModelVersion {
        ModelVersion(modelID: "id", name: "m", version: 1, creationTimestamp: 0, lastUpdatedTimestamp: 0, userID: "", stage: .none,
                     description: nil, source: "s", runID: "r", runLink: nil, loggedModelID: nil, storageLocation: nil, tags: tags, aliases: [])
    }

    static func policy(_ rules: [String], approvals: Int = 0) -> PromotionPolicy {
        PromotionPolicy(modelName: "m", target: .stage(.production), rules: rules, requiredApprovals: approvals, updatedBy: "", updatedAt: 0)
    }

    @Test("Metric and tag rules are checked against the run and the version")
    func rules() throws {
        let version = Self.version(tags: [KeyValue(key: "owner", value: "team-risk")])
        let policy = Self.policy(["metrics.auc >= 0.85", "metrics.f1 > 0.5", "tags.owner LIKE 'team-%'", "tags.owner ILIKE 'TEAM_RISK'",
                                  "tags.reviewed IS NOT NULL", "tags.blocked IS NULL"], approvals: 2)
        let unmet = try PolicyEvaluator.unmetRules(of: policy, version: version, metrics: ["auc": 0.9], approvers: ["bob"])
        #expect(unmet == [
            "metrics.f1 > 0.5 (the source run has no metric 'f1')",
            "tags.reviewed IS NOT NULL (tag reviewed is not set)",
            "approvals from 2 distinct users (given: 1 (bob))",
        ])
        let noRun = try PolicyEvaluator.unmetRules(of: Self.policy(["metrics.auc >= 0.85"]), version: version, metrics: nil, approvers: [])
        #expect(noRun == ["metrics.auc >= 0.85 (the version has no source run)"])
    }

    @Test("A rule is one comparison on a metric or a tag", arguments: ["metrics.a > 1 AND metrics.b > 1", "params.x = 'y'", "metrics.a = 'text'", "metrics.a >"])
    func invalidRules(rule: String) {
        #expect(throws: CairnError.self) { try PolicyEvaluator.parse(rule) }
    }

    @Test("LIKE patterns: % is any run, _ one character")
    func like() {
        #expect(LikePattern("a%c", caseSensitive: true).matches("abbbc"))
        #expect(LikePattern("a_c", caseSensitive: true).matches("abc"))
        #expect(!LikePattern("a_c", caseSensitive: true).matches("abbc"))
        #expect(!LikePattern("ABC", caseSensitive: true).matches("abc"))
        #expect(LikePattern("ABC", caseSensitive: false).matches("abc"))
        #expect(LikePattern("%", caseSensitive: true).matches(""))
    }

    @Test("Alias names follow MLflow's rules", arguments: [("champion", true), ("a-b_c1", true), ("latest", false), ("LATEST", false),
                                                          ("v3", false), ("v", true), ("with space", false), ("", false)])
    func aliases(alias: String, valid: Bool) {
        #expect(((try? RegistryValidation.validateAlias(alias)) != nil) == valid)
    }
}
