import CairnCore
import CairnDeploy
import CairnFeatures
import CairnHTTP
import CairnMonitoring
import CairnPipelines
import CairnRegistry
import CairnStorage
import CairnTracking
import CairnUI
import Foundation
import Hummingbird
import Logging
import Prometheus

/// Assembles `cairn server`: opens the stores, runs migrations, mounts every module's routes.
public enum CairnApplication {
    /// The MLflow release whose REST API this server speaks; `/version` reports it to clients.
    public static let mlflowCompatibleVersion = "3.17.2"
    /// The `Server` header of every answer.
    static let serverName = "cairn"

    /// Everything a running server holds; closed on shutdown.
    public struct Services: Sendable {
        public let database: Database
        public let tracking: TrackingService
        public let registry: RegistryService
        public let pipelines: PipelineService
        public let deployments: DeploymentService
        public let features: FeatureStoreService
        /// Every Prometheus series the server exposes at `/metrics`.
        public let metrics: PrometheusCollectorRegistry
    }

    public static func openServices(_ configuration: ServerConfiguration, logger: Logger) async throws -> Services {
        let database = try await Database.open(try DatabaseLocation(uri: configuration.backendStoreURI), logger: logger)
        do {
            try await MigrationRunner.run(StorageSchema.migrations + TrackingSchema.migrations + RegistrySchema.migrations
                                          + PipelineSchema.migrations + DeploymentSchema.migrations + PredictionLogSchema.migrations + ReferenceStore.migrations
                                          + FeedbackStore.migrations + MonitorStore.migrations + FeatureSchema.migrations, on: database)
            let artifactRoot = URL(fileURLWithPath: configuration.artifactsDestination, isDirectory: true)
            let artifacts = try LocalArtifactStore(root: artifactRoot, database: database)
            let tracking = TrackingService(database: database, artifacts: artifacts)
            try await tracking.bootstrap()
            let registry = RegistryService(database: database, tracking: tracking)
            let pipelines = PipelineService(database: database, tracking: tracking, registry: registry,
                                            configuration: try pipelineConfiguration(configuration), logger: logger)
            let metrics = PrometheusCollectorRegistry()
            let online: any OnlineStore
            if let url = configuration.onlineStore { online = try await RedisOnlineStore.connect(url: url) } else { online = SQLOnlineStore(database: database) }
            let features = FeatureStoreService(database: database, online: CachedOnlineStore(online))
            let deployments = DeploymentService(database: database, registry: registry, launcher: replicaLauncher(configuration),
                                                gateway: DeploymentGateway(metrics: GatewayMetrics(registry: metrics),
                                                                           predictionLog: PredictionLogger(database: database, capacity: configuration.predictionLogBuffer,
                                                                                                  logger: logger),
                                                                           featureStore: features),
                                                logger: logger)
            await deployments.setPipelineLauncher(PipelineServiceLauncher(pipelines: pipelines))
            return Services(database: database, tracking: tracking, registry: registry, pipelines: pipelines, deployments: deployments, features: features,
                            metrics: metrics)
        } catch {
            await database.close()
            throw error
        }
    }

    static func pipelineConfiguration(_ configuration: ServerConfiguration) throws -> PipelineConfiguration {
        let artifacts = URL(fileURLWithPath: configuration.artifactsDestination, isDirectory: true)
        let work = configuration.pipelineWorkDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? artifacts.deletingLastPathComponent().appending(path: "pipelines")
        var capacity = PipelineConfiguration.localCapacity()
        if let cpus = configuration.pipelineCapacity?.cpus { capacity.cpu = cpus }
        if let memory = configuration.pipelineCapacity?.memory {
            guard let bytes = ResourceSpec.parseMemory(memory) else { throw ValidationFailure("--pipeline-memory: expected a size like 8Gi, got '\(memory)'.") }
            capacity.memoryBytes = bytes
        }
        if let gpus = configuration.pipelineCapacity?.gpus { capacity.gpu = gpus }
        let host = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
        let executor: any StepExecutor = configuration.rayAddress.flatMap(URL.init(string:)).map { RayJobsExecutor(dashboard: $0) }
            ?? LocalProcessExecutor()
        return PipelineConfiguration(workDirectory: work, capacity: capacity, trackingURI: "http://\(host):\(configuration.port)", executor: executor)
    }

