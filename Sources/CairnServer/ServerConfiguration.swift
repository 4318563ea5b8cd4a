import Foundation

/// How `cairn server` is started: MLflow's flag names, `CAIRN_*` environment fallbacks.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var backendStoreURI: String
    public var artifactsDestination: String
    /// Where pipeline steps run (one folder per try); nil: `pipelines` next to the artifacts folder.
    public var pipelineWorkDirectory: String?
    /// Resources pipeline steps may hold at once; nil: this machine's cores and memory, no GPUs.
    public var pipelineCapacity: PipelineCapacity?
    /// Where steps run: nil for local processes, or a Ray dashboard URL (Ray Jobs API).
    public var rayAddress: String?
    /// Prediction log records held in memory while the store catches up; beyond it they are dropped (and counted).
    public var predictionLogBuffer = defaultPredictionLogBuffer
    /// Where online feature values live: nil for the metadata database, or `redis://host:port`.
    public var onlineStore: String?

    /// `--pipeline-cpus`, `--pipeline-memory`, `--pipeline-gpus`.
    public struct PipelineCapacity: Sendable {
        public var cpus: Double?
        public var memory: String?
        public var gpus: Int?

        public init(cpus: Double?, memory: String?, gpus: Int?) {
            self.cpus = cpus
            self.memory = memory
            self.gpus = gpus
        }
    }

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 5000
    public static let defaultBackendStoreURI = "sqlite:///cairn-data/cairn.db"
    public static let defaultArtifactsDestination = "cairn-data/artifacts"
    public static let defaultPredictionLogBuffer = 50_000

    public init(host: String = defaultHost, port: Int = defaultPort,
                backendStoreURI: String = defaultBackendStoreURI, artifactsDestination: String = defaultArtifactsDestination) {
        self.host = host
        self.port = port
        self.backendStoreURI = backendStoreURI
        self.artifactsDestination = artifactsDestination
    }

    /// Flags win over `CAIRN_HOST`, `CAIRN_PORT`, `CAIRN_BACKEND_STORE_URI`, `CAIRN_ARTIFACTS_DESTINATION`,
    /// which win over the defaults.
    public static func resolve(host: String?, port: Int?, backendStoreURI: String?, artifactsDestination: String?,
                               pipelineWorkDirectory: String? = nil, pipelineCapacity: PipelineCapacity? = nil, rayAddress: String? = nil,
                               predictionLogBuffer: Int? = nil, onlineStore: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        let envPort = try environment["CAIRN_PORT"].map { value -> Int in
            guard let number = Int(value), (1...65535).contains(number) else {
                throw ValidationFailure("CAIRN_PORT must be a port number, got '\(value)'.")
            }
            return number
        }
        var configuration = ServerConfiguration(
            host: host ?? environment["CAIRN_HOST"] ?? defaultHost,
            port: port ?? envPort ?? defaultPort,
            backendStoreURI: backendStoreURI ?? environment["CAIRN_BACKEND_STORE_URI"] ?? defaultBackendStoreURI,
            artifactsDestination: artifactsDestination ?? environment["CAIRN_ARTIFACTS_DESTINATION"] ?? defaultArtifactsDestination)
        configuration.pipelineWorkDirectory = pipelineWorkDirectory ?? environment["CAIRN_PIPELINE_WORK_DIRECTORY"]
        configuration.pipelineCapacity = pipelineCapacity
        configuration.rayAddress = rayAddress ?? environment["CAIRN_RAY_ADDRESS"]
        if let buffer = try predictionLogBuffer ?? environment["CAIRN_PREDICTION_LOG_BUFFER"].map({ value in
            guard let number = Int(value) else { throw ValidationFailure("CAIRN_PREDICTION_LOG_BUFFER must be a number, got '\(value)'.") }
            return number
        }) {
            guard buffer >= 1 else { throw ValidationFailure("--prediction-log-buffer must be at least 1, got \(buffer).") }
            configuration.predictionLogBuffer = buffer
        }
        configuration.onlineStore = onlineStore ?? environment["CAIRN_ONLINE_STORE"]
        if let store = configuration.onlineStore, !store.hasPrefix("redis://") {
            throw ValidationFailure("--online-store must be redis://host:port (leave it out for the metadata database), got '\(store)'.")
        }
        if let address = configuration.rayAddress {
            guard let url = URL(string: address), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationFailure("--ray-address must be the Ray dashboard's http(s) URL, e.g. http://127.0.0.1:8265, got '\(address)'.")
            }
        }
        return configuration
    }
}

public struct ValidationFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
