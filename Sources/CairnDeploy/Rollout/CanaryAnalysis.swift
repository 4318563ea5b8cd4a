/// One look at a canary step: the candidate's requests against the stable version's over the
/// same window, judged by the policy.
public enum CanaryAnalysis {
    /// Requests, server errors and p95 latency of one revision over a window.
    public struct Window: Sendable, Equatable {
        public var requests: Int
        public var errors: Int
        public var p95Milliseconds: Double?

        public init(requests: Int, errors: Int, p95Milliseconds: Double?) {
            self.requests = requests
            self.errors = errors
            self.p95Milliseconds = p95Milliseconds
        }

        public var errorRate: Double { requests == 0 ? 0 : Double(errors) / Double(requests) }
    }

    public enum Verdict: Sendable, Equatable {
        /// Take all traffic back to the stable version now.
        case rollBack(String)
        /// Keep the step running (its time is not up, or too few requests to judge).
        case hold(String)
        /// The step passed: go to the next one (or promote after the last).
        case advance(String)
    }

    public static func judge(candidate: Window, stable: Window, secondsIntoStep: Int, step: CanaryPolicy.Step, policy: CanaryPolicy) -> Verdict {
        guard candidate.requests >= policy.minimumRequests else {
            return .hold("\(candidate.requests) of the \(policy.minimumRequests) candidate requests needed to judge")
        }
        let errorIncrease = candidate.errorRate - stable.errorRate
        if errorIncrease > policy.maxErrorRateIncrease {
            return .rollBack("error rate \(percent(candidate.errorRate)) against \(percent(stable.errorRate)) on the stable version")
        }
        if let slower = latencyExcess(candidate, stable, allowed: policy.maxLatencyIncrease, slack: policy.latencySlackMilliseconds) {
            return .rollBack(slower)
        }
        guard secondsIntoStep >= step.seconds else {
            return .hold("observing \(step.percent) % for \(step.seconds - secondsIntoStep) s more")
        }
        if errorIncrease > policy.gateErrorRateIncrease {
            return .rollBack("at the end of the \(step.percent) % step the error rate is \(percent(candidate.errorRate)) against \(percent(stable.errorRate))")
        }
        if let slower = latencyExcess(candidate, stable, allowed: policy.gateLatencyIncrease, slack: policy.latencySlackMilliseconds) {
            return .rollBack("at the end of the \(step.percent) % step \(slower)")
        }
        return .advance("error rate \(percent(candidate.errorRate)) against \(percent(stable.errorRate)); p95 \(milliseconds(candidate.p95Milliseconds)) against \(milliseconds(stable.p95Milliseconds))")
    }

    /// Requests each side needs before its p95 is compared: with fewer, the p95 is little more
    /// than the slowest request, and one slow request (a cold cache) would roll back a good version.
    static let latencySamples = 100

    /// Why the candidate is too slow, if it is: its p95 above the stable one's by more than
    /// `allowed` (a fraction) and by more than `slack` milliseconds.
    static func latencyExcess(_ candidate: Window, _ stable: Window, allowed: Double, slack: Double) -> String? {
        guard let mine = candidate.p95Milliseconds, let theirs = stable.p95Milliseconds,
              candidate.requests >= latencySamples, stable.requests >= latencySamples else { return nil }
        guard mine > theirs * (1 + allowed), mine - theirs > slack else { return nil }
        return "p95 latency \(milliseconds(mine)) against \(milliseconds(theirs)) on the stable version"
    }

    static func percent(_ rate: Double) -> String { "\((rate * 10_000).rounded() / 100) %" }
    static func milliseconds(_ value: Double?) -> String { value.map { "\(($0 * 100).rounded() / 100) ms" } ?? "n/a" }
}
