/// One point of a metric's history as charts need it: no key or origin, just where and what.
public struct MetricPoint: Sendable {
    public var step: Int64
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// May be NaN or ±infinity.
    public var value: Double

    public init(step: Int64, timestamp: Int64, value: Double) {
        self.step = step
        self.timestamp = timestamp
        self.value = value
    }
}
