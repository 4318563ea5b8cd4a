import CairnCore

/// What a user asks for: which registered model to serve (a version, or an alias to follow), how
/// to roll out new revisions, and how many replicas, with what serving options.
public struct DeploymentSpec: Sendable, Equatable, Codable {
    public enum Strategy: String, Sendable, Codable, CaseIterable {
        /// Start the new revision, switch all traffic to it once it is ready, stop the old one.
        case immediate
        /// Start the new revision fully and warm, switch all traffic at once, keep the old one
        /// for instant rollback.
        case blueGreen = "blue_green"
    }

    public var name: String
    public var modelName: String
    public var modelVersion: Int64?
    public var modelAlias: String?
    public var strategy: Strategy
    public var replicas: Int
    public var maxBatchSize: Int
    public var maxBatchWaitMilliseconds: Int
    public var threads: Int

    public init(name: String, modelName: String, modelVersion: Int64?, modelAlias: String?, strategy: Strategy = .immediate, replicas: Int = 1,
                maxBatchSize: Int = 1, maxBatchWaitMilliseconds: Int = 5, threads: Int = 1) {
        self.name = name
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.modelAlias = modelAlias
        self.strategy = strategy
        self.replicas = replicas
        self.maxBatchSize = maxBatchSize
        self.maxBatchWaitMilliseconds = maxBatchWaitMilliseconds
        self.threads = threads
    }

    /// Refuses names and options that cannot be served.
    public func validate() throws(CairnError) {
        guard (1...63).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              name.first?.isLetter == true else {
            throw .invalidParameter("Deployment name '\(name)' must be 1 to 63 letters, digits, '-' or '_', starting with a letter.")
        }
        guard !modelName.isEmpty else { throw .invalidParameter("A deployment needs a model name.") }
        guard (modelVersion == nil) != (modelAlias == nil) else {
            throw .invalidParameter("Give exactly one of a model version or a model alias.")
        }
        if let modelVersion, modelVersion < 1 { throw .invalidParameter("Model version must be 1 or more (got \(modelVersion)).") }
        guard (1...32).contains(replicas) else { throw .invalidParameter("replicas is from 1 to 32 (got \(replicas)).") }
        guard (1...4096).contains(maxBatchSize) else { throw .invalidParameter("max_batch_size is from 1 to 4096 (got \(maxBatchSize)).") }
        guard (0...10_000).contains(maxBatchWaitMilliseconds) else { throw .invalidParameter("max_batch_wait_ms is from 0 to 10000 (got \(maxBatchWaitMilliseconds)).") }
        guard (1...64).contains(threads) else { throw .invalidParameter("threads is from 1 to 64 (got \(threads)).") }
    }
}
