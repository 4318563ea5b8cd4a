import Foundation
import Logging
import Yams

/// Turns a model's files into the model a replica serves: an ONNX file (or an MLflow model with
/// an `onnx` flavour, or a folder holding one `.onnx` file) runs in-process on ONNX Runtime; any
/// other MLflow model (a pyfunc, say a pickled scikit-learn model) runs in an external runtime.
public struct ModelLoader: Sendable {
    public struct Options: Sendable {
        /// libonnxruntime.so, if given (else found through CAIRN_ONNXRUNTIME_LIB or Python).
        public var onnxRuntimeLibrary: String?
        public var threads: Int32 = 1
        /// Adaptive batching of ONNX models when above 1.
        public var maxBatchSize = 1
        public var maxBatchWait: Duration = .milliseconds(5)
        public var runtimeCommand = ExternalRuntime.defaultCommand
        public var runtimeStartTimeout: Duration = .seconds(300)
        /// Where batching reports its batch sizes and queue.
        public var metrics: ReplicaMetrics?

        public init() {}
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    let options: Options
    let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// The model at `path` (a file or a model folder), served as `name` at `version`.
    public func load(_ path: URL, name: String, version: String) throws -> any InferenceModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else { throw LoadError(description: "No model at \(path.path).") }
        guard isDirectory.boolValue else {
            guard path.pathExtension == "onnx" else { throw LoadError(description: "\(path.path) is not an .onnx file or a model folder.") }
            return try onnx(path, name: name, version: version)
        }
        let mlmodelPath = path.appending(path: "MLmodel")
        let mlmodel = try? String(contentsOf: mlmodelPath, encoding: .utf8)
        if let file = try onnxFile(in: path, mlmodel: mlmodel) {
            return try onnx(file, name: name, version: version)
        }
        guard let mlmodel else { throw LoadError(description: "\(path.path) holds neither an MLmodel file nor an .onnx file.") }
        let signature: ModelSignature?
        do { signature = try ModelSignature(mlmodel: mlmodel) } catch { throw LoadError(description: "\(mlmodelPath.path): \(error)") }
        if signature == nil { logger.warning("\(name) has no signature: only /invocations can be served for it") }
        if options.maxBatchSize > 1 { logger.warning("adaptive batching applies to ONNX models only; \(name) is served unbatched") }
        let runtime = try ExternalRuntime(command: options.runtimeCommand, modelDirectory: path, startTimeout: options.runtimeStartTimeout, logger: logger)
        return ExternalModel(name: name, version: version, signature: signature, runtime: runtime)
    }

    /// The ONNX file of a model folder: the `onnx` flavour's `data`, else the folder's only `.onnx` file.
    func onnxFile(in folder: URL, mlmodel: String?) throws -> URL? {
        if let mlmodel, let document = try? Yams.compose(yaml: mlmodel),
           let data = document.mapping?["flavors"]?.mapping?["onnx"]?.mapping?["data"]?.string {
            return folder.appending(path: data)
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let onnx = files.filter { $0.hasSuffix(".onnx") }
        if onnx.count > 1, mlmodel == nil { throw LoadError(description: "\(folder.path) holds several .onnx files (\(onnx.joined(separator: ", "))); name one.") }
        return onnx.count == 1 ? folder.appending(path: onnx[0]) : nil
    }

    private func onnx(_ file: URL, name: String, version: String) throws -> any InferenceModel {
        let library = try OnnxRuntimeLibrary(path: try OnnxRuntimeLibrary.locate(explicit: options.onnxRuntimeLibrary))
        let model = OnnxModel(name: name, version: version, session: try OnnxSession(library: library, modelPath: file.path, threads: options.threads))
        return options.maxBatchSize > 1 ? BatchingModel(model, maxBatchSize: options.maxBatchSize, maxWait: options.maxBatchWait, metrics: options.metrics) : model
    }
}
