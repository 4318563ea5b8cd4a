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
            // Could not even record the start (store or tracking trouble): end the try as failed so
            // the retry policy applies, instead of leaving it queued to be started again at once.
            logger.error("could not start step \(step.stepKey) of pipeline run \(run.runID): \(error)")
            let failed = step
            await Task { await self.complete(run: run, spec: spec, step: failed, exit: .lost("could not be started: \(error)"), launch: nil) }.value
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
        /// The value a placeholder stands for.
        func value(_ path: [String]) -> String {
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
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MLFLOW_") && !$0.key.hasPrefix("CAIRN_") }
        var stepEnvironment: [String: String] = [:]
        for (key, text) in spec.env { stepEnvironment[key] = try CommandTemplate(text).render(value) }
        stepEnvironment["MLFLOW_TRACKING_URI"] = configuration.trackingURI
        stepEnvironment["MLFLOW_RUN_ID"] = step.mlflowRunID
        stepEnvironment["CAIRN_PIPELINE_RUN_ID"] = run.runID
        stepEnvironment["CAIRN_STEP"] = step.stepKey
        stepEnvironment["CAIRN_ATTEMPT"] = String(step.attempt)
        if let item = step.item { stepEnvironment["CAIRN_ITEM"] = item.plainText }
        for (name, path) in inputPaths { stepEnvironment["CAIRN_INPUT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = path }
        for (name, path) in outputPaths { stepEnvironment["CAIRN_OUTPUT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = path }
        environment.merge(stepEnvironment) { _, step in step }
        // Values go into the shell command quoted: a parameter (or a model name from a trigger) is
        // data, never shell syntax.
        let command = try CommandTemplate(spec.command).render { ShellQuoting.quote(value($0)) }
        return StepLaunch(runID: run.runID, stepKey: step.stepKey, attempt: step.attempt, command: command,
                          environment: environment, stepEnvironment: stepEnvironment, directory: folder,
                          timeoutSeconds: spec.timeoutSeconds, resources: spec.resources)
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
    /// executor, and records its end as if it had been watched all along. A step the executor
    /// cannot find and that never wrote output (the wrapper creates its log first) was marked
    /// running but never spawned: it goes back to the queue instead of failing. One run's
    /// trouble does not stop the others' recovery.
    func recover() async {
        let runIDs: [String]
        do {
            runIDs = try await database.read { try await PipelineStore.activeRunIDs(on: $0) }
            cancelling = Set(try await database.read { try await PipelineStore.cancelRequestedRunIDs(on: $0) })
        } catch {
            logger.error("could not list running pipelines to recover: \(error)")
            return
        }
        for runID in runIDs {
            do {
                guard let run = try await database.read({ try await PipelineStore.run(id: runID, on: $0) }) else { continue }
                let spec = try spec(of: run)
                for step in run.steps where step.status == .running {
                    guard let stepSpec = spec.step(named: step.stepName) else { continue }
                    let id = StepID(runID: runID, stepKey: step.stepKey)
                    let launch = StepLaunch(runID: runID, stepKey: step.stepKey, attempt: step.attempt, command: "", environment: [:],
                                            stepEnvironment: [:], directory: directory(runID: runID, stepKey: step.stepKey, attempt: step.attempt),
                                            timeoutSeconds: stepSpec.timeoutSeconds, resources: stepSpec.resources)
                    let startedAt = Date(timeIntervalSince1970: Double(step.startedAt ?? Clock.nowMillis()) / 1000)
                    logger.info("re-attaching to step \(step.stepKey) of pipeline run \(runID)")
                    held[id] = stepSpec.resources
                    running[id] = Task {
                        let exit = await self.configuration.executor.reattach(launch, pid: step.pid, startedAt: startedAt)
                        // Recorded from a fresh task: a cancelled one would abort the writes.
                        await Task {
                            if case .lost = exit, !FileManager.default.fileExists(atPath: launch.stdoutPath.path) {
                                await self.requeueUnstarted(step, of: run)
                            } else {
                                await self.complete(run: run, spec: stepSpec, step: step, exit: exit, launch: launch)
                            }
                        }.value
                    }
                }
            } catch {
                logger.error("could not recover pipeline run \(runID): \(error)")
            }
        }
    }
}

extension PipelineScheduler {
    private func requeueUnstarted(_ running: PipelineStep, of run: PipelineRun) async {
        var step = running
        let now = Clock.nowMillis()
        step.status = .queued
        step.retryBase += 1  // the try that never started does not count against the retry policy
        step.queuedAt = now
        step.startedAt = nil
        step.pid = nil
        step.message = "requeued: the server stopped before it started"
        let key = step.stepKey, attempt = step.attempt
        do {
            try await save(step, of: run, event: "pipeline_step.queued") { db in
                try await PipelineStore.finishAttempt(runID: run.runID, stepKey: key, attempt: attempt, at: now, exitCode: nil,
                                                      outcome: "not started", message: "the server stopped before the step was started", on: db)
            }
        } catch {
            logger.error("could not requeue step \(step.stepKey) of pipeline run \(run.runID): \(error)")
        }
        await release(StepID(runID: run.runID, stepKey: step.stepKey))
    }
}

extension ArtifactPath {
    /// For paths built from validated names (step keys, output names), which cannot be invalid.
    init(validatingOrRoot path: String) {
        self = (try? ArtifactPath(validating: path)) ?? .root
    }
}
