/// A loaded model a replica serves, whatever runs it (ONNX Runtime in-process, or an external
/// runtime): what it takes and gives, and a prediction.
public protocol InferenceModel: Sendable {
    var name: String { get }
    /// The registered version (or a file's content hash) named in every response.
    var version: String { get }
    /// Open Inference Protocol platform name, e.g. `onnx_onnxv1`.
    var platform: String { get }
    var inputs: [TensorSignature] { get }
    var outputs: [TensorSignature] { get }

    func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor]

    /// Whether the model can answer now (an external runtime may be restarting).
    var isAvailable: Bool { get }

    /// Brings up whatever runs the model (an external runtime); called once before warm-up.
    func start() async throws
    /// Stops it, after the last request has been answered.
    func stop() async
}

extension InferenceModel {
    public var isAvailable: Bool { true }
    public func start() async throws {}
    public func stop() async {}
}

/// An ONNX model on an in-process ONNX Runtime session.
public struct OnnxModel: InferenceModel {
    public let name: String
    public let version: String
    public let platform = "onnx_onnxv1"
    let session: OnnxSession

    public init(name: String, version: String, session: OnnxSession) {
        self.name = name
        self.version = version
        self.session = session
    }

    public var inputs: [TensorSignature] { session.inputs }
    public var outputs: [TensorSignature] { session.outputs }

    public func predict(_ feeds: [String: Tensor]) async throws -> [String: Tensor] {
        try session.run(feeds)
    }
}
