import CairnDeploy
import Testing

@Suite("Canary analysis")
struct CanaryAnalysisTests {
    let policy = CanaryPolicy()
    let step = CanaryPolicy.Step(percent: 5, seconds: 600)
    let stable = CanaryAnalysis.Window(requests: 10_000, errors: 10, p95Milliseconds: 12)

    @Test("A candidate that fails requests, or is much slower, is rolled back before its step is up")
    func rollsBackBrokenCandidates() {
        let failing = CanaryAnalysis.Window(requests: 200, errors: 40, p95Milliseconds: 12)
        guard case .rollBack(let why) = CanaryAnalysis.judge(candidate: failing, stable: stable, secondsIntoStep: 30, step: step, policy: policy) else {
            Issue.record("a 20 % error rate was not rolled back"); return
        }
        #expect(why.contains("20.0 %"))
        let slow = CanaryAnalysis.Window(requests: 200, errors: 0, p95Milliseconds: 40)
        guard case .rollBack(let slower) = CanaryAnalysis.judge(candidate: slow, stable: stable, secondsIntoStep: 30, step: step, policy: policy) else {
            Issue.record("a p95 of 40 ms against 12 ms was not rolled back"); return
        }
        #expect(slower.contains("40.0 ms"))
    }

    @Test("A healthy candidate is held until its step is up, then advances; too few requests never decide")
    func advancesHealthyCandidates() {
        let healthy = CanaryAnalysis.Window(requests: 600, errors: 1, p95Milliseconds: 12.5)
        #expect(CanaryAnalysis.judge(candidate: healthy, stable: stable, secondsIntoStep: 100, step: step, policy: policy) == .hold("observing 5 % for 500 s more"))
        guard case .advance = CanaryAnalysis.judge(candidate: healthy, stable: stable, secondsIntoStep: 600, step: step, policy: policy) else {
            Issue.record("a healthy candidate did not advance"); return
        }
        let few = CanaryAnalysis.Window(requests: 10, errors: 10, p95Milliseconds: 900)
        guard case .hold = CanaryAnalysis.judge(candidate: few, stable: stable, secondsIntoStep: 900, step: step, policy: policy) else {
            Issue.record("10 requests were judged"); return
        }
        // 60 requests are enough to judge errors, not a p95: one cold, slow request must not roll back.
        let cold = CanaryAnalysis.Window(requests: 60, errors: 0, p95Milliseconds: 900)
        guard case .hold = CanaryAnalysis.judge(candidate: cold, stable: stable, secondsIntoStep: 10, step: step, policy: policy) else {
            Issue.record("a p95 of 60 requests rolled back"); return
        }
        // Sub-millisecond noise: 0.9 ms against 0.5 ms is within the slack.
        let fast = CanaryAnalysis.Window(requests: 100, errors: 0, p95Milliseconds: 0.5)
        let noisy = CanaryAnalysis.Window(requests: 100, errors: 0, p95Milliseconds: 0.9)
        guard case .advance = CanaryAnalysis.judge(candidate: noisy, stable: fast, secondsIntoStep: 600, step: step, policy: policy) else {
            Issue.record("sub-millisecond noise rolled back"); return
        }
    }

    @Test("Schedules and thresholds that cannot work are refused")
    func invalidPolicies() {
        #expect(throws: Never.self) { try CanaryPolicy().validate() }
        var falling = CanaryPolicy(); falling.steps = [.init(percent: 50, seconds: 60), .init(percent: 25, seconds: 60), .init(percent: 100, seconds: 0)]
        #expect(throws: CanaryPolicy.Invalid.self) { try falling.validate() }
        var unfinished = CanaryPolicy(); unfinished.steps = [.init(percent: 5, seconds: 60), .init(percent: 50, seconds: 60)]
        #expect(throws: CanaryPolicy.Invalid.self) { try unfinished.validate() }
        var loose = CanaryPolicy(); loose.gateErrorRateIncrease = 0.2
        #expect(throws: CanaryPolicy.Invalid.self) { try loose.validate() }
        var negative = CanaryPolicy(); negative.maxLatencyIncrease = -1
        #expect(throws: CanaryPolicy.Invalid.self) { try negative.validate() }
    }
}
