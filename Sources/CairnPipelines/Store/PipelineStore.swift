import CairnCore
import Foundation
import SQLKit

/// SQL for pipelines, their runs, steps and attempts.
enum PipelineStore {
    // MARK: pipelines

    static func upsertPipeline(name: String, specYAML: String, experimentID: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO pipelines (name, spec_yaml, experiment_id, created_at, updated_at)
            VALUES (\(bind: name), \(bind: specYAML), \(bind: Int64(experimentID) ?? 0), \(bind: now), \(bind: now))
            ON CONFLICT (name) DO UPDATE SET spec_yaml = excluded.spec_yaml, updated_at = excluded.updated_at
            """).run()
    }

    static func pipeline(name: String, on db: any SQLDatabase) async throws -> PipelineDefinition? {
        try await db.raw("SELECT name, spec_yaml, experiment_id, created_at, updated_at FROM pipelines WHERE name = \(bind: name)")
            .first().map(decodePipeline)
    }

    static func pipelines(on db: any SQLDatabase) async throws -> [PipelineDefinition] {
        try await db.raw("SELECT name, spec_yaml, experiment_id, created_at, updated_at FROM pipelines ORDER BY name").all().map(decodePipeline)
    }

    private static func decodePipeline(_ row: any SQLRow) throws -> PipelineDefinition {
        PipelineDefinition(name: try row.decode(column: "name", as: String.self), specYAML: try row.decode(column: "spec_yaml", as: String.self),
                           experimentID: String(try row.decode(column: "experiment_id", as: Int64.self)),
                           createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    // MARK: runs

    static let runColumns = "run_id, pipeline_name, spec_yaml, params_json, status, mlflow_run_id, triggered_by, created_by, created_at, ended_at, message"

    static func insert(_ run: PipelineRun, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO pipeline_runs (\(unsafeRaw: runColumns))
            VALUES (\(bind: run.runID), \(bind: run.pipelineName), \(bind: run.specYAML), \(bind: try JSONCoding.string(run.params)),
                    \(bind: run.status.rawValue), \(bind: run.mlflowRunID), \(bind: run.triggeredBy), \(bind: run.createdBy),
                    \(bind: run.createdAt), \(bind: run.endedAt), \(bind: run.message))
            """).run()
        for step in run.steps { try await insert(step, runID: run.runID, on: db) }
    }

    static func run(id: String, on db: any SQLDatabase) async throws -> PipelineRun? {
        guard let row = try await db.raw("SELECT \(unsafeRaw: runColumns) FROM pipeline_runs WHERE run_id = \(bind: id)").first() else { return nil }
        var run = try decodeRun(row)
        run.steps = try await steps(runID: id, on: db)
        return run
    }

    /// Runs newest first, without their steps; `before` pages by creation time.
    static func runs(pipeline: String?, status: PipelineRunStatus?, before: Int64?, limit: Int, on db: any SQLDatabase) async throws -> [PipelineRun] {
        var query: SQLQueryString = "SELECT \(unsafeRaw: runColumns) FROM pipeline_runs WHERE 1 = 1"
        if let pipeline { query += " AND pipeline_name = \(bind: pipeline)" }
        if let status { query += " AND status = \(bind: status.rawValue)" }
        if let before { query += " AND created_at < \(bind: before)" }
        query += " ORDER BY created_at DESC, run_id DESC LIMIT \(bind: limit)"
        return try await db.raw(query).all().map(decodeRun)
    }

    static func activeRunIDs(on db: any SQLDatabase) async throws -> [String] {
        try await db.raw("""
            SELECT run_id FROM pipeline_runs WHERE status = \(bind: PipelineRunStatus.running.rawValue) ORDER BY created_at
            """).all().map { try $0.decode(column: "run_id", as: String.self) }
    }

    static func setCancelRequested(_ runID: String, _ requested: Bool, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE pipeline_runs SET cancel_requested = \(bind: requested ? 1 : 0) WHERE run_id = \(bind: runID)").run()
    }

    static func cancelRequestedRunIDs(on db: any SQLDatabase) async throws -> [String] {
        try await db.raw("""
            SELECT run_id FROM pipeline_runs WHERE cancel_requested = 1 AND status = \(bind: PipelineRunStatus.running.rawValue)
            """).all().map { try $0.decode(column: "run_id", as: String.self) }
    }

    static func setRunStatus(_ runID: String, _ status: PipelineRunStatus, endedAt: Int64?, message: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE pipeline_runs SET status = \(bind: status.rawValue), ended_at = \(bind: endedAt), message = \(bind: message)
            WHERE run_id = \(bind: runID)
            """).run()
    }

    private static func decodeRun(_ row: any SQLRow) throws -> PipelineRun {
        PipelineRun(
            runID: try row.decode(column: "run_id", as: String.self),
            pipelineName: try row.decode(column: "pipeline_name", as: String.self),
            specYAML: try row.decode(column: "spec_yaml", as: String.self),
            params: try JSONCoding.decode([String: ExpressionValue].self, from: try row.decode(column: "params_json", as: String.self)),
            status: PipelineRunStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            mlflowRunID: try row.decode(column: "mlflow_run_id", as: String.self),
            triggeredBy: try row.decode(column: "triggered_by", as: String.self),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            endedAt: try row.decode(column: "ended_at", as: Int64?.self),
            message: try row.decode(column: "message", as: String.self),
            steps: [])
    }

    // MARK: steps

    static let stepColumns = """
        step_key, step_name, item_index, item_json, position, status, attempt, retry_base, not_before, mlflow_run_id, cache_key, outputs_run_id, \
        pid, queued_at, started_at, ended_at, message
        """

    static func insert(_ step: PipelineStep, runID: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO pipeline_steps (run_id, \(unsafeRaw: stepColumns))
            VALUES (\(bind: runID), \(bind: step.stepKey), \(bind: step.stepName), \(bind: step.itemIndex), \(bind: try step.item.map(JSONCoding.string)),
                    \(bind: step.position), \(bind: step.status.rawValue), \(bind: step.attempt), \(bind: step.retryBase), \(bind: step.notBefore), \(bind: step.mlflowRunID),
                    \(bind: step.cacheKey), \(bind: step.outputsRunID), \(bind: step.pid.map(Int.init)), \(bind: step.queuedAt),
                    \(bind: step.startedAt), \(bind: step.endedAt), \(bind: step.message))
            """).run()
    }

    /// Writes every mutable field of the step.
    static func save(_ step: PipelineStep, runID: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE pipeline_steps SET status = \(bind: step.status.rawValue), attempt = \(bind: step.attempt), retry_base = \(bind: step.retryBase), not_before = \(bind: step.notBefore),
                mlflow_run_id = \(bind: step.mlflowRunID), cache_key = \(bind: step.cacheKey), outputs_run_id = \(bind: step.outputsRunID),
                pid = \(bind: step.pid.map(Int.init)), queued_at = \(bind: step.queuedAt), started_at = \(bind: step.startedAt),
                ended_at = \(bind: step.endedAt), message = \(bind: step.message)
            WHERE run_id = \(bind: runID) AND step_key = \(bind: step.stepKey)
            """).run()
    }

    static func steps(runID: String, on db: any SQLDatabase) async throws -> [PipelineStep] {
        try await db.raw("""
            SELECT \(unsafeRaw: stepColumns) FROM pipeline_steps WHERE run_id = \(bind: runID) ORDER BY position, item_index
            """).all().map { row in
            PipelineStep(
                stepKey: try row.decode(column: "step_key", as: String.self),
                stepName: try row.decode(column: "step_name", as: String.self),
                itemIndex: try row.decode(column: "item_index", as: Int?.self),
                item: try row.decode(column: "item_json", as: String?.self).map { try JSONCoding.decode(ExpressionValue.self, from: $0) },
                position: try row.decode(column: "position", as: Int.self),
                status: StepStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                attempt: try row.decode(column: "attempt", as: Int.self),
                retryBase: try row.decode(column: "retry_base", as: Int.self),
                notBefore: try row.decode(column: "not_before", as: Int64?.self),
                mlflowRunID: try row.decode(column: "mlflow_run_id", as: String?.self),
                cacheKey: try row.decode(column: "cache_key", as: String?.self),
                outputsRunID: try row.decode(column: "outputs_run_id", as: String?.self),
                pid: try row.decode(column: "pid", as: Int?.self).map(Int32.init),
                queuedAt: try row.decode(column: "queued_at", as: Int64?.self),
                startedAt: try row.decode(column: "started_at", as: Int64?.self),
                endedAt: try row.decode(column: "ended_at", as: Int64?.self),
                message: try row.decode(column: "message", as: String.self))
        }
    }

    /// The MLflow run holding the outputs of an earlier successful step with this cache key.
    static func cachedOutputs(cacheKey: String, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("""
            SELECT outputs_run_id FROM pipeline_steps
            WHERE cache_key = \(bind: cacheKey) AND status = \(bind: StepStatus.succeeded.rawValue) AND outputs_run_id IS NOT NULL
            ORDER BY ended_at DESC LIMIT 1
            """).first().map { try $0.decode(column: "outputs_run_id", as: String.self) }
    }

    // MARK: attempts

    static func startAttempt(runID: String, stepKey: String, attempt: Int, at time: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO pipeline_step_attempts (run_id, step_key, attempt, started_at, outcome, message)
            VALUES (\(bind: runID), \(bind: stepKey), \(bind: attempt), \(bind: time), 'running', '')
            """).run()
    }

    static func finishAttempt(runID: String, stepKey: String, attempt: Int, at time: Int64, exitCode: Int?, outcome: String, message: String,
                              on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE pipeline_step_attempts SET ended_at = \(bind: time), exit_code = \(bind: exitCode), outcome = \(bind: outcome), message = \(bind: message)
            WHERE run_id = \(bind: runID) AND step_key = \(bind: stepKey) AND attempt = \(bind: attempt)
            """).run()
    }

    static func attempts(runID: String, stepKey: String, on db: any SQLDatabase) async throws -> [StepAttempt] {
        try await db.raw("""
            SELECT attempt, started_at, ended_at, exit_code, outcome, message FROM pipeline_step_attempts
            WHERE run_id = \(bind: runID) AND step_key = \(bind: stepKey) ORDER BY attempt
            """).all().map { row in
            StepAttempt(attempt: try row.decode(column: "attempt", as: Int.self), startedAt: try row.decode(column: "started_at", as: Int64.self),
                        endedAt: try row.decode(column: "ended_at", as: Int64?.self), exitCode: try row.decode(column: "exit_code", as: Int?.self),
                        outcome: try row.decode(column: "outcome", as: String.self), message: try row.decode(column: "message", as: String.self))
        }
    }
}
