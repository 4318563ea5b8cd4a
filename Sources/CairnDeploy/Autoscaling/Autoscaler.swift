import Foundation

/// Decides how many replicas a deployment wants, as Knative's pod autoscaler does: the requests
/// in flight are sampled, averaged over a stable window (60 s) and a panic window (6 s); normally
/// the stable average over the per-replica target sets the count, but when the short-window
/// demand reaches twice the current capacity it panics: scales up on the short window at once
/// and does not scale down until a whole stable window has passed without a burst. Scale-down
/// halves at most per decision; with a minimum of 0 the last replica goes after a grace period
/// without traffic.
public struct Autoscaler: Sendable {
    public let policy: AutoscalerPolicy
    /// (time in seconds, total requests in flight across replicas), oldest first.
    private var samples: [(time: Double, concurrency: Double)] = []
    private var panicSince: Double?
    private var lastBurst: Double?
    private var panicPeak = 0
    private var lastTraffic: Double?

    public struct Decision: Sendable, Equatable {
        public var replicas: Int
        public var panicking: Bool
        public var reason: String
    }

    public init(policy: AutoscalerPolicy) {
        self.policy = policy
    }

    public mutating func record(concurrency: Double, at time: Double) {
        samples.append((time, concurrency))
        if concurrency > 0 { lastTraffic = time }
        let horizon = time - policy.stableWindowSeconds
        if let keep = samples.firstIndex(where: { $0.time > horizon }), keep > 0 { samples.removeFirst(keep) }
    }

    /// The replica count wanted at `time`, given `ready` replicas now.
    public mutating func decide(at time: Double, ready: Int) -> Decision {
        let stable = average(over: policy.stableWindowSeconds, at: time)
        let panicWindow = max(1, (policy.stableWindowSeconds * policy.panicWindowPercentage / 100).rounded())
        let burst = average(over: panicWindow, at: time)
        let capacity = max(1, ready)
        let lower = Int((Double(ready) / policy.maxScaleDownRate).rounded(.down))
        let upper = Int((policy.maxScaleUpRate * Double(capacity)).rounded(.up))
        let stableWant = min(max(Int((stable / policy.targetConcurrency).rounded(.up)), lower), upper)
        let burstWant = min(max(Int((burst / policy.targetConcurrency).rounded(.up)), lower), upper)

        if Double(burstWant) / Double(capacity) >= policy.panicThreshold {
            if panicSince == nil { panicSince = time; panicPeak = ready }
            lastBurst = time
        } else if panicSince != nil, let lastBurst, time - lastBurst >= policy.stableWindowSeconds {
            panicSince = nil
            panicPeak = 0
        }
        var wanted: Int
        var reason: String
        if panicSince != nil {
            // Panic: follow the burst up at once, never scale down.
            wanted = max(stableWant, burstWant, panicPeak)
            panicPeak = wanted
            reason = "panic: \(format(burst)) in flight over \(Int(panicWindow)) s against \(format(policy.targetConcurrency)) per replica"
        } else {
            wanted = stableWant
            reason = "\(format(stable)) in flight over \(Int(policy.stableWindowSeconds)) s against \(format(policy.targetConcurrency)) per replica"
        }
        if policy.minReplicas == 0, wanted == 0 {
            // Scale to zero only after the grace period without any request.
            if let lastTraffic, time - lastTraffic < policy.scaleToZeroGraceSeconds {
                wanted = max(1, min(ready, 1))
                reason = "idle for \(format(time - lastTraffic)) s of the \(format(policy.scaleToZeroGraceSeconds)) s before scaling to zero"
            } else {
                reason = "no requests for \(format(policy.scaleToZeroGraceSeconds)) s: scale to zero"
            }
        } else if policy.minReplicas == 0, ready == 0, burst > 0 || stable > 0 {
            wanted = max(wanted, 1)  // a request is waiting for a cold start
        }
        wanted = min(max(wanted, policy.minReplicas), policy.maxReplicas)
        return Decision(replicas: wanted, panicking: panicSince != nil, reason: reason)
    }

    /// Mean of the samples taken in the last `seconds` (0 without samples).
    private func average(over seconds: Double, at time: Double) -> Double {
        let recent = samples.filter { $0.time > time - seconds && $0.time <= time }
        guard !recent.isEmpty else { return 0 }
        return recent.reduce(0) { $0 + $1.concurrency } / Double(recent.count)
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
