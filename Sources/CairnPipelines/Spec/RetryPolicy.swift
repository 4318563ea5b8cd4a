import Foundation

/// How often a failed step is tried again, and how long to wait before each retry: the delay
/// starts at `initialDelay` and is multiplied by `multiplier` after every failure, up to `maxDelay`.
public struct RetryPolicy: Sendable, Equatable {
    /// Total tries, the first included (1 = no retry).
    public var attempts: Int
    public var initialDelaySeconds: Double
    public var multiplier: Double
    public var maxDelaySeconds: Double

    public static let none = RetryPolicy(attempts: 1, initialDelaySeconds: 1, multiplier: 2, maxDelaySeconds: 60)

    /// Seconds to wait before try `attempt + 1`, after try `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelaySeconds, initialDelaySeconds * pow(multiplier, Double(max(0, attempt - 1))))
    }
}
