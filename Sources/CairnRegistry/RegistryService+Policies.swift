import CairnCore
import CairnStorage
import SQLKit

extension RegistryService {
    /// Creates or replaces the policy for one target of a model. Rules are checked when set.
    public func setPolicy(name: String, target: PromotionTarget, rules: [String], requiredApprovals: Int, user: String) async throws -> PromotionPolicy {
        for rule in rules { _ = try PolicyEvaluator.parse(rule) }
        if case .alias(let alias) = target { try RegistryValidation.validateAlias(alias) }
        guard (0...100).contains(requiredApprovals) else {
            throw CairnError.invalidParameter("'required_approvals' must be between 0 and 100, got \(requiredApprovals).")
        }
        let policy = PromotionPolicy(modelName: name, target: target, rules: rules, requiredApprovals: requiredApprovals,
                                     updatedBy: user, updatedAt: Clock.nowMillis())
        try await database.write { db in
            let modelID = try await Self.lockModel(name, now: policy.updatedAt, on: db)
            try await PolicyStore.upsert(policy, modelID: modelID, on: db)
            try await EventOutbox.append(type: "promotion_policy.set", subject: "models/\(name)",
                                         payload: PolicySet(name: name, target: target.key, rules: rules, required_approvals: requiredApprovals),
                                         actor: user, database: database, on: db)
        }
        return policy
    }

    public func policies(name: String) async throws -> [PromotionPolicy] {
        try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            return try await PolicyStore.list(modelID: model.id, modelName: name, on: db)
        }
    }

    public func deletePolicy(name: String, target: PromotionTarget, user: String) async throws {
        try await database.write { db in
            let modelID = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            guard try await PolicyStore.delete(target, modelID: modelID, on: db) else {
                throw CairnError.notFound("Model '\(name)' has no promotion policy for \(target.description).")
            }
            try await EventOutbox.append(type: "promotion_policy.deleted", subject: "models/\(name)",
                                         payload: PolicySet(name: name, target: target.key, rules: [], required_approvals: 0),
                                         actor: user, database: database, on: db)
        }
    }

    struct PolicySet: Encodable {
        let name: String
        let target: String
        let rules: [String]
        let required_approvals: Int
    }
}
