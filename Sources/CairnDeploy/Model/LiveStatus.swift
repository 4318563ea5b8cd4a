/// What a deployment looks like right now beside its stored state: its replicas, each
/// revision's traffic since the current window opened, the canary's last verdict, and the
/// shadow or A/B comparison of a rollout in progress.
public struct LiveStatus: Sendable {
    public var replicas: [Int: [(url: String, ready: Bool)]]
    public var windows: [Int: CanaryAnalysis.Window]
    public var verdict: String?
    public var shadow: TrafficStats.ShadowCounts?
    public var abTest: ABTest?
}

/// An A/B rollout's outcomes per arm (A the stable revision, B the candidate) and their test.
public struct ABTest: Sendable {
    public struct Arm: Sendable {
        public var revision: Int
        public var trials: Int
        public var successes: Int
    }

    public var a: Arm
    public var b: Arm
    /// Nil until both arms have an outcome.
    public var test: TwoProportionZTest?
}
