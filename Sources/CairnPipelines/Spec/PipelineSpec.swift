/// A pipeline as declared in YAML: typed parameters, named steps and how they connect, and what
/// starts it besides a user (a cron schedule, events). Parsed and checked by `PipelineSpecParser`.
public struct PipelineSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    public var params: [ParamSpec]
    /// In declaration order.
    public var steps: [StepSpec]
    /// A five-field cron expression (minute hour day-of-month month day-of-week), UTC.
    public var schedule: String?
    public var triggers: [TriggerSpec]

    public func step(named name: String) -> StepSpec? { steps.first { $0.name == name } }
    public func param(named name: String) -> ParamSpec? { params.first { $0.name == name } }
}

/// An event that starts the pipeline, e.g. `model_version.created`, with params to start it with.
public struct TriggerSpec: Sendable, Equatable {
    public var event: String
    public var params: [String: String]
}
