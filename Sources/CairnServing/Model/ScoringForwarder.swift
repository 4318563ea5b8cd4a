import NIOCore

/// A model whose own server speaks MLflow's scoring protocol: `/invocations` requests are passed
/// to it as they came, so its answers (and its errors) are exactly its own.
public protocol ScoringForwarder: Sendable {
    func invocations(body: ByteBuffer, contentType: String) async throws(InferenceError) -> ForwardedResponse
}

/// What the model's server answered.
public struct ForwardedResponse: Sendable {
    public var status: Int
    public var contentType: String?
    public var body: ByteBuffer
}
