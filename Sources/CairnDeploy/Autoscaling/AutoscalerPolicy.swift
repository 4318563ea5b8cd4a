/// Knative-style autoscaling settings for one deployment (defaults as Knative's, except the target,
/// which is the deployment's own).
public struct AutoscalerPolicy: Sendable, Equatable, Codable {
    /// Requests in flight one replica should carry.
    public var targetConcurrency: Double
    public var minReplicas: Int
    public var maxReplicas: Int
    /// The average that decides normal scaling.
    public var stableWindowSeconds: Double = 60
    /// The short window, as a share of the stable one, that detects bursts.
    public var panicWindowPercentage: Double = 10
    /// Panic when the short-window demand reaches this multiple of current capacity.
    public var panicThreshold: Double = 2
    public var maxScaleUpRate: Double = 1000
    /// At most from N to N / this replicas in one decision.
    public var maxScaleDownRate: Double = 2
    /// With `minReplicas` 0: how long without traffic before the last replica goes.
    public var scaleToZeroGraceSeconds: Double = 30

    public init(targetConcurrency: Double, minReplicas: Int, maxReplicas: Int) {
        self.targetConcurrency = targetConcurrency
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public func validate() throws(Invalid) {
        guard targetConcurrency > 0, targetConcurrency <= 10_000 else { throw Invalid(description: "targetConcurrency is from just above 0 to 10000 (got \(targetConcurrency)).") }
        guard minReplicas >= 0, maxReplicas >= 1, minReplicas <= maxReplicas, maxReplicas <= 1_000 else {
            throw Invalid(description: "Replicas need 0 ≤ min ≤ max, 1 ≤ max ≤ 1000 (got min \(minReplicas), max \(maxReplicas)).")
        }
        guard (6...3_600).contains(stableWindowSeconds) else { throw Invalid(description: "stableWindowSeconds is from 6 to 3600.") }
        guard panicWindowPercentage > 0, panicWindowPercentage <= 100 else { throw Invalid(description: "panicWindowPercentage is above 0 and at most 100.") }
        guard panicThreshold > 1, maxScaleUpRate > 1, maxScaleDownRate > 1 else {
            throw Invalid(description: "panicThreshold, maxScaleUpRate and maxScaleDownRate must be above 1.")
        }
        guard scaleToZeroGraceSeconds >= 0 else { throw Invalid(description: "scaleToZeroGraceSeconds must not be negative.") }
    }
}
