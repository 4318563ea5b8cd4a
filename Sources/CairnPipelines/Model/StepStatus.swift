/// Where a step stands. `pending` waits for its upstream steps (or a retry delay); `queued` is
/// ready and waits for capacity.
public enum StepStatus: String, Sendable, Codable, CaseIterable {
    case pending, queued, running, succeeded, failed, skipped, cached, cancelled

    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .skipped, .cached, .cancelled: true
        case .pending, .queued, .running: false
        }
    }

    /// Finished with outputs a downstream step can use.
    public var hasOutputs: Bool { self == .succeeded || self == .cached }
}

/// Where a pipeline run stands.
public enum PipelineRunStatus: String, Sendable, Codable, CaseIterable {
    case running, succeeded, failed, cancelled

    public var isFinished: Bool { self != .running }
}
