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

    @Option(help: "The model: a local .onnx file.")
    var model: String

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

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("No model file at \(model).") }
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(explicit: onnxRuntimeLibrary))
        let session = try OnnxSession(library: library, modelPath: url.path, threads: threads)
        // A file has no registry version: its content hash names what produced each answer.
        let digest = SHA256.hash(data: try Data(contentsOf: url)).prefix(6).map { String(format: "%02x", $0) }.joined()
        let served = OnnxModel(name: name ?? url.deletingPathExtension().lastPathComponent, version: "sha256-\(digest)", session: session)
        try await ReplicaApplication.run(model: served, host: host, port: port, logger: Logger(label: "cairn-replica"))
    }
}
