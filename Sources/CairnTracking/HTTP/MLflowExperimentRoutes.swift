import CairnHTTP
import Hummingbird

/// MLflow's experiment endpoints (`/api/2.0/mlflow/experiments/…`).
public struct MLflowExperimentRoutes<Context: RequestContext>: Sendable {
    let service: TrackingService

    public init(service: TrackingService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/experiments/create") { fields, _, _ in
            let id = try await service.createExperiment(
                name: try fields.requiredString("name"), artifactLocation: try fields.string("artifact_location"),
                tags: try fields.keyValues("tags"))
            return CreateExperimentResponse(experiment_id: id)
        }
        routes.json(.get, path: "/experiments/get") { fields, _, _ in
            ExperimentOutput(experiment: ExperimentDTO(try await service.getExperiment(id: try fields.requiredString("experiment_id"))))
        }
        routes.json(.get, path: "/experiments/get-by-name") { fields, _, _ in
            ExperimentOutput(experiment: ExperimentDTO(try await service.getExperiment(name: try fields.requiredString("experiment_name"))))
        }
        routes.json(.post, .get, path: "/experiments/search") { fields, _, _ in
            let page = try await service.searchExperiments(
                filter: try fields.string("filter"), orderBy: try fields.strings("order_by"),
                viewType: try fields.viewType("view_type"), maxResults: try fields.int64("max_results"),
                pageToken: try fields.string("page_token"))
            return SearchExperimentsResponse(experiments: page.items.nonEmpty?.map(ExperimentDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.post, path: "/experiments/update") { fields, _, _ in
            try await service.renameExperiment(id: try fields.requiredString("experiment_id"), newName: try fields.requiredString("new_name"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/experiments/delete") { fields, _, _ in
            try await service.deleteExperiment(id: try fields.requiredString("experiment_id"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/experiments/restore") { fields, _, _ in
            try await service.restoreExperiment(id: try fields.requiredString("experiment_id"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/experiments/set-experiment-tag") { fields, _, _ in
            try await service.setExperimentTag(
                id: try fields.requiredString("experiment_id"),
                tag: KeyValue(key: try fields.requiredString("key"), value: try fields.string("value", required: false) ?? ""))
            return EmptyResponse()
        }
        routes.json(.post, path: "/experiments/delete-experiment-tag") { fields, _, _ in
            try await service.deleteExperimentTag(id: try fields.requiredString("experiment_id"), key: try fields.requiredString("key"))
            return EmptyResponse()
        }
    }
}

struct ExperimentOutput: Encodable, Sendable {
    let experiment: ExperimentDTO
}
