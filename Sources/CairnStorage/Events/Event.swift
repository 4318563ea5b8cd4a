/// A state change other modules (and webhooks) care about, recorded in the `events` outbox in the
/// same transaction as the change itself.
public struct Event: Sendable, Equatable {
    /// Position in the outbox: strictly increasing in commit order.
    public var id: Int64
    /// Dotted name, e.g. `model_version.stage_changed`.
    public var type: String
    /// What the event is about, e.g. `models/churn/versions/3`.
    public var subject: String
    /// Event-specific fields as a JSON object.
    public var payloadJSON: String
    /// Who caused it; empty when unknown.
    public var actor: String
    public var createdAt: Int64

    public init(id: Int64, type: String, subject: String, payloadJSON: String, actor: String, createdAt: Int64) {
        self.id = id
        self.type = type
        self.subject = subject
        self.payloadJSON = payloadJSON
        self.actor = actor
        self.createdAt = createdAt
    }
}
