import CairnCore
import CairnMonitoring
import CairnRegistry
import CairnStorage
import Foundation
import Logging

/// The control plane for deployments: turns a registered model version into running replicas
/// behind the gateway, rolls out new versions by the deployment's strategy, promotes, pauses,
/// rolls back, and deletes (drain, then stop). Every change is committed to the store before it
/// takes effect; on start the stored deployments are brought back up, and a control loop
/// (`DeploymentService+Control`) drives canaries, retirements, autoscaling and alias following.
public actor DeploymentService {
    let database: Database
    let registry: RegistryService
    let launcher: LocalReplicaLauncher
    public nonisolated let gateway: DeploymentGateway
    let logger: Logger
    /// Running replicas: deployment → revision → replicas.
    var running: [String: [Int: [Replica]]] = [:]
    /// Deployments being changed, so two changes to one deployment do not interleave.
    var busy: Set<String> = []
    /// The last canary verdict per deployment (changes every tick, so kept in memory only).
    var verdicts: [String: String] = [:]
    var autoscalers: [String: Autoscaler] = [:]
    /// The next replica index per deployment, so every replica has its own log file.
    var nextReplicaIndex: [String: Int] = [:]
    var controlLoop: Task<Void, Never>?
    var monitorLoop: Task<Void, Never>?
    /// Each monitor's state between checks, by "deployment/monitor".
    var alertTrackers: [String: AlertTracker] = [:]
    /// When each monitor was last checked (milliseconds), by "deployment/monitor".
    var lastChecks: [String: Int64] = [:]
    let notifier: AlertNotifier
    /// Starts the pipeline runs that alerts ask for (none: such actions fail and say so).
    var pipelineLauncher: (any PipelineLauncher)?
    var logWriter: Task<Void, Never>?

    public init(database: Database, registry: RegistryService, launcher: LocalReplicaLauncher, gateway: DeploymentGateway, logger: Logger) {
        self.database = database
        self.registry = registry
        self.launcher = launcher
        self.gateway = gateway
        self.logger = logger
        notifier = AlertNotifier(logger: logger)
    }

    // MARK: reading

    public func deployment(name: String) async throws -> Deployment {
        let database = self.database
        guard let deployment = try await database.read({ db in try await DeploymentStore.deployment(name: name, on: db) }) else {
            throw CairnError.notFound("Deployment '\(name)' does not exist.")
        }
        return deployment
    }

    public func deployments() async throws -> [Deployment] {
        let database = self.database
        return try await database.read { db in try await DeploymentStore.deployments(on: db) }
    }

    /// What is live beside the stored deployment: replicas, per-revision traffic, the canary's
    /// last verdict, shadow comparisons and the A/B test.
    public func live(_ deployment: Deployment) async throws -> LiveStatus {
        let name = deployment.name
        var status = LiveStatus(replicas: running[name, default: [:]].mapValues { $0.map { ($0.url, $0.isReady) } },
                                windows: gateway.stats.windows(of: name), verdict: verdicts[name])
        if let rollout = deployment.progress.rollout {
            if rollout.strategy == .shadow { status.shadow = gateway.stats.shadowCounts(of: name, revision: rollout.candidate) }
            if rollout.strategy == .ab { status.abTest = try await abTest(deployment, rollout: rollout) }
        }
        return status
    }

    // MARK: changes

    /// Creates the deployment, starts its replicas, and routes all traffic to them. If the
    /// replicas cannot start, nothing is kept.
    public func create(_ spec: DeploymentSpec) async throws -> Deployment {
        try spec.validate()
        try await checkFeatureService(of: spec)
        try await claim(spec.name)
        defer { release(spec.name) }
        let database = self.database
        if try await database.read({ db in try await DeploymentStore.deployment(name: spec.name, on: db) }) != nil {
            throw CairnError.alreadyExists("Deployment '\(spec.name)' already exists.")
        }
        let version = try await resolve(spec)
        let now = Clock.nowMillis()
        var deployment = Deployment(spec: spec, revisions: [.init(number: 1, modelName: spec.modelName, modelVersion: version, createdAt: now, percent: 100)],
                                    createdAt: now, updatedAt: now)
        deployment.progress.record("created: revision 1 serves \(spec.modelName) version \(version)", at: now)
        let replicas = try await start(deployment.revisions[0], of: spec)
        do {
            let created = deployment
            try await database.write { db in try await DeploymentStore.insert(created, on: db) }
        } catch {
            await Self.stop(replicas)
            throw error
        }
        running[spec.name] = [1: replicas]
        publish(deployment)
        logger.info("deployment \(spec.name) serves \(spec.modelName) version \(version) on \(replicas.count) replica(s)")
        return deployment
    }

    /// Rolls out another version (or the alias's current one) as a new revision, by the strategy
    /// of `spec` (the deployment's spec with any options changed): immediate and blue-green
    /// switch all traffic once the new replicas are ready (blue-green keeps the old ones for an
    /// instant rollback); canary, A/B and shadow start a rollout the control loop or the user ends.
    public func update(name: String, spec: DeploymentSpec) async throws -> Deployment {
        try spec.validate()
        try await checkFeatureService(of: spec)
        guard spec.name == name else { throw CairnError.invalidParameter("A deployment cannot be renamed.") }
        try await claim(name)
        defer { release(name) }
        return try await rollOut(try await deployment(name: name), spec: spec, why: "update")
    }

    /// Ends the rollout in progress in the candidate's favour: all traffic to it now.
    public func promote(name: String) async throws -> Deployment {
        try await claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        guard let rollout = deployment.progress.rollout else { throw CairnError.conflict("Deployment '\(name)' has no rollout to promote.") }
        try await finish(&deployment, rollout: rollout, why: "promoted by hand")
        return deployment
    }

    /// Holds (or lets go on) a canary at its current step; a paused canary still rolls back on failure.
    public func setPaused(name: String, _ paused: Bool) async throws -> Deployment {
        try await claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        guard deployment.progress.rollout != nil else { throw CairnError.conflict("Deployment '\(name)' has no rollout to \(paused ? "pause" : "resume").") }
        deployment.progress.rollout?.paused = paused
        if !paused { deployment.progress.rollout?.stepStartedAt = Clock.nowMillis() }
        deployment.progress.record(paused ? "rollout paused" : "rollout resumed", at: Clock.nowMillis())
        try await save(deployment)
        return deployment
    }

    /// Ends a rollout in progress in the stable revision's favour; without one, sends all
    /// traffic back to the revision before the current one: at once when its replicas are still
    /// up (blue-green), else after starting them.
    public func rollback(name: String, why: String = "by hand") async throws -> Deployment {
        try await claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        if let rollout = deployment.progress.rollout {
            try await abort(&deployment, rollout: rollout, why: "rolled back \(why)")
            return deployment
        }
        guard let current = deployment.current ?? deployment.revisions.max(by: { $0.percent < $1.percent }),
              let target = deployment.revisions.filter({ $0.number < current.number }).last else {
            throw CairnError.conflict("Deployment '\(name)' has no earlier revision to roll back to.")
        }
        if running[name]?[target.number]?.isEmpty ?? true {
            running[name, default: [:]][target.number] = try await start(target, of: deployment.spec)
        }
        deployment.setTraffic([target.number: 100])
        if deployment.spec.modelAlias == nil { deployment.spec.modelVersion = target.modelVersion }
        deployment.keepForRollback(current.number, from: Clock.nowMillis())
        deployment.progress.record("rolled back \(why) to revision \(target.number) (version \(target.modelVersion))", at: Clock.nowMillis())
        try await save(deployment)
        publish(deployment)
        logger.info("deployment \(name) rolled back to revision \(target.number) (version \(target.modelVersion))")
        return deployment
    }

    /// Sets the share of each revision by hand (whole percents summing to 100); revisions left
    /// out get none and are kept up for `keepPreviousSeconds`.
    public func setTraffic(name: String, percents: [Int: Int]) async throws -> Deployment {
        let split: TrafficSplit
        do { split = try TrafficSplit(percents.sorted { $0.key < $1.key }.map { .init(revision: $0.key, percent: $0.value) }) } catch {
            throw CairnError.invalidParameter(error.description)
        }
        try await claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        guard deployment.progress.rollout == nil else {
            throw CairnError.conflict("Deployment '\(name)' has a rollout in progress; promote or roll it back first.")
        }
        for share in split.shares where deployment.revision(share.revision) == nil {
            throw CairnError.notFound("Deployment '\(name)' has no revision \(share.revision).")
        }
        for share in split.shares where share.percent > 0 && (running[name]?[share.revision]?.isEmpty ?? true) {
            running[name, default: [:]][share.revision] = try await start(deployment.revision(share.revision)!, of: deployment.spec)
        }
        let now = Clock.nowMillis()
        for revision in deployment.revisions where revision.percent > 0 && split.percent(of: revision.number) == 0 {
            deployment.keepForRollback(revision.number, from: now)
        }
        deployment.setTraffic(Dictionary(uniqueKeysWithValues: split.shares.map { ($0.revision, $0.percent) }))
        deployment.progress.record("traffic set by hand: " + split.shares.map { "revision \($0.revision) \($0.percent) %" }.joined(separator: ", "), at: now)
        try await save(deployment)
        publish(deployment)
        return deployment
    }

    /// Takes the deployment out of the gateway, lets its replicas finish what they hold, stops
    /// them, and forgets it.
    public func delete(name: String) async throws {
        try await claim(name)
        defer { release(name) }
        _ = try await deployment(name: name)
        let database = self.database
        try await database.write { db in
            try await DeploymentStore.delete(name: name, on: db)
            try await MonitorStore.delete(deployment: name, name: nil, on: db)
        }
        gateway.remove(name)
        forgetMonitors(of: name)
        _ = try? await resolveFiring(deployment: name, monitor: nil, why: "the deployment was deleted")
        for revision in running[name, default: [:]].keys { await stopRevision(revision, of: name) }
        running[name] = nil
        verdicts[name] = nil
        autoscalers[name] = nil
        logger.info("deployment \(name) deleted")
    }

    /// Brings every stored deployment back up (the revisions with traffic, and a shadow
    /// candidate), after a restart; replicas a killed predecessor left running are stopped first.
    public func restore() async {
        await launcher.stopLeftovers(logger: logger)
        let stored: [Deployment]
        do { stored = try await deployments() } catch {
            logger.error("could not read deployments: \(error)")
            return
        }
        for deployment in stored {
            for revision in deployment.revisions where revision.percent > 0 || revision.number == deployment.progress.rollout?.candidate {
                do {
                    running[deployment.name, default: [:]][revision.number] = try await start(revision, of: deployment.spec)
                } catch {
                    logger.error("deployment \(deployment.name) revision \(revision.number) could not be restarted: \(error)")
                }
            }
            publish(deployment)
        }
    }

    /// Stops the control loop and every replica (server shutdown).
    public func shutdown() async {
        controlLoop?.cancel()
        await controlLoop?.value
        controlLoop = nil
        monitorLoop?.cancel()
        await monitorLoop?.value
        monitorLoop = nil
        logWriter?.cancel()
        await logWriter?.value  // writes what is still queued
        logWriter = nil
        for (name, revisions) in running {
            gateway.remove(name)
            for replicas in revisions.values { await Self.stop(replicas) }
        }
        running = [:]
    }

    // MARK: rollouts

    /// Starts `spec`'s version as a new revision and moves traffic to it by `spec.strategy`.
    func rollOut(_ deployment: Deployment, spec: DeploymentSpec, why: String) async throws -> Deployment {
        var deployment = deployment
        guard deployment.progress.rollout == nil else {
            throw CairnError.conflict("Deployment '\(deployment.name)' has a rollout in progress; promote or roll it back first.")
        }
        let version = try await resolve(spec)
        let number = (deployment.revisions.map(\.number).max() ?? 0) + 1
        let now = Clock.nowMillis()
        let revision = Deployment.Revision(number: number, modelName: spec.modelName, modelVersion: version, createdAt: now, percent: 0)
        let stable = deployment.current ?? deployment.revisions.max { $0.percent < $1.percent }
        let replicas = try await start(revision, of: spec)
        let previous = deployment
        deployment.spec = spec
        deployment.revisions.append(revision)
        deployment.updatedAt = now
        let name = deployment.name
        deployment.progress.record("\(why): revision \(number) (version \(version)) rolls out by \(spec.strategy.rawValue)", at: now)
        switch (spec.strategy, stable) {
        case (.canary, let stable?):
            deployment.progress.rollout = Rollout(strategy: .canary, stable: stable.number, candidate: number, startedAt: now)
            deployment.setTraffic(Self.canaryTraffic(stable: stable.number, candidate: number, percent: spec.canary.steps[0].percent))
        case (.ab, let stable?):
            deployment.progress.rollout = Rollout(strategy: .ab, stable: stable.number, candidate: number, startedAt: now)
            deployment.setTraffic([stable.number: 100 - spec.abPercent, number: spec.abPercent])
        case (.shadow, let stable?):
            deployment.progress.rollout = Rollout(strategy: .shadow, stable: stable.number, candidate: number, startedAt: now)
            deployment.setTraffic([stable.number: 100])
        default:
            deployment.setTraffic([number: 100])
            if let stable, spec.strategy != .immediate {
                deployment.keepForRollback(stable.number, from: now)
            }
        }
        do {
            let database = self.database
            let updated = deployment
            try await database.write { db in
                try await DeploymentStore.insert(revision, deployment: name, on: db)
                try await DeploymentStore.update(updated, on: db)
                if spec.strategy == .ab { try await DeploymentStore.clearOutcomes(deployment: name, on: db) }
            }
        } catch {
            await Self.stop(replicas)
            throw error
        }
        running[name, default: [:]][number] = replicas
        gateway.stats.reset(name)
        verdicts[name] = nil
        publish(deployment)
        // Revisions left without traffic: stopped now, unless kept for a rollback.
        let kept = Set(deployment.progress.retiring.map(\.revision))
        for old in previous.revisions where deployment.revision(old.number)?.percent == 0 && old.number != number && !kept.contains(old.number)
            && deployment.progress.rollout?.stable != old.number {
            await stopRevision(old.number, of: name)
        }
        if deployment.progress.rollout?.strategy == .canary, spec.canary.steps[0].percent == 100 {
            try await finish(&deployment, rollout: deployment.progress.rollout!, why: "the canary's only step is 100 %")
        }
        logger.info("deployment \(name) rolls out revision \(number) (\(spec.modelName) version \(version), \(spec.strategy.rawValue))")
        return deployment
    }

    /// Gives the candidate all traffic and ends the rollout; the stable revision is kept up for
    /// `keepPreviousSeconds`.
    func finish(_ deployment: inout Deployment, rollout: Rollout, why: String) async throws {
        let now = Clock.nowMillis()
        deployment.setTraffic([rollout.candidate: 100])
        deployment.progress.rollout = nil
        deployment.keepForRollback(rollout.stable, from: now)
        deployment.progress.record("revision \(rollout.candidate) promoted (\(why)); revision \(rollout.stable) kept for \(deployment.spec.keepPreviousSeconds) s", at: now)
        deployment.updatedAt = now
        try await save(deployment)
        verdicts[deployment.name] = nil
        publish(deployment)
        logger.info("deployment \(deployment.name): revision \(rollout.candidate) promoted (\(why))")
    }

    /// Sends all traffic back to the stable revision, ends the rollout, and stops the candidate.
    func abort(_ deployment: inout Deployment, rollout: Rollout, why: String) async throws {
        let now = Clock.nowMillis()
        deployment.setTraffic([rollout.stable: 100])
        deployment.progress.rollout = nil
        if deployment.spec.modelAlias == nil, let stable = deployment.revision(rollout.stable) { deployment.spec.modelVersion = stable.modelVersion }
        deployment.progress.record("revision \(rollout.candidate) rolled back (\(why)); all traffic to revision \(rollout.stable)", at: now)
        deployment.updatedAt = now
        try await save(deployment)
        publish(deployment)
        await stopRevision(rollout.candidate, of: deployment.name)
        logger.warning("deployment \(deployment.name): revision \(rollout.candidate) rolled back (\(why))")
    }

    static func canaryTraffic(stable: Int, candidate: Int, percent: Int) -> [Int: Int] {
        percent >= 100 ? [candidate: 100] : [stable: 100 - percent, candidate: percent]
    }

    // MARK: helpers

    func resolve(_ spec: DeploymentSpec) async throws -> Int64 {
        if let alias = spec.modelAlias { return try await registry.version(name: spec.modelName, alias: alias).version }
        return try await registry.getModelVersion(name: spec.modelName, version: spec.modelVersion ?? 0).version
    }

    func start(_ revision: Deployment.Revision, of spec: DeploymentSpec, count: Int? = nil) async throws -> [Replica] {
        var started: [Replica] = []
        do {
            for _ in 0..<(count ?? max(1, spec.replicas)) {
                let index = nextReplicaIndex[spec.name, default: 0]
                nextReplicaIndex[spec.name] = index + 1
                started.append(try await launcher.launch(deployment: spec, revision: revision, index: index, logger: logger))
            }
        } catch {
            await Self.stop(started)
            throw CairnError.invalidState("Revision \(revision.number) of '\(spec.name)' (\(revision.modelURI)) could not start: \(error)")
        }
        return started
    }

    func stopRevision(_ number: Int, of name: String) async {
        guard let replicas = running[name]?[number] else { return }
        running[name]?[number] = nil
        publishRunning(name)
        await Self.stop(replicas)
    }

    static func stop(_ replicas: [Replica]) async {
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas { group.addTask { await replica.stop() } }
        }
    }

    func save(_ deployment: Deployment) async throws {
        let database = self.database
        try await database.write { db in try await DeploymentStore.update(deployment, on: db) }
    }

    /// Refuses a feature service that is not defined (or a server without a feature store).
    func checkFeatureService(of spec: DeploymentSpec) async throws {
        guard let service = spec.featureService else { return }
        guard let store = gateway.featureStore else { throw CairnError.invalidParameter("This server has no feature store to read '\(service)' from.") }
        let repository = try await store.repository(project: spec.featureProject).repository
        guard repository.featureServices.contains(where: { $0.name == service }) else {
            throw CairnError.notFound("Feature service '\(service)' does not exist in project '\(repository.project)'.")
        }
    }

    func publish(_ deployment: Deployment) {
        let shadow = deployment.progress.rollout.flatMap { rollout in
            rollout.strategy == .shadow ? DeploymentGateway.Shadow(revision: rollout.candidate, percent: deployment.spec.shadowPercent) : nil
        }
        gateway.route(deployment.name, split: deployment.split, replicas: running[deployment.name, default: [:]], shadow: shadow,
                      logPercent: deployment.spec.logSamplePercent,
                      features: deployment.spec.featureService.map { FeatureEnrichment(project: deployment.spec.featureProject, service: $0) })
        gateway.metrics.describe(deployment, replicas: running[deployment.name, default: [:]], inFlight: gateway.stats.inFlight(of: deployment.name))
    }

    /// Re-publishes `name`'s current route with the replicas running now.
    func publishRunning(_ name: String) {
        gateway.updateReplicas(name, running[name, default: [:]])
    }

    /// Waits (up to a minute) until no other change to `name` is under way, then holds it.
    func claim(_ name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while busy.contains(name) {
            guard ContinuousClock.now < deadline else { throw CairnError.conflict("Deployment '\(name)' is being changed; retry when that change is done.") }
            try await Task.sleep(for: .milliseconds(20))
        }
        busy.insert(name)
    }

    func release(_ name: String) { busy.remove(name) }
}
