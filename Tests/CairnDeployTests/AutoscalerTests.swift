import CairnDeploy
import Testing

@Suite("Autoscaler (Knative's algorithm)")
struct AutoscalerTests {
    /// Feeds `concurrency` every 2 s from `start` for `seconds`, deciding at each tick; returns the last decision.
    func run(_ scaler: inout Autoscaler, from start: Double, seconds: Double, concurrency: Double, ready: inout Int) -> Autoscaler.Decision {
        var decision = scaler.decide(at: start, ready: ready)
        var time = start
        while time < start + seconds {
            time += 2
            scaler.record(concurrency: concurrency, at: time)
            decision = scaler.decide(at: time, ready: ready)
            ready = decision.replicas  // replicas come up at once in this model
        }
        return decision
    }

    @Test("Steady load sets ceil(load / target) replicas, within min and max")
    func steady() {
        var scaler = Autoscaler(policy: AutoscalerPolicy(targetConcurrency: 10, minReplicas: 1, maxReplicas: 8))
        var ready = 1
        #expect(run(&scaler, from: 0, seconds: 120, concurrency: 35, ready: &ready).replicas == 4)
        #expect(run(&scaler, from: 120, seconds: 120, concurrency: 500, ready: &ready).replicas == 8)
    }

    @Test("A burst panics: scale up at once, no scale-down until a calm stable window, then at most halving")
    func panic() {
        var scaler = Autoscaler(policy: AutoscalerPolicy(targetConcurrency: 10, minReplicas: 1, maxReplicas: 50))
        var ready = 1
        _ = run(&scaler, from: 0, seconds: 60, concurrency: 8, ready: &ready)
        #expect(ready == 1)
        scaler.record(concurrency: 100, at: 62)
        let burst = scaler.decide(at: 62, ready: 1)
        #expect(burst.panicking && burst.replicas >= 2)
        ready = burst.replicas
        let during = run(&scaler, from: 62, seconds: 20, concurrency: 100, ready: &ready)
        #expect(during.panicking && during.replicas == 10)
        // Load drops: still panicking, holding 10, until a stable window has passed since the last
        // tick over the threshold (the burst was met by 10 replicas within seconds of 62 s).
        let calm = run(&scaler, from: 82, seconds: 30, concurrency: 5, ready: &ready)
        #expect(calm.panicking && calm.replicas == 10)
        var previous = ready
        var time = 112.0
        var decisions: [Int] = []
        while time < 300 {
            time += 2
            scaler.record(concurrency: 5, at: time)
            let decision = scaler.decide(at: time, ready: ready)
            #expect(decision.replicas >= previous / 2, "scaled from \(previous) to \(decision.replicas) in one step")
            decisions.append(decision.replicas)
            previous = decision.replicas
            ready = decision.replicas
        }
        #expect(decisions.last == 1)
        #expect(!scaler.decide(at: time, ready: ready).panicking)
    }

    @Test("With a minimum of 0, the last replica goes after the grace period without requests, and comes back for one")
    func scaleToZero() {
        var scaler = Autoscaler(policy: AutoscalerPolicy(targetConcurrency: 10, minReplicas: 0, maxReplicas: 3))
        var ready = 1
        _ = run(&scaler, from: 0, seconds: 20, concurrency: 3, ready: &ready)
        #expect(ready == 1)
        #expect(run(&scaler, from: 20, seconds: 20, concurrency: 0, ready: &ready).replicas == 1)
        let idle = run(&scaler, from: 40, seconds: 60, concurrency: 0, ready: &ready)
        #expect(idle.replicas == 0 && idle.reason.contains("scale to zero"))
        scaler.record(concurrency: 1, at: 102)
        #expect(scaler.decide(at: 102, ready: 0).replicas == 1)
    }

    @Test("Impossible settings are refused")
    func invalid() {
        #expect(throws: AutoscalerPolicy.Invalid.self) { try AutoscalerPolicy(targetConcurrency: 0, minReplicas: 1, maxReplicas: 2).validate() }
        #expect(throws: AutoscalerPolicy.Invalid.self) { try AutoscalerPolicy(targetConcurrency: 5, minReplicas: 3, maxReplicas: 2).validate() }
        #expect(throws: Never.self) { try AutoscalerPolicy(targetConcurrency: 5, minReplicas: 0, maxReplicas: 2).validate() }
    }
}
