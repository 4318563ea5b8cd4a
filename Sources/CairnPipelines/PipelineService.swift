import CairnCore
import CairnRegistry
import CairnStorage
import CairnTracking
import Foundation
import Logging

/// Pipelines and their runs: register a spec, submit a run with parameters, follow, cancel and
/// retry it. Runs are logged to MLflow (a parent run per pipeline run, a nested run per step) in
/// the experiment `pipelines/<name>`. Free of HTTP; `PipelineRoutes` and the CLI call this.
public final class PipelineService: Sendable {
    let database: Database
    let tracking: TrackingService
    let configuration: PipelineConfiguration
    let scheduler: PipelineScheduler
    let triggers: PipelineTriggers

    public init(database: Database, tracking: TrackingService, registry: RegistryService, configuration: PipelineConfiguration, logger: Logger) {
        self.database = database
        self.tracking = tracking
        self.configuration = configuration
        scheduler = PipelineScheduler(database: database, tracking: tracking,
                                      files: StepFiles(tracking: tracking, registry: registry, database: database),
                                      configuration: configuration, logger: logger)
        triggers = PipelineTriggers(database: database, logger: logger)
    }

    /// Starts scheduling (re-attaching to steps a previous server left running) and watching
    /// schedules and event triggers.
    public func start() async {
        await scheduler.start()
        await triggers.start(service: self, interval: .seconds(1))
    }

    public func stop() async {
        await triggers.stop()
        await scheduler.stop()
    }

    // MARK: pipelines

    /// Parses and validates `yaml` and stores it as the pipeline's current spec.
    @discardableResult
    public func register(yaml: String) async throws -> PipelineDefinition {
        let spec = try Self.parse(yaml)
        let experimentID = try await experiment(for: spec.name)
        let now = Clock.nowMillis()
        try await database.write { db in
            try await PipelineStore.upsertPipeline(name: spec.name, specYAML: yaml, experimentID: experimentID, now: now, on: db)
            try await TriggerStore.start(pipelineName: spec.name, now: now, on: db)
        }
        return try await pipeline(name: spec.name)
    }

    public func pipeline(name: String) async throws -> PipelineDefinition {
        guard let pipeline = try await database.read({ try await PipelineStore.pipeline(name: name, on: $0) }) else {
            throw CairnError(.resourceDoesNotExist, "Pipeline '\(name)' does not exist.")
        }
        return pipeline
    }

    public func pipelines() async throws -> [PipelineDefinition] {
        try await database.read { try await PipelineStore.pipelines(on: $0) }
    }

    static func parse(_ yaml: String) throws -> PipelineSpec {
        do {
            return try PipelineSpecParser.parse(yaml: yaml)
        } catch {
            throw CairnError.invalidParameter("Invalid pipeline spec: \(error)")
        }
    }

    private func experiment(for pipeline: String) async throws -> String {
        let name = "pipelines/\(pipeline)"
        if let existing = try? await tracking.getExperiment(name: name) { return existing.experimentID }
        do {
            return try await tracking.createExperiment(name: name, artifactLocation: nil, tags: [KeyValue(key: "cairn.pipeline.name", value: pipeline)])
        } catch let error as CairnError where error.code == .resourceAlreadyExists {
            return try await tracking.getExperiment(name: name).experimentID  // created concurrently
        }
    }

    // MARK: runs

    /// Starts a run of a registered pipeline. Parameters not given take their defaults; unknown,
    /// missing or ill-typed ones are refused and nothing is created.
    public func submit(pipeline name: String, params given: [String: ExpressionValue], user: String,
                       triggeredBy: String = "user") async throws -> PipelineRun {
        let pipeline = try await pipeline(name: name)
        let spec = try Self.parse(pipeline.specYAML)
        let params = try Self.resolve(params: given, for: spec)
        let steps = try Self.expand(spec, params: params)
        let runID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let now = Clock.nowMillis()
        let parent = try await tracking.createRun(CreateRunRequest(
            experimentID: pipeline.experimentID, userID: user, runName: "\(name)-\(runID.prefix(8))", startTime: now,
            tags: [KeyValue(key: "cairn.pipeline.name", value: name), KeyValue(key: "cairn.pipeline.run_id", value: runID)]))
        try await tracking.logBatch(runID: parent.info.runID, metrics: [],
                                    params: params.sorted { $0.key < $1.key }.map { KeyValue(key: $0.key, value: String($0.value.plainText.prefix(6000))) },
                                    tags: [])
        let run = PipelineRun(runID: runID, pipelineName: name, specYAML: pipeline.specYAML, params: params, status: .running,
                              mlflowRunID: parent.info.runID, triggeredBy: triggeredBy, createdBy: user, createdAt: now, endedAt: nil,
                              message: "", steps: steps)
        try await database.write { db in
            try await PipelineStore.insert(run, on: db)
            try await EventOutbox.append(type: "pipeline_run.created", subject: "pipelines/\(name)/runs/\(runID)",
                                         payload: ["triggered_by": triggeredBy], actor: user, database: database, on: db)
        }
        scheduler.wake()
        return run
    }

    /// Registers `yaml` and runs it: what `cairn pipeline run FILE` does.
    public func submit(yaml: String, params: [String: ExpressionValue], user: String) async throws -> PipelineRun {
        let pipeline = try await register(yaml: yaml)
        return try await submit(pipeline: pipeline.name, params: params, user: user)
    }

