import CairnDeploy
import CairnPipelines

/// Lets a deployment's alerts start runs of registered pipelines (retraining on drift).
struct PipelineServiceLauncher: PipelineLauncher {
    let pipelines: PipelineService

    func checkExists(pipeline: String) async throws {
        _ = try await pipelines.pipeline(name: pipeline)
    }

    func launch(pipeline: String, params: [String: String], reason: String) async throws -> String {
        try await pipelines.submit(pipeline: pipeline, params: params.mapValues { .string($0) }, user: "cairn-monitoring", triggeredBy: reason).runID
    }
}
