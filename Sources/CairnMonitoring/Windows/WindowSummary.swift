/// A deployment's traffic over one rolling window: what `GET …/metrics` reports per window and
/// what monitors on error rate and latency compare with their thresholds.
public struct WindowSummary: Sendable, Equatable {
    public var seconds: Int
    public var requests: Int
    /// Answers with a 5xx status.
    public var errors: Int
    public var p50Milliseconds: Double?
    public var p95Milliseconds: Double?
    public var p99Milliseconds: Double?

    public var errorRate: Double? { requests > 0 ? Double(errors) / Double(requests) : nil }
    public var requestsPerSecond: Double { Double(requests) / Double(seconds) }
}
