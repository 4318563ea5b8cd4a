/// A request to promote a version, which reviewers approve or reject.
public struct TransitionRequest: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Waiting for approvals or for the version to meet the policy's other rules.
        case pending
        /// Approved and carried out.
        case applied
        case rejected
    }

    public struct Review: Sendable, Equatable {
        public var reviewer: String
        public var approved: Bool
        public var comment: String?
        public var createdAt: Int64
    }

    public var id: String
    public var modelName: String
    public var version: Int64
    public var target: PromotionTarget
    public var status: Status
    public var requestedBy: String
    public var comment: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var reviews: [Review]

    public var approvers: Set<String> {
        Set(reviews.filter(\.approved).map(\.reviewer))
    }
}
