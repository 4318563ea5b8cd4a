import CairnCore
import CairnStorage
import CairnTracking
import Foundation

extension PipelineScheduler {
    /// The folder of one try of a step: inputs, outputs, logs and the exit-code file.
    func directory(runID: String, stepKey: String, attempt: Int) -> URL {
        configuration.workDirectory.appending(path: runID).appending(path: stepKey).appending(path: "attempt-\(attempt)")
    }

    /// Runs one try of a queued step, from recording its start to recording how it ended.
    func execute(run: PipelineRun, spec: StepSpec, step queued: PipelineStep) async {
        let id = StepID(runID: run.runID, stepKey: queued.stepKey)
        var step = queued
        do {
            step.attempt += 1
            step.status = .running
            step.startedAt = Clock.nowMillis()
            step.pid = nil
            step.message = ""
            if step.mlflowRunID == nil { step.mlflowRunID = try await createMLflowRun(for: step, of: run) }
            let started = step
            try await save(step, of: run, event: "pipeline_step.running") { db in
                try await PipelineStore.startAttempt(runID: run.runID, stepKey: started.stepKey, attempt: started.attempt, at: started.startedAt!, on: db)
            }
        } catch {
            logger.error("could not start step \(step.stepKey) of pipeline run \(run.runID): \(error)")
            await release(id)
            return
        }
        let launch: StepLaunch
        do {
            launch = try await prepare(step, spec: spec, run: run)
        } catch {
            await complete(run: run, spec: spec, step: step, exit: .lost("its inputs could not be prepared: \(error)"), launch: nil)
            return
        }
        let exit: StepExit
        do {
            let runID = run.runID, stepKey = step.stepKey
            exit = try await configuration.executor.run(launch) { pid in await self.recordPID(pid, runID: runID, stepKey: stepKey) }
        } catch {
            exit = .lost("could not be started: \(error)")
        }
        // A cancelled step's task is itself cancelled, and would abort the writes that record the
        // cancellation; the record is made from a fresh task instead.
        let finished = step
        await Task { await self.complete(run: run, spec: spec, step: finished, exit: exit, launch: launch) }.value
    }

    private func recordPID(_ pid: Int32?, runID: String, stepKey: String) async {
        do {
            try await database.write { db in
                try await db.raw("UPDATE pipeline_steps SET pid = \(bind: pid.map(Int.init)) WHERE run_id = \(bind: runID) AND step_key = \(bind: stepKey)").run()
            }
        } catch {
            logger.warning("could not record the pid of step \(stepKey): \(error)")
        }
    }

    /// The step's nested MLflow run under the pipeline run's parent run.
    private func createMLflowRun(for step: PipelineStep, of run: PipelineRun) async throws -> String {
        let parent = try await tracking.getRunInfo(id: run.mlflowRunID)
        let created = try await tracking.createRun(CreateRunRequest(
            experimentID: parent.experimentID, userID: run.createdBy, runName: step.stepKey, startTime: Clock.nowMillis(),
            tags: [KeyValue(key: "mlflow.parentRunId", value: run.mlflowRunID), KeyValue(key: "cairn.pipeline.run_id", value: run.runID),
                   KeyValue(key: "cairn.pipeline.name", value: run.pipelineName), KeyValue(key: "cairn.pipeline.step", value: step.stepKey)]))
        return created.info.runID
    }

