/// What a version must satisfy before it may enter a stage or take an alias of one model.
public struct PromotionPolicy: Sendable, Equatable {
    public var modelName: String
    public var target: PromotionTarget
    /// Conditions in MLflow's filter syntax, one comparison each: `metrics.auc >= 0.85` reads the
    /// source run's latest metric; `tags.validated = 'true'` or `tags.reviewed IS NOT NULL` read the
    /// version's tags.
    public var rules: [String]
    /// Distinct users (other than the requester) who must approve a transition request.
    public var requiredApprovals: Int
    public var updatedBy: String
    public var updatedAt: Int64

    public init(modelName: String, target: PromotionTarget, rules: [String], requiredApprovals: Int, updatedBy: String, updatedAt: Int64) {
        self.modelName = modelName
        self.target = target
        self.rules = rules
        self.requiredApprovals = requiredApprovals
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

/// The stored JSON form of a policy's conditions.
struct PolicyDocument: Codable, Sendable {
    var rules: [String]
    var required_approvals: Int
}
