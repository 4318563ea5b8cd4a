import ArgumentParser
import CairnServer
import Logging

/// `cairn server`: the control plane.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Cairn control plane (an MLflow-compatible tracking server).")

    @Option(help: "Address to bind (env CAIRN_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env CAIRN_PORT; default 5000).")
    var port: Int?

    @Option(name: .customLong("backend-store-uri"),
            help: "sqlite:///path/to/cairn.db or postgresql://user:pass@host:port/db (env CAIRN_BACKEND_STORE_URI; default sqlite:///cairn-data/cairn.db).")
    var backendStoreURI: String?

    @Option(name: .customLong("artifacts-destination"),
            help: "Folder for artifacts (env CAIRN_ARTIFACTS_DESTINATION; default ./cairn-data/artifacts).")
    var artifactsDestination: String?

    @Option(name: .customLong("pipeline-work-dir"),
            help: "Folder where pipeline steps run (env CAIRN_PIPELINE_WORK_DIRECTORY; default: pipelines/ next to the artifacts folder).")
    var pipelineWorkDirectory: String?

    @Option(name: .customLong("pipeline-cpus"), help: "CPUs pipeline steps may use at once (default: this machine's cores).")
    var pipelineCPUs: Double?

    @Option(name: .customLong("pipeline-memory"), help: "Memory pipeline steps may use at once, e.g. 16Gi (default: this machine's).")
    var pipelineMemory: String?

    @Option(name: .customLong("pipeline-gpus"), help: "GPUs pipeline steps may use at once (default 0).")
    var pipelineGPUs: Int?

    @Option(name: .customLong("ray-address"),
            help: "Run pipeline steps as Ray jobs on the cluster whose dashboard is here, e.g. http://127.0.0.1:8265 (env CAIRN_RAY_ADDRESS; default: local processes).")
    var rayAddress: String?

    @Option(name: .customLong("prediction-log-buffer"),
            help: "Prediction log records held in memory while the store catches up; more are dropped and counted (env CAIRN_PREDICTION_LOG_BUFFER; default 50000).")
    var predictionLogBuffer: Int?

    @Option(name: .customLong("online-store"),
            help: "Online feature store: redis://host:port (env CAIRN_ONLINE_STORE; default: the metadata database).")
    var onlineStore: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let configuration = try ServerConfiguration.resolve(
            host: host, port: port, backendStoreURI: backendStoreURI, artifactsDestination: artifactsDestination,
            pipelineWorkDirectory: pipelineWorkDirectory,
            pipelineCapacity: .init(cpus: pipelineCPUs, memory: pipelineMemory, gpus: pipelineGPUs), rayAddress: rayAddress,
            predictionLogBuffer: predictionLogBuffer, onlineStore: onlineStore)
        var logger = Logger(label: "cairn")
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("Unknown log level '\(logLevel)'.")
        }
        logger.logLevel = level
        try await CairnApplication.run(configuration, logger: logger)
    }
}

