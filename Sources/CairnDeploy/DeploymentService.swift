import CairnCore
import CairnRegistry
import CairnStorage
import Foundation
import Logging

/// The control plane for deployments: turns a registered model version into running replicas
/// behind the gateway, rolls out new versions by the deployment's strategy, rolls back, and
/// deletes (drain, then stop). Every change is committed to the store before it takes effect;
/// on start the stored deployments are brought back up.
public actor DeploymentService {
    let database: Database
    let registry: RegistryService
    let launcher: LocalReplicaLauncher
    public nonisolated let gateway: DeploymentGateway
    let logger: Logger
    /// Running replicas: deployment → revision → replicas.
    private var running: [String: [Int: [Replica]]] = [:]
    /// Deployments being changed, so two changes to one deployment do not interleave.
    private var busy: Set<String> = []

    public init(database: Database, registry: RegistryService, launcher: LocalReplicaLauncher, gateway: DeploymentGateway, logger: Logger) {
        self.database = database
        self.registry = registry
        self.launcher = launcher
        self.gateway = gateway
        self.logger = logger
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

    /// The replicas running for `name`, by revision: (url, ready).
    public func replicas(of name: String) -> [Int: [(url: String, ready: Bool)]] {
        running[name, default: [:]].mapValues { $0.map { ($0.url, $0.isReady) } }
    }

    // MARK: changes

    /// Creates the deployment, starts its replicas, and routes all traffic to them. If the
    /// replicas cannot start, nothing is kept.
    public func create(_ spec: DeploymentSpec) async throws -> Deployment {
        try spec.validate()
        try claim(spec.name)
        defer { release(spec.name) }
        let database = self.database
        if try await database.read({ db in try await DeploymentStore.deployment(name: spec.name, on: db) }) != nil {
            throw CairnError.alreadyExists("Deployment '\(spec.name)' already exists.")
        }
        let version = try await resolve(spec)
        let now = Clock.nowMillis()
        let deployment = Deployment(spec: spec, revisions: [.init(number: 1, modelName: spec.modelName, modelVersion: version, createdAt: now, percent: 100)],
                                    createdAt: now, updatedAt: now)
        let replicas = try await start(deployment.revisions[0], of: spec)
        do {
            try await database.write { db in try await DeploymentStore.insert(deployment, on: db) }
        } catch {
            await Self.stop(replicas)
            throw error
        }
        running[spec.name] = [1: replicas]
        publish(deployment)
        logger.info("deployment \(spec.name) serves \(spec.modelName) version \(version) on \(replicas.count) replica(s)")
        return deployment
    }

    /// Rolls out another version (or the alias's current one) as a new revision, by the
    /// deployment's strategy: both switch all traffic at once when the new replicas are ready;
    /// `immediate` then stops the old ones, `blue_green` keeps them for an instant rollback.
    public func update(name: String, modelVersion: Int64?, modelAlias: String?) async throws -> Deployment {
        try claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        var spec = deployment.spec
        spec.modelVersion = modelVersion
        spec.modelAlias = modelAlias
        try spec.validate()
        let version = try await resolve(spec)
        let number = (deployment.revisions.map(\.number).max() ?? 0) + 1
        let revision = Deployment.Revision(number: number, modelName: spec.modelName, modelVersion: version, createdAt: Clock.nowMillis(), percent: 0)
        let replicas = try await start(revision, of: spec)
        let previous = deployment
        deployment.spec = spec
        deployment.revisions = deployment.revisions.map { var old = $0; old.percent = 0; return old } + [revision]
        deployment.revisions[deployment.revisions.count - 1].percent = 100
        deployment.updatedAt = Clock.nowMillis()
        let updated = deployment
        do {
            let database = self.database
            try await database.write { db in
                try await DeploymentStore.insert(revision, deployment: name, on: db)
                try await DeploymentStore.update(updated, on: db)
            }
        } catch {
            await Self.stop(replicas)
            throw error
        }
        running[name, default: [:]][number] = replicas
        publish(updated)
        // The old revisions: stopped (immediate), or kept warm for a rollback (blue-green).
        if spec.strategy == .immediate {
            for old in previous.revisions where old.number != number { await stopRevision(old.number, of: name) }
        } else {
            for old in previous.revisions where old.number != number && old.percent == 0 { await stopRevision(old.number, of: name) }
        }
        logger.info("deployment \(name) moved to revision \(number) (\(spec.modelName) version \(version), \(spec.strategy.rawValue))")
        return updated
    }

    /// Sends all traffic back to the revision before the current one: at once when its replicas
    /// are still up (blue-green), else after starting them.
    public func rollback(name: String) async throws -> Deployment {
        try claim(name)
        defer { release(name) }
        var deployment = try await deployment(name: name)
        guard let current = deployment.current ?? deployment.revisions.max(by: { $0.percent < $1.percent }),
              let target = deployment.revisions.filter({ $0.number < current.number }).last else {
            throw CairnError.invalidState("Deployment '\(name)' has no earlier revision to roll back to.")
        }
        if running[name]?[target.number]?.isEmpty ?? true {
            running[name, default: [:]][target.number] = try await start(target, of: deployment.spec)
        }
        for index in deployment.revisions.indices { deployment.revisions[index].percent = deployment.revisions[index].number == target.number ? 100 : 0 }
        deployment.spec.modelVersion = target.modelVersion
        deployment.spec.modelAlias = nil
        deployment.updatedAt = Clock.nowMillis()
        let rolledBack = deployment
        let database = self.database
        try await database.write { db in try await DeploymentStore.update(rolledBack, on: db) }
        publish(rolledBack)
        logger.info("deployment \(name) rolled back to revision \(target.number) (version \(target.modelVersion))")
        return rolledBack
    }

    /// Takes the deployment out of the gateway, lets its replicas finish what they hold, stops
    /// them, and forgets it.
    public func delete(name: String) async throws {
        try claim(name)
        defer { release(name) }
        _ = try await deployment(name: name)
        let database = self.database
        try await database.write { db in try await DeploymentStore.delete(name: name, on: db) }
        gateway.remove(name)
        for revision in running[name, default: [:]].keys { await stopRevision(revision, of: name) }
        running[name] = nil
        logger.info("deployment \(name) deleted")
    }

    /// Brings every stored deployment back up (the revisions with traffic), after a restart.
    public func restore() async {
        let stored: [Deployment]
        do { stored = try await deployments() } catch {
            logger.error("could not read deployments: \(error)")
            return
        }
        for deployment in stored {
            for revision in deployment.revisions where revision.percent > 0 {
                do {
                    running[deployment.name, default: [:]][revision.number] = try await start(revision, of: deployment.spec)
                } catch {
                    logger.error("deployment \(deployment.name) revision \(revision.number) could not be restarted: \(error)")
                }
            }
            publish(deployment)
        }
    }

    /// Stops every replica (server shutdown).
    public func shutdown() async {
        for (name, revisions) in running {
            gateway.remove(name)
            for replicas in revisions.values { await Self.stop(replicas) }
        }
        running = [:]
    }

    // MARK: helpers

    private func resolve(_ spec: DeploymentSpec) async throws -> Int64 {
        if let alias = spec.modelAlias { return try await registry.version(name: spec.modelName, alias: alias).version }
        return try await registry.getModelVersion(name: spec.modelName, version: spec.modelVersion ?? 0).version
    }

    private func start(_ revision: Deployment.Revision, of spec: DeploymentSpec) async throws -> [Replica] {
        var started: [Replica] = []
        do {
            for index in 0..<spec.replicas {
                started.append(try await launcher.launch(deployment: spec, revision: revision, index: index, logger: logger))
            }
        } catch {
            await Self.stop(started)
            throw CairnError.invalidState("Revision \(revision.number) of '\(spec.name)' (\(revision.modelURI)) could not start: \(error)")
        }
        return started
    }

    private func stopRevision(_ number: Int, of name: String) async {
        guard let replicas = running[name]?[number] else { return }
        running[name]?[number] = nil
        await Self.stop(replicas)
    }

    private static func stop(_ replicas: [Replica]) async {
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas { group.addTask { await replica.stop() } }
        }
    }

    private func publish(_ deployment: Deployment) {
        gateway.route(deployment.name, split: deployment.split, replicas: running[deployment.name, default: [:]])
    }

    private func claim(_ name: String) throws {
        guard busy.insert(name).inserted else { throw CairnError.invalidState("Deployment '\(name)' is being changed; retry when that change is done.") }
    }

    private func release(_ name: String) { busy.remove(name) }
}
