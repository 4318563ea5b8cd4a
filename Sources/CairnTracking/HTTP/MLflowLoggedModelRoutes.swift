import CairnHTTP
import Hummingbird

/// MLflow 3's logged-model endpoints, which `mlflow.<flavor>.log_model` needs.
public struct MLflowLoggedModelRoutes<Context: RequestContext>: Sendable {
    let service: TrackingService

    public init(service: TrackingService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/logged-models") { fields, _, _ in
            let model = try await service.createLoggedModel(CreateLoggedModelRequest(
                experimentID: try fields.requiredString("experiment_id"), name: try fields.string("name"),
                modelType: try fields.string("model_type"), sourceRunID: try fields.string("source_run_id"),
                params: try fields.keyValues("params"), tags: try fields.keyValues("tags")))
            return ModelOutput(model: LoggedModelDTO(model))
        }
        routes.json(.post, path: "/logged-models/search") { fields, _, _ in
            let page = try await service.searchLoggedModels(
                experimentIDs: try fields.strings("experiment_ids"), filter: try fields.string("filter"),
                orderBy: try fields.objects("order_by").map {
                    LoggedModelOrder(fieldName: try $0.requiredString("field_name"), ascending: try $0.bool("ascending") ?? true)
                },
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return SearchLoggedModelsResponse(models: page.items.nonEmpty?.map(LoggedModelDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.get, path: "/logged-models/{model_id}") { fields, _, context in
            let model = try await service.getLoggedModel(id: try context.modelID(), allowDeleted: try fields.bool("allow_deleted") ?? false)
            return ModelOutput(model: LoggedModelDTO(model))
        }
        routes.json(.patch, path: "/logged-models/{model_id}") { fields, _, context in
            let status = try fields.enumName("status", names: LoggedModelStatus.wireNamesFromOne)
                .flatMap(LoggedModelStatus.init(rawValue:))
            guard let status else { throw RequestFields.missing("status") }
            return ModelOutput(model: LoggedModelDTO(try await service.finalizeLoggedModel(id: try context.modelID(), status: status)))
        }
        routes.json(.delete, path: "/logged-models/{model_id}") { _, _, context in
            try await service.deleteLoggedModel(id: try context.modelID())
            return EmptyResponse()
        }
        routes.json(.patch, path: "/logged-models/{model_id}/tags") { fields, _, context in
            ModelOutput(model: LoggedModelDTO(try await service.setLoggedModelTags(id: try context.modelID(), tags: try fields.keyValues("tags"))))
        }
        routes.json(.delete, path: "/logged-models/{model_id}/tags/{tag_key}") { _, _, context in
            try await service.deleteLoggedModelTag(id: try context.modelID(), key: try context.pathParameter("tag_key"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/logged-models/{model_id}/params") { fields, _, context in
            try await service.logLoggedModelParams(id: try context.modelID(), params: try fields.keyValues("params"))
            return EmptyResponse()
        }
    }

    struct ModelOutput: Encodable, Sendable {
        let model: LoggedModelDTO
    }
}

extension RequestContext {
    func modelID() throws -> String {
        try pathParameter("model_id")
    }
}
