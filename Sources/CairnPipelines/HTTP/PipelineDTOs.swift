import CairnHTTP
import CairnCore

/// JSON shapes of `/api/v1/pipelines` and `/api/v1/pipeline-runs` (snake_case).
struct PipelineDTO: Encodable, Sendable {
    let name: String
    let spec_yaml: String
    let experiment_id: String
    let created_at: Int64
    let updated_at: Int64

    init(_ pipeline: PipelineDefinition) {
        name = pipeline.name
        spec_yaml = pipeline.specYAML
        experiment_id = pipeline.experimentID
        created_at = pipeline.createdAt
        updated_at = pipeline.updatedAt
    }
}

struct PipelineOutput: Encodable, Sendable {
    let pipeline: PipelineDTO
}

struct PipelinesOutput: Encodable, Sendable {
    let pipelines: [PipelineDTO]
}

struct PipelineStepDTO: Encodable, Sendable {
    let step_key: String
    let step_name: String
    let item_index: Int?
    let item: ExpressionValue?
    let status: String
    let attempt: Int
    let next_attempt_at: Int64?
    let mlflow_run_id: String?
    let outputs_run_id: String?
    let cache_key: String?
    let queued_at: Int64?
    let started_at: Int64?
    let ended_at: Int64?
    let message: String

    init(_ step: PipelineStep) {
        step_key = step.stepKey
        step_name = step.stepName
        item_index = step.itemIndex
        item = step.item
        status = step.status.rawValue
        attempt = step.attempt
        next_attempt_at = step.status == .pending ? step.notBefore : nil
        mlflow_run_id = step.mlflowRunID
        outputs_run_id = step.outputsRunID
        cache_key = step.cacheKey
        queued_at = step.queuedAt
        started_at = step.startedAt
        ended_at = step.endedAt
        message = step.message
    }
}

struct PipelineRunDTO: Encodable, Sendable {
    let run_id: String
    let pipeline_name: String
    let status: String
    let params: [String: ExpressionValue]
    let mlflow_run_id: String
    let triggered_by: String
    let created_by: String
    let created_at: Int64
    let ended_at: Int64?
    let message: String
    let steps: [PipelineStepDTO]?

    init(_ run: PipelineRun, withSteps: Bool = true) {
        run_id = run.runID
        pipeline_name = run.pipelineName
        status = run.status.rawValue
        params = run.params
        mlflow_run_id = run.mlflowRunID
        triggered_by = run.triggeredBy
        created_by = run.createdBy
        created_at = run.createdAt
        ended_at = run.endedAt
        message = run.message
        steps = withSteps ? run.steps.map(PipelineStepDTO.init) : nil
    }
}

struct PipelineRunOutput: Encodable, Sendable {
    let pipeline_run: PipelineRunDTO
}

struct PipelineRunsOutput: Encodable, Sendable {
    let pipeline_runs: [PipelineRunDTO]
    /// Pass as `before` for the next page; absent on the last.
    let next_before: Int64?
}

struct StepAttemptDTO: Encodable, Sendable {
    let attempt: Int
    let started_at: Int64
    let ended_at: Int64?
    let exit_code: Int?
    let outcome: String
    let message: String

    init(_ attempt: StepAttempt) {
        self.attempt = attempt.attempt
        started_at = attempt.startedAt
        ended_at = attempt.endedAt
        exit_code = attempt.exitCode
        outcome = attempt.outcome
        message = attempt.message
    }
}

struct StepAttemptsOutput: Encodable, Sendable {
    let attempts: [StepAttemptDTO]
}

struct StepLogOutput: Encodable, Sendable {
    let text: String
    let next_offset: Int
    let attempt: Int
    let finished: Bool
}

extension RequestFields {
    /// `params` as an object of strings, numbers, booleans or lists.
    func pipelineParams() throws -> [String: ExpressionValue] {
        guard let object = try object("params") else { return [:] }
        var params: [String: ExpressionValue] = [:]
        for (key, value) in object.values { params[key] = try Self.expressionValue(value, field: "params.\(key)") }
        return params
    }

    private static func expressionValue(_ value: JSONValue, field: String) throws -> ExpressionValue {
        switch value {
        case .null: return .null
        case .bool(let bool): return .bool(bool)
        case .int(let int): return .number(Double(int))
        case .double(let double): return .number(double)
        case .string(let text): return .string(text)
        case .array(let items): return .list(try items.map { try expressionValue($0, field: field) })
        case .object: throw CairnError.invalidParameter("'\(field)' must be a string, number, boolean or list.")
        }
    }
}
