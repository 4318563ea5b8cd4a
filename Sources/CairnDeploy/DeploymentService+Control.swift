import CairnCore
import CairnMonitoring
import Foundation

/// The control loop: twice a second, for each deployment no one else is changing, it stops
/// revisions whose rollback window has passed, judges a canary's current step, follows a moved
/// alias, and scales replicas to the load.
extension DeploymentService {
    static let tickInterval = Duration.milliseconds(500)
    /// Alias lookups every this many ticks.
    static let aliasTicks = 4
    /// Old prediction log records are deleted every this many ticks (a minute).
    static let retentionTicks = 120

    /// Deletes each deployment's logged predictions older than its retention.
    func applyRetention() async {
        guard let deployments = try? await deployments() else { return }
        let database = self.database
        for deployment in deployments {
            let cutoff = Clock.nowMillis() - Int64(deployment.spec.logRetentionDays) * 86_400_000
            do {
                try await database.write { db in
                    try await PredictionLogStore.deleteOlder(deployment: deployment.name, than: cutoff, on: db)
                    try await FeedbackStore.deleteOlder(deployment: deployment.name, than: cutoff, on: db)
                }
            } catch {
                logger.error("could not apply the prediction log retention of \(deployment.name): \(error)")
            }
        }
    }

    /// Brings the stored deployments back up, then runs the control loop until `shutdown()`.
    public func start() {
        guard controlLoop == nil else { return }
        if let predictionLog = gateway.predictionLog { logWriter = Task { await predictionLog.run() } }
        controlLoop = Task {
            await self.restore()
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.tickInterval)
                tick += 1
                await self.controlAll(followAliases: tick % Self.aliasTicks == 0)
                if tick % Self.retentionTicks == 0 { await self.applyRetention() }
            }
        }
        monitorLoop = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.monitorInterval)
                await self.checkMonitors()
            }
        }
    }

    func controlAll(followAliases: Bool) async {
        if let predictionLog = gateway.predictionLog { gateway.metrics.describeLog(predictionLog.counts) }
        let stored: [Deployment]
        do { stored = try await deployments() } catch {
            logger.error("control loop could not read deployments: \(error)")
            return
        }
        for deployment in stored where !busy.contains(deployment.name) && running[deployment.name] != nil {
            busy.insert(deployment.name)
            do {
                try await control(deployment, followAlias: followAliases)
            } catch {
                logger.error("control of deployment \(deployment.name) failed: \(error)")
            }
            busy.remove(deployment.name)
        }
    }

    private func control(_ stored: Deployment, followAlias: Bool) async throws {
        var deployment = stored
        defer { gateway.metrics.describe(deployment, replicas: running[deployment.name, default: [:]], inFlight: gateway.stats.inFlight(of: deployment.name)) }
        try await retire(&deployment)
        if let rollout = deployment.progress.rollout, rollout.strategy == .canary {
            try await judgeCanary(&deployment, rollout: rollout)
        }
        if followAlias, deployment.progress.rollout == nil, deployment.spec.followAlias, let alias = deployment.spec.modelAlias,
           let version = try? await registry.version(name: deployment.spec.modelName, alias: alias).version,
           version != deployment.revisions.last?.modelVersion {
            deployment = try await rollOut(deployment, spec: deployment.spec, why: "alias @\(alias) moved to version \(version)")
        }
        if deployment.spec.autoscales, deployment.progress.rollout == nil, let current = deployment.current {
            try await autoscale(&deployment, revision: current.number)
        }
    }

    /// Stops the revisions kept for a rollback once their time is up (unless they got traffic back).
    private func retire(_ deployment: inout Deployment) async throws {
        let now = Clock.nowMillis()
        let due = deployment.progress.retiring.filter { $0.at <= now }
        guard !due.isEmpty else { return }
        deployment.progress.retiring.removeAll { $0.at <= now }
        for retirement in due where (deployment.revision(retirement.revision)?.percent ?? 0) == 0
            && deployment.progress.rollout?.stable != retirement.revision && deployment.progress.rollout?.candidate != retirement.revision {
            await stopRevision(retirement.revision, of: deployment.name)
            deployment.progress.record("revision \(retirement.revision) retired", at: now)
        }
        try await save(deployment)
    }

    /// One look at the canary: roll back, hold, or move to the next step (promote after the last).
    private func judgeCanary(_ deployment: inout Deployment, rollout: Rollout) async throws {
        let policy = deployment.spec.canary
        let step = policy.steps[min(rollout.step, policy.steps.count - 1)]
        let windows = gateway.stats.windows(of: deployment.name)
        let empty = CanaryAnalysis.Window(requests: 0, errors: 0, p95Milliseconds: nil)
        let seconds = Int((Clock.nowMillis() - rollout.stepStartedAt) / 1000)
        let verdict = CanaryAnalysis.judge(candidate: windows[rollout.candidate] ?? empty, stable: windows[rollout.stable] ?? empty,
                                           secondsIntoStep: seconds, step: step, policy: policy)
        switch verdict {
        case .rollBack(let why):
            try await abort(&deployment, rollout: rollout, why: "canary analysis at \(step.percent) %: \(why)")
        case .hold(let why):
            verdicts[deployment.name] = rollout.paused ? "paused; " + why : why
        case .advance(let why):
            guard !rollout.paused else {
                verdicts[deployment.name] = "paused at \(step.percent) %; the step passed: \(why)"
                return
            }
            let next = rollout.step + 1
            guard next < policy.steps.count, policy.steps[next].percent < 100 else {
                try await finish(&deployment, rollout: rollout, why: "every canary step passed; last: \(why)")
                return
            }
            var moved = rollout
            moved.step = next
            moved.stepStartedAt = Clock.nowMillis()
            moved.lastVerdict = why
            deployment.progress.rollout = moved
            deployment.setTraffic(Self.canaryTraffic(stable: rollout.stable, candidate: rollout.candidate, percent: policy.steps[next].percent))
            deployment.progress.record("canary step \(step.percent) % passed (\(why)); now \(policy.steps[next].percent) %", at: moved.stepStartedAt)
            try await save(deployment)
            gateway.stats.reset(deployment.name)
            verdicts[deployment.name] = nil
            publish(deployment)
        }
    }

    /// Knative-style: adds replicas to the revision with all traffic when the requests in flight
    /// outgrow the target, and removes them (out of the gateway first, then drained) when they shrink.
    private func autoscale(_ deployment: inout Deployment, revision: Int) async throws {
        let name = deployment.name
        let policy = deployment.spec.autoscalerPolicy
        if autoscalers[name]?.policy != policy { autoscalers[name] = Autoscaler(policy: policy) }
        let now = TrafficStats.now()
        autoscalers[name]!.record(concurrency: gateway.stats.averageConcurrency(of: name), at: now)
        let replicas = running[name]?[revision] ?? []
        let decision = autoscalers[name]!.decide(at: now, ready: replicas.count)
        if decision.replicas > replicas.count {
            let added = try await start(deployment.revision(revision)!, of: deployment.spec, count: decision.replicas - replicas.count)
            running[name, default: [:]][revision, default: []] += added
            publishRunning(name)
            deployment.progress.record("scaled up from \(replicas.count) to \(replicas.count + added.count) replicas (\(decision.reason))", at: Clock.nowMillis())
            try await save(deployment)
        } else if decision.replicas < replicas.count {
            let removed = Array(replicas[decision.replicas...])
            running[name]?[revision] = Array(replicas[..<decision.replicas])
            publishRunning(name)
            deployment.progress.record("scaled down from \(replicas.count) to \(decision.replicas) replicas (\(decision.reason))", at: Clock.nowMillis())
            try await save(deployment)
            // Requests already routed to them finish: a moment for those in transit, then each drains on SIGTERM.
            Task {
                try? await Task.sleep(for: .seconds(1))
                await Self.stop(removed)
            }
        }
    }
}
