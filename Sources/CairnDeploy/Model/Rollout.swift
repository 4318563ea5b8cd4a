/// A rollout in progress: traffic moving from the stable revision to a candidate by a strategy
/// (canary, A/B or shadow; immediate and blue-green switch at once and need none).
public struct Rollout: Sendable, Equatable, Codable {
    public var strategy: DeploymentSpec.Strategy
    public var stable: Int
    public var candidate: Int
    /// Canary: the index of the current step in the policy's schedule.
    public var step: Int
    public var stepStartedAt: Int64
    /// Paused: a canary does not advance (it still rolls back on failure).
    public var paused: Bool
    /// The last analysis verdict, for status.
    public var lastVerdict: String?

    public init(strategy: DeploymentSpec.Strategy, stable: Int, candidate: Int, startedAt: Int64) {
        self.strategy = strategy
        self.stable = stable
        self.candidate = candidate
        step = 0
        stepStartedAt = startedAt
        paused = false
    }
}

/// What happened to a deployment and why (rollout steps, verdicts, scaling), newest last.
public struct DeploymentEvent: Sendable, Equatable, Codable {
    public var time: Int64
    public var message: String

    public init(time: Int64, message: String) {
        self.time = time
        self.message = message
    }
}

/// The moving parts of a deployment beside its revisions: the rollout in progress, revisions
/// kept up for a rollback until a time, and the recent history.
public struct DeploymentProgress: Sendable, Equatable, Codable {
    public struct Retirement: Sendable, Equatable, Codable {
        public var revision: Int
        public var at: Int64
    }

    public var rollout: Rollout?
    public var retiring: [Retirement] = []
    public var events: [DeploymentEvent] = []
    /// The newest events kept.
    static let eventLimit = 100

    public init() {}

    mutating func record(_ message: String, at time: Int64) {
        events.append(DeploymentEvent(time: time, message: message))
        if events.count > Self.eventLimit { events.removeFirst(events.count - Self.eventLimit) }
    }
}