    /// Replicas are this binary's `cairn replica`, fetching models from this server, with logs and
    /// the model cache next to the artifacts folder.
    static func replicaLauncher(_ configuration: ServerConfiguration) -> LocalReplicaLauncher {
        let artifacts = URL(fileURLWithPath: configuration.artifactsDestination, isDirectory: true)
        let host = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
        return LocalReplicaLauncher(executable: LocalReplicaLauncher.currentExecutable, serverURL: "http://\(host):\(configuration.port)",
                                    folder: artifacts.deletingLastPathComponent().appending(path: "deployments"))
    }

    public static func router(services: Services) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MLflowErrorMiddleware())
        router.get("/health") { _, _ in "OK" }
        router.get("/version") { _, _ in mlflowCompatibleVersion }
        let featureMetrics = FeatureMetrics(registry: services.metrics)
        router.get("/metrics") { _, _ in
            await featureMetrics.refresh(from: services.features)
            return PrometheusText.response(services.metrics)
        }
        router.get("/api/3.0/mlflow/server-info") { _, _ in
            try JSONResponse.make(ServerInfo())
        }
        let tracking = APIRoutes(router: router)
        let artifacts = APIRoutes(router: router, service: "mlflow-artifacts")
        MLflowExperimentRoutes<BasicRequestContext>(service: services.tracking).register(on: tracking)
        MLflowRunRoutes<BasicRequestContext>(service: services.tracking).register(on: tracking)
        MLflowLoggedModelRoutes<BasicRequestContext>(service: services.tracking).register(on: tracking)
        ArtifactProxyRoutes<BasicRequestContext>(service: services.tracking).register(artifacts: artifacts, tracking: tracking)
        MLflowRegisteredModelRoutes<BasicRequestContext>(service: services.registry).register(on: tracking)
        MLflowModelVersionRoutes<BasicRequestContext>(service: services.registry).register(on: tracking)
        let native = APIRoutes(router: router, prefixes: ["/api/v1"])
        RegistryRoutes<BasicRequestContext>(service: services.registry).register(on: native)
        EventRoutes<BasicRequestContext>(database: services.database).register(on: native)
        PipelineRoutes<BasicRequestContext>(service: services.pipelines).register(on: native)
        DeploymentRoutes<BasicRequestContext>(service: services.deployments).register(on: native)
        DriftRoutes<BasicRequestContext>(service: services.deployments).register(on: native)
        MonitorRoutes<BasicRequestContext>(service: services.deployments).register(on: native)
        FeatureServerRoutes<BasicRequestContext>(service: services.features).register(feast: APIRoutes(router: router, prefixes: [""]), native: native)
        GatewayRoutes<BasicRequestContext>(gateway: services.deployments.gateway).register(on: router)
        UIRoutes<BasicRequestContext>(tracking: services.tracking, registry: services.registry, pipelines: services.pipelines, deployments: services.deployments,
                                      features: services.features, database: services.database).register(on: router)
        return router
    }

    /// Runs the server until SIGINT or SIGTERM, then closes the stores.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let services = try await openServices(configuration, logger: logger)
        let gateway = services.deployments.gateway
        let app = Application(
            router: router(services: services),
            server: .http1(configuration: .init(additionalChannelHandlers: [LargeReadsHandler(), GatewayChannelHandler(gateway: gateway, serverName: serverName)])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            onServerRunning: { channel in
                logger.info("Cairn is listening on http://\(configuration.host):\(channel.localAddress?.port ?? configuration.port)")
                await services.pipelines.start()
                // In the background: restored replicas fetch their models from this very server; then the control loop runs.
                await services.deployments.start()
            },
            logger: logger)
        do {
            try await app.runService()
        } catch {
            await services.deployments.shutdown()
            await services.pipelines.stop()
            await services.database.close()
            throw error
        }
        await services.deployments.shutdown()
        await services.pipelines.stop()
        await services.database.close()
    }

    /// What `GET /api/3.0/mlflow/server-info` tells clients: no multipart or presigned transfers.
    struct ServerInfo: Encodable, Sendable {
        let store_type = "SqlStore"
        let multipart_uploads_enabled = false
        let multipart_downloads_enabled = false
        let artifacts_presigned_only = false
        let workspaces_enabled = false
    }
}
