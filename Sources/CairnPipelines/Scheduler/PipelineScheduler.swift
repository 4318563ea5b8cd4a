import CairnCore
import CairnStorage
import CairnTracking
import Foundation
import Logging
import SQLKit

/// Moves pipeline runs forward: decides which pending steps are ready (upstream finished,
/// condition true, not cached), admits queued steps by priority while they fit in the free
/// capacity, runs them through the executor, and records every state change in the store
/// before acting on it. On start it re-attaches to steps a previous server left running.
///
/// One scheduler acts per store (the server that owns it); several servers on one PostgreSQL
/// would need a lease first.
actor PipelineScheduler {
    let database: Database
    let tracking: TrackingService
    let files: StepFiles
    let configuration: PipelineConfiguration
    let logger: Logger

    /// Step tasks in flight, by `StepID`.
    var running: [StepID: Task<Void, Never>] = [:]
    /// Resources held by running steps.
    var held: [StepID: ResourceSpec] = [:]
    /// Runs a user asked to cancel; their steps end as cancelled, not failed or retried.
    var cancelling: Set<String> = []
    private var specs: [String: PipelineSpec] = [:]
    /// Each active run's steps by name, so a pass over a 500-step run stays linear.
    private var stepSpecs: [String: [String: StepSpec]] = [:]
    /// Active runs as last saved. This scheduler writes every step state change, so the copy stays
    /// exact and a pass does not re-read hundreds of steps per run from the store.
    private var active: [String: PipelineRun] = [:]
    private var loopTask: Task<Void, Never>?
    private var sleeper: CheckedContinuation<Void, Never>?
    private var wakeRequested = false
    /// The last pass found no active run.
    private var idle = false

    struct StepID: Hashable {
        var runID: String
        var stepKey: String
    }

    init(database: Database, tracking: TrackingService, files: StepFiles, configuration: PipelineConfiguration, logger: Logger) {
        self.database = database
        self.tracking = tracking
        self.files = files
        self.configuration = configuration
        self.logger = logger
    }

    func start() {
        guard loopTask == nil else { return }
        loopTask = Task {
            await self.recover()
            await self.loop()
        }
    }

    /// Stops scheduling. Running steps are left running: a restarted server re-attaches to them.
    func stop() {
        loopTask?.cancel()
        loopTask = nil
        sleeper?.resume()
        sleeper = nil
    }

    /// Asks for a scheduling pass as soon as possible.
    nonisolated func wake() {
        Task { await self.signal() }
    }

    func signal() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        } else {
            wakeRequested = true
        }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                try await tick()
            } catch {
                logger.error("pipeline scheduler pass failed: \(error)")
            }
            if !wakeRequested {
                let interval = idle ? configuration.idleTickInterval : configuration.tickInterval
                Task { [weak self] in
                    try? await Task.sleep(for: interval)
                    await self?.signal()
                }
                await withCheckedContinuation { sleeper = $0 }
            }
            wakeRequested = false
        }
    }

    func spec(of run: PipelineRun) throws -> PipelineSpec {
        if let spec = specs[run.runID] { return spec }
        let spec = try PipelineSpecParser.parse(yaml: run.specYAML)
        specs[run.runID] = spec
        stepSpecs[run.runID] = Dictionary(spec.steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return spec
    }

    /// One pass over every active run.
    func tick() async throws {
        let runIDs = try await database.read { try await PipelineStore.activeRunIDs(on: $0) }
        idle = runIDs.isEmpty && running.isEmpty
        var queued: [(run: PipelineRun, spec: PipelineSpec, step: PipelineStep)] = []
        for runID in runIDs {
            guard var run = try await activeRun(runID) else { continue }
            let spec = try spec(of: run)
            let stepsByName = stepSpecs[runID] ?? [:]
            // Steps whose every row (all foreach items) has finished; only their dependents can move.
            var unfinished = Set<String>()
            for step in run.steps where !step.status.isFinished { unfinished.insert(step.stepName) }
            for index in run.steps.indices where run.steps[index].status == .pending {
                let step = run.steps[index]
                guard running[StepID(runID: runID, stepKey: step.stepKey)] == nil,
                      (step.notBefore ?? 0) <= Clock.nowMillis(),
                      stepsByName[step.stepName]?.dependencies.allSatisfy({ !unfinished.contains($0) }) == true else { continue }
                if let decided = try await decide(step, in: run, spec: spec),
                   // decide() awaited the store: a cancel may have ended the step meanwhile.
                   !cancelling.contains(runID), active[runID]?.steps.first(where: { $0.stepKey == step.stepKey })?.status == .pending {
                    run.steps[index] = decided
                    try await save(decided, of: run, event: "pipeline_step.\(decided.status.rawValue)")
                }
            }
            let inFlight = running.keys.contains { $0.runID == runID }
            if !inFlight, run.steps.allSatisfy(\.status.isFinished) {
                try await finish(run)
                continue
            }
            for step in run.steps where step.status == .queued && running[StepID(runID: runID, stepKey: step.stepKey)] == nil {
                queued.append((run, spec, step))
            }
        }
        try await admit(queued)
    }

    func activeRun(_ runID: String) async throws -> PipelineRun? {
        if let run = active[runID] { return run }
        let run = try await database.read { try await PipelineStore.run(id: runID, on: $0) }
        active[runID] = run
        return run
    }

    /// Starts queued steps, highest priority first, then oldest, while they fit. A step that
    /// does not fit lets smaller ones behind it start; one larger than the whole capacity waits
    /// with a message saying so.
    private func admit(_ queued: [(run: PipelineRun, spec: PipelineSpec, step: PipelineStep)]) async throws {
        var free = held.values.reduce(configuration.capacity) { $0 - $1 }
        func stepSpec(_ runID: String, _ name: String) -> StepSpec? { stepSpecs[runID]?[name] }
        let ordered = queued.sorted { lhs, rhs in
            let left = stepSpec(lhs.run.runID, lhs.step.stepName)?.priority ?? 0, right = stepSpec(rhs.run.runID, rhs.step.stepName)?.priority ?? 0
            return left != right ? left > right : (lhs.step.queuedAt ?? 0, lhs.step.stepKey) < (rhs.step.queuedAt ?? 0, rhs.step.stepKey)
        }
        for (run, _, step) in ordered {
            // The pass's copy may predate a step that started and finished while it awaited the
            // store; only the current state says whether it is still waiting.
            guard !cancelling.contains(run.runID), let stepSpec = stepSpec(run.runID, step.stepName),
                  active[run.runID]?.steps.first(where: { $0.stepKey == step.stepKey })?.status == .queued else { continue }
            let needed = stepSpec.resources
            guard needed.fits(in: configuration.capacity) else {
                let message = "waiting: needs \(Self.describe(needed)), more than the capacity of \(Self.describe(configuration.capacity))"
                if step.message != message {
                    var waiting = step
                    waiting.message = message
                    try await save(waiting, of: run, event: nil)
                }
                continue
            }
            guard needed.fits(in: free) else { continue }
            free = free - needed
            let id = StepID(runID: run.runID, stepKey: step.stepKey)
            held[id] = needed
            running[id] = Task { await self.execute(run: run, spec: stepSpec, step: step) }
        }
    }

    static func describe(_ resources: ResourceSpec) -> String {
        "\(resources.cpu.formatted()) cpu, \(ResourceSpec.formatMemory(resources.memoryBytes)) memory, \(resources.gpu) gpu"
    }

    /// Ends a run whose steps have all finished, and its MLflow parent run.
    private func finish(_ run: PipelineRun) async throws {
        let status: PipelineRunStatus
        if cancelling.contains(run.runID) || run.steps.contains(where: { $0.status == .cancelled }) {
            status = .cancelled
        } else if run.steps.contains(where: { $0.status == .failed }) {
            status = .failed
        } else {
            status = .succeeded
        }
        let failed = run.steps.filter { $0.status == .failed }.map(\.stepKey)
        let message = status == .failed ? "failed steps: \(failed.joined(separator: ", "))" : ""
        let now = Clock.nowMillis()
        let database = self.database
        try await database.write { db in
            try await PipelineStore.setRunStatus(run.runID, status, endedAt: now, message: message, on: db)
            try await EventOutbox.append(type: "pipeline_run.\(status.rawValue)", subject: "pipelines/\(run.pipelineName)/runs/\(run.runID)",
                                         payload: ["status": status.rawValue, "message": message], actor: "", database: database, on: db)
        }
        let mlflowStatus: RunStatus = status == .succeeded ? .finished : status == .failed ? .failed : .killed
        _ = try? await tracking.updateRun(id: run.mlflowRunID, status: mlflowStatus, endTime: now, runName: nil)
        cancelling.remove(run.runID)
        specs[run.runID] = nil
        stepSpecs[run.runID] = nil
        active[run.runID] = nil
    }

    /// Persists a step's new state (and an event when it changed status), together with
    /// `alongside` in the same transaction.
    func save(_ step: PipelineStep, of run: PipelineRun, event: String?,
              alongside: (@Sendable (any SQLDatabase) async throws -> Void)? = nil) async throws {
        let database = self.database
        try await database.write { db in
            try await alongside?(db)
            try await PipelineStore.save(step, runID: run.runID, on: db)
            if let event {
                try await EventOutbox.append(type: event, subject: "pipelines/\(run.pipelineName)/runs/\(run.runID)/steps/\(step.stepKey)",
                                             payload: ["status": step.status.rawValue, "attempt": String(step.attempt), "message": step.message],
                                             actor: "", database: database, on: db)
            }
        }
        if var cached = active[run.runID], let index = cached.steps.firstIndex(where: { $0.stepKey == step.stepKey }) {
            cached.steps[index] = step
            active[run.runID] = cached
        }
    }

    // MARK: cancel and retry

    /// Cancels a running pipeline run: waiting steps end as cancelled at once, running ones are
    /// stopped (SIGTERM, then SIGKILL) and end as cancelled.
    func cancel(runID: String) async throws {
        guard let run = try await activeRun(runID) else { return }
        guard run.status == .running else { return }
        cancelling.insert(runID)
        let database = self.database
        try await database.write { db in try await PipelineStore.setCancelRequested(runID, true, on: db) }
        for var step in run.steps where step.status == .pending || step.status == .queued {
            step.status = .cancelled
            step.endedAt = Clock.nowMillis()
            step.message = "cancelled before it started"
            try await save(step, of: run, event: "pipeline_step.cancelled")
        }
        for (id, task) in running where id.runID == runID { task.cancel() }
        signal()
    }

    /// Reruns the failed part of a finished run: failed and cancelled steps, and the steps
    /// skipped because of them, go back to pending with a fresh retry budget; succeeded and
    /// cached steps keep their outputs.
    func retry(runID: String) async throws {
        guard let run = try await database.read({ try await PipelineStore.run(id: runID, on: $0) }) else { return }
        for var step in run.steps where step.status == .failed || step.status == .cancelled
            || (step.status == .skipped && step.message.hasPrefix(StepDecision.upstreamPrefix)) {
            step.status = .pending
            step.retryBase = step.attempt
            step.notBefore = nil
            step.endedAt = nil
            step.message = "retry requested"
            try await save(step, of: run, event: "pipeline_step.pending")
        }
        let database = self.database
        try await database.write { db in
            try await PipelineStore.setRunStatus(runID, .running, endedAt: nil, message: "", on: db)
            try await PipelineStore.setCancelRequested(runID, false, on: db)
        }
        cancelling.remove(runID)
        _ = try? await tracking.updateRun(id: run.mlflowRunID, status: .running, endTime: nil, runName: nil)
        active[runID] = nil
        signal()
    }
}
