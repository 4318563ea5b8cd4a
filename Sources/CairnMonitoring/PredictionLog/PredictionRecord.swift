/// One logged prediction: what was asked, what was answered, by which revision and model
/// version, how fast, and when. Bodies are kept as text, cut at `PredictionRecord.maxBodyBytes`.
public struct PredictionRecord: Sendable, Equatable {
    public var requestID: String
    public var deployment: String
    public var revision: Int
    public var modelVersion: String?
    public var time: Int64
    public var latencyMilliseconds: Double
    public var status: Int
    public var inputs: String
    public var outputs: String

    public init(requestID: String, deployment: String, revision: Int, modelVersion: String?, time: Int64, latencyMilliseconds: Double,
                status: Int, inputs: String, outputs: String) {
        self.requestID = requestID
        self.deployment = deployment
        self.revision = revision
        self.modelVersion = modelVersion
        self.time = time
        self.latencyMilliseconds = latencyMilliseconds
        self.status = status
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Longest body kept, per side.
    public static let maxBodyBytes = 64 << 10
}
