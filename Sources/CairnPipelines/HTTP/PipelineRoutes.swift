import CairnCore
import CairnHTTP
import Hummingbird

/// `/api/v1/pipelines` (register, list, get, run) and `/api/v1/pipeline-runs` (submit a spec,
/// list, get, cancel, retry from failure, attempts, logs).
public struct PipelineRoutes<Context: RequestContext>: Sendable {
    let service: PipelineService

    public init(service: PipelineService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/pipelines") { fields, _, _ in
            PipelineOutput(pipeline: PipelineDTO(try await service.register(yaml: try fields.requiredString("spec_yaml"))))
        }
        routes.json(.get, path: "/pipelines") { _, _, _ in
            PipelinesOutput(pipelines: try await service.pipelines().map(PipelineDTO.init))
        }
        routes.json(.get, path: "/pipelines/{name}") { _, _, context in
            PipelineOutput(pipeline: PipelineDTO(try await service.pipeline(name: try context.pathParameter("name"))))
        }
        routes.json(.post, path: "/pipelines/{name}/runs") { fields, request, context in
            let run = try await service.submit(pipeline: try context.pathParameter("name"), params: try fields.pipelineParams(), user: request.cairnUser)
            return PipelineRunOutput(pipeline_run: PipelineRunDTO(run))
        }
        routes.json(.post, path: "/pipeline-runs") { fields, request, _ in
            let run = try await service.submit(yaml: try fields.requiredString("spec_yaml"), params: try fields.pipelineParams(), user: request.cairnUser)
            return PipelineRunOutput(pipeline_run: PipelineRunDTO(run))
        }
        routes.json(.get, path: "/pipeline-runs") { fields, _, _ in
            let limit = Int(try fields.int64("limit") ?? 100)
            let status = try fields.string("status").map { text in
                guard let status = PipelineRunStatus(rawValue: text) else {
                    throw CairnError.invalidParameter("Invalid status '\(text)' (expected one of: \(PipelineRunStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
                }
                return status
            }
            let runs = try await service.runs(pipeline: try fields.string("pipeline"), status: status, before: try fields.int64("before"), limit: limit)
            return PipelineRunsOutput(pipeline_runs: runs.map { PipelineRunDTO($0, withSteps: false) },
                                      next_before: runs.count == limit ? runs.last?.createdAt : nil)
        }
        routes.json(.get, path: "/pipeline-runs/{run_id}") { _, _, context in
            PipelineRunOutput(pipeline_run: PipelineRunDTO(try await service.run(id: try context.pathParameter("run_id"))))
        }
        routes.json(.post, path: "/pipeline-runs/{run_id}/cancel") { _, request, context in
            PipelineRunOutput(pipeline_run: PipelineRunDTO(try await service.cancel(runID: try context.pathParameter("run_id"), user: request.cairnUser)))
        }
        routes.json(.post, path: "/pipeline-runs/{run_id}/retry") { _, request, context in
            PipelineRunOutput(pipeline_run: PipelineRunDTO(try await service.retry(runID: try context.pathParameter("run_id"), user: request.cairnUser)))
        }
        routes.json(.get, path: "/pipeline-runs/{run_id}/steps/{step}/attempts") { _, _, context in
            let attempts = try await service.attempts(runID: try context.pathParameter("run_id"), stepKey: try context.pathParameter("step"))
            return StepAttemptsOutput(attempts: attempts.map(StepAttemptDTO.init))
        }
        routes.json(.get, path: "/pipeline-runs/{run_id}/steps/{step}/logs") { fields, _, context in
            let streamName = try fields.string("stream") ?? "stdout"
            guard let stream = LogStream(rawValue: streamName) else {
                throw CairnError.invalidParameter("Invalid stream '\(streamName)' (expected stdout or stderr).")
            }
            let chunk = try await service.log(runID: try context.pathParameter("run_id"), stepKey: try context.pathParameter("step"),
                                              attempt: try fields.int64("attempt").map { Int($0) }, stream: stream,
                                              offset: Int(try fields.int64("offset") ?? 0))
            return StepLogOutput(text: chunk.text, next_offset: chunk.nextOffset, attempt: chunk.attempt, finished: chunk.finished)
        }
    }
}
