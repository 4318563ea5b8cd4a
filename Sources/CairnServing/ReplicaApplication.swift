import CairnHTTP
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `cairn replica`: serves one model over the Open Inference Protocol (V2), MLflow's scoring
/// protocol and KServe V1. Ready only after the model is loaded and has answered a warm-up request.
public enum ReplicaApplication {
    /// Inference requests worked on at once before the replica answers 429.
    public static let defaultConcurrencyLimit = 512

    public static func router(model: any InferenceModel, state: ReplicaState, metrics: ReplicaMetrics = ReplicaMetrics(),
                              concurrencyLimit: Int = defaultConcurrencyLimit) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in PrometheusText.response(metrics.registry) }
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ModelVersionHeader(version: model.version))
        router.add(middleware: AdmissionLimiter(limit: concurrencyLimit))
        V2Routes<BasicRequestContext>(model: model, state: state).register(on: router)
        ScoringRoutes<BasicRequestContext>(model: model, state: state).register(on: router)
        return router
    }

    /// One prediction on zeros of every input's shape (open dimensions as 1), so the first real
    /// request does not pay for ONNX Runtime's lazy initialisation.
    public static func warmUp(_ model: any InferenceModel) async throws {
        var feeds: [String: Tensor] = [:]
        for input in model.inputs {
            let shape = input.shape.map { $0 < 0 ? Int64(1) : $0 }
            let count = Int(shape.reduce(1, *))
            let elements: Tensor.Elements
            switch input.datatype {
            case "FP32": elements = .float32(Array(repeating: 0, count: count))
            case "FP64": elements = .float64(Array(repeating: 0, count: count))
            case "INT64": elements = .int64(Array(repeating: 0, count: count))
            case "INT32": elements = .int32(Array(repeating: 0, count: count))
            case "BOOL": elements = .bool(Array(repeating: false, count: count))
            default: return  // nothing this server can feed yet; the first request warms it up
            }
            feeds[input.name] = Tensor(shape: shape, elements: elements)
        }
        _ = try await model.predict(feeds)
    }

    /// Serves `model` until SIGTERM or SIGINT, then stops taking connections, answers every
    /// request already taken, and stops the model.
    public static func run(model: any InferenceModel, host: String, port: Int, metrics: ReplicaMetrics = ReplicaMetrics(), logger: Logger) async throws {
        let state = ReplicaState(modelAvailable: { model.isAvailable })
        let app = Application(
            router: router(model: model, state: state, metrics: metrics),
            configuration: .init(address: .hostname(host, port: port), serverName: "cairn-replica"),
            onServerRunning: { channel in
                logger.info("serving \(model.name) version \(model.version) on http://\(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
        // The model first: services shut down in reverse order, so the server drains before the model stops.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: ModelService(model: model, state: state, logger: logger)), .init(service: app)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
