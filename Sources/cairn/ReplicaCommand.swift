import ArgumentParser
import CairnServing
import Crypto
import Foundation
import Logging

/// `cairn replica`: a model server for one model.
struct ReplicaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Serve one model over the Open Inference Protocol (V2), MLflow's scoring protocol and KServe V1.",
        discussion: """
            ONNX models run in-process on ONNX Runtime. Other MLflow models (pyfunc) run in an external \
            runtime the replica starts, watches and restarts: by default `mlflow models serve` on a private port.
            """)

    @Option(help: "The model: models:/<name>/<version>, models:/<name>@<alias> (fetched from --server and verified), a local .onnx file, or a local MLflow model folder.")
    var model: String

    @Option(help: "The Cairn server holding the registry (env CAIRN_SERVER or MLFLOW_TRACKING_URI; default http://127.0.0.1:5000).")
    var server: String?

    @Option(name: .customLong("cache-dir"), help: "Where fetched model files are kept (default ~/.cache/cairn/models).")
    var cacheDirectory: String?

    @Option(help: "Name the model is served under (default: the registered name, or the file or folder name).")
    var name: String?

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(name: .customLong("onnxruntime-lib"), help: "Path of libonnxruntime.so (default: $CAIRN_ONNXRUNTIME_LIB, else the one in Python's onnxruntime package).")
    var onnxRuntimeLibrary: String?

    @Option(help: "ONNX Runtime intra-op threads per request.")
    var threads: Int32 = 1

    @Option(name: .customLong("max-batch-size"), help: "Adaptive batching: stack concurrent requests up to this many rows into one prediction (default 1: off).")
    var maxBatchSize = 1

    @Option(name: .customLong("max-batch-wait-ms"), help: "Adaptive batching: longest a request waits for others to join its batch, in milliseconds.")
    var maxBatchWaitMilliseconds = 5

    @Option(name: .customLong("runtime-command"), help: "The external runtime for models without ONNX: a sh command where {model} is the model folder and {port} the port to listen on.")
    var runtimeCommand = ExternalRuntime.defaultCommand

    @Option(name: .customLong("runtime-start-timeout"), help: "Seconds the external runtime may take to answer /ping before it is restarted.")
    var runtimeStartTimeout = 300

    func validate() throws {
        guard maxBatchSize >= 1 else { throw ValidationError("--max-batch-size must be at least 1.") }
        guard (0...10_000).contains(maxBatchWaitMilliseconds) else { throw ValidationError("--max-batch-wait-ms must be between 0 and 10000.") }
        guard runtimeCommand.contains("{port}") else { throw ValidationError("--runtime-command must contain {port}, the port the runtime listens on.") }
        guard runtimeStartTimeout > 0 else { throw ValidationError("--runtime-start-timeout must be positive.") }
    }

    func run() async throws {
        let logger = Logger(label: "cairn-replica")
        let (path, servedName, version) = try await resolve()
        var options = ModelLoader.Options()
        options.onnxRuntimeLibrary = onnxRuntimeLibrary
        options.threads = threads
        options.maxBatchSize = maxBatchSize
        options.maxBatchWait = .milliseconds(maxBatchWaitMilliseconds)
        options.runtimeCommand = runtimeCommand
        options.runtimeStartTimeout = .seconds(runtimeStartTimeout)
        let metrics = ReplicaMetrics()
        options.metrics = metrics
        let served = try ModelLoader(options: options, logger: logger).load(path, name: name ?? servedName, version: version)
        try await ReplicaApplication.run(model: served, host: host, port: port, metrics: metrics, logger: logger)
    }

    /// The model's file or folder, the name to serve it under, and its version.
    private func resolve() async throws -> (path: URL, name: String, version: String) {
        if model.hasPrefix("models:/") {
            let environment = ProcessInfo.processInfo.environment
            let base = server ?? environment["CAIRN_SERVER"] ?? environment["MLFLOW_TRACKING_URI"] ?? "http://127.0.0.1:5000"
            guard let serverURL = URL(string: base) else { throw ValidationError("Invalid server URL '\(base)'.") }
            let cache = cacheDirectory.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appending(path: ".cache/cairn/models")
            let files = try await RegisteredModelFiles.fetch(model, server: serverURL, cache: cache)
            return (files.folder, files.name, files.version)
        }
        let url = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("No model file or folder at \(model).") }
        return (url, url.deletingPathExtension().lastPathComponent, try Self.contentVersion(url))
    }

    /// A local model has no registry version: a hash of its content names what produced each answer.
    static func contentVersion(_ url: URL) throws -> String {
        var hasher = SHA256()
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let files = isDirectory.boolValue
            ? (FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL }
                .filter { !$0.hasDirectoryPath }.sorted { $0.path < $1.path } ?? [])
            : [url]
        for file in files {
            hasher.update(data: Data(file.path.dropFirst(url.path.count).utf8))
            hasher.update(data: try Data(contentsOf: file))
        }
        return "sha256-" + hasher.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