    static func resolve(params given: [String: ExpressionValue], for spec: PipelineSpec) throws -> [String: ExpressionValue] {
        for name in given.keys.sorted() where spec.param(named: name) == nil {
            throw CairnError.invalidParameter("Unknown parameter '\(name)' (the pipeline declares: \(spec.params.map(\.name).joined(separator: ", "))).")
        }
        var resolved: [String: ExpressionValue] = [:]
        for param in spec.params {
            guard let value = given[param.name] ?? param.defaultValue else {
                throw CairnError.invalidParameter("Parameter '\(param.name)' is required (it has no default).")
            }
            do { resolved[param.name] = try param.coerce(value) } catch { throw CairnError.invalidParameter("Invalid parameter: \(error)") }
        }
        return resolved
    }

    /// One row per step, or per item of a foreach step, all pending.
    static func expand(_ spec: PipelineSpec, params: [String: ExpressionValue]) throws -> [PipelineStep] {
        var steps: [PipelineStep] = []
        for (position, step) in spec.steps.enumerated() {
            var items: [ExpressionValue?] = [nil]
            switch step.foreach {
            case .items(let list): items = list
            case .param(let name):
                guard case .list(let list) = params[name], !list.isEmpty else {
                    throw CairnError.invalidParameter("Step '\(step.name)' fans out over params.\(name), which is empty.")
                }
                items = list
            case nil: break
            }
            for (index, item) in items.enumerated() {
                let itemIndex = step.foreach == nil ? nil : index
                steps.append(PipelineStep(stepKey: PipelineStep.key(step.name, index: itemIndex), stepName: step.name, itemIndex: itemIndex,
                                          item: item, position: position, status: .pending, attempt: 0, retryBase: 0, notBefore: nil,
                                          mlflowRunID: nil, cacheKey: nil, outputsRunID: nil, pid: nil, queuedAt: nil, startedAt: nil,
                                          endedAt: nil, message: ""))
            }
        }
        return steps
    }

    public func run(id: String) async throws -> PipelineRun {
        guard let run = try await database.read({ try await PipelineStore.run(id: id, on: $0) }) else {
            throw CairnError(.resourceDoesNotExist, "Pipeline run '\(id)' does not exist.")
        }
        return run
    }

    /// Runs newest first; `before` (a creation time in ms) continues a listing.
    public func runs(pipeline: String?, status: PipelineRunStatus?, before: Int64?, limit: Int) async throws -> [PipelineRun] {
        guard (1...1000).contains(limit) else { throw CairnError.invalidParameter("limit must be between 1 and 1000.") }
        return try await database.read { try await PipelineStore.runs(pipeline: pipeline, status: status, before: before, limit: limit, on: $0) }
    }

    public func attempts(runID: String, stepKey: String) async throws -> [StepAttempt] {
        _ = try await step(runID: runID, stepKey: stepKey)
        return try await database.read { try await PipelineStore.attempts(runID: runID, stepKey: stepKey, on: $0) }
    }

    func step(runID: String, stepKey: String) async throws -> PipelineStep {
        guard let step = try await run(id: runID).steps.first(where: { $0.stepKey == stepKey }) else {
            throw CairnError(.resourceDoesNotExist, "Pipeline run '\(runID)' has no step '\(stepKey)'.")
        }
        return step
    }

    public func cancel(runID: String, user: String) async throws -> PipelineRun {
        let run = try await run(id: runID)
        guard run.status == .running else {
            throw CairnError(.invalidState, "Pipeline run '\(runID)' has already ended (\(run.status.rawValue)); only a running run can be cancelled.",
                             httpStatus: 409)
        }
        try await scheduler.cancel(runID: runID)
        return try await self.run(id: runID)
    }

    public func retry(runID: String, user: String) async throws -> PipelineRun {
        let run = try await run(id: runID)
        guard run.status == .failed || run.status == .cancelled else {
            throw CairnError(.invalidState, "Pipeline run '\(runID)' is \(run.status.rawValue); only a failed or cancelled run can be retried.",
                             httpStatus: 409)
        }
        try await scheduler.retry(runID: runID)
        return try await self.run(id: runID)
    }

    /// A piece of a step's stdout or stderr from byte `offset` (at most `limit` bytes), read from
    /// the try's folder while it runs. `attempt` nil means the latest.
    public func log(runID: String, stepKey: String, attempt: Int?, stream: LogStream, offset: Int, limit: Int = 1 << 20) async throws -> StepLogChunk {
        let step = try await step(runID: runID, stepKey: stepKey)
        let chosen = attempt ?? step.attempt
        guard chosen >= 1, chosen <= step.attempt else {
            throw CairnError.invalidParameter("Step '\(stepKey)' has no attempt \(chosen) (it has had \(step.attempt)).")
        }
        guard offset >= 0 else { throw CairnError.invalidParameter("offset must not be negative.") }
        let folder = configuration.workDirectory.appending(path: runID).appending(path: stepKey).appending(path: "attempt-\(chosen)")
        let file = folder.appending(path: stream == .stdout ? "stdout.log" : "stderr.log")
        var data = Data()
        if let handle = try? FileHandle(forReadingFrom: file) {
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            data = try handle.read(upToCount: limit) ?? Data()
        }
        let finished = step.status.isFinished || chosen < step.attempt
        return StepLogChunk(text: String(decoding: data, as: UTF8.self), nextOffset: offset + data.count, attempt: chosen, finished: finished)
    }
}

public enum LogStream: String, Sendable {
    case stdout, stderr
}

/// Part of a step's log, and where the next read continues.
public struct StepLogChunk: Sendable {
    public var text: String
    public var nextOffset: Int
    public var attempt: Int
    /// True when the try has ended, so nothing more will be written.
    public var finished: Bool
}
