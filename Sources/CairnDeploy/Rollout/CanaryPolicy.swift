/// A canary rollout's schedule and thresholds. Defaults follow the design: 5 → 25 → 50 → 100 %;
/// roll back at once when the candidate's error rate is 0.5 points above the stable version's or
/// its p95 latency 50 % higher; move to the next step when a step's time is up and the candidate
/// is within 0.1 points and 10 % of the stable version.
public struct CanaryPolicy: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        public var percent: Int
        public var seconds: Int

        public init(percent: Int, seconds: Int) {
            self.percent = percent
            self.seconds = seconds
        }
    }

    public var steps: [Step]
    /// Roll back when candidate error rate − stable error rate exceeds this (0.005 = 0.5 points).
    public var maxErrorRateIncrease: Double
    /// Roll back when candidate p95 > stable p95 × (1 + this).
    public var maxLatencyIncrease: Double
    /// To advance: candidate error rate − stable error rate at most this.
    public var gateErrorRateIncrease: Double
    /// To advance: candidate p95 at most stable p95 × (1 + this).
    public var gateLatencyIncrease: Double
    /// Latency differences below this many milliseconds never count (noise at sub-millisecond p95s).
    public var latencySlackMilliseconds: Double
    /// Candidate requests needed before any verdict.
    public var minimumRequests: Int

    public init(steps: [Step] = [.init(percent: 5, seconds: 600), .init(percent: 25, seconds: 1800), .init(percent: 50, seconds: 3600), .init(percent: 100, seconds: 0)],
                maxErrorRateIncrease: Double = 0.005, maxLatencyIncrease: Double = 0.5, gateErrorRateIncrease: Double = 0.001,
                gateLatencyIncrease: Double = 0.1, latencySlackMilliseconds: Double = 5, minimumRequests: Int = 50) {
        self.steps = steps
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxLatencyIncrease = maxLatencyIncrease
        self.gateErrorRateIncrease = gateErrorRateIncrease
        self.gateLatencyIncrease = gateLatencyIncrease
        self.latencySlackMilliseconds = latencySlackMilliseconds
        self.minimumRequests = minimumRequests
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Refuses schedules and thresholds that cannot work.
    public func validate() throws(Invalid) {
        guard !steps.isEmpty else { throw Invalid(description: "A canary needs at least one step.") }
        var previous = 0
        for step in steps {
            guard step.percent > previous, step.percent <= 100 else {
                throw Invalid(description: "Canary steps must rise strictly, each from 1 to 100 percent (got \(steps.map(\.percent))).")
            }
            guard (0...7 * 24 * 3600).contains(step.seconds) else { throw Invalid(description: "A canary step lasts 0 seconds to 7 days (got \(step.seconds)).") }
            previous = step.percent
        }
        guard steps.last?.percent == 100 else { throw Invalid(description: "The last canary step must be 100 percent.") }
        for (name, value) in [("maxErrorRateIncrease", maxErrorRateIncrease), ("gateErrorRateIncrease", gateErrorRateIncrease)] where !(0...1).contains(value) {
            throw Invalid(description: "\(name) is a fraction from 0 to 1 (got \(value)).")
        }
        for (name, value) in [("maxLatencyIncrease", maxLatencyIncrease), ("gateLatencyIncrease", gateLatencyIncrease),
                              ("latencySlackMilliseconds", latencySlackMilliseconds)] where !(0...1_000).contains(value) {
            throw Invalid(description: "\(name) must be from 0 to 1000 (got \(value)).")
        }
        guard gateErrorRateIncrease <= maxErrorRateIncrease, gateLatencyIncrease <= maxLatencyIncrease else {
            throw Invalid(description: "The thresholds to advance must not be looser than the thresholds to roll back.")
        }
        guard (1...1_000_000).contains(minimumRequests) else { throw Invalid(description: "minimumRequests is from 1 to 1000000 (got \(minimumRequests)).") }
    }
}
