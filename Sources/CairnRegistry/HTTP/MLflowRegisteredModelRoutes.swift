import CairnHTTP
import Hummingbird

/// MLflow's `registered-models/…` endpoints.
public struct MLflowRegisteredModelRoutes<Context: RequestContext>: Sendable {
    let service: RegistryService

    public init(service: RegistryService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/registered-models/create") { fields, request, _ in
            let model = try await service.createRegisteredModel(
                name: try fields.requiredString("name"), description: try fields.string("description"),
                tags: try fields.tags(), user: request.cairnUser)
            return RegisteredModelOutput(registered_model: RegisteredModelDTO(model))
        }
        routes.json(.get, path: "/registered-models/get") { fields, _, _ in
            RegisteredModelOutput(registered_model: RegisteredModelDTO(try await service.getRegisteredModel(name: try fields.requiredString("name"))))
        }
        routes.json(.post, path: "/registered-models/rename") { fields, _, _ in
            let model = try await service.renameRegisteredModel(name: try fields.requiredString("name"), newName: try fields.requiredString("new_name"))
            return RegisteredModelOutput(registered_model: RegisteredModelDTO(model))
        }
        routes.json(.patch, path: "/registered-models/update") { fields, _, _ in
            let model = try await service.updateRegisteredModel(name: try fields.requiredString("name"), description: try fields.string("description"))
            return RegisteredModelOutput(registered_model: RegisteredModelDTO(model))
        }
        routes.json(.delete, path: "/registered-models/delete") { fields, _, _ in
            try await service.deleteRegisteredModel(name: try fields.requiredString("name"))
            return EmptyResponse()
        }
        routes.json(.get, path: "/registered-models/search") { fields, _, _ in
            let page = try await service.searchRegisteredModels(
                filter: try fields.string("filter"), orderBy: try fields.strings("order_by"),
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return SearchRegisteredModelsOutput(registered_models: page.items.nonEmpty?.map(RegisteredModelDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.post, .get, path: "/registered-models/get-latest-versions") { fields, _, _ in
            let versions = try await service.latestVersions(name: try fields.requiredString("name"), stages: try fields.strings("stages"))
            return ModelVersionsOutput(model_versions: versions.nonEmpty?.map(ModelVersionDTO.init))
        }
        routes.json(.post, path: "/registered-models/set-tag") { fields, _, _ in
            try await service.setRegisteredModelTag(name: try fields.requiredString("name"), tag: try fields.tag())
            return EmptyResponse()
        }
        routes.json(.delete, path: "/registered-models/delete-tag") { fields, _, _ in
            try await service.deleteRegisteredModelTag(name: try fields.requiredString("name"), key: try fields.requiredString("key"))
            return EmptyResponse()
        }
        routes.json(.post, path: "/registered-models/alias") { fields, request, _ in
            try await service.setAlias(name: try fields.requiredString("name"), alias: try fields.requiredString("alias"),
                                       version: try fields.modelVersion(), user: request.cairnUser)
            return EmptyResponse()
        }
        routes.json(.delete, path: "/registered-models/alias") { fields, request, _ in
            try await service.deleteAlias(name: try fields.requiredString("name"), alias: try fields.requiredString("alias"), user: request.cairnUser)
            return EmptyResponse()
        }
        routes.json(.get, path: "/registered-models/alias") { fields, _, _ in
            let version = try await service.version(name: try fields.requiredString("name"), alias: try fields.requiredString("alias"))
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
    }
}
