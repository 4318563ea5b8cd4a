/// One execution of a pipeline with its parameters, and its steps.
public struct PipelineRun: Sendable {
    public var runID: String
    public var pipelineName: String
    public var specYAML: String
    public var params: [String: ExpressionValue]
    public var status: PipelineRunStatus
    /// The MLflow parent run; each step is a nested run under it.
    public var mlflowRunID: String
    /// `user`, `schedule` or the event that started it.
    public var triggeredBy: String
    public var createdBy: String
    public var createdAt: Int64
    public var endedAt: Int64?
    public var message: String
    public var steps: [PipelineStep]
}

/// One step of a run; a `foreach` step has one per item, keyed `name[index]`.
public struct PipelineStep: Sendable {
    public var stepKey: String
    public var stepName: String
    public var itemIndex: Int?
    public var item: ExpressionValue?
    /// Order of declaration, for display.
    public var position: Int
    public var status: StepStatus
    /// Tries started so far.
    public var attempt: Int
    /// `attempt` when the current round began (0, or where a retry-from-failure restarted it):
    /// the retry policy counts `attempt - retryBase` tries.
    public var retryBase: Int
    /// A retry waits until this time (ms).
    public var notBefore: Int64?
    public var mlflowRunID: String?
    public var cacheKey: String?
    /// The MLflow run holding this step's outputs: its own, or the earlier run it was cached from.
    public var outputsRunID: String?
    public var pid: Int32?
    public var queuedAt: Int64?
    public var startedAt: Int64?
    public var endedAt: Int64?
    public var message: String

    public static func key(_ name: String, index: Int?) -> String {
        index.map { "\(name)[\($0)]" } ?? name
    }
}

/// One try of a step, kept for the record (retries, exit codes, timings).
public struct StepAttempt: Sendable {
    public var attempt: Int
    public var startedAt: Int64
    public var endedAt: Int64?
    public var exitCode: Int?
    public var outcome: String
    public var message: String
}
