/// MLflow 3's logged model: the artifacts of one `log_model` call, tied to an experiment and run.
public struct LoggedModel: Sendable, Equatable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var artifactURI: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var status: LoggedModelStatus
    public var statusMessage: String?
    public var modelType: String?
    public var sourceRunID: String?
    public var lifecycleStage: LifecycleStage
    public var tags: [KeyValue]
    public var params: [KeyValue]
    public var metrics: [Metric]
}

public enum LoggedModelStatus: String, Sendable, CaseIterable {
    case unspecified = "LOGGED_MODEL_STATUS_UNSPECIFIED"
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"

    /// Wire names from proto number 1 on (0 is unspecified and accepted by name only).
    public static let wireNamesFromOne = [pending, ready, uploadFailed].map(\.rawValue)
}