    /// Fills in the command and environment and copies the inputs into the try's folder.
    private func prepare(_ step: PipelineStep, spec: StepSpec, run: PipelineRun) async throws -> StepLaunch {
        let folder = directory(runID: run.runID, stepKey: step.stepKey, attempt: step.attempt)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var inputPaths: [String: String] = [:]
        for input in spec.inputs {
            let target = folder.appending(path: "inputs").appending(path: input.name)
            if case .param(let name) = input.source {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((run.params[name]?.plainText ?? "").utf8).write(to: target)
            } else {
                let producers = input.source.stepName.map { producerRuns($0, in: run) } ?? []
                let stored = try await files.files(of: input.source, producerRuns: producers)
                // A single file (e.g. runs:/<id>/data.csv) is handed over as that file.
                if stored.count == 1, stored[0].relative == stored[0].artifact.path.lastComponent, input.source.stepName == nil {
                    try await files.materialize(stored, into: target)
                    inputPaths[input.name] = target.appending(path: stored[0].relative).path
                    continue
                }
                try await files.materialize(stored, into: target)
            }
            inputPaths[input.name] = target.path
        }
        var outputPaths: [String: String] = [:]
        for output in spec.outputs {
            let target = folder.appending(path: "outputs").appending(path: output)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            outputPaths[output] = target.path
        }
        func render(_ text: String) throws -> String {
            try CommandTemplate(text).render { path in
                switch path.first {
                case "params": run.params[path[1]]?.plainText ?? ""
                case "inputs": inputPaths[path[1]] ?? ""
                case "outputs": outputPaths[path[1]] ?? ""
                case "item": step.item?.plainText ?? ""
                case "run": run.runID
                case "step": step.stepKey
                default: ""
                }
            }
        }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MLFLOW_") && !$0.key.hasPrefix("CAIRN_") }
        for (key, value) in spec.env { environment[key] = try render(value) }
        environment["MLFLOW_TRACKING_URI"] = configuration.trackingURI
        environment["MLFLOW_RUN_ID"] = step.mlflowRunID
        environment["CAIRN_PIPELINE_RUN_ID"] = run.runID
        environment["CAIRN_STEP"] = step.stepKey
        environment["CAIRN_ATTEMPT"] = String(step.attempt)
        if let item = step.item { environment["CAIRN_ITEM"] = item.plainText }
        for (name, path) in inputPaths { environment["CAIRN_INPUT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = path }
        for (name, path) in outputPaths { environment["CAIRN_OUTPUT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = path }
        return StepLaunch(runID: run.runID, stepKey: step.stepKey, attempt: step.attempt, command: try render(spec.command),
                          environment: environment, directory: folder, timeoutSeconds: spec.timeoutSeconds, resources: spec.resources)
    }

    /// Records how a try ended: outputs and logs uploaded, the MLflow run closed, and the step
    /// succeeded, failed, cancelled, or pending again for its next try after the backoff delay.
    func complete(run: PipelineRun, spec: StepSpec, step running: PipelineStep, exit: StepExit, launch: StepLaunch?) async {
        let id = StepID(runID: run.runID, stepKey: running.stepKey)
        var step = running
        let now = Clock.nowMillis()
        var outcome = exit
        if let launch, let mlflowRunID = step.mlflowRunID, let root = try? await files.artifactRoot(ofRun: mlflowRunID) {
            // Empty logs are not worth an artifact (most no-op and quiet steps write nothing).
            for log in [launch.stdoutPath, launch.stderrPath] where Self.fileSize(log) > 0 {
                let destination = root.appending(ArtifactPath(validatingOrRoot: "logs/attempt-\(step.attempt)/\(log.lastPathComponent)"))
                _ = try? await files.store.put(destination, body: FileChunks(url: log))
            }
            if exit.succeeded {
                do {
                    for output in spec.outputs {
                        try await files.publish(launch.directory.appending(path: "outputs").appending(path: output),
                                                to: root.appending(ArtifactPath(validatingOrRoot: "outputs/\(output)")))
                    }
                } catch {
                    outcome = .lost("its outputs could not be stored: \(error)")
                }
            }
        }
        step.endedAt = now
        step.pid = nil
        let tries = step.attempt - step.retryBase
        if outcome.succeeded {
            step.status = .succeeded
            step.outputsRunID = step.mlflowRunID
            step.message = ""
        } else if outcome == .cancelled || cancelling.contains(run.runID) {
            step.status = .cancelled
            step.message = "cancelled while running"
        } else if tries < spec.retry.attempts {
            let delay = spec.retry.delay(afterAttempt: tries)
            step.status = .pending
            step.notBefore = now + Int64(delay * 1000)
            step.endedAt = nil
            step.message = "attempt \(step.attempt) \(outcome.description); retrying in \(delay.formatted())s"
        } else {
            step.status = .failed
            let tail = launch.flatMap(Self.stderrTail).map { ": \($0)" } ?? ""
            step.message = "attempt \(step.attempt) \(outcome.description)" + tail
        }
        let exitCode: Int? = if case .exited(let code) = outcome { Int(code) } else { nil }
        do {
            let finished = step, recorded = outcome
            try await save(step, of: run, event: "pipeline_step.\(step.status.rawValue)") { db in
                try await PipelineStore.finishAttempt(runID: run.runID, stepKey: finished.stepKey, attempt: finished.attempt, at: now,
                                                      exitCode: exitCode, outcome: recorded.succeeded ? "succeeded" : recorded.description,
                                                      message: finished.message, on: db)
            }
        } catch {
            logger.error("could not record the end of step \(step.stepKey) of pipeline run \(run.runID): \(error)")
        }
        if step.status.isFinished, let mlflowRunID = step.mlflowRunID {
            let status: RunStatus = step.status == .succeeded ? .finished : step.status == .cancelled ? .killed : .failed
            _ = try? await tracking.updateRun(id: mlflowRunID, status: status, endTime: now, runName: nil)
        }
        await release(id)
    }

    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The last lines of a failed try's stderr, for the step's message.
    static func stderrTail(_ launch: StepLaunch) -> String? {
        guard let text = try? String(contentsOf: launch.stderrPath, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? nil : String(lines.suffix(500))
    }

    func release(_ id: StepID) async {
        running[id] = nil
        held[id] = nil
        signal()
    }

    /// After a restart: follows every step the previous server left running, through the
    /// executor, and records its end as if it had been watched all along.
    func recover() async {
        do {
            let runIDs = try await database.read { try await PipelineStore.activeRunIDs(on: $0) }
            for runID in runIDs {
                guard let run = try await database.read({ try await PipelineStore.run(id: runID, on: $0) }) else { continue }
                let spec = try spec(of: run)
                for step in run.steps where step.status == .running {
                    guard let stepSpec = spec.step(named: step.stepName) else { continue }
                    let id = StepID(runID: runID, stepKey: step.stepKey)
                    let launch = StepLaunch(runID: runID, stepKey: step.stepKey, attempt: step.attempt, command: "", environment: [:],
                                            directory: directory(runID: runID, stepKey: step.stepKey, attempt: step.attempt),
                                            timeoutSeconds: stepSpec.timeoutSeconds, resources: stepSpec.resources)
                    let startedAt = Date(timeIntervalSince1970: Double(step.startedAt ?? Clock.nowMillis()) / 1000)
                    if !FileManager.default.fileExists(atPath: launch.stdoutPath.path), step.pid == nil {
                        // Marked running, but the server stopped before the command was spawned (the
                        // wrapper creates its log first): it never ran, so it goes back to the queue.
                        try await requeueUnstarted(step, of: run)
                        continue
                    }
                    logger.info("re-attaching to step \(step.stepKey) of pipeline run \(runID)")
                    held[id] = stepSpec.resources
                    running[id] = Task {
                        let exit = await self.configuration.executor.reattach(launch, pid: step.pid, startedAt: startedAt)
                        await self.complete(run: run, spec: stepSpec, step: step, exit: exit, launch: launch)
                    }
                }
            }
        } catch {
            logger.error("could not recover running pipeline steps: \(error)")
        }
    }
}

extension PipelineScheduler {
    private func requeueUnstarted(_ running: PipelineStep, of run: PipelineRun) async throws {
        var step = running
        let database = self.database, now = Clock.nowMillis()
        try await database.write { db in
            try await PipelineStore.finishAttempt(runID: run.runID, stepKey: step.stepKey, attempt: step.attempt, at: now, exitCode: nil,
                                                  outcome: "not started", message: "the server stopped before the step was started", on: db)
        }
        step.status = .queued
        step.retryBase += 1  // the try that never started does not count against the retry policy
        step.queuedAt = now
        step.startedAt = nil
        step.message = "requeued: the server stopped before it started"
        try await save(step, of: run, event: "pipeline_step.queued")
    }
}

extension ArtifactPath {
    /// For paths built from validated names (step keys, output names), which cannot be invalid.
    init(validatingOrRoot path: String) {
        self = (try? ArtifactPath(validating: path)) ?? .root
    }
}
