/// MLflow's run status; the server does not enforce transitions between them.
public enum RunStatus: String, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// The wire names in proto number order (1…5).
    public static let wireNames = allCases.map(\.rawValue)
}

/// A run's identity and lifecycle.
public struct RunInfo: Sendable, Equatable {
    public var runID: String
    public var experimentID: String
    public var runName: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage
}

/// A run with its data: params, tags, the latest value of each metric, inputs and outputs.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    public var params: [KeyValue]
    public var tags: [KeyValue]
    public var metrics: [Metric]
    public var datasetInputs: [DatasetInput]
    public var modelInputs: [String]
    public var modelOutputs: [ModelOutput]
}
