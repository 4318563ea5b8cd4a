import CairnCore
import CairnTracking
import Foundation

/// What happens to a pending step whose upstream steps have all finished: skipped (an upstream
/// step failed or was skipped, or its condition is false), failed (its condition cannot be
/// evaluated), cached (an earlier success had the same cache key), or queued for capacity.
enum StepDecision {
    /// Message prefix of steps skipped because an upstream step did not succeed; retry-from-failure
    /// reruns exactly those.
    static let upstreamPrefix = "upstream step"
}

extension PipelineScheduler {
    /// The step's next state, or nil while it must keep waiting.
    func decide(_ step: PipelineStep, in run: PipelineRun, spec: PipelineSpec) async throws -> PipelineStep? {
        guard let stepSpec = spec.step(named: step.stepName) else { return nil }
        let upstream = run.steps.filter { stepSpec.dependencies.contains($0.stepName) }
        guard upstream.allSatisfy(\.status.isFinished) else { return nil }
        let now = Clock.nowMillis()
        /// The step, finished without running.
        func ended(_ status: StepStatus, _ message: String, outputsRunID: String? = nil, cacheKey: String? = nil) -> PipelineStep {
            var next = step
            next.status = status
            next.endedAt = now
            next.message = message
            next.outputsRunID = outputsRunID
            next.cacheKey = cacheKey ?? step.cacheKey
            return next
        }
        if let broken = upstream.first(where: { $0.status == .failed || $0.status == .cancelled || $0.status == .skipped }) {
            return ended(.skipped, "\(StepDecision.upstreamPrefix) \(broken.stepKey) \(broken.status == .skipped ? "was skipped" : broken.status.rawValue)")
        }
        if let condition = stepSpec.when {
            do {
                guard try await conditionHolds(condition, step: step, run: run) else { return ended(.skipped, "condition is false: \(condition)") }
            } catch {
                return ended(.failed, "condition could not be evaluated: \(error)")
            }
        }
        var next = step
        if stepSpec.cache {
            do {
                let key = try await cacheKey(stepSpec, step: step, run: run)
                if let outputs = try await database.read({ try await PipelineStore.cachedOutputs(cacheKey: key, on: $0) }) {
                    return ended(.cached, "reused the outputs of an earlier identical step (MLflow run \(outputs))", outputsRunID: outputs, cacheKey: key)
                }
                next.cacheKey = key
            } catch {
                return ended(.failed, "inputs could not be read: \(error)")
            }
        }
        next.status = .queued
        next.queuedAt = now
        next.message = ""
        return next
    }

    /// The MLflow runs holding the outputs of every row of step `name` (one per foreach item).
    func producerRuns(_ name: String, in run: PipelineRun) -> [(index: Int?, runID: String)] {
        run.steps.filter { $0.stepName == name }.compactMap { step in step.outputsRunID.map { (step.itemIndex, $0) } }
    }

    /// Path → SHA-256 of every input file, by input name (a param input hashes its value).
    func inputHashes(_ stepSpec: StepSpec, run: PipelineRun) async throws -> [String: [String: String]] {
        var hashes: [String: [String: String]] = [:]
        for input in stepSpec.inputs {
            if case .param(let name) = input.source {
                hashes[input.name] = ["value": run.params[name]?.plainText ?? ""]
                continue
            }
            let producers = input.source.stepName.map { producerRuns($0, in: run) } ?? []
            let files = try await files.files(of: input.source, producerRuns: producers)
            hashes[input.name] = Dictionary(files.map { ($0.relative, $0.artifact.sha256) }, uniquingKeysWith: { first, _ in first })
        }
        return hashes
    }

    func cacheKey(_ stepSpec: StepSpec, step: PipelineStep, run: PipelineRun) async throws -> String {
        try CacheKey.compute(step: stepSpec, params: run.params, item: step.item, inputHashes: try await inputHashes(stepSpec, run: run))
    }

    /// Evaluates `when` with the values it reads fetched first: params, upstream metrics (the
    /// latest value of each; a list for a foreach step) and small upstream outputs (their text).
    func conditionHolds(_ condition: String, step: PipelineStep, run: PipelineRun) async throws -> Bool {
        let expression = try ExpressionParser.parse(condition)
        var values: [[String]: ExpressionValue] = [:]
        for path in expression.references where values[path] == nil {
            values[path] = try await value(of: path, step: step, run: run)
        }
        return try ExpressionEvaluator { values[$0] ?? nil }.isTrue(expression)
    }

    private func value(of path: [String], step: PipelineStep, run: PipelineRun) async throws -> ExpressionValue? {
        switch path.first {
        case "params": return run.params[path[1]]
        case "item": return step.item
        case "steps":
            let rows = run.steps.filter { $0.stepName == path[1] }
            var found: [ExpressionValue] = []
            for row in rows {
                guard let runID = row.outputsRunID else { continue }
                if path[2] == "metrics" {
                    let metrics = try await tracking.getRun(id: runID).metrics
                    if let metric = metrics.first(where: { $0.key == path[3] }) { found.append(.number(metric.value)) }
                } else if let text = try await outputText(runID: runID, output: path[3]) {
                    found.append(ExpressionValue.parsing(text))
                }
            }
            guard !found.isEmpty else { return nil }
            return rows.count == 1 && rows[0].itemIndex == nil ? found[0] : .list(found)
        default: return nil
        }
    }

    /// The text of an output folder holding one small file (≤ 64 KiB), for conditions.
    private func outputText(runID: String, output: String) async throws -> String? {
        let stored = try await files.files(of: .stepOutput(step: "", output: output), producerRuns: [(nil, runID)])
        guard stored.count == 1, stored[0].artifact.size <= 64 << 10 else { return nil }
        var text = ""
        try await files.store.read(stored[0].artifact) { text += String(buffer: $0) }
        return text
    }
}
