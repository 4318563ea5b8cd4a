import ArgumentParser
import CairnServing
import Crypto
import Foundation
import Logging

/// `cairn replica`: a model server for one model file.
struct ReplicaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Serve one ONNX model over the Open Inference Protocol (V2).")

    @Option(help: "The model: models:/<name>/<version>, models:/<name>@<alias> (fetched from --server and verified), or a local .onnx file.")
    var model: String

    @Option(help: "The Cairn server holding the registry (env CAIRN_SERVER or MLFLOW_TRACKING_URI; default http://127.0.0.1:5000).")
    var server: String?

    @Option(name: .customLong("cache-dir"), help: "Where fetched model files are kept (default ~/.cache/cairn/models).")
    var cacheDirectory: String?

    @Option(help: "Name the model is served under (default: the file name without .onnx).")
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

    func validate() throws {
        guard maxBatchSize >= 1 else { throw ValidationError("--max-batch-size must be at least 1.") }
        guard (0...10_000).contains(maxBatchWaitMilliseconds) else { throw ValidationError("--max-batch-wait-ms must be between 0 and 10000.") }
    }

    func run() async throws {
        let (modelPath, servedName, version) = try await resolve()
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(explicit: onnxRuntimeLibrary))
        let session = try OnnxSession(library: library, modelPath: modelPath, threads: threads)
        let onnx = OnnxModel(name: name ?? servedName, version: version, session: session)
        let served: any InferenceModel = maxBatchSize > 1
            ? BatchingModel(onnx, maxBatchSize: maxBatchSize, maxWait: .milliseconds(maxBatchWaitMilliseconds)) : onnx
        try await ReplicaApplication.run(model: served, host: host, port: port, logger: Logger(label: "cairn-replica"))
    }

    /// The ONNX file to load, the name to serve it under, and its version.
    private func resolve() async throws -> (path: String, name: String, version: String) {
        if model.hasPrefix("models:/") {
            let environment = ProcessInfo.processInfo.environment
            let base = server ?? environment["CAIRN_SERVER"] ?? environment["MLFLOW_TRACKING_URI"] ?? "http://127.0.0.1:5000"
            guard let serverURL = URL(string: base) else { throw ValidationError("Invalid server URL '\(base)'.") }
            let cache = cacheDirectory.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appending(path: ".cache/cairn/models")
            let files = try await RegisteredModelFiles.fetch(model, server: serverURL, cache: cache)
            guard let onnx = files.files.first(where: { $0.hasSuffix(".onnx") }) else {
                throw ValidationError("\(model) has no .onnx file (files: \(files.files.joined(separator: ", "))); models without one need the external runtime, which is not built yet.")
            }
            return (files.folder.appending(path: onnx).path, files.name, files.version)
        }
        let url = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("No model file at \(model).") }
        // A file has no registry version: its content hash names what produced each answer.
        let digest = SHA256.hash(data: try Data(contentsOf: url)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return (url.path, url.deletingPathExtension().lastPathComponent, "sha256-\(digest)")
    }
}
