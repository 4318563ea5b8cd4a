/// A dataset as logged with `mlflow.log_input`: identified by (name, digest) within an experiment.
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?
}

/// A dataset used by a run, with the run-specific tags (e.g. `mlflow.data.context`).
public struct DatasetInput: Sendable, Equatable {
    public var tags: [KeyValue]
    public var dataset: Dataset
}

/// A logged model a run produced, at a step.
public struct ModelOutput: Sendable, Equatable {
    public var modelID: String
    public var step: Int64
}
