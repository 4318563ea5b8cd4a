import CairnHTTP
import Hummingbird

/// MLflow's run endpoints (`/api/2.0/mlflow/runs/…`) and metric history.
public struct MLflowRunRoutes<Context: RequestContext>: Sendable {
    let service: TrackingService

    public init(service: TrackingService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/runs/create") { fields, _, _ in
            let run = try await service.createRun(CreateRunRequest(
                experimentID: try fields.string("experiment_id"), userID: try fields.string("user_id"),
                runName: try fields.string("run_name"), startTime: try fields.int64("start_time"),
                tags: try fields.keyValues("tags")))
            return RunOutput(run: RunDTO(run))
        }
        routes.json(.get, path: "/runs/get") { fields, _, _ in
            RunOutput(run: RunDTO(try await service.getRun(id: try fields.runID())))
        }
        routes.json(.post, path: "/runs/update") { fields, _, _ in
            let info = try await service.updateRun(
                id: try fields.runID(),
                status: try fields.enumName("status", names: RunStatus.wireNames).flatMap(RunStatus.init(rawValue:)),
                endTime: try fields.int64("end_time"), runName: try fields.string("run_name"))
            return UpdateRunResponse(run_info: RunInfoDTO(info))
        }
        routes.json(.post, path: "/runs/delete") { fields, _, _ in
            try await service.deleteRun(id: try fields.requiredString("run_id"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/restore") { fields, _, _ in
            try await service.restoreRun(id: try fields.requiredString("run_id"))
            return EmptyResponse()
        }
        routes.json(.post, .get, path: "/runs/search") { fields, _, _ in
            let page = try await service.searchRuns(
                experimentIDs: try fields.strings("experiment_ids"), filter: try fields.string("filter"),
                orderBy: try fields.strings("order_by"), viewType: try fields.viewType("run_view_type"),
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return SearchRunsResponse(runs: page.items.nonEmpty?.map(RunDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.post, path: "/runs/log-metric") { fields, _, _ in
            try await service.logMetric(runID: try fields.runID(), metric: try fields.metric())
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/log-parameter") { fields, _, _ in
            try await service.logParam(runID: try fields.runID(), param: try fields.keyValue())
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/set-tag") { fields, _, _ in
            try await service.setTag(runID: try fields.runID(), tag: try fields.keyValue())
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/delete-tag") { fields, _, _ in
            try await service.deleteTag(runID: try fields.requiredString("run_id"), key: try fields.requiredString("key"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/log-batch") { fields, _, _ in
            try await service.logBatch(
                runID: try fields.runID(), metrics: try fields.objects("metrics").map { try $0.metric() },
                params: try fields.keyValues("params"), tags: try fields.keyValues("tags"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/log-inputs") { fields, _, _ in
            try await service.logInputs(
                runID: try fields.requiredString("run_id"),
                datasets: try fields.objects("datasets").map { try $0.datasetInput() },
                modelIDs: try fields.objects("models").map { try $0.requiredString("model_id") })
            return EmptyResponse()
        }
        routes.json(.post, path: "/runs/outputs") { fields, _, _ in
            try await service.logOutputs(
                runID: try fields.requiredString("run_id"),
                models: try fields.objects("models").map {
                    ModelOutput(modelID: try $0.requiredString("model_id"), step: try $0.int64("step") ?? 0)
                })
            return EmptyResponse()
        }
        routes.json(.get, path: "/metrics/get-history") { fields, _, _ in
            let page = try await service.metricHistory(
                runID: try fields.runID(), key: try fields.requiredString("metric_key"),
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return MetricHistoryResponse(metrics: page.items.nonEmpty?.map(MetricDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.get, path: "/metrics/get-history-bulk-interval") { fields, _, _ in
            let metrics = try await service.metricHistoryBulk(
                runIDs: try fields.strings("run_ids"), key: try fields.requiredString("metric_key"),
                startStep: try fields.int64("start_step"), endStep: try fields.int64("end_step"),
                maxResults: try fields.int64("max_results"))
            return BulkMetricHistoryResponse(metrics: metrics.nonEmpty?.map(MetricDTO.init))
        }
    }
}

struct RunOutput: Encodable, Sendable {
    let run: RunDTO
}
