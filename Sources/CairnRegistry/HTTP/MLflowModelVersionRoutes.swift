import CairnCore
import CairnHTTP
import Hummingbird

/// MLflow's `model-versions/…` endpoints.
public struct MLflowModelVersionRoutes<Context: RequestContext>: Sendable {
    let service: RegistryService

    public init(service: RegistryService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/model-versions/create") { fields, request, _ in
            let version = try await service.createModelVersion(CreateModelVersionRequest(
                name: try fields.requiredString("name"), source: try fields.requiredString("source"),
                runID: try fields.string("run_id"), runLink: try fields.string("run_link"),
                description: try fields.string("description"), loggedModelID: try fields.string("model_id"),
                tags: try fields.tags()), user: request.cairnUser)
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
        routes.json(.get, path: "/model-versions/get") { fields, _, _ in
            let version = try await service.getModelVersion(name: try fields.requiredString("name"), version: try fields.modelVersion())
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
        routes.json(.patch, path: "/model-versions/update") { fields, _, _ in
            let version = try await service.updateModelVersion(
                name: try fields.requiredString("name"), version: try fields.modelVersion(), description: try fields.string("description"))
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
        routes.json(.delete, path: "/model-versions/delete") { fields, request, _ in
            try await service.deleteModelVersion(name: try fields.requiredString("name"), version: try fields.modelVersion(), user: request.cairnUser)
            return EmptyResponse()
        }
        routes.json(.get, path: "/model-versions/search") { fields, _, _ in
            let page = try await service.searchModelVersions(
                filter: try fields.string("filter"), orderBy: try fields.strings("order_by"),
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return SearchModelVersionsOutput(model_versions: page.items.nonEmpty?.map(ModelVersionDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.post, path: "/model-versions/transition-stage") { fields, request, _ in
            let stageName = try fields.requiredString("stage")
            guard let stage = ModelStage(clientName: stageName) else { throw RegistryService.invalidStage(stageName) }
            guard let archive = try fields.bool("archive_existing_versions") else { throw RequestFields.missing("archive_existing_versions") }
            let version = try await service.transitionStage(
                name: try fields.requiredString("name"), version: try fields.modelVersion(), stage: stage,
                archiveExisting: archive, user: request.cairnUser)
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
        routes.json(.get, path: "/model-versions/get-download-uri") { fields, _, _ in
            DownloadURIOutput(artifact_uri: try await service.downloadURI(name: try fields.requiredString("name"), version: try fields.modelVersion()))
        }
        routes.json(.post, path: "/model-versions/set-tag") { fields, _, _ in
            try await service.setModelVersionTag(name: try fields.requiredString("name"), version: try fields.modelVersion(), tag: try fields.tag())
            return EmptyResponse()
        }
        routes.json(.delete, path: "/model-versions/delete-tag") { fields, _, _ in
            try await service.deleteModelVersionTag(name: try fields.requiredString("name"), version: try fields.modelVersion(), key: try fields.requiredString("key"))
            return EmptyResponse()
        }
    }
}
